"""The incident timeline screen is on the screen stack before its widgets are composed: an incident write in
that moment refreshes every screen on the stack (``show_incident``), which queried ``#incident-summary`` and
crashed the console with NoMatches (seen when ``i`` followed a flow's audit entries under load)."""

from __future__ import annotations

from screens.incident_timeline import IncidentTimelineScreen


def test_showing_an_incident_on_a_timeline_screen_not_composed_yet_does_nothing():
    screen = IncidentTimelineScreen()
    screen.show_incident(None)
    assert not screen.query("#incident-summary")  # nothing was built or shown: on_mount shows it
