"""The flow modal at 80x24: form errors at their fields, the preview of a check, the production
confirmation (with a wrong name typed), and the result and summary of a run (snapshots)."""

from __future__ import annotations

import pytest

from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.flow_modal import FlowModal
from tests.fakes import StaticPoller
from tests.steady_screen import steady_cursors
from tests.test_flow_ui_modal import ready, settled
from tests.util import wait_for

pytestmark = pytest.mark.usefixtures("unseen_frames_skipped")  # the snapshots read the screen

FIXED_NOW = 1_764_000_000.0
SIZE = (80, 24)


def pinned_app(base_url: str = "http://127.0.0.1:9", tool_env: dict | None = None) -> EdgeConsoleApp:
    cfg = simulated_config(base_url, tool_env=tool_env, tools={})
    app = EdgeConsoleApp(
        Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller(now=FIXED_NOW)
    )
    app.clock = lambda: FIXED_NOW + 2
    return app


async def open_flow(pilot, flow_id: str, inputs: dict[str, str] | None = None) -> FlowModal:
    app = pilot.app
    await ready(app)
    app.open_flow(flow_id, inputs)
    await wait_for(lambda: isinstance(app.screen, FlowModal), message=flow_id)
    await pilot.pause()
    return app.screen


def test_flow_form_errors_at_fields(snap_compare):
    async def run_before(pilot):
        modal = await open_flow(pilot, "block-ip", {"ip": "999.1.1.1", "reason": ""})
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(lambda: "valid" in str(modal.query_one("#msg-ip").render()), message="errors")
        await wait_for(lambda: getattr(pilot.app.focused, "id", None) == "input-ip", message="focus on the error")
        await steady_cursors(pilot)

    assert snap_compare(pinned_app(), terminal_size=SIZE, run_before=run_before)


def test_flow_preview_of_a_check(snap_compare, monkeypatch):
    monkeypatch.setenv("EDGE_SIM_API_TOKEN", "snapshot-secret-token-0123456789")

    async def run_before(pilot):
        modal = await open_flow(pilot, "under-attack-mode")
        await wait_for(lambda: modal.phase == "run", message="run phase")
        await pilot.pause()
        assert "snapshot-secret-token" not in pilot.app.export_screenshot()

    assert snap_compare(pinned_app(), terminal_size=SIZE, run_before=run_before)


def test_flow_production_confirmation(snap_compare):
    async def run_before(pilot):
        modal = await open_flow(pilot, "block-ip", {"ip": "203.0.113.9", "reason": "abuse"})
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="confirmation")
        await pilot.press(*"staging", "enter")
        await wait_for(lambda: modal.query_one("#flow-confirm-msg").display, message="wrong name refused")
        await steady_cursors(pilot)

    assert snap_compare(pinned_app(), terminal_size=SIZE, run_before=run_before)


def test_flow_result_and_summary(snap_compare, sim, fake_tools):
    async def run_before(pilot):
        modal = await open_flow(pilot, "block-ip", {"ip": "203.0.113.9", "reason": "abuse"})
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="confirmation")
        await pilot.press(*"production", "enter")
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="put")
        await settled(modal)
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", timeout=20, message="summary")
        await pilot.pause()

    assert snap_compare(pinned_app(sim.base_url, sim.tool_env()), terminal_size=SIZE, run_before=run_before)
