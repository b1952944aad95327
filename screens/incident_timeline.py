"""The incident screen: summary, response clock and the timeline; keys for notes, phases, severity,
contacts, closing and the report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text

from textual.app import ComposeResult
from textual.widgets import Static

from console.incident.model import DRILL_LABEL, Incident, format_ts
from console.incident.review import review_checklist, review_required
from console.sanitize import clean_line
from screens.base import EdgeScreen
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.incident_timeline import IncidentTimeline
from widgets.keybindings import bindings


def review_text(incident: Incident, now: datetime) -> Text:
    """The post-incident review checklist with due times (closed P0/P1 incidents)."""
    text = Text()
    if incident.is_open:
        return text
    if not review_required(incident):
        text.append(f"Post-incident review: optional for {incident.severity}", style="dim")
        return text
    text.append("Post-incident review (v marks an item done)\n", style="bold")
    for item in review_checklist(incident):
        if item.done_at:
            text.append(f"  [x] {item.text}  done {item.done_at:%Y-%m-%d %H:%M} UTC\n", style="green")
        elif item.overdue(now):
            text.append(f"  [ ] {item.text}  OVERDUE since {item.due:%Y-%m-%d %H:%M} UTC\n", style="bold red")
        else:
            text.append(f"  [ ] {item.text}  due {item.due:%Y-%m-%d %H:%M} UTC\n")
    text.rstrip()
    return text


class IncidentTimelineScreen(EdgeScreen):
    BINDINGS = bindings("incident")

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="incident-summary")
        yield Static("", id="incident-warnings", classes="form-error")
        yield Static("", id="incident-review")
        yield IncidentTimeline(id="incident-timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.show_incident(self.app.incident_response.manager.current)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.show_incident(self.app.incident_response.manager.current)  # type: ignore[attr-defined]

    def show_incident(self, incident: Incident | None) -> None:
        summaries = self.query("#incident-summary")
        if not summaries:  # pushed, not composed yet (an incident write refreshed every screen): on_mount shows it
            return
        summary = summaries.first(Static)
        if incident is None:
            key = self.app.hint("incident.open", "to start one")  # type: ignore[attr-defined]
            summary.update(Text(f"No incident. Press {key}." if key else "No incident. Start one from the palette."))
            return
        sev = incident.severity_info
        lines = [
            (f"{DRILL_LABEL}  " if incident.is_drill else "")
            + f"{incident.id}  {sev.label}  (respond within {sev.response_text})  phase: {incident.phase}",
            f"{incident.title}" + (f" · impact: {incident.impact}" if incident.impact else ""),
        ]
        if incident.severity == "P0" and incident.is_open:  # who to call comes before what is wrong
            lines.insert(1, self.app.incident_response.escalation_text())  # type: ignore[attr-defined]
        summary.update(Text("\n".join(clean_line(line) for line in lines)))  # the record's text: escaped
        warnings = self.query_one("#incident-warnings", Static)
        warnings.update(Text("\n".join(clean_line(w) for w in incident.warnings)))
        warnings.display = bool(incident.warnings)  # empty, it took a line from the timeline (5 rows at 60x20, P0)
        timeline = self.query_one(IncidentTimeline)
        if timeline.incident_id != incident.id:  # another incident: start the table afresh
            timeline.clear()
            timeline.shown.clear()
            timeline.entries.clear()
            timeline.incident_id = incident.id
        timeline.show_entries(incident.entries)
        review = review_text(incident, self._now())
        self.query_one("#incident-review", Static).update(review)
        self.query_one("#incident-review", Static).display = bool(review.plain)

    def on_data_table_row_selected(self, message: IncidentTimeline.RowSelected) -> None:
        """enter on a row: the whole entry (rows are cut at the terminal's width)."""
        message.stop()
        entry = self.query_one(IncidentTimeline).entry_for(message.row_key)
        if entry is None:
            return
        from screens.full_text import FullTextScreen

        fields = [
            ("time", format_ts(entry.ts)),
            ("#", str(entry.seq)),
            ("what", entry.kind),
            ("by", entry.by or "-"),
            ("entry", entry.text),
        ]
        self.app.push_screen(FullTextScreen(f"Timeline entry {entry.seq}", fields))

    def _now(self) -> datetime:
        return self.app.incident_response.now()  # type: ignore[attr-defined]

    def apply_result(self, result: Any) -> None:
        super().apply_result(result)
