"""What each integration is told about a timeline entry: pure functions, no I/O.

PagerDuty Events API v2 (developer.pagerduty.com/docs/events-api-v2/trigger-events): an incident's
start triggers, its acknowledgement acknowledges, its close resolves, all with ``dedup_key`` = the
incident id. Slack incoming webhooks take ``{"text": ...}`` in Slack's mrkdwn, where ``&``, ``<`` and
``>`` must be escaped. Grafana's ``POST /api/annotations`` takes ``time`` in epoch milliseconds,
``tags`` and ``text``, optionally a ``dashboardUID``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.incident.model import PHASE_TEXT, Entry, Incident
from console.sanitize import clean_line

#: the runbook's severities on PagerDuty's four (payload.severity)
PAGERDUTY_SEVERITY = {"P0": "critical", "P1": "error", "P2": "warning", "P3": "info"}
#: payload.summary is at most 1024 characters (PagerDuty truncates longer ones)
SUMMARY_LIMIT = 1024
#: a Slack message stays readable in a channel
SLACK_LIMIT = 3000
#: the statuses of a runbook step that changed something and worked
PASSED = {"passed", "done"}


def _ms(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp() * 1000)


def is_mitigation(entry: Entry) -> bool:
    """A mutating runbook step that passed (an action that changed the edge)."""
    data = entry.data or {}
    return entry.kind == "flow" and data.get("mutating") is True and data.get("status") in PASSED


def is_acknowledgement(entry: Entry) -> bool:
    data = entry.data or {}
    return (entry.kind == "phase" and data.get("phase") == "acknowledged") or (
        entry.kind == "alert" and data.get("transition") == "acknowledged"
    )


def pagerduty_event(incident: Incident, entry: Entry, *, source: str, drill: bool = False) -> dict[str, Any] | None:
    """The Events API v2 body for this entry (without ``routing_key``), or None."""
    if entry.kind == "start":
        summary = clean_line(
            f"{'[SIMULATED DRILL] ' if drill else ''}{incident.id} {incident.severity}: {incident.title}"
        )
        return {
            "event_action": "trigger",
            "dedup_key": incident.id,
            "payload": {
                "summary": summary[:SUMMARY_LIMIT],
                "severity": PAGERDUTY_SEVERITY.get(incident.severity, "error"),
                "source": clean_line(source)[:255] or "edge-console",
                "timestamp": entry.ts.isoformat().replace("+00:00", "Z"),
                "component": "edge",
                "class": incident.severity,
                "custom_details": {
                    "incident": incident.id,
                    "impact": clean_line(incident.impact)[:1000],
                    "severity": incident.severity_info.label,
                    "drill": drill,
                },
            },
            "client": "edge-console",
        }
    if is_acknowledgement(entry):
        return {"event_action": "acknowledge", "dedup_key": incident.id}
    if entry.kind == "close":
        return {"event_action": "resolve", "dedup_key": incident.id}
    return None


def _slack_escape(text: str) -> str:
    return clean_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def response_clock_text(incident: Incident, now: datetime) -> str:
    state, delta = incident.response_clock(now)
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    words = {
        "remaining": "left to acknowledge",
        "overdue": "overdue",
        "met": "to acknowledge (met)",
        "missed": "to acknowledge (missed)",
    }
    return f"response clock {minutes}m{seconds:02d}s {words.get(state, state)}"


def slack_message(incident: Incident, entry: Entry, *, now: datetime, drill: bool = False) -> dict[str, Any] | None:
    """The incoming-webhook body for this entry, or None (only the moments a channel cares about)."""
    if entry.kind == "start":
        what = f"started: {incident.title}"
    elif entry.kind == "severity":
        what = entry.text
    elif entry.kind == "phase":
        what = PHASE_TEXT.get(str((entry.data or {}).get("phase")), entry.text)
    elif is_mitigation(entry):
        what = f"mitigation: {entry.text}"
    elif entry.kind == "close":
        what = f"closed: {incident.resolution or entry.text}"
    else:
        return None
    head = f"{'[SIMULATED DRILL] ' if drill else ''}*{incident.id}* {incident.severity}"
    text = f"{_slack_escape(head)} {_slack_escape(what)} ({_slack_escape(response_clock_text(incident, now))})"
    return {"text": text[:SLACK_LIMIT]}


def grafana_annotation(incident: Incident, entry: Entry, *, dashboard_uid: str | None) -> dict[str, Any] | None:
    """A Grafana annotation for a mitigation step, or None."""
    if not is_mitigation(entry):
        return None
    data = entry.data or {}
    tags = ["edge-console", f"incident:{incident.id}"]
    if isinstance(data.get("flow"), str):
        tags.append(f"flow:{clean_line(data['flow'])[:100]}")
    body: dict[str, Any] = {"time": _ms(entry.ts), "tags": tags, "text": clean_line(entry.text)[:2000]}
    if dashboard_uid:
        body["dashboardUID"] = dashboard_uid
    return body


def incident_range_ms(incident: Incident) -> tuple[int, int | None]:
    """The incident's time range for a dashboard link (start, close or None while open)."""
    return _ms(incident.started) or 0, _ms(incident.closed_at)
