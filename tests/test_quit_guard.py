"""`q` with an open incident or a critical alert asks first and names what is open; otherwise it quits."""

from __future__ import annotations

from screens.quit_confirm import QuitConfirmScreen
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_incident_tui import TYPING_REFRESH, make_app, ready
from tests.test_flow_ui_modal import screen_text
from tests.util import wait_for


async def test_q_with_an_open_incident_and_a_crit_alert_asks_and_only_y_quits(state_dir):
    values = dict(NORMAL_VALUES, error_rate=4.0)  # above the critical 1%
    app = make_app(StaticPoller(values), hold=1, refresh=TYPING_REFRESH)  # constant data: one poll a second
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        await wait_for(lambda: any(a.key == "error_rate" for a in response.engine.active()), message="alert")
        response.manager.start("P1", "Checkout errors", "5xx for EU users")
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="quit confirmation")
        shown = " ".join(app.screen.open_things)
        assert "P1" in shown and "Checkout errors" in shown and "alert CRIT Error rate" in shown
        assert "The incident stays open in its file" in screen_text(app)
        for key in ("n", "q", "escape"):  # each keeps the console running
            await pilot.press(key)
            await wait_for(lambda: not isinstance(app.screen, QuitConfirmScreen), message=f"{key} stays")
            assert app.is_running and app.return_code is None
            await pilot.press("q")
            await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="asked again")
        await pilot.press("y")
        await wait_for(lambda: not app.is_running, message="quit after y")


async def test_q_with_nothing_open_quits_at_once(state_dir):
    app = make_app(StaticPoller(dict(NORMAL_VALUES)), hold=1, refresh=TYPING_REFRESH)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await wait_for(lambda: not app.is_running, message="quit")


async def test_q_with_a_runbook_flow_in_progress_asks_naming_the_flow(sim, fake_tools, state_dir):
    from screens.flow_modal import FlowModal
    from tests.test_flow_ui_modal import open_by_key, settled, sim_app, start_breaker

    app = sim_app(sim)
    async with app.run_test(size=(100, 30)) as pilot:
        modal = await open_by_key(app, pilot, "B", "enable-circuit-breaker")
        await start_breaker(modal, pilot)  # the worker form, then step 1 (a check): the flow is in progress
        await pilot.press("enter")  # step 2 (a check) runs
        await wait_for(lambda: modal.runner.steps[1].state.value == "passed", timeout=20, message="step 2")
        await settled(modal)
        # step 2 changes the edge: its confirmation box has the focus, where q is just a letter
        await wait_for(lambda: modal.query_one("#flow-confirm").has_focus, message="confirmation box")
        await pilot.press("q")
        assert app.is_running and modal.query_one("#flow-confirm").value == "q"
        modal.query_one("#flow-confirm").value = ""
        modal.set_focus(None)  # off the box (as a click elsewhere does): q is the quit key again
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="quit confirmation")
        shown = " ".join(app.screen.open_things)
        assert "runbook flow" in shown and modal.flow.title in shown and "step 3 of" in shown
        await pilot.press("n")
        await wait_for(lambda: app.screen is modal, message="back in the flow")
        assert app.is_running and app.return_code is None
        await pilot.press("ctrl+q")  # Textual's quit key asks the same
        await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="asked again")
        await pilot.press("y")
        await wait_for(lambda: not app.is_running, message="quit after y")
    assert isinstance(modal, FlowModal)


async def test_q_after_the_flow_finished_quits_at_once(sim, fake_tools, state_dir):
    """A flow that has ended (its summary on screen) is not work in progress."""
    from tests.test_flow_ui_modal import open_by_key, sim_app

    app = sim_app(sim)
    async with app.run_test(size=(100, 30)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        assert app.running_flows()  # opened: in progress
        await pilot.press("escape")  # cancelled: its summary is shown, nothing is in progress
        await wait_for(lambda: modal.phase == "summary", message="cancelled")
        assert app.running_flows() == []
        await pilot.press("q")
        await wait_for(lambda: not app.is_running, message="quit")


async def test_q_with_a_crit_alert_and_no_incident_asks_without_speaking_of_an_incident(state_dir):
    """The modal said "The incident stays open in its file" when only a critical alert was active."""
    values = dict(NORMAL_VALUES, error_rate=4.0)
    app = make_app(StaticPoller(values), hold=1, refresh=TYPING_REFRESH)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        await wait_for(lambda: any(a.key == "error_rate" for a in response.engine.active()), message="alert")
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="quit confirmation")
        await wait_for(lambda: "Quit Edge Console?" in screen_text(app), message="the modal drawn")
        text = screen_text(app)
        assert "alert CRIT Error rate" in text and "The incident stays open" not in text, text
        await pilot.press("y")
        await wait_for(lambda: not app.is_running, message="quit after y")
