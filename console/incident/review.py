"""The runbook's Post-Incident Review checklist, with due times (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from console.incident.model import Incident

#: (key, runbook wording, due after the incident closed). The runbook gives 24 h for the report and
#: 48 h for the postmortem; the other three are due with the postmortem's outcome (action items)
#: or within a working week (runbook update, sharing findings).
REVIEW_ITEMS: list[tuple[str, str, timedelta]] = [
    ("report", "Create incident report (within 24h)", timedelta(hours=24)),
    ("postmortem", "Schedule blameless postmortem (within 48h)", timedelta(hours=48)),
    ("action-items", "Create action items", timedelta(hours=48)),
    ("runbook", "Update runbook with learnings", timedelta(days=5)),
    ("share", "Share findings with team", timedelta(days=7)),
]
REVIEW_KEYS = [key for key, _, _ in REVIEW_ITEMS]
#: "After every P0/P1 incident"
REVIEW_SEVERITIES = ("P0", "P1")


@dataclass(frozen=True)
class ReviewItem:
    key: str
    text: str
    due: datetime
    done_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due


def review_required(incident: Incident) -> bool:
    return incident.severity in REVIEW_SEVERITIES


def review_checklist(incident: Incident) -> list[ReviewItem]:
    """The checklist for a closed incident (empty while it is open)."""
    if incident.closed_at is None:
        return []
    items = []
    for key, text, after in REVIEW_ITEMS:
        done = incident.review_done.get(key)
        if key == "action-items" and done is None and incident.action_items:
            done = incident.closed_at  # action items were given when closing
        items.append(ReviewItem(key, text, incident.closed_at + after, done))
    return items


def overdue_items(incident: Incident, now: datetime) -> list[ReviewItem]:
    if not review_required(incident):
        return []
    return [item for item in review_checklist(incident) if item.overdue(now)]


def overdue_summary(incident: Incident, now: datetime) -> list[str]:
    """Human lines saying what is overdue: the response clock of an open incident, review items of a closed one."""
    out = []
    if incident.is_open:
        state, delta = incident.response_clock(now)
        if state == "overdue":
            out.append(
                f"not acknowledged, response time {incident.severity_info.response_text} exceeded by {_fmt(delta)}"
            )
    for item in overdue_items(incident, now):
        out.append(f"{item.text}: due {item.due.strftime('%Y-%m-%d %H:%M')} UTC")
    return out


def _fmt(delta: timedelta) -> str:
    from console.incident.model import format_duration

    return format_duration(delta)
