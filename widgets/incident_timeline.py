"""The incident timeline (UTC), newest last; rows are only ever added, like the record itself."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import DataTable

from console.incident.model import Entry
from console.sanitize import clean_line

KIND_STYLE = {"alert": "bold red", "phase": "bold cyan", "note": "", "flow": "magenta", "source": "yellow",
              "severity": "bold yellow", "escalation": "bold", "notify": "bold", "close": "bold green",
              "correction": "italic", "start": "bold"}


class IncidentTimeline(DataTable):
    """Fed by :meth:`show_entries` with the incident's entries (all of them; only new ones are added)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.shown: set[int] = set()
        self.incident_id: str | None = None
        self.entries: dict[int, Entry] = {}  # by seq: enter on a row shows the whole entry

    def on_mount(self) -> None:
        self.add_column("time (UTC)", key="time")
        self.add_column("#", key="seq")
        self.add_column("what", key="kind")
        self.add_column("entry", key="text")
        self.add_column("by", key="by")

    def show_entries(self, entries: Sequence[Entry]) -> None:
        added = False
        for entry in entries:
            if entry.seq in self.shown:
                continue
            self.shown.add(entry.seq)
            self.entries[entry.seq] = entry
            self.add_row(entry.ts.strftime("%m-%d %H:%M:%S"), str(entry.seq),
                         Text(clean_line(entry.kind), style=KIND_STYLE.get(entry.kind, "")),
                         Text(clean_line(entry.text)), Text(clean_line(entry.by)),  # the record's text
                         key=str(entry.seq))
            added = True
        if added:
            self.move_cursor(row=self.row_count - 1)

    def entry_for(self, row_key: object) -> Entry | None:
        """The entry of a row (its key is the entry's seq)."""
        value = getattr(row_key, "value", row_key)
        try:
            return self.entries.get(int(str(value)))
        except ValueError:
            return None

    def texts(self) -> list[str]:
        return [str(self.get_row_at(i)[3]) for i in range(self.row_count)]
