"""Security blocks per rule, busiest first, with totals and spikes marked."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text

from console.format import compact
from console.metrics.model import SecurityRule
from console.metrics.thresholds import State
from console.sanitize import clean_line
from themes.look import state_style, theme_of
from widgets.text_lines import TextLines


class SecurityPane(TextLines):
    DEFAULT_CLASSES = "pane"

    def __init__(self, **kwargs) -> None:
        super().__init__("waiting for data", **kwargs)
        self.border_title = "Security blocks"
        self._plain = ""
        self._signature: tuple | None = None
        self._last: tuple | None = None
        self._subtitle: str | None = None
        #: lines the dashboard can give this pane (None: as many as it needs)
        self.max_lines: int | None = None

    def show(
        self,
        rules: Sequence[SecurityRule],
        per_s: float | None,
        total: float,
        violations_per_s: float | None = None,
        more: int = 0,
        unread: int = 0,
    ) -> None:
        """``rules`` is already capped by the core (console.limits.MAX_SERIES_SHOWN); ``more`` counts
        the rules left out; ``per_s`` and ``total`` cover all of them. Each row keeps its rule, rate and
        ``SPIKE`` mark first; the total goes when the pane is narrow. When the dashboard gives the pane
        fewer lines than it needs (``max_lines``) it shows one summary line (spiking rules named)."""
        self._last = (rules, per_s, total, violations_per_s, more, unread)
        width = self.content_region.width or 36
        theme = theme_of(self)
        all_rate = "—" if per_s is None else f"{compact(per_s)}/s"
        needed = len(rules) + (1 if more else 0) + 1
        shown, hidden = list(rules), []
        if self.max_lines is not None and needed > self.max_lines and rules and self.max_lines >= 4:
            # the spiking and busiest rules (listed first), then how many more, then all
            shown, hidden = list(rules[: self.max_lines - 2]), list(rules[self.max_lines - 2 :])
        if self.max_lines is not None and needed > self.max_lines and rules and self.max_lines < 4:
            text = self._summary(rules, all_rate, width)
        else:
            text = Text(no_wrap=True, overflow="ellipsis")
            if not rules:
                text.append("no security metrics", style="dim italic")
            for rule in shown:
                text.append_text(self._row(rule, width))
                text.append("\n")
            if more or hidden:
                text.append(f"+{more + len(hidden):,} more rules", style="dim italic")
                if unread:  # over the parser's cap: not read, not in the rate or total below
                    text.append(f" ({unread:,} not read)", style="dim italic")
                spiking = sum(1 for r in hidden if r.spike)
                if spiking:
                    text.append(f" ({spiking} ")
                    text.append(SPIKE, style=state_style(self, State.CRITICAL))
                    text.append(")")
                text.append("\n")
            tail = f" {compact(total):>8} total"
            text.append(f"{'all' if not unread else 'read':<{NAME_W}}{all_rate:>{RATE_W}}", style="bold")
            if NAME_W + RATE_W + len(tail) <= width:
                text.append(tail, style="bold")
        subtitle = "" if violations_per_s is None else f"rate-limit violations {compact(violations_per_s)}/s"
        if subtitle != self._subtitle:  # setting it repaints the whole pane, borders too: only on change
            self._subtitle = subtitle
            self.border_subtitle = subtitle
        signature = (text.plain, theme)
        if signature != self._signature:
            # a layout pass only when the pane's height changes (it matters on every poll)
            same_height = text.plain.count("\n") == self._plain.count("\n")
            self._plain = text.plain
            self._signature = signature
            self.update(text, layout=not same_height)

    def restyle(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def _row(self, rule: SecurityRule, width: int) -> Text:
        rate = "—" if rule.per_second is None else f"{compact(rule.per_second)}/s"
        line = Text(no_wrap=True, overflow="ellipsis")
        spike_w = len(SPIKE) + 1 if rule.spike else 0
        name_w = max(3, min(NAME_W, width - RATE_W - spike_w))
        line.append(f"{clean_line(rule.rule)[:name_w]:<{name_w}}")
        line.append(f"{rate:>{RATE_W}}", style="bold")
        total = f" {compact(rule.total):>8} total"
        wide = line.cell_len + len(total) + spike_w + 1 <= width
        if wide:  # room for everything: the total in its column, the mark after it
            line.append(total)
        if rule.spike:
            line.append("  " if wide else " ")
            line.append(SPIKE, style=state_style(self, State.CRITICAL))
        if not wide and line.cell_len + len(total) <= width:
            line.append(total)
        return line

    def _summary(self, rules: Sequence[SecurityRule], all_rate: str, width: int) -> Text:
        spiking = [clean_line(r.rule) for r in rules if r.spike]
        text = Text(no_wrap=True, overflow="ellipsis")
        if spiking:
            text.append(SPIKE, style=state_style(self, State.CRITICAL))
            text.append(f" {', '.join(spiking)}", style="bold")
            text.append(f" · all {all_rate}")
        else:
            text.append(f"{len(rules)} rules, all {all_rate}, no spike", style="bold")
        return text


#: the spike mark: symbol and word, never only colour
SPIKE = "▲ SPIKE"
NAME_W, RATE_W = 10, 9
