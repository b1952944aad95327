"""The error breakdown: top error messages by count (the runbook's P1 jq pipeline) and the CPU-time
distribution (the high-latency response), over the buffer or a chosen time window."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from console.sanitize import clean_line
from console.tail.breakdown import CpuStats, ErrorRow
from widgets.keybindings import bindings


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


class LogBreakdown(VerticalScroll, can_focus=True):
    """Focused (tab), up/down pick an error row (marked ``>``) and enter posts :class:`Selected`."""

    BINDINGS = bindings("logs.breakdown")

    class Selected(Message):
        def __init__(self, row: ErrorRow, rank: int) -> None:
            super().__init__()
            self.row = row
            self.rank = rank

    def compose(self) -> ComposeResult:
        yield Static("", id="breakdown-errors")
        yield Static("", id="breakdown-cpu")

    rows: list[ErrorRow] = []
    cpu: CpuStats | None = None
    cursor = 0
    _shown: tuple | None = None

    def on_mount(self) -> None:
        self.border_subtitle = "tab here, enter: full message"

    def action_row(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self._redraw()

    def action_open_row(self) -> None:
        if 0 <= self.cursor < len(self.rows):
            self.post_message(self.Selected(self.rows[self.cursor], self.cursor + 1))

    def on_focus(self) -> None:
        self._redraw()

    def on_blur(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self._shown is not None and self.cpu is not None:
            self.show(self.rows, self.cpu, *self._shown)

    def show(self, rows: list[ErrorRow], cpu: CpuStats, window: str, total: int) -> None:
        self.rows = rows
        self.cpu = cpu
        self._shown = (window, total)
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        table = Table(
            title=f"Top errors · {window} · {total:,} events",
            title_justify="left",
            expand=True,
            box=None,
            padding=(0, 1),
            show_edge=False,
        )
        table.add_column("#", justify="right", width=3)
        table.add_column("count", justify="right", width=6)
        table.add_column("src", width=4)
        table.add_column("message", ratio=1, overflow="fold")  # wrapped, never cut
        if not rows:
            table.add_row("", "", "", Text("no errors in this window", style="dim"))
        for rank, row in enumerate(rows, 1):
            picked = self.has_focus and rank == self.cursor + 1  # marked by a sign, not only by reverse
            table.add_row(
                f">{rank}" if picked else str(rank),
                f"{row.count:,}",
                "exc" if row.source == "exception" else "log",
                Text(clean_line(row.message), style="bold red" if rank <= 3 else ""),  # event text
                style="reverse" if picked else None,
            )
        self.query_one("#breakdown-errors", Static).update(table)

        cpu_table = Table(
            title=f"CPU time (ms) · {cpu.count:,} events",
            title_justify="left",
            expand=True,
            box=None,
            padding=(0, 1),
            show_edge=False,
        )
        cpu_table.add_column("≤ ms", justify="right", width=6)
        cpu_table.add_column("count", justify="right", width=7)
        cpu_table.add_column("", ratio=1, no_wrap=True)
        peak = max((c for _, c in cpu.buckets), default=0) or 1
        for bound, count in cpu.buckets:
            label = "more" if bound == float("inf") else f"{bound:g}"
            bar = "█" * max(0, round(20 * count / peak))
            style = "red" if bound > 50 else "yellow" if bound > 25 else "green"
            cpu_table.add_row(label, f"{count:,}", Text(bar, style=style))
        summary = Text(
            f"p50 {_ms(cpu.p50)}  p90 {_ms(cpu.p90)}  p99 {_ms(cpu.p99)}  max {_ms(cpu.max)}  "
            f">25ms {cpu.over_25:,}  >50ms {cpu.over_50:,}"
        )
        from rich.console import Group

        self.query_one("#breakdown-cpu", Static).update(Group(cpu_table, summary))
