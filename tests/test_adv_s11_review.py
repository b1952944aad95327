"""Adversarial review of the s11 changes (text boxes and key bursts, pick lists, alert banner, simulator
signals, audit --env)."""

from __future__ import annotations

from tests.look_views import look_app
from tests.test_adv_s11_keys import _start_form, burst
from tests.test_flow_ui_modal import open_by_key, sim_app
from tests.util import wait_for
from widgets.text_input import TextInput


# -- keys typed after an enter that submitted ----------------------------------------------------------
async def test_keys_after_enter_in_impact_are_not_in_the_incident():
    app = look_app("dashboard")
    submitted: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot, submitted)
        await burst(pilot, *"T", "tab", *"I", "enter", *"xy")
        await wait_for(lambda: submitted, message="submitted")
        impact = screen.query_one("#incident-impact", TextInput)
        assert submitted == [("P2", "T", "I")]  # was ('P2', 'T', 'Ixy')
        await pilot.pause()
        assert impact.value == "I"


async def test_keys_after_enter_in_a_flow_form_are_not_in_its_inputs(sim, fake_tools, state_dir):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-ip").value = "203.0.113.9"
        modal.query_one("#input-reason").value = "abuse"
        modal.query_one("#input-ip").focus()
        await wait_for(lambda: app.focused is modal.query_one("#input-ip"), message="ip focused")
        await burst(pilot, "enter", "7")
        await wait_for(lambda: modal.phase == "run", message="run phase")
        assert modal.runner.inputs["ip"] == "203.0.113.9"  # was 203.0.113.97
        assert modal.query_one("#input-ip").value == "203.0.113.9"
