"""At 60x20, with an alert on the line above the modal, a change's confirmation and the answer to a wrong
name are on screen: the step panel (what will run, the prompt, the box, the answer) was taller than the
room left, and the answer ("'prod' is not 'production': nothing ran") was cut off below the frame, so
Enter seemed to do nothing."""

from __future__ import annotations

from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.textual_compat import render_update
from tests.fakes import StaticPoller
from tests.test_flow_ui_modal import open_by_key, settled
from tests.util import refresh_model, type_in, wait_for


def frame_text(app) -> str:
    """The rows the terminal is sent (what a person sees), without styles."""
    return "\n".join("".join(segment.text for segment in strip) for strip in render_update(app).strips)


async def test_a_wrong_environment_name_is_answered_on_a_60x20_screen_under_an_alert(sim, fake_tools, state_dir):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=0.2)
    cfg.raw["alerts"] = {"hold_scrapes": 1, "clear_scrapes": 1000}
    refresh_model(cfg)
    session = Session(config=cfg, env=cfg.environment(), read_only=False)
    app = EdgeConsoleApp(session, poller=StaticPoller(ddos=True))  # a request-rate alert from the first polls
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(lambda: "CRIT" in frame_text(app).splitlines()[1], message="the alert line")
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        await pilot.press("enter")  # step 1 (reads the security level)
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="step 1")
        await settled(modal)
        await wait_for(lambda: modal.query_one("#flow-confirm").has_focus, message="confirmation box")
        assert "CRIT" in frame_text(app).splitlines()[0]  # the alert stays on the line above the modal
        await type_in(pilot, modal, "#flow-confirm", "prod")
        await pilot.press("enter")
        await wait_for(
            lambda: "'prod' is not 'production': nothing ran" in frame_text(app),
            message="the refusal on screen",
        )
        frame = frame_text(app)
        assert "Type production to run" in frame and "prod" in frame.split("nothing ran")[0]
        assert modal.runner.steps[1].state.value == "pending"  # and nothing ran
