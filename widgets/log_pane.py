"""The log tail pane: a status line (lifecycle, pause, active filter, drops) over the event list.

Receives data through methods only: ``sync()`` after the store changed, ``show_status(...)`` with the
source status. Used in the dashboard's ``#log-area`` and in the full-screen log view.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from console.tail.format import status_pieces
from console.tail.source import TailStatus
from console.tail.store import TailStore
from widgets.log_list import LogList
from widgets.text_lines import TextLines


class LogStatusLine(TextLines):
    COMPONENT_CLASSES = {
        f"log-status--{key}" for key in ("ok", "notice", "warn", "error", "dim", "heading", "plain", "time")
    }

    _last: list[tuple[str, str]] | None = None
    _shown: list[tuple[str, str]] | None = None
    _styles: dict[str, object] | None = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None  # a theme or CSS change: look the component styles up again
        self._last = None  # and draw the line with them at the next update (or at restyle())

    def restyle(self) -> None:
        """Draw the line shown with the current styles now (after a theme switch): a stopped tail's
        line gets no next update, and kept the old theme's colours."""
        pieces = self._shown
        if pieces is not None:
            self._last = None
            self.show(pieces)

    def _style(self, key: str) -> object:
        # get_component_rich_style builds a styled node each call (~1 ms): once per style, not per update
        styles = self._styles
        if styles is None:
            styles = self._styles = {}
        style = styles.get(key)
        if style is None:
            style = styles[key] = self.get_component_rich_style(f"log-status--{key}", partial=True)
        return style

    def show(self, pieces: list[tuple[str, str]]) -> None:
        if pieces == self._last:
            return
        self._last = self._shown = pieces
        text = Text(no_wrap=True, overflow="ellipsis")
        for chunk, style in pieces:
            text.append(chunk, self._style(style))
        self.update(text, layout=False)  # one row, fixed height: no layout pass per update


class LogPane(Vertical):
    def __init__(
        self,
        store: TailStore,
        *,
        interactive: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.interactive = interactive
        self.status = TailStatus(state="connecting")
        self.server_filters = ""
        self.note = ""
        self._last_version = -1
        #: set by the owner (the tail controller): awaited when the pane is removed, so the owner
        #: can end its wrangler child before the app's event loop closes
        self.on_close = None

    def compose(self) -> ComposeResult:
        yield LogStatusLine("◌ connecting", classes="log-status")
        log_list = LogList(self.store, classes="log-list")
        log_list.can_focus = self.interactive  # the dashboard's pane is a glance; keys live in the full view
        yield log_list

    async def on_unmount(self) -> None:
        if self.on_close is not None:
            await self.on_close(self)

    @property
    def log_list(self) -> LogList:
        return self.query_one(LogList)

    def sync(self) -> None:
        """Redraw the list if the store changed since the last call."""
        lists = self.query(LogList)
        if lists and self.store.version != self._last_version:
            self._last_version = self.store.version
            lists.first().sync()

    def show_status(
        self, status: TailStatus | None = None, server_filters: str | None = None, note: str | None = None
    ) -> None:
        if status is not None:
            self.status = status
        if server_filters is not None:
            self.server_filters = server_filters
        if note is not None:
            self.note = note
        lines = self.query(LogStatusLine)
        if lines:  # before compose the values are kept and drawn on mount
            lines.first().show(status_pieces(self.status, self.store, self.server_filters, self.note))

    def restyle(self) -> None:
        """Redraw the status line with the current theme's styles (the event list redraws by itself)."""
        for line in self.query(LogStatusLine):
            line.restyle()

    def on_mount(self) -> None:
        self.show_status()
        self._last_version = -1
        self.sync()
