"""Parse the tail off the UI's event loop: one thread calls ``TailSource.take()`` and hands the
parsed batches over to the UI, which drains them on its own timer.

Why a thread when the GIL allows only one thread to run Python at a time: an event loop that parses
in slices pays a whole slice for every turn of the loop, and one key press needs several turns
(driver -> app -> screen -> widget), so under a flood keys waited for many slices. With a thread the
interpreter switches every ``sys.getswitchinterval()`` (5 ms) whenever the loop wants to run, however
many turns a key needs, and parsing uses all the time the UI leaves idle.

Bounded: when the UI has not drained ``max_events`` parsed events, the thread stops parsing; the
bytes then wait in the source's bounded byte queue, which drops the oldest and counts them.
"""

from __future__ import annotations

import gc
import itertools
import threading
from typing import Iterable

from console.tail.model import TailEvent
from console.tail.source import TailSource

#: parsing done per take() call; the thread loops, so this only bounds one hand-over batch
SLICE_S = 0.02


class ParsePump:
    def __init__(self, source: TailSource, max_events: int = 10_000, slice_s: float = SLICE_S) -> None:
        self.source = source
        self.max_events = max(1, max_events)
        self.slice_s = slice_s
        self._lock = threading.Lock()
        self._ready: list[list[TailEvent]] = []
        self._pending = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        source.on_bytes = self._wake.set   # called on the reader thread when bytes arrive

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="tail-parse", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def pending(self) -> int:
        return self._pending

    def drain(self) -> Iterable[TailEvent]:
        """On the UI thread: everything parsed since the last call, oldest first."""
        with self._lock:
            batches, self._ready = self._ready, []
            self._pending = 0
        if batches:
            self._wake.set()  # room again, if the thread was waiting for it
        return itertools.chain.from_iterable(batches)

    def _run(self) -> None:
        source = self.source
        wake = self._wake
        while not self._stop.is_set():
            if self._pending >= self.max_events:
                # the UI is behind: leave the bytes queued (bounded, drops counted) until it drains
                wake.wait(0.1)
                wake.clear()
                continue
            wake.clear()
            try:
                batch = source.take(limit=self.max_events, budget_s=self.slice_s)
            except Exception:  # never let the thread die on a parser bug; the bytes are skipped
                batch = []
            if batch:
                with self._lock:
                    self._ready.append(batch)
                    self._pending += len(batch)
                continue
            if not source.has_backlog:
                wake.wait(0.5)


#: gen-0 threshold while tailing: a flood allocates ~2 long-lived objects per event, and Python's
#: default (700) ran a collection every few hundred events; full collections walked Textual's whole
#: DOM with the buffer (pauses up to ~300 ms measured under a flood)
GC_THRESHOLDS = (50_000, 50, 100)
_gc_settled = False


def settle_gc() -> None:
    """Once per process, when the first tail starts (start-up is over): collect, then freeze what
    exists (the app, its screens, the loaded runbook) out of the cyclic collector's reach, and raise
    the thresholds so collections are rarer. Reference counting still frees everything as usual."""
    global _gc_settled
    if _gc_settled:
        return
    _gc_settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
