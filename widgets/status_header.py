"""One-line header: environment, target, SIMULATED / READ-ONLY (SHARED READ-ONLY) badges, source state and age."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from rich.text import Text
from textual.widgets import Static

from console.format import format_duration
from console.metrics.model import SourceStatus

STATE_STYLE = {"live": "bold green", "stale": "bold yellow", "down": "bold red", "connecting": "dim"}


class StatusHeader(Static):
    """Shows where the console points and how fresh its data is. Fed by ``set_sources``."""

    DEFAULT_CLASSES = "status-header"

    def __init__(self, environment: str, target: str, *, simulated: bool, read_only: bool, shared: bool = False,
                 **kwargs) -> None:
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

    def _source_part(self, label: str, source: SourceStatus | None, now: float) -> Text:
        if source is None:
            return Text(f"{label} connecting", style="dim")
        part = Text(f"{label} ")
        part.append(source.state.upper(), style=STATE_STYLE.get(source.state, ""))
        age = source.age(now)
        if age is not None:
            part.append(f" {format_duration(age)} ago")
        elif source.state != "connecting":
            part.append(" never ok")
        return part

    def build_text(self, now: float | None = None) -> Text:
        """Most important first, so a narrow terminal cuts the least useful part (the target)."""
        now = self.clock() if now is None else now
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {self.environment} ", style="bold reverse")
        if self.replay:
            text.append(f" {self.replay} ", style="bold white on magenta")
        if self.simulated:
            text.append(" SIMULATED ", style="bold black on yellow")
        if self.shared:
            text.append(" SHARED READ-ONLY ", style="bold white on blue")
        elif self.read_only:
            text.append(" READ-ONLY ", style="bold white on blue")
        text.append(" ")
        text.append_text(self._source_part("metrics", self.metrics_source, now))
        text.append(" │ ")
        text.append_text(self._source_part("health", self.health_source, now))
        if self.health_text:
            text.append(f" {self.health_text}")
        text.append(" │ ")
        text.append(self.target, style="dim")
        return text

    def refresh_badge(self) -> None:
        self._refresh_text()

    def _refresh_text(self) -> None:
        text = self.build_text()
        plain = text.plain
        if plain != self._last_render:  # redraw only what changed: it matters over SSH
            self._last_render = plain
            self.update(text, layout=False)  # one fixed line: no layout pass
