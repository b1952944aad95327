"""The log detail view's first line: an event whose logs say ERROR (or WARN) while its outcome is ok reads
"✖ ERROR (outcome ok)", not "✖ ok": the severity symbol and the outcome word disagreed."""

from __future__ import annotations

from textual.app import App

from console.tail.format import detail_pieces
from console.tail.model import SEV_ERROR, SEV_WARN, TailEvent
from tests.test_tail_core import exc, log, request_event
from widgets.log_detail import LogDetail


def first_line(event: TailEvent) -> str:
    return "".join(text for text, _ in detail_pieces(event)).splitlines()[0]


def test_error_level_with_outcome_ok_says_both():
    event = TailEvent(request_event(logs=[log("error", "upstream fetch failed: 502")], status=502))
    assert event.severity == SEV_ERROR and event.outcome == "ok"
    assert first_line(event) == "✖ ERROR (outcome ok)  request  GET https://api.twist.io/api/v1/session"
    warn = TailEvent(request_event(logs=[log("warn", "slow upstream")]))
    assert warn.severity == SEV_WARN
    assert first_line(warn).startswith("▲ WARN (outcome ok)  request")
    # an outcome that is not ok is the word itself; a quiet ok stays ok
    failed = TailEvent(request_event(outcome="exception", exceptions=[exc("TypeError", "boom")], status=500))
    assert first_line(failed).startswith("✖ exception  request")
    assert first_line(TailEvent(request_event())).startswith("✓ ok  request")


async def test_the_detail_view_shows_it():
    event = TailEvent(request_event(logs=[log("error", "upstream fetch failed: 502")], status=502))

    class Detail(App):
        def compose(self):
            yield LogDetail(event, id="log-detail")

    app = Detail()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        shown = str(app.query_one(LogDetail).render())
        assert shown.startswith("✖ ERROR (outcome ok)"), shown
