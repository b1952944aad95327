"""The alert banner: active alerts, worst first, with the keys that act on them. Hidden when quiet."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import Static

from console.incident.alerts import Alert, format_value
from console.metrics.thresholds import State
from console.termcaps import MONO_THEME
from themes.look import state_style, theme_of

LEVEL_STYLE = {State.CRITICAL: "bold white on red", State.WARNING: "bold black on yellow"}


def level_style(node: object, level: State) -> str:
    """A solid coloured block, or in the monochrome theme the theme's style (CRIT reversed)."""
    if theme_of(node) == MONO_THEME:
        return state_style(node, level)
    return LEVEL_STYLE.get(level, "bold")


def banner_text(
    alerts: Sequence[Alert], hints: Sequence[tuple[str, str]] = (), node: object = None, width: int | None = None
) -> Text:
    """One line: the top alert, its runbook response and severity, how many more, the keys.
    ``hints`` are ``(action id, "r respond")`` pairs made from the action catalogue for the keys that
    work on this screen (the ack hint is left out once the top alert is acknowledged); ``node`` gives the
    theme (monochrome draws CRIT reversed). With ``width``, a line that does not fit says the severity and
    the count shorter ("(P2)", "+1"), then leaves out the response's title (``r`` offers it), then the
    suggested severity (``i`` proposes it), before the keys at its end are cut: at 80 columns "i incident"
    was cut to "i inci…"."""
    if not alerts:
        return Text()
    text = Text()
    for short, response, severity in (
        (False, True, True),
        (True, True, True),
        (True, False, True),
        (True, False, False),
    ):
        text = _banner_line(alerts, hints, node, short, response, severity)
        if width is None or text.cell_len <= width:
            break
    return text


def _banner_line(
    alerts: Sequence[Alert],
    hints: Sequence[tuple[str, str]],
    node: object,
    short: bool,
    response: bool,
    severity: bool,
) -> Text:
    text = Text()
    top = alerts[0]
    text.append(f" {top.level.symbol} ", style=level_style(node, top.level))
    what = "Health DOWN" if top.key == "health" else f"{top.label} {format_value(top.value, top.unit)}"
    text.append(f" {what}", style="bold")
    if top.response and response:
        text.append(f" -> {top.response.title}")
    if severity:
        text.append(f" ({top.severity})" if short else f" (suggest {top.severity})")
    if top.acknowledged:
        text.append(" acked", style="dim")
    if len(alerts) > 1:
        text.append(f" +{len(alerts) - 1}" if short else f"  +{len(alerts) - 1} more", style="bold")
    shown = [hint for action_id, hint in hints if hint and not (action_id == "alert.ack" and top.acknowledged)]
    if shown:
        text.append("  " + (" " if short else "  ").join(shown), style="dim")
    return text


class AlertBanner(Static):
    """Fed by :meth:`show_alerts` with the engine's active alerts; never fetches anything."""

    DEFAULT_CLASSES = "alert-banner"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.alerts: list[Alert] = []
        self.hints: list[tuple[str, str]] = []
        self._shown: Text | None = None

    def on_mount(self) -> None:
        self.display = bool(self.alerts)

    def show_alerts(self, alerts: Sequence[Alert], hints: Sequence[tuple[str, str]] | None = None) -> None:
        self.alerts = list(alerts)
        if hints is not None:
            self.hints = list(hints)
        self.display = bool(self.alerts)
        self.set_class(bool(self.alerts) and self.alerts[0].level == State.CRITICAL, "state-critical")
        self.set_class(bool(self.alerts) and self.alerts[0].level == State.WARNING, "state-warning")
        self.set_class(bool(self.alerts) and all(a.acknowledged for a in self.alerts), "acknowledged")
        self._draw()

    def on_resize(self) -> None:
        if self.alerts:
            self._draw()

    def _draw(self) -> None:
        # hidden while quiet, it has no width yet when the first alert shows it: the screen's (it spans it)
        text = banner_text(self.alerts, self.hints, self, self.size.width or self.screen.size.width or None)
        if text != self._shown:  # a poll with the same alerts: no repaint of the same line
            self._shown = text
            self.update(text, layout=False)  # one line, as wide as the screen (CSS): no layout pass
