"""The tail's parsing budget: parse what the byte queue holds, on the consumer's thread, within a time budget.

:meth:`BudgetedParser.take` parses in pieces of :data:`PARSE_PIECE` bytes and stops after about ``budget_s``
seconds or ``limit`` events, so one call never holds up the UI for long; events parsed beyond ``limit`` are
carried to the next call. The end of a wrangler run (``None`` in the queue) closes the parser and starts a
fresh one; dropped bytes make it resynchronise on the next object. It counts broken objects and noise lines
across runs and keeps a running average of bytes per event (to estimate events lost to a drop).
"""

from __future__ import annotations

import time
from typing import Any, Callable, cast

from console.tail.bytequeue import EMPTY, ByteQueue
from console.tail.model import TailEvent
from console.tail.parser import StreamParser

PARSE_PIECE = 32 << 10  # bytes parsed between two checks of the time budget (~25 events)


class BudgetedParser:
    def __init__(
        self,
        queue: ByteQueue,
        wrap: Callable[[list[dict[str, Any]], list[str]], list[TailEvent]],
        on_noise: Callable[[list[str]], Any],
        json_lines: bool = False,
    ) -> None:
        self.queue = queue
        #: each event also gets its compact JSON line (``TailEvent.json``) from the parser
        self.json_lines = json_lines
        self.wrap = wrap  # raw objects and their texts -> events (runs on the consumer's thread)
        self.on_noise = on_noise
        self.avg_event_bytes = 1000.0
        self._parser = StreamParser(json_lines=json_lines)
        self._carry: list[TailEvent] = []
        self._broken_before = 0
        self._noise_before = 0

    @property
    def broken(self) -> int:
        """Broken objects skipped, over every run so far."""
        return self._broken_before + self._parser.broken

    @property
    def noise(self) -> int:
        """Non-JSON lines seen, over every run so far."""
        return self._noise_before + self._parser.noise_lines

    @property
    def has_carry(self) -> bool:
        """Parsed events are waiting for the next :meth:`take`."""
        return bool(self._carry)

    def take(self, limit: int, budget_s: float) -> list[TailEvent]:
        """At most ``limit`` events, oldest first, after about ``budget_s`` of parsing at most."""
        out = self._carry[:limit]
        self._carry = self._carry[limit:]
        started = time.perf_counter()
        parser = self._parser
        while len(out) < limit and time.perf_counter() - started < budget_s:
            popped, resync = self.queue.pop(PARSE_PIECE)
            if resync:
                parser.resync()
            if popped is EMPTY:
                break
            chunk = cast("memoryview | None", popped)
            if chunk is None:
                result = parser.close()
                self._broken_before += parser.broken
                self._noise_before += parser.noise_lines
                self._parser = parser = StreamParser(json_lines=self.json_lines)
            else:
                result = parser.feed(chunk)
            if result.noise:
                self.on_noise(result.noise)
            if result.events:
                events = self.wrap(result.events, result.texts)
                if result.lines:  # one line per event (json_lines), in the same order as wrap's events
                    for event, line in zip(events, result.lines):
                        event.json = line
                if chunk is not None and len(chunk):
                    self.avg_event_bytes = 0.8 * self.avg_event_bytes + 0.2 * (len(chunk) / len(events))
                room = limit - len(out)
                out.extend(events[:room])
                if len(events) > room:
                    self._carry.extend(events[room:])
        return out
