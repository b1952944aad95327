"""What the operator sees: the alert banner, the incident bar and the timeline, with fixed data."""

from __future__ import annotations

import pytest

from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult

from console.incident.alerts import RESPONSES, Alert
from console.incident.model import Entry, fold
from console.metrics.thresholds import State
from themes import THEME_DIR
from widgets.alert_banner import AlertBanner
from widgets.incident_bar import IncidentBar
from widgets.incident_timeline import IncidentTimeline

pytestmark = pytest.mark.usefixtures("unseen_frames_skipped")  # the snapshots read the screen

T0 = datetime(2026, 3, 14, 9, 58, tzinfo=timezone.utc)


def incident():
    def e(seq, minutes, kind, text, **data):
        return Entry(seq, T0 + timedelta(minutes=minutes), kind, text, "alice@edge-ops", data)

    return fold(
        "INC-2026-03-14-001",
        [
            e(
                1,
                0,
                "start",
                "Incident started: P1 - Major - Degraded Service (response time 30 min)",
                title="VAU submissions failing",
                severity="P1",
                impact="2.4% of submissions fail",
            ),
            e(2, 0, "alert", "Alert triggered: Error rate 2.41% (critical); runbook: P1 - High Error Rate"),
            e(3, 4, "note", "Errors started with deployment 7f3c"),
            e(4, 6, "flow", "Flow p1-high-error-rate step list: passed (exit 0) [production]"),
        ],
    )


class WidgetsApp(App):
    CSS_PATH = [THEME_DIR / "edge.tcss", THEME_DIR / "incident.tcss"]

    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.now = now

    def compose(self) -> ComposeResult:
        yield AlertBanner()
        yield IncidentTimeline()
        yield IncidentBar()

    def on_mount(self) -> None:
        alerts = [
            Alert("error_rate", "Error rate", "%", State.CRITICAL, 2.41, 0.0, False, RESPONSES["error_rate"], "P1"),
            Alert(
                "p95_latency_ms",
                "P95 latency",
                "ms",
                State.WARNING,
                640.0,
                0.0,
                False,
                RESPONSES["p95_latency_ms"],
                "P3",
            ),
        ]
        self.query_one(AlertBanner).show_alerts(
            alerts, [("alert.ack", "a ack"), ("flow.respond", "r respond"), ("incident.open", "i incident")]
        )
        bar = self.query_one(IncidentBar)
        bar.clock = lambda: self.now
        inc = incident()
        bar.show_incident(inc)
        self.query_one(IncidentTimeline).show_entries(inc.entries)


def test_banner_bar_and_timeline_80x12(snap_compare):
    assert snap_compare(WidgetsApp(T0 + timedelta(minutes=7, seconds=5)), terminal_size=(80, 12))


def test_overdue_response_clock_80x12(snap_compare):
    assert snap_compare(WidgetsApp(T0 + timedelta(minutes=41)), terminal_size=(80, 12))
