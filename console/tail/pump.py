"""Parse the tail off the UI's event loop: one thread calls ``TailSource.take()`` and hands the
parsed batches over to the UI, which drains them on its own timer.

Why a thread when the GIL allows only one thread to run Python at a time: an event loop that parses
in slices pays a whole slice for every turn of the loop, and one key press needs many turns (driver ->
app -> screen -> widget; building a screen, hundreds), so under a flood keys waited for many slices.
The thread parses in short slices only while the UI's loop waits in its selector with nothing to run
(:class:`IdleGate`): the UI goes first, parsing gets the time it leaves idle, and a loop that wakes
waits at most one slice (plus the interpreter's switch interval) for the interpreter.

Bounded: when the UI has not drained ``max_events`` parsed events, the thread stops parsing; the
bytes then wait in the source's bounded byte queue, which drops the oldest and counts them.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any, Iterable

from console.tail.model import TailEvent
from console.tail.source import TailSource

#: parsing per take() call: how long the UI's loop may wait for the interpreter when it wakes
SLICE_S = 0.003
#: if the loop is never idle for this long, parse one slice anyway (the pane must not freeze)
STARVE_S = 0.25


class IdleGate:
    """Open while an asyncio loop waits in its selector (its ready queue is empty). It wraps the
    selector's ``select`` of that loop object; loops without one (uvloop) leave the gate open."""

    def __init__(self) -> None:
        self.idle = threading.Event()
        self._selector: Any = None
        self._select: Any = None

    def install(self, loop: asyncio.AbstractEventLoop) -> bool:
        selector = getattr(loop, "_selector", None)
        select = getattr(selector, "select", None)
        if select is None:
            self.idle.set()
            return False
        idle = self.idle

        def gated_select(timeout: float | None = None) -> Any:
            if timeout is None or timeout > 0:
                idle.set()
            try:
                return select(timeout)
            finally:
                idle.clear()

        selector.select = gated_select
        self._selector, self._select = selector, gated_select
        return True

    def remove(self) -> None:
        selector = self._selector
        if selector is not None and selector.__dict__.get("select") is self._select:
            del selector.select
        self._selector = self._select = None
        self.idle.set()


class ParsePump:
    """``start()`` a thread that parses ``source`` while ``loop`` idles; the UI calls ``drain()`` on
    its timer and ``stop()`` when the tail ends (restores the loop's selector, joins the thread)."""

    def __init__(
        self,
        source: TailSource,
        max_events: int = 10_000,
        slice_s: float = SLICE_S,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.source = source
        self.gate = IdleGate()
        self.loop = loop
        self.max_events = max(1, max_events)
        self.slice_s = slice_s
        self._lock = threading.Lock()
        self._ready: list[list[TailEvent]] = []
        self._pending = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        source.on_bytes = self._wake.set  # called on the reader thread when bytes arrive

    def start(self) -> None:
        if self._thread is None:
            if self.loop is not None:
                self.gate.install(self.loop)
            else:
                self.gate.idle.set()
            self._thread = threading.Thread(target=self._run, name="tail-parse", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stop.set()
        self._wake.set()
        self.gate.remove()
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
        idle = self.gate.idle
        while not self._stop.is_set():
            if self._pending >= self.max_events:
                # the UI is behind: leave the bytes queued (bounded, drops counted) until it drains
                wake.wait(0.1)
                wake.clear()
                continue
            idle.wait(STARVE_S)  # the UI first: parse while its loop has nothing to run
            wake.clear()
            try:
                batch = source.take(limit=self.max_events, budget_s=self.slice_s)
            except Exception:  # never let the thread die on a parser bug; the bytes are skipped
                batch = []
            if batch:
                with self._lock:
                    self._ready.append(batch)
                    self._pending += len(batch)
            if not source.has_backlog:
                wake.wait(0.5)  # until the reader brings bytes (a trickle: one take per chunk)
