"""A modal's footer names the modal's keys. Without its own footer, the dashboard's footer showed through
under the modal and offered keys ("r Respond", "l Logs", "u Audit", the flow keys) that do nothing there."""

from __future__ import annotations

from screens.help import HelpScreen
from screens.incident_start import IncidentStartScreen
from screens.quit_confirm import QuitConfirmScreen
from tests.look_views import look_app
from tests.test_flow_ui_modal import ready
from screens.textual_compat import render_update
from tests.util import press_now, wait_for

DASHBOARD_ONLY = ("Respond", "Logs", "Audit")


def bottom_row(app) -> str:
    """The terminal's last row as sent (the footer); "" before the new screen is laid out."""
    strips = render_update(app).strips
    return "".join(segment.text for segment in strips[-1]) if strips else ""


async def test_each_modal_shows_its_own_keys_not_the_dashboards():
    app = look_app("dashboard-ddos")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="first poll")
        await ready(app)
        # the dashboard's footer has them (the check below can fail)
        await wait_for(lambda: all(word in bottom_row(app) for word in DASHBOARD_ONLY), message="dashboard footer")
        for key, screen_type, own in (
            ("question_mark", HelpScreen, "Close"),
            ("i", IncidentStartScreen, "Cancel"),
            (None, QuitConfirmScreen, "Quit"),  # what q shows while something is open
        ):
            if key is None:
                app.push_screen(QuitConfirmScreen(["a runbook flow in progress"]))
            else:
                await press_now(pilot, key)
            name = screen_type.__name__
            await wait_for(lambda kind=screen_type: isinstance(app.screen, kind), message=name)
            await wait_for(lambda word=own: word in bottom_row(app), message=f"{own} in the footer of {name}")
            row = bottom_row(app)
            assert not any(word in row for word in DASHBOARD_ONLY), (name, row)
            app.screen.dismiss(None)
            await wait_for(lambda: type(app.screen).__name__ == "DashboardScreen", message="back")
