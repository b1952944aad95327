"""Finding 3 in the TUI: with ``audit.jsonl`` unwritable (a directory) the flow modal refuses the step
that changes the edge, says why on screen, and nothing runs."""

from __future__ import annotations

from tests.test_flow_ui_modal import KV, changes, open_by_key, sim_app
from tests.util import wait_for


async def test_the_modal_refuses_a_change_it_cannot_record(sim, fake_tools, state_dir):
    (state_dir / "audit.jsonl").mkdir()
    app = sim_app(sim)
    async with app.run_test(size=(100, 30)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-ip").value = "203.0.113.11"
        modal.query_one("#input-reason").value = "abuse"
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(
            lambda: modal.phase == "run" and modal.query_one("#flow-confirm").display, message="confirmation"
        )
        await pilot.press(*"production", "enter")
        await wait_for(lambda: modal.runner.steps[0].state.value == "refused", timeout=20, message="refused")
        await wait_for(lambda: "cannot write the audit trail" in modal.visible_text(), message="reason on screen")
        assert "nothing ran" in modal.visible_text()
        assert modal.runner.steps[1].state.value == "not_run"
    assert changes(fake_tools) == []
    assert "blocked:ip:203.0.113.11" not in sim.state.snapshot()["kv"].get(KV, {})
