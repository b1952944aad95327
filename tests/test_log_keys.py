"""Keys of the log view that must not surprise: letters typed right after the filter box closed run
no command (no evidence saved, no alert acknowledged, no audit view), `end` in a paused view resumes
following, `/` opens the box with the current filter, and enter on a log row or a breakdown row shows
its whole text (sanitised, copyable)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from screens.full_text import FullTextScreen
from screens.typing_guard import TYPING_GRACE_S
from screens.log_view import LogDetailScreen, LogViewScreen, tail_controller
from tests.test_tail_core import RECORDED, log, pretty_stream, request_event
from tests.test_tail_source import FakeWrangler, chunks, environment
from tests.test_tail_view import app_for, rendered
from tests.util import typing_burst_over, wait_for
from widgets.log_breakdown import LogBreakdown
from widgets.log_list import LogList

import pytest
from screens.textual_compat import notifications


def text_of(renderable: Any, width: int) -> str:
    """A rich renderable (a Static's table) as plain text at ``width`` columns."""
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


async def open_view(app, pilot, count: int = len(RECORDED)) -> tuple[LogViewScreen, Any]:
    await app.push_screen(LogViewScreen())
    store = tail_controller(app).store
    await wait_for(lambda: len(store.events) == count, message="recorded events in the store")
    screen = app.screen
    assert isinstance(screen, LogViewScreen)
    await wait_for(
        lambda: any("TypeError" in line for line in rendered(screen.query_one(LogList))), message="rows drawn"
    )
    return screen, store


async def test_letters_typed_after_the_filter_box_closed_change_nothing(fake, state_dir):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 400) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        screen, store = await open_view(app, pilot)
        # the guard's clock stands still while keys arrive (one burst, however slowly a loaded machine delivers
        # them) and moves past the grace period where the test pauses (no real wait for the burst to end)
        now = [1000.0]
        screen.typing_guard.clock = lambda: now[0]
        await pilot.press("slash", *"level:error", "enter")
        assert store.filter.expr == "level:error" and not screen.input_mode
        # the operator keeps typing: s (save evidence), a (ack alert), u (audit), space (pause), q (quit)
        await pilot.press(*"sauq", "space")
        await pilot.pause()
        assert isinstance(app.screen, LogViewScreen) and app.is_running
        assert not store.paused
        assert not (state_dir / "tail").exists() or not list((state_dir / "tail").glob("*.jsonl"))
        assert store.filter.expr == "level:error"
        assert any("Typed after the filter box closed" in str(n.message) for n in notifications(app))
        # escape closes the box the same way
        now[0] += TYPING_GRACE_S + 0.01
        await pilot.press("slash", *"x", "escape", "s", "space")
        await pilot.pause()
        assert not store.paused and not list((state_dir / "tail").glob("*.jsonl"))
        assert store.filter.expr == "level:error"  # escape kept the filter
        # after a pause keys are commands again
        now[0] += TYPING_GRACE_S + 0.01
        await pilot.press("space")
        assert store.paused


async def test_default_burst_swallows_a_letter_and_a_pause_ends_it(fake, state_dir):
    """The shipped grace period, on the guard's clock (frozen here, so a slow machine cannot stretch
    the burst): a key right after enter does nothing, the same key after the grace period works."""
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 400) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        screen, store = await open_view(app, pilot)
        now = [1000.0]
        screen.typing_guard.clock = lambda: now[0]
        await pilot.press("slash", *"outcome:ok", "enter")
        now[0] += TYPING_GRACE_S * 0.9  # still typing
        await pilot.press("space")
        assert screen.typing_guard.swallowed == " " and not store.paused
        now[0] += TYPING_GRACE_S * 0.9  # the burst goes on: each key extends it
        await pilot.press("s")
        assert screen.typing_guard.swallowed == " s" and not list((state_dir / "tail").glob("*.jsonl"))
        now[0] += TYPING_GRACE_S + 0.01  # a pause: keys are commands again
        await pilot.press("space")
        assert store.paused and not screen.typing_guard.armed


async def test_end_resumes_a_paused_view_and_slash_edits_the_current_filter(fake, tmp_path):
    go = tmp_path / "go"
    more = pretty_stream(RECORDED[:2]).split(b"waiting for logs...\n", 1)[1]
    fake.set_runs(
        {"steps": chunks(pretty_stream(RECORDED), 400) + [{"wait": str(go)}] + chunks(more, 40) + [{"sleep": 30}]}
    )
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        screen, store = await open_view(app, pilot)
        log_list = screen.query_one(LogList)
        await pilot.press("space", "home")
        assert store.paused and not log_list.follow
        go.write_text("go")
        await wait_for(lambda: store.paused_new == 2, message="two events while paused")
        assert len(store.view) == len(RECORDED)
        await pilot.press("end")
        await wait_for(lambda: not store.paused, message="end resumed")
        assert len(store.view) == len(RECORDED) + 2 and log_list.follow
        await wait_for(lambda: log_list.cursor == len(store.view) - 1, message="cursor on the newest")

        # `/` opens the box holding the current filter, cursor at its end, for editing
        await pilot.press("slash", *"level:error", "enter")
        assert store.filter.expr == "level:error"
        await typing_burst_over(screen)
        await pilot.press("slash")
        field = screen.query_one("#log-input")
        assert field.value == "level:error" and field.cursor_position == len("level:error") and field.has_focus
        await pilot.press(*" cpu>25", "enter")
        assert store.filter.expr == "level:error cpu>25"


async def test_enter_on_a_log_row_and_a_breakdown_row_shows_the_full_text(fake, state_dir):
    long_message = "upstream fetch failed: " + "x" * 150 + " END-OF-MESSAGE \x1b[31m"
    events = [request_event(9, logs=[log("error", long_message)])]
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED + events), 400) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(80, 24)) as pilot:
        screen, store = await open_view(app, pilot, count=len(RECORDED) + 1)
        # the newest row (the long message): enter shows the whole event
        screen.query_one(LogList).focus()
        await pilot.press("end", "enter")
        await wait_for(lambda: isinstance(app.screen, LogDetailScreen), message="event detail")
        detail_text = str(app.screen.query_one("#log-detail").render())
        assert "END-OF-MESSAGE" in detail_text and "\x1b" not in detail_text and "\\x1b" in detail_text
        await pilot.press("c")  # copies the event's text (OSC 52), escaped
        assert "END-OF-MESSAGE" in app.clipboard and "\x1b" not in app.clipboard
        await pilot.press("escape")
        assert isinstance(app.screen, LogViewScreen)

        # the breakdown: tab into it, pick the long message's row, enter shows all of it
        await pilot.press("b")
        breakdown = screen.query_one(LogBreakdown)
        await wait_for(lambda: any("END-OF-MESSAGE" in row.message for row in breakdown.rows), message="ranked")
        breakdown.focus()
        await pilot.pause()
        target = next(i for i, row in enumerate(breakdown.rows) if "END-OF-MESSAGE" in row.message)
        for _ in range(target):
            await pilot.press("down")
        assert breakdown.cursor == target
        table = screen.query_one("#breakdown-errors")
        await wait_for(
            lambda: f">{target + 1}" in text_of(table.content, breakdown.size.width),
            message="the picked row marked with a sign, not only a colour",
        )
        table_text = text_of(table.content, breakdown.size.width)
        assert "\x1b" not in table_text  # the breakdown wraps the message (issue #9), sanitised
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="full message")
        full = app.screen
        assert "END-OF-MESSAGE" in full.plain and "x" * 150 in full.plain
        assert "\x1b" not in full.plain and "\\x1b" in full.plain  # sanitised
        shown = app.export_screenshot()
        assert "END-OF-MESSAGE" in shown  # wrapped on screen, not cut
        await pilot.press("c")
        assert "END-OF-MESSAGE" in app.clipboard and "\x1b" not in app.clipboard
        await pilot.press("escape")
        assert isinstance(app.screen, LogViewScreen)
