"""The incident report in the runbook's Incident Template (markdown), filled from the timeline (pure).

Ready to paste: every header field is a list item of its own (a run of ``**Field**: value`` lines is one
paragraph in Markdown), the timeline is a list to the second, the recovery checklist a task list with one
item per line, and "Response times" a table. Text from the records is escaped where Markdown would read it
as markup, so an entry can never turn into a heading, a link or a table cell. A drill (an incident on the
simulated edge) says ``SIMULATED DRILL`` in its title, under it and in its timeline heading.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import unquote

from console.incident.model import DRILL_LABEL, Entry, Incident, format_duration
from console.sanitize import clean, clean_line, is_clean

#: Entry kinds left out of the report's timeline (bookkeeping about the report itself).
HIDDEN_KINDS = {"report"}
#: Under the title while the incident is open (the TUI's view and ``incident report`` alike).
DRAFT_NOTE = "*Draft: the incident is still open; the report is final once it is closed.*"
#: Under the title of a drill's report.
DRILL_NOTE = f"**{DRILL_LABEL}**: this incident was a drill on the simulated edge; no real environment was affected."

#: characters Markdown may read as markup inside a line of text (``]`` is escaped before ``(``, ``[`` and
#: ``:``; the sanitiser's visible escapes such as ``\x1b[2J`` stay as they are). ``&`` too: a character
#: reference (``&#x202e;``, ``&#10;``) is decoded by the renderer after the report went through the
#: sanitiser (an RLO or a line break on the screen). ``[`` too: each one unescaped starts a link (or, after
#: ``!``, image) label scan in markdown-it, ~10x the parse time of escaped text.
_MD_SPECIAL = re.compile(r"([`*_<|~&\[])")
_MD_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")  # a backslash that would escape what follows
_MD_LINK_CLOSE = re.compile(r"\](?=[(\[:])")
#: what makes a line's start a heading, quote, list item or rule
_MD_LINE_START = re.compile(r"^([#>+=-]|[0-9]+[.)])")


#: the most of one outside text a report line shows (the console's own fields are at most 4000 characters; a
#: line of an incident file is not bounded, and markdown-it spends ~40 us a character on ``![a`` runs)
MAX_TEXT = 6000


def _plain_url(url: str) -> bool:
    """A link the report may show as an autolink: http(s), no spaces, no angle brackets, and nothing unsafe
    in the text a Markdown renderer shows for it: markdown-it (Rich's) shows an autolink percent-decoded
    (``%1b`` is an ESC on the screen) and its ``xn--`` host punycode-decoded (an RLO)."""
    if not url.startswith(("https://", "http://")) or any(c in url for c in " <>\n\r\t"):
        return False
    from markdown_it.common.normalize_url import normalizeLinkText  # what the renderer shows (only with links)

    try:
        shown = normalizeLinkText(url)
    except Exception:  # noqa: BLE001 - a host the renderer cannot decode: not shown as a link
        return False
    return is_clean(unquote(url, errors="replace")) and is_clean(shown)


def _link(url: str) -> str:
    """A header link: an autolink when plain; an http(s) URL that is not (its decoded text would not be
    clean) as escaped text, shown as written; anything else nothing."""
    if _plain_url(url):
        return f"<{url}>"
    return md_text(url) if url.startswith(("https://", "http://")) else ""


def _code(text: str) -> str:
    """Outside text as an inline code span on one line (line breaks shown as ``\\n``): fenced by more
    backticks than any run in it, so a backtick in the text cannot close the span."""
    text = clean_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(text: str) -> str:
    """Outside text as one line of literal Markdown text (whitespace folded, markup characters escaped,
    at most :data:`MAX_TEXT` characters of it)."""
    text = str(text)
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT]} ... ({len(text) - MAX_TEXT} more characters not shown)"
    line = _MD_BACKSLASH.sub(r"\\\\", " ".join(text.split()))
    line = _MD_SPECIAL.sub(r"\\\1", line)
    return _MD_LINK_CLOSE.sub(r"\\]", line)


def md_paragraph(text: str) -> str:
    """Outside text as a paragraph of its own: also its start never reads as a heading or a list."""
    line = md_text(text)
    match = _MD_LINE_START.match(line)
    if match:
        line = line[: match.end() - 1] + "\\" + line[match.end() - 1 :]
    return line


def _when(entry: Entry, multi_day: bool) -> str:
    return entry.ts.strftime("%Y-%m-%d %H:%M:%S" if multi_day else "%H:%M:%S")


def _line(entry: Entry) -> str:
    if entry.kind == "note":
        text = f"Note: {entry.text}"
    else:
        text = entry.text
    if entry.by and entry.kind in ("note", "phase", "escalation", "correction"):
        text += f" ({entry.by})"
    return md_text(text)


def response_times(incident: Incident) -> list[tuple[str, datetime | None]]:
    """(measure, when) for acknowledge, mitigate and resolve; None when not reached yet."""
    ack = incident.acknowledged_at or incident.phase_times.get("acknowledged")
    mitigated = incident.phase_times.get("mitigation-applied")
    resolved = incident.phase_times.get("service-restored") or incident.closed_at
    return [("Time to acknowledge", ack), ("Time to mitigate", mitigated), ("Time to resolve", resolved)]


def response_origin(incident: Incident) -> datetime | None:
    """Response times count from the first alert of the incident, or its start when no alert came first."""
    times = [e.ts for e in incident.entries if e.kind == "alert"][:1]
    if incident.started is not None:
        times.append(incident.started)
    return min(times) if times else None


def _recovery_lines(incident: Incident) -> list[str]:
    from console.incident.recovery import RECOVERY_STEPS

    latest = next((e for e in reversed(incident.entries) if e.kind == "recovery"), None)
    checks = latest.data.get("checks") if latest is not None else None
    checks = checks if isinstance(checks, dict) else {}
    lines = []
    for key, text in RECOVERY_STEPS:
        status = checks.get(key)
        done = status in ("pass", "confirmed")
        shown = "not checked" if status is None else md_text(str(status))
        lines.append(f"- [{'x' if done else ' '}] {text} ({shown})")
    if latest is not None:
        lines += ["", f"Checked at {latest.ts.strftime('%Y-%m-%d %H:%M:%S')} UTC."]
    return lines


def render_report(incident: Incident, links: list[tuple[str, str]] | None = None) -> str:
    """The report as Markdown; ``links`` are (label, URL) pairs shown in the header (the Grafana
    dashboard over the incident's time range, ...)."""
    entries = sorted((e for e in incident.entries if e.kind not in HIDDEN_KINDS), key=lambda e: (e.ts, e.seq))
    days = {e.ts.date() for e in entries}
    multi_day = len(days) > 1
    start = incident.started
    end = incident.closed_at
    if start is None:
        duration = "unknown"
    else:
        duration = start.strftime("%Y-%m-%d %H:%M:%S UTC") + " - "
        if end is None:
            duration += "ongoing"
        else:
            duration += end.strftime("%Y-%m-%d %H:%M:%S UTC") + f" ({format_duration(end - start)})"
    sev = incident.severity_info
    drill = incident.is_drill
    title = md_text(incident.title or incident.id)
    lines = [
        f"# {DRILL_LABEL}: Incident Report: {title}" if drill else f"# Incident Report: {title}",
        "",
        *([DRILL_NOTE, ""] if drill else []),
        *([DRAFT_NOTE, ""] if incident.is_open else []),
        f"- **Incident ID**: {incident.id}",
        *([f"- **Type**: {DRILL_LABEL} (simulated edge)"] if drill else []),
        f"- **Severity**: {sev.level} ({sev.name} - {sev.description})",
        f"- **Status**: {'open' if incident.is_open else 'closed'}",
        f"- **Duration**: {duration}",
        f"- **Impact**: {md_text(incident.impact) if incident.impact else 'Not recorded'}",
        *[f"- **{md_text(label)}**: {_link(url)}" for label, url in (links or []) if _link(url)],
        "",
        f"## Timeline ({DRILL_LABEL})" if drill else "## Timeline",
        "",
        "All times UTC.",
        "",
    ]
    lines += [f"- {_when(e, multi_day)} - {_line(e)}" for e in entries] or ["- No entries."]
    origin = response_origin(incident)
    lines += [
        "",
        "## Response times",
        "",
        f"Measured from {origin.strftime('%Y-%m-%d %H:%M:%S')} UTC (the first alert or the start)."
        if origin is not None
        else "No start recorded.",
        "",
        "| Measure | Time | At (UTC) |",
        "| --- | --- | --- |",
    ]
    for measure, when in response_times(incident):
        if when is None or origin is None:
            # closed without that mark (no mitigation step, say): it never will be; "not yet" read as pending
            lines.append(f"| {measure} | {'not yet' if incident.is_open else 'not recorded'} | - |")
        else:
            lines.append(f"| {measure} | {format_duration(when - origin)} | {when.strftime('%Y-%m-%d %H:%M:%S')} |")
    lines += ["", "## Recovery checklist", ""]
    lines += _recovery_lines(incident)
    lines += [
        "",
        "## Root Cause",
        "",
        md_paragraph(incident.root_cause) if incident.root_cause else "Not yet identified (incident open).",
        "",
        "## Resolution",
        "",
        md_paragraph(incident.resolution) if incident.resolution else "Not yet resolved (incident open).",
        "",
        "## Action Items",
        "",
    ]
    if incident.action_items:
        lines += [f"- [ ] {md_text(item)}" for item in incident.action_items]
    else:
        lines.append("- [ ] Add action items")
    lines += recording_lines(incident)
    return clean("\n".join(lines) + "\n")  # read on a terminal too: controls shown escaped


def recording_lines(incident: Incident) -> list[str]:
    """The recordings made during the incident (``edge-console replay FILE`` replays one)."""
    paths = [
        str(e.data["recording"])
        for e in incident.entries
        if e.kind == "note" and isinstance(e.data.get("recording"), str)
    ]
    if not paths:
        return []
    return [
        "",
        "## Recording",
        "",
        *[f"- {_code(path)} (replay: {_code('edge-console replay ' + path)})" for path in paths],
    ]
