"""Walk-through of session 11 (the incident lifecycle by hand at 80x24 and 60x20): each test failed before its fix."""

from __future__ import annotations

import dataclasses

from console.incident.manager import IncidentManager
from screens.incident_prompt import ResumeScreen
from screens.incident_timeline import IncidentTimelineScreen
from screens.textual_compat import screen_text_lines
from tests.test_incident_tui import TYPING_REFRESH, ScriptedPoller, make_app
from tests.util import wait_for
from widgets.incident_timeline import IncidentTimeline

#: the timeline of a P1 drill after the responding flow (texts as the console writes them)
P1_NOTES = [
    "Alert active at start: CRIT Error rate 4.10 % -> P1 - High Error Rate (suggest P1)",
    "Recording: /tmp/tmp.m7hhjfvNJB/edge-console/recordings/DRILL-2026-12-04-001-20261204T171226Z.jsonl.gz "
    "(replay: edge-console replay /tmp/tmp.m7hhjfvNJB/edge-console/recordings/"
    "DRILL-2026-12-04-001-20261204T171226Z.jsonl.gz)",
    "Rolled back deploy 2.4.1 -> 2.4.0 [canary] 50%",
    "Flow p1-high-error-rate step breakdown (Top error messages): passed [production, SIMULATED]",
    "Flow p1-high-error-rate step deployments (Recent deployments of vau-processor-production): passed (exit 0) "
    "[production, SIMULATED]",
    "Flow p1-high-error-rate step commits (git log --oneline -20 -- modules/plan-2-edge): passed (exit 0) "
    "[production, SIMULATED]",
    "Flow p1-high-error-rate step chosen (Chose and ran a mitigation): done [production, SIMULATED]",
    "Flow p1-high-error-rate (P1 high error rate: identify and mitigate) ended: done; ran: breakdown, "
    "deployments, commits, mitigations, chosen [production, SIMULATED] LASTWORD",
]


async def resume(app, pilot) -> None:
    """Answer the start-up offer to resume the open incident with y."""
    await wait_for(lambda: isinstance(app.screen, ResumeScreen) and app.screen.query("#resume-list"), message="offer")
    await pilot.press("y")
    await wait_for(lambda: app.incident_response.manager.current_id is not None, message="resumed")


async def resume_and_open_timeline(app, pilot) -> None:
    await resume(app, pilot)
    await pilot.press("i")
    await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="timeline")


async def test_the_timeline_shows_the_whole_of_its_newest_entry_at_80x24(state_dir):
    manager = IncidentManager(state_dir=state_dir, user="root@vm", drill=True)
    manager.start("P1", "P1 - High Error Rate", "Checkout API 500s for ~4% of requests")
    for text in P1_NOTES:
        manager.note(text)
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await resume_and_open_timeline(app, pilot)
        timeline = app.screen.query_one(IncidentTimeline)
        await wait_for(lambda: timeline.row_count == len(P1_NOTES) + 2 and timeline.virtual_size.height, message="rows")
        await pilot.pause(0.3)
        # the newest entry (the console's restart) is on screen whole: the table stopped 1-2 lines short of
        # its end (it scrolled to the cursor before the new rows' heights were measured)
        assert timeline.scroll_y == timeline.max_scroll_y, (timeline.scroll_y, timeline.max_scroll_y)
        assert "before)" in "\n".join(screen_text_lines(app))


async def test_the_phase_picker_starts_on_the_next_phase_not_on_one_already_marked(state_dir):
    from screens.incident_prompt import PhasePickerScreen

    manager = IncidentManager(state_dir=state_dir, user="root@vm", drill=True)
    manager.start("P1", "High error rate", "checkout 500s")
    manager.mark_phase("acknowledged")
    manager.mark_phase("root-cause-identified")
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await resume_and_open_timeline(app, pilot)
        await pilot.press("m")
        await wait_for(lambda: isinstance(app.screen, PhasePickerScreen), message="phase picker")
        # the cursor was on "1 Engineer acknowledged" (marked already): enter by habit set the phase back from
        # root cause identified to acknowledged
        await wait_for(lambda: "Mitigation applied" in "\n".join(screen_text_lines(app)), message="options shown")
        assert "› 3  Mitigation applied" in "\n".join(screen_text_lines(app))
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, PhasePickerScreen), message="picked")
        await wait_for(lambda: manager.get().phase == "mitigation-applied", message="next phase marked")


def _footer(app) -> str:
    return screen_text_lines(app)[-1]


async def test_a_closed_incidents_timeline_offers_review_and_help_not_keys_that_are_refused(state_dir):
    manager = IncidentManager(state_dir=state_dir, user="root@vm", drill=True)
    manager.start("P1", "High error rate", "checkout 500s")
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await resume_and_open_timeline(app, pilot)
        await wait_for(lambda: "n Note" in _footer(app) and "x Close" in _footer(app), message="open incident's keys")
        assert "v Review" not in _footer(app)  # nothing to review while it is open ("Close the incident first")
        manager.close("bad deploy", "rolled back", ["canary deploys"])  # e.g. `edge-console incident close`
        # the footer offered n Note, m Phase, s Severity, x Close incident (each refused: "... is closed") and
        # at 80 columns cut off what works: v Review item done, q Quit, ? Help
        await wait_for(lambda: "v Review item done" in _footer(app), message="review key")
        footer = _footer(app)
        assert "? Help" in footer and "q Quit" in footer, footer
        for refused in ("n Note", "m Phase", "s Severity", "x Close"):
            assert refused not in footer, footer
        await pilot.press("n")  # refused keys do not open a prompt that can only fail
        await pilot.pause(0.2)
        assert isinstance(app.screen, IncidentTimelineScreen)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Incident: close" not in titles and "Incident: review item done" in titles


async def test_the_close_checklist_takes_space_at_once_and_again_after_back():
    from textual.widgets import Checkbox

    from screens.incident_close import IncidentCloseScreen

    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(IncidentCloseScreen("INC-1", lambda: app.last_result, lambda *a: (False, "no")))
        await wait_for(
            lambda: isinstance(app.screen, IncidentCloseScreen) and app.screen.query(Checkbox), message="close"
        )
        close = app.screen
        boxes = list(close.query(Checkbox))
        # the focus was on the step's scroll container (no cursor anywhere): space ticked nothing until a tab
        await pilot.press("space")
        await wait_for(lambda: boxes[0].value, message="space ticks the first item")
        await pilot.click("#close-next")
        await wait_for(lambda: close.query_one("#close-step-review").display, message="step 2")
        await pilot.click("#close-back")
        await wait_for(lambda: close.query_one("#close-step-recovery").display, message="step 1 again")
        await pilot.pause()
        # the focus stayed on the hidden Back button: keys went nowhere
        assert app.focused is boxes[0], app.focused


async def test_a_log_row_cut_at_the_panes_edge_says_so():
    from textual.app import App

    from console.tail.model import TailEvent
    from console.tail.store import TailStore
    from tests.test_tail_core import request_event
    from widgets.log_list import LogList

    store = TailStore(capacity=10)
    message = "upstream fetch failed: 502 Bad Gateway from vau-backend after 3 retries"
    store.add([TailEvent(request_event(0, status=502, logs=[{"level": "error", "message": [message]}]))])

    class Pane(App):
        def compose(self):
            yield LogList(store)

    app = Pane()
    async with app.run_test(size=(76, 4)) as pilot:
        log_list = app.query_one(LogList)
        log_list.sync()
        await pilot.pause()
        row = "".join(seg.text for seg in log_list.render_line(0)).rstrip()
        assert "upstream fetch failed" in row, row
        # the outage's rows read 'upstream fetch failed: 502 Ba' (cut at the edge, nothing said); the path
        # beside it says its cut with '…'
        assert row.endswith("…") and len(row) == log_list.scrollable_content_region.width, row
        from console.tail.format import line_pieces

        whole = "".join(t for t, _ in line_pieces(store.view[0])).rstrip()
        for width in (40, 60, 99, 120, 200):  # narrow and wide layouts; a row that fits is not marked
            text = "".join(t for t, _ in line_pieces(store.view[0], width)).rstrip()
            assert len(text) <= width, (width, text)
            assert text.endswith("…" if len(whole) > width else "retries"), (width, text)


async def test_the_p0_timeline_at_60x20_spends_no_rows_on_empty_lines(state_dir):
    manager = IncidentManager(state_dir=state_dir, user="root@vm", drill=True)
    manager.start("P0", "P0 - Service Down", "")
    for n in range(8):
        manager.note(f"note {n}")
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(60, 20)) as pilot:
        await resume_and_open_timeline(app, pilot)
        await pilot.pause(0.3)
        lines = screen_text_lines(app)
        title = next(i for i, line in enumerate(lines) if line.strip() == "P0 - Service Down")
        # no warnings and no review (open): their two empty lines sat between the summary and the table,
        # a third of the rows the timeline has at 60x20 under the P0 escalation path
        assert lines[title + 1].startswith(" time (UTC)"), lines[title : title + 4]


async def test_the_contacts_screen_shows_which_channel_sends_at_80_columns():
    from dataclasses import replace

    from console.incident.contacts import runbook_defaults
    from screens.contacts import ContactsScreen

    contacts = runbook_defaults()
    contacts.channels["incidents"] = replace(contacts.channels["incidents"], notify=("slack-notify", "--channel", "x"))
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ContactsScreen(contacts))
        await wait_for(lambda: isinstance(app.screen, ContactsScreen), message="contacts")
        await pilot.pause(0.3)
        lines = screen_text_lines(app)
        row = next(line for line in lines if "#incidents" in line)
        # the mark was at the end of the note column, beyond the screen's edge at 80 (and 60) columns:
        # the hint named a mark no channel showed
        assert "notify" in row, row


async def test_the_banner_on_an_open_incidents_timeline_names_no_i(state_dir):
    """'i incident' was offered on the timeline of the open incident, where i opens what is shown; on the
    dashboard it still opens the timeline."""
    from widgets.alert_banner import AlertBanner

    manager = IncidentManager(state_dir=state_dir, user="root@vm", drill=True)
    manager.start("P1", "High error rate", "checkout 500s")
    app = make_app(ScriptedPoller([1400]), hold=1, refresh=TYPING_REFRESH)  # a CRIT P95 latency

    def banner() -> str:
        found = app.screen.query(AlertBanner)
        return found.first().render().plain if found and found.first().display else ""

    async with app.run_test(size=(100, 30)) as pilot:
        await resume(app, pilot)
        await wait_for(lambda: "i incident" in banner(), message="the dashboard's banner names i")
        await pilot.press("i")
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="timeline")
        await wait_for(lambda: "a ack" in banner(), message="the timeline's banner")
        assert "i incident" not in banner(), banner()
        assert "i" not in app.screen.active_bindings  # check_action False: not bound here


async def test_closing_while_a_live_check_fails_asks_a_second_press():
    """With the workers' health down, 'Close and write report' closed the incident at once (only the report
    said 'fail'): the first press names what still fails and the button becomes 'Close anyway'."""
    from textual.widgets import Button, Static

    from screens.incident_close import IncidentCloseScreen
    from tests.fakes import Health

    class DownPoller(ScriptedPoller):
        async def poll(self):
            result = await super().poll()
            return dataclasses.replace(result, health=Health(False, "down", {"vau-processor": "down"}, "1.4.2"))

    submitted: list = []
    app = make_app(DownPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.last_result is not None, message="a poll")
        screen = IncidentCloseScreen(
            "INC-1", lambda: app.last_result, lambda *a: (submitted.append(a), (True, "r.md"))[1]
        )
        await app.push_screen(screen)
        await wait_for(lambda: isinstance(app.screen, IncidentCloseScreen), message="close")
        await pilot.click("#close-next")
        await wait_for(lambda: screen.query_one("#close-step-review").display, message="step 2")
        await pilot.click("#close-ok")
        error = screen.query_one("#close-error", Static)
        await wait_for(lambda: "Still failing" in str(error.render()), message="what still fails")
        assert "health down" in str(error.render()) and not submitted
        assert str(screen.query_one("#close-ok", Button).label) == "Close anyway"
        ok = screen.query_one("#close-ok", Button)
        await wait_for(lambda: not ok.has_class("-active"), message="the first press's effect over")  # as a person
        ok.focus()  # below the message now, maybe scrolled: by key
        await pilot.press("enter")
        await wait_for(lambda: submitted, message="closed on the second press")
