"""A virtual list of tail events (Textual line API): only visible rows are formatted and drawn.

The list shows a ``TailStore.view`` deque by reference; ``sync()`` after a batch updates the virtual
size, keeps the cursor on the same event when the left end is evicted, and follows the newest event
in follow mode. ``enter`` posts :class:`LogList.Selected` with the event under the cursor.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.tail.format import line_pieces
from console.tail.model import TailEvent
from console.tail.store import TailStore
from screens.textual_compat import set_virtual_height
from widgets.keybindings import bindings

STYLE_KEYS = ("ok", "notice", "warn", "error", "time", "dim", "plain", "heading", "worker")


class LogList(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {f"log-list--{key}" for key in STYLE_KEYS} | {"log-list--cursor"}
    BINDINGS = bindings("logs.list")

    class Selected(Message):
        def __init__(self, event: TailEvent) -> None:
            super().__init__()
            self.event = event

    class FollowRequested(Message):
        """``end`` was pressed: the owner resumes a paused view."""

    class FollowChanged(Message):
        def __init__(self, follow: bool) -> None:
            super().__init__()
            self.follow = follow

    def __init__(
        self, store: TailStore, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.cursor = -1  # index into store.view; -1 = none
        self.follow = True
        self._evicted = store.view_evicted
        self._rebuilds = store.rebuilds
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}

    # -- data -----------------------------------------------------------------------------------
    def sync(self) -> None:
        """Call after the store changed (new batch, filter, resume)."""
        view = self.store.view
        count = len(view)
        rebuilt = self.store.rebuilds != self._rebuilds
        shift = self.store.view_evicted - self._evicted
        self._evicted = self.store.view_evicted
        self._rebuilds = self.store.rebuilds
        if rebuilt:
            self.follow = True
        self._set_virtual_height(count)
        if self.follow:
            self.cursor = count - 1
            self.scroll_to(y=max(0, count - self.scrollable_content_region.height), animate=False, immediate=True)
        elif shift > 0:
            self.cursor = max(0, self.cursor - shift)
            self.scroll_to(y=max(0, self.scroll_offset.y - shift), animate=False, immediate=True)
        self.refresh()

    def _set_virtual_height(self, count: int) -> None:
        """Grow the virtual size without a layout pass: the list's box does not change, only its
        content height, and a full-screen layout per batch would cost more than the batch itself."""
        size = Size(self.size.width or 80, count)
        if size == self.virtual_size:
            return
        set_virtual_height(self, LogList.virtual_size, size)

    @property
    def selected(self) -> TailEvent | None:
        view = self.store.view
        if 0 <= self.cursor < len(view):
            return view[self.cursor]
        return None

    # -- rendering ------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _style(self, key: str) -> Style:
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(f"log-list--{key}", partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        view = self.store.view
        width = self.scrollable_content_region.width
        base = self._styles.get("__base__")
        if base is None:
            base = self._styles["__base__"] = self.rich_style
        if not 0 <= index < len(view):
            return Strip.blank(width, base)
        event = view[index]
        selected = index == self.cursor and self.has_focus
        key = (event.seq, width)
        strip = self._cache.get(key)
        if strip is None:
            segments = [Segment(text, self._style(style)) for text, style in line_pieces(event, width)]
            strip = Strip(segments).crop_extend(0, width, None)
            self._cache[key] = strip
        if selected:
            strip = strip.apply_style(self._style("cursor"))
        return strip.apply_style(base)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._styles.clear()
        self.virtual_size = Size(self.size.width, len(self.store.view))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- movement -------------------------------------------------------------------------------
    def _set_follow(self, follow: bool) -> None:
        if follow != self.follow:
            self.follow = follow
            self.post_message(self.FollowChanged(follow))

    def _move_to(self, index: int) -> None:
        count = len(self.store.view)
        if not count:
            return
        index = max(0, min(count - 1, index))
        self.cursor = index
        self._set_follow(index == count - 1)
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        start = self.cursor if self.cursor >= 0 else len(self.store.view) - 1
        self._move_to(start + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        start = self.cursor if self.cursor >= 0 else len(self.store.view) - 1
        self._move_to(start + direction * height)

    def action_first(self) -> None:
        self._move_to(0)

    def action_follow(self) -> None:
        self._set_follow(True)
        self.sync()
        self.post_message(self.FollowRequested())

    def action_select(self) -> None:
        event = self.selected
        if event is not None:
            self.post_message(self.Selected(event))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.store.view):
            self._move_to(index)
            if event.chain >= 2:
                self.action_select()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._set_follow(False)
