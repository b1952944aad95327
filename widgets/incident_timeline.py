"""The incident timeline (UTC), newest last; rows are only ever added, like the record itself."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import DataTable

from console.incident.model import Entry
from console.sanitize import clean_line

KIND_STYLE = {
    "alert": "bold red",
    "phase": "bold cyan",
    "note": "",
    "flow": "magenta",
    "source": "yellow",
    "severity": "bold yellow",
    "escalation": "bold",
    "notify": "bold",
    "close": "bold green",
    "correction": "italic",
    "start": "bold",
}


#: cells of the columns other than the entry: time 14, # 3, what 10, by 14, DataTable's padding
#: (1 each side of 5 columns) and the scrollbar
BY_WIDTH = 14
OTHER_COLUMNS = 14 + 3 + 10 + BY_WIDTH + 5 * 2 + 2
MIN_ENTRY_WIDTH = 20


class IncidentTimeline(DataTable):
    """Fed by :meth:`show_entries` with the incident's entries (all of them; only new ones are added).
    The entry and "by" columns have fixed widths from the table's width and their rows grow to wrap
    long text (nothing is cut at 80 columns); a resize lays the rows out again."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.shown: set[int] = set()
        self.incident_id: str | None = None
        self._entries: list[Entry] = []
        self._entry_width = 0
        self._follow = False  # rows were added: show the end once their heights are known
        self.entries: dict[int, Entry] = {}  # by seq: enter on a row shows the whole entry

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self._entry_width = self._fit_width()
        self.add_column("time (UTC)", key="time")
        self.add_column("#", key="seq")
        self.add_column("what", key="kind")
        self.add_column("entry", key="text", width=self._entry_width)
        self.add_column("by", key="by", width=BY_WIDTH)

    def _fit_width(self) -> int:
        return max(MIN_ENTRY_WIDTH, (self.size.width or 120) - OTHER_COLUMNS)

    def on_resize(self) -> None:
        if self._fit_width() != self._entry_width and self.columns:
            self.clear(columns=True)
            self._add_columns()
            shown, self.shown = self.shown, set()
            self._add(e for e in self._entries if e.seq in shown)

    def clear(self, columns: bool = False):  # noqa: ANN201 - DataTable's signature
        if not columns:
            self._entries = []
        return super().clear(columns=columns)

    def show_entries(self, entries: Sequence[Entry]) -> None:
        self._add(entries)

    def _add(self, entries) -> None:  # noqa: ANN001 - any iterable of entries
        added = False
        for entry in entries:
            if entry.seq in self.shown:
                continue
            self.shown.add(entry.seq)
            self._entries.append(entry)
            self.entries[entry.seq] = entry
            self.add_row(
                entry.ts.strftime("%m-%d %H:%M:%S"),
                str(entry.seq),
                Text(clean_line(entry.kind), style=KIND_STYLE.get(entry.kind, "")),
                Text(clean_line(entry.text)),
                Text(clean_line(entry.by)),  # the record's text
                key=str(entry.seq),
                height=None,
            )
            added = True
        if added:
            self.move_cursor(row=self.row_count - 1)
            self._follow = True

    def watch_virtual_size(self) -> None:
        """New rows' heights are measured when the table is next idle, and the height of the table with
        them set then: the cursor's scroll (move_cursor, after a refresh) could run before, on the old
        height, and left the newest entry's last lines below the screen (the end of a flow's summary
        at 80x24). Once the height is set, the newest row is scrolled into view whole."""
        if self._follow and self.row_count and self.cursor_row == self.row_count - 1:
            self._follow = False
            self.call_after_refresh(self.scroll_end, animate=False)

    def entry_for(self, row_key: object) -> Entry | None:
        """The entry of a row (its key is the entry's seq)."""
        value = getattr(row_key, "value", row_key)
        try:
            return self.entries.get(int(str(value)))
        except ValueError:
            return None

    def texts(self) -> list[str]:
        return [str(self.get_row_at(i)[3]) for i in range(self.row_count)]
