"""The bounded tail buffer shared by the dashboard pane and the full-screen view.

``events`` holds the last ``capacity`` events; ``view`` holds those that pass the filter (the same
objects, no copies). Pausing freezes ``view``: new events still enter ``events`` and are counted
in ``paused_new`` and appear on resume. Memory is bounded by ``capacity`` however long it runs.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable

from console.tail.filters import Filter
from console.tail.model import TailEvent

DEFAULT_CAPACITY = 10_000


class TailStore:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = max(1, int(capacity))
        self.events: deque[TailEvent] = deque(maxlen=self.capacity)
        self.view: deque[TailEvent] = deque(maxlen=self.capacity)
        self.filter = Filter("")
        self.paused = False
        self.paused_new = 0
        self.received = 0
        self.view_evicted = 0  # how many events ever left the left end of ``view``
        self.version = 0  # bumps on every change of ``view`` (for redraw decisions)
        self.rebuilds = 0  # bumps when ``view`` is replaced (filter change, resume, clear)
        self.notices: deque[str] = deque(maxlen=20)
        self.held: deque[TailEvent] = deque(maxlen=self.capacity)  # arrived while paused

    def add(self, batch: Iterable[TailEvent]) -> int:
        """Append events; returns how many were added to the (unpaused) view."""
        added = 0
        events = self.events
        view = self.view
        flt = self.filter if self.filter.active else None
        paused = self.paused
        cap = self.capacity
        for event in batch:
            self.received += 1
            events.append(event)
            if event.kind == "notice" and event.notice:
                self.notices.append(event.notice)
            if paused:
                self.paused_new += 1
                self.held.append(event)
                continue
            if flt is None or flt(event):
                if len(view) == cap:
                    self.view_evicted += 1
                view.append(event)
                added += 1
        if added:
            self.version += 1
        return added

    def set_filter(self, flt: Filter) -> None:
        """Refilter the whole buffer (held events included: the new view shows them)."""
        self.filter = flt
        self._rebuild()
        self.held.clear()
        self.paused_new = 0

    def pause(self) -> None:
        if not self.paused:
            self.paused = True
            self.paused_new = 0

    def resume(self) -> None:
        """Show what arrived while paused: only those events are filtered, so resuming is cheap."""
        if self.paused:
            self.paused = False
            self.paused_new = 0
            held, self.held = self.held, deque(maxlen=self.capacity)
            flt = self.filter if self.filter.active else None
            view = self.view
            added = 0
            for event in held:
                if flt is None or flt(event):
                    if len(view) == self.capacity:
                        self.view_evicted += 1
                    view.append(event)
                    added += 1
            if added:
                self.version += 1

    def toggle_pause(self) -> bool:
        if self.paused:
            self.resume()
        else:
            self.pause()
        return self.paused

    def clear(self) -> None:
        self.events.clear()
        self.view.clear()
        self.held.clear()
        self.paused_new = 0
        self.version += 1
        self.rebuilds += 1

    def _rebuild(self) -> None:
        flt = self.filter
        old = len(self.view)
        if flt.active:
            self.view = deque((e for e in self.events if flt(e)), maxlen=self.capacity)
        else:
            self.view = deque(self.events, maxlen=self.capacity)
        self.view_evicted += old  # positions are not comparable across a rebuild
        self.version += 1
        self.rebuilds += 1
