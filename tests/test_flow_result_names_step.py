"""The result of the step that just ran stays in view under the next step's confirmation: it names its
step. A bare "✓ PASSED  HTTP 200" right under "This changes PRODUCTION. Type production to run: PATCH
security_level = under_attack" read as the change's own result, before anything was typed (seen at 80x24
in the ddos scenario, the step's header line scrolled out of the output's few rows)."""

from __future__ import annotations

from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from tests.fakes import StaticPoller
from tests.test_flow_confirm_small_terminal import frame_text
from tests.test_flow_ui_modal import open_by_key, settled
from tests.util import wait_for


async def test_the_previous_steps_result_under_a_confirmation_names_its_step(sim, fake_tools, state_dir):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=0.2)
    session = Session(config=cfg, env=cfg.environment(), read_only=False)
    app = EdgeConsoleApp(session, poller=StaticPoller(ddos=True))
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        await pilot.press("enter")  # step 1 reads the security level
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="step 1")
        await settled(modal)
        await wait_for(lambda: modal.query_one("#flow-confirm").has_focus, message="the confirmation box")
        await wait_for(lambda: "step 1: ✓ PASSED" in frame_text(app), message="the result naming step 1")
        frame = frame_text(app)
        assert "Type production to run" in frame
        assert not any(line.strip(" │").startswith("✓ PASSED") for line in frame.splitlines())
        assert modal.runner.steps[1].state.value == "pending"
