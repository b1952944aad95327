"""Incident data: severities, phases, timeline entries and the incident folded from them.

Pure code (no I/O). An incident is the fold of its timeline entries, in file order; entries are
never edited, a correction is a new entry that points at the one it corrects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from console.format import format_duration  # noqa: F401 - re-exported: the one elapsed-time formatter

UTC = timezone.utc


@dataclass(frozen=True)
class Severity:
    level: str  # "P0".."P3"
    name: str  # "Critical"
    description: str  # "Service Down"
    response: timedelta
    examples: str

    @property
    def label(self) -> str:
        return f"{self.level} - {self.name} - {self.description}"

    @property
    def response_text(self) -> str:
        minutes = int(self.response.total_seconds() // 60)
        return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"


#: The runbook's Severity Levels table.
SEVERITIES: dict[str, Severity] = {
    "P0": Severity("P0", "Critical", "Service Down", timedelta(minutes=15), "Complete outage, data loss"),
    "P1": Severity("P1", "Major", "Degraded Service", timedelta(minutes=30), "High error rate, >50% failures"),
    "P2": Severity("P2", "Minor", "Partial Issues", timedelta(hours=2), "Slow response, <10% failures"),
    "P3": Severity("P3", "Low", "Monitoring Only", timedelta(hours=24), "Minor alerts, no user impact"),
}

#: Phases in order. "triggered" is where an incident starts; the four middle ones are marked by the
#: operator and are the runbook template's timeline milestones; "closed" is set by closing.
PHASES: list[str] = [
    "triggered",
    "acknowledged",
    "root-cause-identified",
    "mitigation-applied",
    "service-restored",
    "closed",
]
MARKABLE_PHASES: list[str] = PHASES[1:5]

#: The wording of the runbook's Incident Template timeline for each phase.
PHASE_TEXT: dict[str, str] = {
    "triggered": "Alert triggered",
    "acknowledged": "Engineer acknowledged",
    "root-cause-identified": "Root cause identified",
    "mitigation-applied": "Mitigation applied",
    "service-restored": "Service restored",
    "closed": "Incident closed",
}

PHASE_ALIASES: dict[str, str] = {
    "ack": "acknowledged",
    "acknowledge": "acknowledged",
    "root-cause": "root-cause-identified",
    "root_cause_identified": "root-cause-identified",
    "rca": "root-cause-identified",
    "mitigated": "mitigation-applied",
    "mitigation": "mitigation-applied",
    "mitigation_applied": "mitigation-applied",
    "restored": "service-restored",
    "service_restored": "service-restored",
}

#: Entry kinds written to the timeline.
KINDS = (
    "start",
    "note",
    "phase",
    "severity",
    "alert",
    "flow",
    "source",
    "escalation",
    "notify",
    "recovery",
    "close",
    "review",
    "correction",
    "report",
    "console",
    "action_item",
)

#: how every output names an incident on the simulated edge (a drill), so it is never taken for a real one
DRILL_LABEL = "SIMULATED DRILL"


class IncidentInputError(ValueError):
    """Operator input that cannot be used; the message says which field and what is wrong."""


def parse_severity(text: str) -> Severity:
    key = (text or "").strip().upper()
    if key in ("0", "1", "2", "3"):
        key = "P" + key
    if key not in SEVERITIES:
        raise IncidentInputError(f"severity: {text!r} is not one of P0, P1, P2, P3")
    return SEVERITIES[key]


def parse_phase(text: str) -> str:
    key = (text or "").strip().lower().replace(" ", "-")
    key = PHASE_ALIASES.get(key, key)
    if key not in MARKABLE_PHASES:
        raise IncidentInputError(f"phase: {text!r} is not one of {', '.join(MARKABLE_PHASES)}")
    return key


def format_ts(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """One timeline line as stored (one JSON object per line)."""

    seq: int
    ts: datetime
    kind: str
    text: str
    by: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self, incident_id: str) -> dict[str, Any]:
        return {
            "incident": incident_id,
            "seq": self.seq,
            "ts": format_ts(self.ts),
            "kind": self.kind,
            "text": self.text,
            "by": self.by,
            "data": self.data,
        }

    @classmethod
    def from_json(cls, obj: Any) -> "Entry":
        if not isinstance(obj, dict):
            raise ValueError("not a JSON object")
        for key in ("seq", "ts", "kind", "text"):
            if key not in obj:
                raise ValueError(f"missing {key!r}")
        if not isinstance(obj["seq"], int) or not isinstance(obj["kind"], str) or not isinstance(obj["text"], str):
            raise ValueError("bad field types")
        data = obj.get("data") or {}
        if not isinstance(data, dict):
            raise ValueError("data is not an object")
        return cls(
            seq=obj["seq"],
            ts=parse_ts(str(obj["ts"])),
            kind=obj["kind"],
            text=obj["text"],
            by=str(obj.get("by") or ""),
            data=data,
        )


@dataclass
class Incident:
    """The state of one incident, folded from its entries."""

    id: str
    title: str = ""
    severity: str = "P3"
    impact: str = ""
    started: datetime | None = None
    phase: str = "triggered"
    phase_times: dict[str, datetime] = field(default_factory=dict)
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    root_cause: str = ""
    resolution: str = ""
    action_items: list[str] = field(default_factory=list)
    review_done: dict[str, datetime] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    #: problems met while loading (corrupt lines), phrased for the operator
    warnings: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_drill(self) -> bool:
        """An incident on the simulated edge: its ID is ``DRILL-...`` (decided when it was allocated)."""
        return self.id.startswith("DRILL-")

    @property
    def severity_info(self) -> Severity:
        return SEVERITIES.get(self.severity, SEVERITIES["P3"])

    @property
    def response_deadline(self) -> datetime | None:
        return None if self.started is None else self.started + self.severity_info.response

    def elapsed(self, now: datetime) -> timedelta:
        if self.started is None:
            return timedelta(0)
        end = self.closed_at or now
        return max(timedelta(0), end - self.started)

    def response_clock(self, now: datetime) -> tuple[str, timedelta]:
        """("remaining"|"overdue"|"met"|"missed", delta) for the response clock to the first acknowledgement."""
        deadline = self.response_deadline
        if deadline is None:
            return ("remaining", timedelta(0))
        if self.acknowledged_at is not None:
            took = self.acknowledged_at - (self.started or self.acknowledged_at)
            return ("met" if self.acknowledged_at <= deadline else "missed", took)
        if now <= deadline:
            return ("remaining", deadline - now)
        return ("overdue", now - deadline)

    def apply(self, entry: Entry) -> None:
        self.entries.append(entry)
        d = entry.data
        if entry.kind == "start":
            self.title = str(d.get("title", self.title))
            self.severity = str(d.get("severity", self.severity))
            self.impact = str(d.get("impact", self.impact))
            self.started = entry.ts
            self.phase = "triggered"
            self.phase_times.setdefault("triggered", entry.ts)
        elif entry.kind == "phase":
            phase = str(d.get("phase", ""))
            if phase in PHASES:
                self.phase_times.setdefault(phase, entry.ts)
                if self.phase != "closed":
                    self.phase = phase  # the latest mark is the current phase
                if phase == "acknowledged" and self.acknowledged_at is None:
                    self.acknowledged_at = entry.ts
        elif entry.kind == "severity":
            self.severity = str(d.get("to", self.severity))
        elif entry.kind == "close":
            self.closed_at = entry.ts
            self.phase = "closed"
            self.phase_times.setdefault("closed", entry.ts)
            self.root_cause = str(d.get("root_cause", ""))
            self.resolution = str(d.get("resolution", ""))
            given = [str(x) for x in d.get("action_items", [])]
            self.action_items = given + [x for x in self.action_items if x not in given]
        elif entry.kind == "action_item":
            if entry.text and entry.text not in self.action_items:
                self.action_items.append(entry.text)
        elif entry.kind == "report":
            # only the report of the closed incident counts; one written while it was open is a draft
            if self.closed_at is not None and not d.get("draft"):
                self.review_done.setdefault("report", entry.ts)
        elif entry.kind == "review":
            item = str(d.get("item", ""))
            if item:
                self.review_done.setdefault(item, entry.ts)
        elif entry.kind == "correction":
            field_name = d.get("field")
            if field_name in ("title", "impact", "root_cause", "resolution") and isinstance(d.get("value"), str):
                setattr(self, field_name, d["value"])


def fold(incident_id: str, entries: Iterable[Entry], warnings: Iterable[str] = ()) -> Incident:
    incident = Incident(id=incident_id, warnings=list(warnings))
    for entry in entries:
        incident.apply(entry)
    return incident
