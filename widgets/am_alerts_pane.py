"""Firing alerts: the console's own and Alertmanager's, one row per metric where they overlap."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from console.format import format_duration
from widgets.plain import plain

#: rows shown; the rest are counted
MAX_ROWS = 8
_LEVEL_WORD = {"critical": "CRIT", "warning": "WARN", "info": "INFO"}
_STYLE = {"critical": "bold red", "warning": "bold yellow"}


class AlertmanagerPane(Static):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("Alertmanager: waiting", **kwargs)
        self.border_title = "Alerts · console + Alertmanager"
        self._plain = ""

    def show(self, rows: Sequence, error: str | None, now: float) -> None:
        """``rows``: ``console.alertmanager.merge.AlertRow`` (already sanitised, bounded)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if not rows:
            text.append("no alerts firing", style="dim italic")
        for row in list(rows)[:MAX_ROWS]:
            word = _LEVEL_WORD.get(row.level, row.level.upper()[:4])
            text.append(f"{word:<4} ", style=_STYLE.get(row.level, "bold"))
            status = row.status.upper()
            text.append(f"{status:<9}", style="dim" if status != "FIRING" else "bold")
            source = {"both": "console+AM", "console": "console", "alertmanager": "AM"}[row.source]
            text.append(f"{source:<11}")
            if row.alertmanager:
                names = ", ".join(sorted({a.describe() for a in row.alertmanager}))
                text.append(names if row.source == "alertmanager" else f"{row.text} · {names}")
            else:
                text.append(row.text)
            if row.since:
                text.append(f"  {format_duration(max(0.0, now - row.since))}", style="dim")
            text.append("\n")
        if len(rows) > MAX_ROWS:
            text.append(f"+{len(rows) - MAX_ROWS} more\n", style="dim italic")
        text.rstrip()
        self.border_subtitle = plain(f"ALERTMANAGER DOWN: {error}") if error else ""
        if text.plain != self._plain:
            self._plain = text.plain
            self.update(text)
