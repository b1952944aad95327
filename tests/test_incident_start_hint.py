"""The incident start form says what enter does there: in Title it moves to Impact, in Impact it starts
the incident (the form's own handlers); the hint is read whole at 60x20 with the Start button in view."""

from __future__ import annotations

from screens.incident_start import IncidentStartScreen
from screens.textual_compat import screen_text_lines
from tests.look_views import look_app
from tests.util import press_now, wait_for

HINT = "enter: Title → Impact → starts · esc cancels"


async def test_start_form_hint_says_what_enter_does_and_fits_60x20():
    app = look_app("incident-start")
    started: list[tuple[str, str, str]] = []

    def submit(severity: str, title: str, impact: str) -> tuple[bool, str]:
        started.append((severity, title, impact))
        return False, "not started: a test"

    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="first poll")
        await app.push_screen(
            # an alert line that wraps to two rows at 60 columns, as the live one does
            IncidentStartScreen(
                submit, severity="P1", title="Error spike", trigger="CRIT Request rate 24.8k req/s (suggest P2)"
            )
        )
        await wait_for(
            lambda: isinstance(app.screen, IncidentStartScreen) and app.focused is not None, message="start form"
        )
        await pilot.pause()
        shown = "\n".join(screen_text_lines(app))
        assert HINT in shown, shown  # on one line at 60 columns
        buttons = [line for line in shown.splitlines() if "Start " in line and "Cancel" in line]
        assert buttons and "Start an incident" in shown, shown  # the title and the buttons stay in view
        # what the hint says is what enter does
        assert app.focused.id == "incident-title"
        await press_now(pilot, "enter")
        await wait_for(lambda: app.focused.id == "incident-impact", message="enter in Title moved to Impact")
        assert started == []
        await press_now(pilot, "enter")
        await wait_for(lambda: started, message="enter in Impact starts")
        assert started == [("P1", "Error spike", "")]
        error = app.screen.query_one("#incident-start-error")
        await wait_for(lambda: error.display and "not started: a test" in str(error.render()), message="the error")
