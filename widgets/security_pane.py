"""Security blocks per rule, busiest first, with totals and spikes marked."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from console.format import compact
from console.metrics.model import SecurityRule


class SecurityPane(Static):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for data", **kwargs)
        self.border_title = "Security blocks"
        self._plain = ""

    def show(self, rules: Sequence[SecurityRule], per_s: float | None, total: float,
             violations_per_s: float | None = None, more: int = 0) -> None:
        """``rules`` is already capped by the core (console.limits.MAX_SERIES_SHOWN); ``more`` counts
        the rules left out; ``per_s`` and ``total`` cover all of them."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if not rules:
            text.append("no security metrics", style="dim italic")
        for rule in rules:
            rate = "—" if rule.per_second is None else f"{compact(rule.per_second)}/s"
            text.append(f"{rule.rule[:10]:<10}")
            text.append(f"{rate:>9}", style="bold")
            text.append(f"{compact(rule.total):>9} total")
            if rule.spike:
                text.append("  ▲ SPIKE", style="bold red")
            text.append("\n")
        if more:
            text.append(f"+{more:,} more rules\n", style="dim italic")
        all_rate = "—" if per_s is None else f"{compact(per_s)}/s"
        text.append(f"{'all':<10}{all_rate:>9}{compact(total):>9} total", style="bold")
        self.border_subtitle = ("" if violations_per_s is None
                                else f"rate-limit violations {compact(violations_per_s)}/s")
        if text.plain != self._plain:
            # a layout pass only when the pane's height changes (it matters on every poll)
            same_height = text.plain.count("\n") == self._plain.count("\n")
            self._plain = text.plain
            self.update(text, layout=not same_height)
