"""The screen every full-screen view derives from: the status header on top, kept current."""

from __future__ import annotations

from typing import Any, Iterable

from textual.screen import Screen
from textual.widget import Widget

from screens.messages import PollUpdated
from screens.textual_compat import StyledOnMount
from widgets.status_header import StatusHeader


def health_summary(result: Any) -> str:
    health = getattr(result, "health", None)
    if health is None:
        return ""
    if health.healthy:
        return health.status.lower()
    return (health.error or health.status or "down")[:40]


class EdgeScreen(StyledOnMount, Screen):
    """Subclasses yield ``*self.compose_chrome()`` first in ``compose``."""

    def compose_chrome(self) -> Iterable[Widget]:
        session = self.app.session  # type: ignore[attr-defined]
        header = StatusHeader(
            session.env.name,
            session.env.base_url,
            simulated=session.simulated,
            read_only=session.read_only,
            shared=session.shared,
            id="status-header",
        )
        header.clock = self.app.clock  # type: ignore[attr-defined]
        if self.app.REPLAY:  # type: ignore[attr-defined]
            header.replay = self.app.badge_text()  # type: ignore[attr-defined]
        refresh = float(self.app.refresh_seconds or 2.0)  # type: ignore[attr-defined]
        header.fresh_seconds = refresh * 1.5 + 1.0  # a poll a little late still counts as fresh
        yield header

    def on_poll_updated(self, message: PollUpdated) -> None:
        self.apply_result(message.result)

    def on_screen_resume(self) -> None:
        result = self.app.last_result  # type: ignore[attr-defined]
        if result is not None:
            self.apply_result(result)

    def restyle(self) -> None:
        """Redraw with the current theme's state styles (after a theme switch)."""
        result = self.app.last_result  # type: ignore[attr-defined]
        if result is not None:
            self.apply_result(result)

    _status_headers: list[StatusHeader] | None = None

    def status_headers(self) -> list[StatusHeader]:
        """The screen's status header(s), looked up once: a DOM query walks every widget of the screen
        (about 1 ms, on every poll); looked up again if one was removed."""
        headers = self._status_headers
        if not headers or not all(header.is_attached for header in headers):
            headers = self._status_headers = list(self.query(StatusHeader))
        return headers

    def apply_result(self, result: Any) -> None:
        for header in self.status_headers():
            header.set_sources(result.metrics, result.health_source, health_summary(result))
