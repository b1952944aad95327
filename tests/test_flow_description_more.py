"""A flow's description that does not fit its rows (6 at most, above the form) says so at 60x20: its last
row reads "… N more lines · ctrl+o shows all" (it was cut silently mid-sentence), and the key shows the
whole description (a P0 flow's escalation path first) in a scrollable modal."""

from __future__ import annotations

from screens.flow_modal import FlowModal
from screens.full_text import FullTextScreen
from tests.test_incident_tui import ScriptedPoller, make_app, ready
from tests.util import press_now, wait_for


async def open_flow(app, flow_id: str) -> FlowModal:
    app.open_flow(flow_id)
    await wait_for(
        lambda: isinstance(app.screen, FlowModal) and app.screen.query("#flow-desc") and app.focused is not None,
        message="flow form",
    )
    return app.screen


async def test_a_cut_description_says_how_much_more_and_the_key_shows_all():
    app = make_app(ScriptedPoller([80]), refresh=1.0)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        modal = await open_flow(app, "p0-service-down")
        desc = modal.query_one("#flow-desc")
        await wait_for(lambda: "Escalate:" in str(desc.render()), message="escalation path")
        await wait_for(lambda: "more lines" in str(desc.render()), message="the more line")
        # the layout that gives it its rows follows the text (one read under load had 5 rows for 6 lines)
        await wait_for(lambda: desc.size.height == len(str(desc.render()).splitlines()), message="laid out")
        lines = str(desc.render()).splitlines()
        assert len(lines) == desc.size.height == 6, lines  # every row drawn, the last one the marker
        assert lines[-1].startswith("… ") and lines[-1].endswith(" more lines · ctrl+o shows all"), lines
        focused = app.focused
        await press_now(pilot, "ctrl+o")
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="the whole description")
        whole = app.screen.plain
        assert whole.startswith("Escalate: On-Call Engineer") and "CTO (cto@twist.io)" in whole, whole
        assert " ".join(modal.flow.description.split()) in " ".join(whole.split())
        await press_now(pilot, "escape")
        await wait_for(lambda: app.screen is modal and app.focused is focused, message="back in the form")


async def test_a_description_that_fits_has_no_more_line():
    app = make_app(ScriptedPoller([80]), refresh=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        modal = await open_flow(app, "block-ip")
        desc = modal.query_one("#flow-desc")
        await wait_for(lambda: desc.size.height > 0, message="drawn")
        text = str(desc.render())
        assert "more lines" not in text and " ".join(text.split()) == " ".join(modal.flow.description.split())
