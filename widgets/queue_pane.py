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

    def show(self, queues: Sequence[QueueInfo], note: str = "") -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not queues:
            text.append(note or "no queue metrics", style="dim italic")
        for i, q in enumerate(queues):
            if i:
                text.append("\n")
            text.append(f"{q.name[:12]:<12}")
            text.append(f"{compact(q.backlog):>7} ", style="bold")
            text.append(f"{q.state.symbol:<5}", style=f"bold {state_style(q.state)}")
            text.append(f"{trend_text(q.trend_per_s):>9}")
            eta = f" eta {format_duration(q.drain_eta_s)}" if q.drain_eta_s is not None else ""
            text.append(f"{eta:<11}")
            if q.processing_p95_ms is not None:
                text.append(f" p95 {q.processing_p95_ms:,.0f}ms", style="dim")
        if text.plain != self._plain:
            self._plain = text.plain
            self.update(text)
