"""P0: the escalation path comes first, before the description, where it would otherwise be cut at 60x20:
in a P0 flow's modal and in the incident view of an open P0 incident."""

from __future__ import annotations

from screens.flow_modal import FlowModal
from screens.incident_timeline import IncidentTimelineScreen
from screens.textual_compat import screen_text_lines
from tests.test_incident_tui import ScriptedPoller, make_app, ready
from tests.util import press_now, wait_for


async def test_p0_flow_shows_the_escalation_path_before_its_description_at_60x20():
    app = make_app(ScriptedPoller([80]), refresh=1.0)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        app.open_flow("p0-service-down")
        await wait_for(lambda: isinstance(app.screen, FlowModal) and app.screen.query("#flow-desc"), message="P0 flow")
        desc = app.screen.query_one("#flow-desc")
        await wait_for(lambda: "Escalate:" in str(desc.render()), message="escalation path in the P0 flow")
        text = str(desc.render())
        assert text.startswith("Escalate: On-Call Engineer"), text  # first, not after the description
        description = app.screen.flow.description.strip().split()[0]
        assert text.index("Escalate:") < text.index(description), text
        await pilot.pause()
        shown = " ".join(" ".join(line.strip(" │") for line in screen_text_lines(app)).split())  # box borders off
        # the whole path is on the screen at 60x20 (the description went below it)
        for part in ("Team Lead", "Platform Lead", "CTO (cto@twist.io)", "war room zoom.twist.io/warroom"):
            assert part in shown, (part, shown)


async def test_the_incident_view_of_a_p0_shows_the_escalation_path_before_the_description(state_dir):
    app = make_app(ScriptedPoller([80]), refresh=1.0)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        app.incident_response.manager.start("P0", "Checkout down", "every EU checkout fails")
        await press_now(pilot, "i")
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="incident view")
        summary = app.screen.query_one("#incident-summary")
        await wait_for(lambda: "Checkout down" in str(summary.render()), message="summary")
        lines = str(summary.render()).splitlines()
        assert lines[1].startswith("Escalate: On-Call Engineer"), lines
        assert lines[-1].startswith("Checkout down"), lines  # the description after it
        # a P1 has no escalation line
        app.incident_response.manager.set_severity("P1", "contained")
        app.screen.show_incident(app.incident_response.manager.current)
        assert "Escalate:" not in str(summary.render())
