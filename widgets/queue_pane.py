"""Queue backlog per queue against its thresholds, with trend, drain ETA and processing P95."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from console.format import compact, format_duration
from console.metrics.model import QueueInfo
from widgets.metrics_pane import state_style


def trend_text(trend: float | None) -> str:
    if trend is None:
        return "  —"
    if abs(trend) < 0.05:
        return "→ flat"
    arrow = "↑" if trend > 0 else "↓"
    return f"{arrow}{compact(abs(trend))}/s"


class QueuePane(Static):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for data", **kwargs)
        self.border_title = "Queues"
        self._plain = ""

    def show(self, queues: Sequence[QueueInfo], note: str = "", more: int = 0) -> None:
        """``queues`` is already capped by the core (console.limits.MAX_SERIES_SHOWN); ``more`` counts
        the queues left out."""
        width = self.content_region.width or 36
        lines = []
        for q in queues:
            line = Text()
            line.append(f"{q.name[:11]:<11}")
            if q.invalid:
                line.append(f"{'-':>6} ", style="bold")
                line.append(f"{q.state.symbol:<5}", style=f"bold {state_style(q.state)}")
                line.append(f"invalid: {q.invalid}"[: max(8, width - 23)], style="bold")
                lines.append(line)
                continue
            line.append(f"{compact(q.backlog):>6} ", style="bold")
            line.append(f"{q.state.symbol:<5}", style=f"bold {state_style(q.state)}")
            line.append(trend_text(q.trend_per_s))
            if q.drain_eta_s is not None:
                eta = f" eta {format_duration(q.drain_eta_s)}"
                line.append(eta if line.cell_len + len(eta) <= width else f" ~{format_duration(q.drain_eta_s)}")
            if q.processing_p95_ms is not None:
                p95 = f" p95 {q.processing_p95_ms:,.0f}ms"
                if line.cell_len + len(p95) <= width:
                    line.append(p95, style="dim")
            lines.append(line)
        if more:
            lines.append(Text(f"+{more:,} more queues", style="dim italic"))
        text = Text("\n").join(lines) if lines else Text(note or "no queue metrics", style="dim italic")
        if text.plain != self._plain:
            # a layout pass only when the pane's height changes (it matters on every poll)
            same_height = text.plain.count("\n") == self._plain.count("\n")
            self._plain = text.plain
            self.update(text, layout=not same_height)
