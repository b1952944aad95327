"""`q` with an open incident or a critical alert asks first and names what is open; otherwise it quits."""

from __future__ import annotations

from screens.quit_confirm import QuitConfirmScreen
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_incident_tui import make_app, ready
from tests.util import wait_for


async def test_q_with_an_open_incident_and_a_crit_alert_asks_and_only_y_quits(state_dir):
    values = dict(NORMAL_VALUES, error_rate=4.0)  # above the critical 1%
    app = make_app(StaticPoller(values), hold=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        await wait_for(lambda: any(a.key == "error_rate" for a in response.engine.active()), message="alert")
        response.manager.start("P1", "Checkout errors", "5xx for EU users")
        await pilot.press("q")
        await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="quit confirmation")
        shown = " ".join(app.screen.open_things)
        assert "P1" in shown and "Checkout errors" in shown and "CRIT alert" in shown and "Error rate" in shown
        for key in ("n", "q", "escape"):  # each keeps the console running
            await pilot.press(key)
            await wait_for(lambda: not isinstance(app.screen, QuitConfirmScreen), message=f"{key} stays")
            assert app.is_running and app.return_code is None
            await pilot.press("q")
            await wait_for(lambda: isinstance(app.screen, QuitConfirmScreen), message="asked again")
        await pilot.press("y")
        await wait_for(lambda: not app.is_running, message="quit after y")


async def test_q_with_nothing_open_quits_at_once(state_dir):
    app = make_app(StaticPoller(dict(NORMAL_VALUES)), hold=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await wait_for(lambda: not app.is_running, message="quit")
