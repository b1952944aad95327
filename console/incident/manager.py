"""IncidentManager: every incident change goes through here and is on disk before it returns.

The TUI and the headless CLI both use it. Pass ``clock`` (a callable returning an aware UTC
datetime) to fix times in tests, ``user`` to fix the ``by`` field.
"""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from console.incident.model import (
    DRILL_LABEL,
    PHASE_TEXT,
    UTC,
    Entry,
    Incident,
    IncidentInputError,
    format_ts,
    parse_phase,
    parse_severity,
    parse_ts,
)
from console.incident.store import IncidentNotFound, IncidentStore
from console.incident.review import REVIEW_KEYS
from console.safefile import ensure_private_dir, write_replace
from console.sanitize import clean_line, is_clean

Clock = Callable[[], datetime]

#: Keys of a runbook audit record that are copied into the timeline (never inputs, argv or output).
FLOW_KEYS = (
    "flow",
    "step",
    "step_title",
    "kind",
    "status",
    "exit",
    "exit_code",
    "http_status",
    "environment",
    "start",
    "end",
    "run_id",
    "read_only",
    "mutating",
    "simulated",
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def current_user() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (containers)
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def _clean(text: Any, field: str, *, required: bool = True, limit: int = 2000) -> str:
    value = " ".join(str(text or "").split()) if field != "text" else str(text or "").strip()
    if required and not value:
        raise IncidentInputError(f"{field}: must not be empty")
    if len(value) > limit:
        raise IncidentInputError(f"{field}: too long ({len(value)} characters, at most {limit})")
    if not is_clean(value):  # C0 (but newline/tab), DEL, C1, bidi/format characters
        raise IncidentInputError(f"{field}: contains control characters or bidi/format characters")
    return value


class IncidentManager:
    def __init__(
        self,
        store: IncidentStore | None = None,
        *,
        state_dir: Path | None = None,
        clock: Clock | None = None,
        user: str | None = None,
        drill: bool = False,
    ) -> None:
        if store is None:
            if state_dir is None:
                from console.paths import state_dir as default_state_dir

                state_dir = default_state_dir()
            store = IncidentStore(state_dir)
        self.store = store
        self.clock: Clock = clock or utc_now
        self.user = user or current_user()
        self.current_id: str | None = None
        #: listeners called with (incident, entry) after each entry is on disk (the TUI refreshes)
        self.listeners: list[Callable[[Incident, Entry], None]] = []
        #: (label, URL) for the report's header, per incident (the Grafana dashboard over its time range)
        self.report_links: list[Callable[[Incident], tuple[str, str] | None]] = []
        #: a shared browser view (``edge-console serve``): reads incidents, writes nothing (its entries would
        #: be signed with the operator's name, and each view would record every alert transition again)
        self.view_only = False
        #: on the simulated edge: incidents started here are drills (``DRILL-...``, their own directory)
        #: and the incidents offered/adopted are drills only (a real one is never mixed in, nor the reverse)
        self.drill = drill

    # -- lookup ----------------------------------------------------------------------------
    def get(self, incident_id: str | None = None) -> Incident:
        incident_id = incident_id or self.current_id
        if not incident_id:
            raise IncidentNotFound("no incident is active (start one or give an ID)")
        return self.store.load(incident_id)

    @property
    def current(self) -> Incident | None:
        if not self.current_id:
            return None
        try:
            return self.store.load(self.current_id)
        except (IncidentNotFound, OSError):
            return None

    def open_incidents(self) -> list[Incident]:
        return self.store.open_incidents(drills=self.drill)

    def resume(self, incident_id: str) -> Incident:
        incident = self.get(incident_id)
        self.current_id = incident.id
        return incident

    def refresh(self) -> bool:
        """True when the current incident's file changed (another process appended)."""
        return bool(self.current_id) and self.store.changed(self.current_id)  # type: ignore[arg-type]

    # -- writing ---------------------------------------------------------------------------
    def _append(
        self,
        incident_id: str | None,
        kind: str,
        text: str,
        data: dict[str, Any] | None = None,
        ts: datetime | None = None,
        check: Callable[[Incident], None] | None = None,
    ) -> Entry:
        self._refuse_view_only()
        incident_id = incident_id or self.current_id
        if not incident_id:
            raise IncidentNotFound("no incident is active (start one or give an ID)")
        entry = self.store.append(
            incident_id, ts=ts or self.clock(), kind=kind, text=text, by=self.user, data=data, check=check
        )
        if self.listeners:
            incident = self.store.load(incident_id)
            for listener in list(self.listeners):
                listener(incident, entry)
        return entry

    def start(
        self,
        severity: str,
        title: str,
        impact: str = "",
        *,
        trigger: str | None = None,
        trigger_data: dict[str, Any] | None = None,
        trigger_at: datetime | None = None,
    ) -> Incident:
        """Start an incident and make it current. ``trigger`` is the alert that prompted it (recorded
        with its own time ``trigger_at``, so the timeline begins with the alert)."""
        self._refuse_view_only()
        sev = parse_severity(severity)
        title = _clean(title, "title", limit=200)
        impact = _clean(impact, "impact", required=False)
        now = self.clock()
        data: dict[str, Any] = {"title": title, "severity": sev.level, "impact": impact}
        text = f"Incident started: {sev.label} (response time {sev.response_text})"
        if self.drill:
            data["simulated"] = True
            text = f"{DRILL_LABEL} started on the simulated edge: {sev.label} (response time {sev.response_text})"
        first = {"ts": format_ts(now), "kind": "start", "by": self.user, "text": text, "data": data}
        incident_id = self.store.allocate(now, first, drill=self.drill)
        self.current_id = incident_id
        if self.listeners:  # the start entry is news too (PagerDuty triggers on it)
            started = self.store.load(incident_id)
            for listener in list(self.listeners):
                listener(started, started.entries[0])
        if trigger:
            when = trigger_at.astimezone(UTC).replace(microsecond=0) if trigger_at else None
            self._append(incident_id, "alert", trigger, dict(trigger_data or {}), ts=when)
        return self.store.load(incident_id)

    def _refuse_view_only(self) -> None:
        if self.view_only:
            raise IncidentInputError(
                "shared read-only view: the incident timeline is written from the operator's "
                "console (or edge-console incident ...)"
            )

    def _open(self, incident_id: str | None) -> Incident:
        incident = self.get(incident_id)
        if not incident.is_open:
            raise IncidentInputError(f"{incident.id} is closed")
        return incident

    def note(self, text: str, incident_id: str | None = None) -> Entry:
        incident = self.get(incident_id)
        return self._append(incident.id, "note", _clean(text, "note", limit=4000))

    def correct(
        self, seq: int, text: str, incident_id: str | None = None, *, field: str | None = None, value: str | None = None
    ) -> Entry:
        """A correction of entry ``seq`` (the original stays as written)."""
        incident = self.get(incident_id)
        if not any(e.seq == seq for e in incident.entries):
            raise IncidentInputError(f"correction: {incident.id} has no entry #{seq}")
        data: dict[str, Any] = {"corrects": seq}
        if field:
            if field not in ("title", "impact", "root_cause", "resolution"):
                raise IncidentInputError(f"correction: cannot correct field {field!r}")
            data.update(field=field, value=_clean(value, field))
        return self._append(incident.id, "correction", f"Correction to #{seq}: {_clean(text, 'correction')}", data)

    def mark_phase(self, phase: str, incident_id: str | None = None, note: str = "") -> Entry:
        name = parse_phase(phase)
        incident = self._open(incident_id)
        text = PHASE_TEXT[name] + (f": {_clean(note, 'note', required=False)}" if note else "")
        return self._append(incident.id, "phase", text, {"phase": name})

    def set_severity(self, severity: str, reason: str = "", incident_id: str | None = None) -> Entry:
        sev = parse_severity(severity)
        incident = self._open(incident_id)
        if sev.level == incident.severity:
            raise IncidentInputError(f"severity: {incident.id} is already {sev.level}")
        text = f"Severity changed {incident.severity} -> {sev.level} ({sev.description})"
        if reason:
            text += f": {_clean(reason, 'reason', required=False)}"
        return self._append(incident.id, "severity", text, {"from": incident.severity, "to": sev.level})

    def record_alert(self, transition: Any) -> Entry | None:
        """An alert transition (``console.incident.alerts.Transition``) on the current incident."""
        if self.view_only or not self._has_open_current():
            return None
        a = transition.alert
        data = {
            "transition": transition.kind,
            "metric": a.key,
            "value": a.value,
            "level": a.level.value,
            "flow": a.flow_id,
            "suggested_severity": a.severity,
        }
        return self._append(None, "alert", transition.describe(), data)

    def record_alert_event(self, text: str, data: dict[str, Any] | None = None) -> Entry | None:
        """Another alert fact on the current open incident (acknowledged, active when it started)."""
        if self.view_only or not self._has_open_current():
            return None
        return self._append(None, "alert", text, dict(data or {}))

    def record_source(self, change: Any) -> Entry | None:
        if self.view_only or not self._has_open_current():
            return None
        return self._append(None, "source", change.describe(), {"source": change.source, "state": change.state})

    def record_flow_step(self, record: dict[str, Any]) -> Entry | None:
        """A runbook audit record (flow, step, status/exit, environment, start, end) as a timeline entry."""
        if self.view_only or not self._has_open_current() or not isinstance(record, dict):
            return None
        flow = record.get("flow") or record.get("flow_id") or "?"
        if record.get("event") == "flow_end":
            return self._append(
                None,
                "flow",
                _flow_end_text(flow, record),
                {
                    k: record[k]
                    for k in ("event", "flow", "flow_title", "status", "environment", "run_id", "simulated")
                    if isinstance(record.get(k), (str, bool))
                },
            )
        step = record.get("step") or record.get("step_id") or "?"
        status = record.get("status") or record.get("outcome")
        exit_code = record.get("exit", record.get("exit_code"))
        http = record.get("http_status")
        if status is None:
            status = "ok" if exit_code in (0, None) and (http is None or int(http) < 400) else "failed"
        title = record.get("step_title")
        text = f"Flow {flow} step {step}" + (f" ({title})" if title and title != step else "") + f": {status}"
        if exit_code is not None:
            text += f" (exit {exit_code})"
        if http is not None:
            text += f" (HTTP {http})"
        message = record.get("message")
        if "value" in record and isinstance(message, str) and message.strip():
            # a step that read live values (verify, metrics): what it saw, with units ("error rate < 1 %
            # holds (is 0.424 %) after 6s"), is the evidence the timeline keeps
            message = clean_line(" ".join(message.split()))
            text += f": {message[:500]}" + (" ..." if len(message) > 500 else "")
        text += _env_tag(record)
        data = {k: record[k] for k in FLOW_KEYS if k in record and isinstance(record[k], (str, int, float, bool))}
        item = record.get("action_item")
        if isinstance(item, str) and item.strip():
            # a change that was not made to last (terraform values without a pull request): said on the
            # timeline and kept as an action item of the incident
            text += f": {_clean(item, 'action item', limit=500)}"
            entry = self._append(None, "flow", text, data)
            self._append(
                None, "action_item", _clean(item, "action item", limit=500), {"flow": str(flow), "step": str(step)}
            )
            return entry
        return self._append(None, "flow", text, data)

    def record_console_start(self, incident_id: str, *, pid: int | None = None) -> Entry | None:
        """A console (re)started and took up this open incident: a timeline entry of its own, with the gap
        since the previous entry (what the timeline may be missing)."""
        if self.view_only:
            return None
        incident = self.get(incident_id)
        if not incident.is_open:
            return None
        now = self.clock()
        last = incident.entries[-1].ts if incident.entries else None
        text = "Console restarted and resumed the incident"
        data: dict[str, Any] = {"event": "restart", "pid": int(pid if pid is not None else os.getpid())}
        if last is not None:
            from console.incident.model import format_duration

            gap = max(0, int((now - last).total_seconds()))
            data["gap_seconds"] = gap
            text += f" (last entry {format_ts(last)}, {format_duration(gap)} before)"
        return self._append(incident.id, "console", text, data)

    def record_recording(self, path: str) -> Entry | None:
        """A recording of the console started during this incident (``console/record``): the report links it."""
        if self.view_only or not self._has_open_current():
            return None
        text = f"Recording: {path} (replay: edge-console replay {path})"
        return self._append(None, "note", _clean(text, "recording", limit=4000), {"recording": str(path)})

    def record_escalation(self, contact: Any, note: str = "", incident_id: str | None = None) -> Entry:
        incident = self.get(incident_id)
        text = f"Escalated to {contact.name} ({contact.reach()})"
        if note:
            text += f": {_clean(note, 'note', required=False)}"
        return self._append(incident.id, "escalation", text, {"contact": contact.key, "name": contact.name})

    def record_notify(self, outcome: Any, incident_id: str | None = None) -> Entry:
        incident = self.get(incident_id)
        return self._append(
            incident.id,
            "notify",
            outcome.describe(),
            {"channel": outcome.channel, "ok": outcome.ok, "exit": outcome.exit_code},
        )

    def record_recovery(
        self, checks: Iterable[Any], confirmed: Iterable[str] = (), incident_id: str | None = None
    ) -> Entry:
        from console.incident.recovery import summarize

        checks = list(checks)
        confirmed = set(confirmed)
        incident = self._open(incident_id)
        passed = sum(1 for c in checks if c.status == "pass" or c.key in confirmed)
        text = f"Recovery checklist {passed}/{len(checks)}: " + summarize(checks, confirmed)
        data = {
            "checks": {
                c.key: ("confirmed" if c.key in confirmed and c.status == "manual" else c.status) for c in checks
            }
        }
        return self._append(incident.id, "recovery", text, data)

    def close(
        self, root_cause: str, resolution: str, action_items: Iterable[str] = (), incident_id: str | None = None
    ) -> Incident:
        incident = self._open(incident_id)
        root_cause = _clean(root_cause, "root cause", limit=4000)
        resolution = _clean(resolution, "resolution", limit=4000)
        items = [_clean(item, "action item", limit=500) for item in action_items if str(item or "").strip()]
        text = f"Incident closed after {_duration(incident, self.clock())}"
        self._append(
            incident.id,
            "close",
            text,
            {"root_cause": root_cause, "resolution": resolution, "action_items": items},
            check=_still_open,
        )
        return self.get(incident.id)

    def mark_review(self, item: str, incident_id: str | None = None, note: str = "") -> Entry:
        if item not in REVIEW_KEYS:
            raise IncidentInputError(f"review item: {item!r} is not one of {', '.join(REVIEW_KEYS)}")
        incident = self.get(incident_id)
        if incident.is_open:
            raise IncidentInputError(f"{incident.id} is still open; the review starts after closing")
        from console.incident.review import REVIEW_ITEMS

        text = dict((k, t) for k, t, _ in REVIEW_ITEMS)[item] + ": done" + (f" ({note})" if note else "")
        return self._append(incident.id, "review", text, {"item": item})

    def write_report(self, incident_id: str | None = None, out: Path | None = None) -> tuple[Path, str]:
        """Render the report, write it (fsynced) and record where. Returns (path, markdown).

        The report of an open incident is a draft (so marked in the markdown and in the timeline entry):
        it does not tick the review item "report", which only the closed incident's report does."""
        from console.incident.report import render_report

        self._refuse_view_only()  # before the file is written, not only before the timeline entry
        incident = self.get(incident_id)
        markdown = render_report(incident, self.links_for(incident))
        path = Path(out) if out else self.store.path(incident.id).with_suffix(".md")  # a drill's beside it
        ensure_private_dir(path.parent, "report directory", check=False)
        write_replace(path, markdown)  # 0600, atomic, never through a symlink
        if incident.is_open:
            self._append(
                incident.id,
                "report",
                f"Draft report written to {path} (incident open)",
                {"path": str(path), "draft": True},
            )
        else:
            self._append(incident.id, "report", f"Report written to {path}", {"path": str(path)})
        return path, markdown

    def links_for(self, incident: Incident) -> list[tuple[str, str]]:
        """The report header's links for ``incident`` (from ``report_links``)."""
        return [link for provider in self.report_links for link in [provider(incident)] if link]

    def _has_open_current(self) -> bool:
        incident = self.current
        return incident is not None and incident.is_open


def _still_open(incident: Incident) -> None:
    """Decided under the incident's lock: a second close (another console, a double key) is refused."""
    if not incident.is_open:
        raise IncidentInputError(f"{incident.id} is closed")


def _flow_end_text(flow: str, record: dict[str, Any]) -> str:
    title = record.get("flow_title")
    text = f"Flow {flow}" + (f" ({title})" if title else "") + f" ended: {record.get('status', '?')}"
    for key, label in (
        ("ran", "ran"),
        ("failed", "failed"),
        ("not_run", "not run"),
        ("pending_manual", "manual items open"),
    ):
        items = record.get(key)
        if isinstance(items, list) and items:
            text += f"; {label}: {', '.join(str(i) for i in items)}"
    return text + _env_tag(record)


def _env_tag(record: dict[str, Any]) -> str:
    """`` [production]``, or `` [production, SIMULATED]`` for a step run against the simulated edge."""
    env = record.get("environment")
    simulated = record.get("simulated") is True
    if not env and not simulated:
        return ""
    return " [" + ", ".join(str(x) for x in (env, "SIMULATED" if simulated else None) if x) + "]"


def _duration(incident: Incident, now: datetime) -> str:
    from console.incident.model import format_duration

    return format_duration(incident.elapsed(now))


__all__ = ["IncidentManager", "utc_now", "current_user", "parse_ts"]
