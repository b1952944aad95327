"""Enter on a timeline row shows the whole entry (rows are cut at 80 columns), sanitised, scrollable,
closed with esc; `c` copies it; `?` help says how to copy a value."""

from __future__ import annotations

from screens.full_text import FullTextScreen
from screens.help import HelpScreen
from screens.incident_timeline import IncidentTimelineScreen
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_incident_tui import make_app, ready
from tests.util import wait_for
from widgets.incident_timeline import IncidentTimeline


async def test_enter_on_a_timeline_row_shows_the_whole_entry(state_dir):
    app = make_app(StaticPoller(dict(NORMAL_VALUES)), hold=1)
    long_note = (
        "Escalated to Team Lead (infrastructure-lead@twist.example) after the second rollback failed; "
        "waiting for the vendor's answer on ticket 4711 — END-OF-NOTE"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        manager = app.incident_response.manager
        manager.start("P2", "Checkout latency", "EU users")
        manager.note(long_note)
        app.action_incident_timeline()
        await wait_for(
            lambda: isinstance(app.screen, IncidentTimelineScreen) and app.screen.query(IncidentTimeline),
            message="timeline",
        )
        timeline = app.screen.query_one(IncidentTimeline)
        await wait_for(lambda: any("END-OF-NOTE" in text for text in timeline.texts()), message="the note's row")
        timeline.focus()
        timeline.move_cursor(row=next(i for i, text in enumerate(timeline.texts()) if "END-OF-NOTE" in text))
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="full entry")
        full = app.screen
        assert "END-OF-NOTE" in full.plain and "infrastructure-lead@twist.example" in full.plain
        assert "kind" not in full.plain and "what: note" in full.plain and "time: " in full.plain
        # wrapped inside the modal, all of it; waited for: the screen is current before its first layout (under
        # load the screenshot was taken before that and held no rows)
        await wait_for(lambda: "END-OF-NOTE" in app.export_screenshot(), message="the whole entry drawn")
        await pilot.press("c")
        assert "END-OF-NOTE" in app.clipboard and "\x1b" not in app.clipboard
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="closed")


async def test_help_says_how_to_copy(state_dir):
    app = make_app(StaticPoller(dict(NORMAL_VALUES)), hold=1)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        notes = " ".join(app.screen.notes)
        assert "c copies" in notes and "OSC 52" in notes and "set-clipboard on" in notes and "drag" in notes
