"""Queue backlog per queue against its thresholds, with trend, drain ETA and processing P95."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text

from console.format import compact, format_duration
from console.metrics.model import QueueInfo
from themes.look import state_label, state_style, theme_of
from widgets.metrics_pane import STATE_W
from widgets.text_lines import TextLines


def trend_text(trend: float | None) -> str:
    if trend is None:
        return "  —"
    if abs(trend) < 0.05:
        return "→ flat"
    arrow = "↑" if trend > 0 else "↓"
    return f"{arrow}{compact(abs(trend))}/s"


class QueuePane(TextLines):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for data", **kwargs)
        self.border_title = "Queues"
        self._plain = ""
        self._signature: tuple | None = None
        self._last: tuple | None = None
        #: lines the dashboard can give this pane (None: as many as it needs)
        self.max_lines: int | None = None

    def show(self, queues: Sequence[QueueInfo], note: str = "", more: int = 0, unread: int = 0) -> None:
        """``queues`` is already capped by the core (console.limits.MAX_SERIES_SHOWN); ``more`` counts
        the queues left out. Each row keeps its backlog and state first: as the pane narrows the name
        is shortened, then the drain ETA, P95 and trend are left out. When the dashboard gives the pane
        fewer lines than it needs (``max_lines``) it shows one summary line with the worst state.
        ``unread`` (of ``more``): series over the parser's cap, not read; said on the "+N more" line."""
        self._last = (queues, note, more, unread)
        width = self.content_region.width or 36
        theme = theme_of(self)
        lines = [self._row(q, width) for q in queues]
        if more:
            lines.append(Text(f"+{more:,} more queues" + _unread_text(unread), style="dim italic"))
        if self.max_lines is not None and len(lines) > self.max_lines and queues:
            if self.max_lines >= 3:  # the fullest queues (listed first), then how many more and their worst
                keep = self.max_lines - 1
                lines = lines[:keep] + [self._more_line(queues[keep:], more, unread)]
            else:
                lines = [self._summary(queues, more, width)]
        text = Text("\n").join(lines) if lines else Text(note or "no queue metrics", style="dim italic")
        signature = (text.plain, theme)
        if signature != self._signature:
            # a layout pass only when the pane's height changes (it matters on every poll)
            same_height = text.plain.count("\n") == self._plain.count("\n")
            self._plain = text.plain
            self._signature = signature
            if lines:
                self.set_lines(lines, layout=not same_height)  # drawn line by line (TextLines)
            else:
                self.update(text, layout=not same_height)

    def restyle(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def _more_line(self, hidden: Sequence[QueueInfo], more: int, unread: int = 0) -> Text:
        line = Text(
            f"+{len(hidden) + more:,} more queues" + _unread_text(unread),
            style="dim italic",
            no_wrap=True,
            overflow="ellipsis",
        )
        worst_state = max((q.state for q in hidden), key=lambda st: st.rank, default=None)
        if worst_state is not None and worst_state.rank > 0:
            line.append(" worst ")
            line.append(state_label(worst_state).strip(), style=state_style(self, worst_state))
        return line

    def _summary(self, queues: Sequence[QueueInfo], more: int, width: int) -> Text:
        worst_q = max(queues, key=lambda q: (q.state.rank, q.backlog or 0))
        total = sum(q.backlog or 0 for q in queues)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(state_label(worst_q.state), style=state_style(self, worst_q.state))
        line.append(f" {len(queues) + more} queues, backlog {compact(total)}", style="bold")
        line.append(f" · worst {worst_q.name}"[: max(0, width - line.cell_len)])
        return line

    def _row(self, q: QueueInfo, width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        name_w = max(0, min(11, width - 6 - 1 - STATE_W - 1))
        if name_w:
            line.append(f"{q.name[:name_w]:<{name_w}} ")
        if q.invalid:
            line.append(f"{'-':>6} ", style="bold")
            line.append(state_label(q.state), style=state_style(self, q.state))
            line.append(f" invalid: {q.invalid}"[: max(0, width - line.cell_len)], style="bold")
            return line
        line.append(f"{compact(q.backlog):>6} ", style="bold")
        line.append(state_label(q.state), style=state_style(self, q.state))
        for part, style in (
            (f" {trend_text(q.trend_per_s).strip()}", ""),
            (f" eta {format_duration(q.drain_eta_s)}" if q.drain_eta_s is not None else "", ""),
            (f" p95 {q.processing_p95_ms:,.0f}ms" if q.processing_p95_ms is not None else "", "dim"),
        ):
            if part and line.cell_len + len(part) <= width:
                line.append(part, style=style)
        return line


def _unread_text(unread: int) -> str:
    """What the "+N more" line adds for series over the parser's cap (not read, not in the total)."""
    return f" ({unread:,} not read)" if unread else ""
