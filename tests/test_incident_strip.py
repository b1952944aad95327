"""The flow modal's one-line incident/alert strip (pure text): what comes first, and the clock states."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console.incident.alerts import Alert, Response
from console.incident.manager import IncidentManager
from console.metrics.thresholds import State
from widgets.incident_strip import strip_text

T0 = datetime(2026, 3, 14, 9, 58, tzinfo=timezone.utc)


def alert(
    key: str = "error_rate",
    label: str = "Error rate",
    unit: str = "%",
    value: float | None = 2.5,
    level: State = State.CRITICAL,
    acknowledged: bool = False,
) -> Alert:
    return Alert(
        key,
        label,
        unit,
        level,
        value,
        T0.timestamp(),
        acknowledged,
        Response("p1-high-error-rate", "P1 - High Error Rate"),
        "P1",
    )


def test_empty_without_incident_or_alert():
    assert strip_text(None, [], T0).plain == ""


def test_incident_first_then_alert_then_elapsed_and_phase(state_dir):
    m = IncidentManager(state_dir=state_dir, clock=lambda: T0, user="op")
    incident = m.start("P0", "Outage")
    text = strip_text(incident, [alert(), alert("health", "Health", "", None)], T0 + timedelta(minutes=5)).plain
    assert text == f" {incident.id}  P0  ack due in 10m 00s │ CRIT Error rate 2.50 % +1 │ 5m 00s · triggered"
    late = strip_text(incident, [], T0 + timedelta(minutes=20)).plain
    assert "ACK OVERDUE 5m 00s" in late and "CRIT" not in late


def test_alert_alone_health_down_and_acknowledged():
    text = strip_text(None, [alert("health", "Health", "", None, acknowledged=True)], T0).plain
    assert text == " CRIT Health DOWN acked "
    m_text = strip_text(None, [alert(level=State.WARNING, value=0.7)], T0).plain
    assert m_text == " WARN Error rate 0.70 % "


def test_acknowledged_incident_shows_how_long_the_ack_took(state_dir):
    clock = [T0]
    m = IncidentManager(state_dir=state_dir, clock=lambda: clock[0], user="op")
    m.start("P1", "Errors")
    clock[0] = T0 + timedelta(minutes=7)
    m.mark_phase("acknowledged")
    text = strip_text(m.current, [], T0 + timedelta(hours=1)).plain
    assert "acked in 7m 00s" in text and text.endswith("1h 00m · acknowledged")
