"""The incident report in the runbook's Incident Template (markdown), filled from the timeline (pure)."""

from __future__ import annotations

from console.incident.model import Entry, Incident, format_duration
from console.sanitize import clean

#: Entry kinds left out of the report's timeline (bookkeeping about the report itself).
HIDDEN_KINDS = {"report"}
#: Under the title while the incident is open (the TUI's view and ``incident report`` alike).
DRAFT_NOTE = "*Draft: the incident is still open; the report is final once it is closed.*"


def _when(entry: Entry, multi_day: bool) -> str:
    return entry.ts.strftime("%Y-%m-%d %H:%M" if multi_day else "%H:%M")


def _line(entry: Entry) -> str:
    if entry.kind == "note":
        text = f"Note: {entry.text}"
    else:
        text = entry.text
    if entry.by and entry.kind in ("note", "phase", "escalation", "correction"):
        text += f" ({entry.by})"
    return " ".join(text.split())


def render_report(incident: Incident) -> str:
    entries = sorted((e for e in incident.entries if e.kind not in HIDDEN_KINDS), key=lambda e: (e.ts, e.seq))
    days = {e.ts.date() for e in entries}
    multi_day = len(days) > 1
    start = incident.started
    end = incident.closed_at
    if start is None:
        duration = "unknown"
    else:
        duration = start.strftime("%Y-%m-%d %H:%M UTC") + " - "
        if end is None:
            duration += "ongoing"
        else:
            duration += end.strftime("%Y-%m-%d %H:%M UTC") + f" ({format_duration(end - start)})"
    sev = incident.severity_info
    lines = [
        f"# Incident Report: {incident.title or incident.id}",
        "",
        *([DRAFT_NOTE, ""] if incident.is_open else []),
        f"**Incident ID**: {incident.id}",
        f"**Severity**: {sev.level} ({sev.name} - {sev.description})",
        f"**Duration**: {duration}",
        f"**Impact**: {incident.impact or 'Not recorded'}",
        "",
        "## Timeline",
        "All times UTC.",
        "",
    ]
    lines += [f"- {_when(e, multi_day)} - {_line(e)}" for e in entries]
    lines += [
        "",
        "## Root Cause",
        incident.root_cause or "Not yet identified (incident open).",
        "",
        "## Resolution",
        incident.resolution or "Not yet resolved (incident open).",
        "",
        "## Action Items",
    ]
    if incident.action_items:
        lines += [f"- [ ] {item}" for item in incident.action_items]
    else:
        lines.append("- [ ] Add action items")
    lines += recording_lines(incident)
    return clean("\n".join(lines) + "\n")  # read on a terminal too: controls shown escaped


def recording_lines(incident: Incident) -> list[str]:
    """The recordings made during the incident (``edge-console replay FILE`` replays one)."""
    paths = [str(e.data["recording"]) for e in incident.entries
             if e.kind == "note" and isinstance(e.data.get("recording"), str)]
    if not paths:
        return []
    return ["", "## Recording", "", *[f"- `{path}` (replay: `edge-console replay {path}`)" for path in paths]]
