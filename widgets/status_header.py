"""One-line header: environment, target, SIMULATED / READ-ONLY (SHARED READ-ONLY) badges, source state and age."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from rich.text import Text
from textual.widgets import Static

from console.format import format_duration
from console.metrics.model import SourceStatus
from themes.look import badge_style, source_style, theme_of


class StatusHeader(Static):
    """Shows where the console points and how fresh its data is. Fed by ``set_sources``."""

    DEFAULT_CLASSES = "status-header"

    def __init__(
        self, environment: str, target: str, *, simulated: bool, read_only: bool, shared: bool = False, **kwargs
    ) -> None:
        super().__init__("", **kwargs)
        self.environment = environment
        self.target = urlsplit(target).netloc or target
        self.simulated = simulated
        self.read_only = read_only
        #: a browser's view under ``edge-console serve``: always read-only, badge ``SHARED READ-ONLY``
        self.shared = shared
        #: ``edge-console replay``: the badge with the recorded time and speed ("REPLAY 12:03:10 x60")
        self.replay = ""
        self.metrics_source: SourceStatus | None = None
        self.health_source: SourceStatus | None = None
        self.health_text = ""
        self._last_render = ""
        #: wall clock; tests pin it for snapshots
        self.clock = time.time
        #: while every source is live and its last good answer younger than this, the ages are
        #: redrawn with each poll only (a frame a second for "1s ago"/"2s ago" was a fifth of the idle
        #: dashboard's CPU); older or not live, they tick every second
        self.fresh_seconds = 4.0

    def on_mount(self) -> None:
        self._refresh_text()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if not self.is_fresh():
            self._refresh_text()

    def is_fresh(self, now: float | None = None) -> bool:
        now = self.clock() if now is None else now
        for source in (self.metrics_source, self.health_source):
            if source is None or source.state != "live":
                return False
            age = source.age(now)
            if age is None or age >= self.fresh_seconds:
                return False
        return True

    def set_sources(self, metrics: SourceStatus | None, health: SourceStatus | None, health_text: str = "") -> None:
        self.metrics_source = metrics
        self.health_source = health
        self.health_text = health_text
        self._refresh_text()

    def _source_part(self, label: str, source: SourceStatus | None, now: float, short: bool = False) -> Text:
        if source is None:
            return Text(f"{label} connecting", style="dim")
        part = Text(f"{label} ")
        part.append(source.state.upper(), style=source_style(self, source.state))
        age = source.age(now)
        if age is not None:
            part.append(f" {format_duration(age)}" if short else f" {format_duration(age)} ago")
        elif source.state != "connecting":
            part.append(" never ok")
        return part

    def build_text(self, now: float | None = None, width: int | None = None) -> Text:
        """Environment, badges, sources, health and target. When the line is too long for ``width``
        it is shortened, never cut: first the health text goes, then "ago", then the source labels
        (``M``/``H``), then the badges get short forms (``SIM``, ``RO``), then the target is shortened
        in the middle; the target stays."""
        now = self.clock() if now is None else now
        width = width if width is not None else (self.size.width or 200)
        for level in range(6):
            text = self._line_at(now, level)
            if text.cell_len <= width:
                return text
        target_room = max(8, width - (text.cell_len - len(self._target_text(5, 10_000))))
        return self._line_at(now, 5, target_room)

    def _target_text(self, level: int, room: int) -> str:
        target = self.target
        if len(target) <= room:
            return target
        keep = max(1, room - 1)
        head = (keep + 1) // 2
        return target[:head] + "…" + target[len(target) - (keep - head) :] if keep - head else target[:keep] + "…"

    def _line_at(self, now: float, level: int, target_room: int = 10_000) -> Text:
        """``level`` 0 is the full line; each level shortens more (see ``build_text``)."""
        short = level >= 2
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.environment} ", style="bold reverse")
        if self.replay:
            text.append(f" {self.replay} ", style="bold white on magenta")
        if self.simulated:
            text.append(" SIM " if level >= 4 else " SIMULATED ", style=badge_style(self, "simulated"))
        if self.shared:
            text.append(" SHARED RO " if level >= 4 else " SHARED READ-ONLY ", style=badge_style(self, "read-only"))
        elif self.read_only:
            text.append(" RO " if level >= 4 else " READ-ONLY ", style=badge_style(self, "read-only"))
        text.append(" ")
        text.append_text(self._source_part("metrics" if level < 3 else "M", self.metrics_source, now, short))
        text.append(" │ ")
        text.append_text(self._source_part("health" if level < 3 else "H", self.health_source, now, short))
        if self.health_text and level == 0:
            text.append(f" {self.health_text}")
        text.append(" │ ")
        text.append(self._target_text(level, target_room), style="dim")
        return text

    def on_resize(self) -> None:
        self._last_render = ""
        self._refresh_text()

    def refresh_badge(self) -> None:
        self._refresh_text()

    def _refresh_text(self) -> None:
        text = self.build_text()
        plain = (text.plain, theme_of(self))
        if plain != self._last_render:  # redraw only what changed: it matters over SSH
            self._last_render = plain
            self.update(text, layout=False)  # one fixed line: no layout pass
