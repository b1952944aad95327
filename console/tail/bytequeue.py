"""The tail's bounded byte queue: raw stdout chunks between the reader thread and the parsing consumer.

The reader thread only appends (:meth:`ByteQueue.put`); the consumer pops pieces (:meth:`ByteQueue.pop`).
``None`` marks the end of one wrangler run (the parser is closed there). Past ``max_bytes`` the oldest
unparsed chunks are dropped: :meth:`put` says how many bytes went, and the next :meth:`pop` tells the
consumer to resynchronise its parser on the next object. Thread-safe (one lock, held only briefly).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

#: :meth:`ByteQueue.pop` found nothing waiting
EMPTY = object()


@dataclass
class Put:
    """What one :meth:`ByteQueue.put` did: bytes dropped to keep the bound, and whether the consumer
    should be woken (the first put since it last found the queue empty)."""

    dropped: int = 0
    wake: bool = False


class ByteQueue:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._chunks: deque[memoryview | None] = deque()
        self._buffered = 0
        self._lock = threading.Lock()
        self._woken = False
        self._resync = False  # bytes were dropped: the consumer's parser skips to the next object

    def put(self, chunk: memoryview | None) -> Put:
        """Append a chunk (or ``None``, the end of a run); drop the oldest chunks past the bound."""
        result = Put()
        with self._lock:
            self._chunks.append(chunk)
            if chunk is not None:
                self._buffered += len(chunk)
                while self._buffered > self.max_bytes and len(self._chunks) > 1:
                    old = self._chunks.popleft()
                    if old is None:
                        continue
                    self._buffered -= len(old)
                    result.dropped += len(old)
                    self._resync = True
            result.wake = not self._woken
            self._woken = True
        return result

    def pop(self, max_piece: int) -> tuple[object, bool]:
        """(the next piece of at most ``max_piece`` bytes, ``None`` for the end of a run, or :data:`EMPTY`;
        whether bytes were dropped since the last pop, so the parser must resynchronise first). A longer
        chunk is split: the rest stays first in the queue."""
        with self._lock:
            resync, self._resync = self._resync, False
            if not self._chunks:
                self._woken = False
                return EMPTY, resync
            chunk = self._chunks.popleft()
            if chunk is not None:
                if len(chunk) > max_piece:
                    self._chunks.appendleft(chunk[max_piece:])
                    chunk = chunk[:max_piece]
                self._buffered -= len(chunk)
            return chunk, resync

    @property
    def buffered(self) -> int:
        """Bytes waiting to be parsed."""
        return self._buffered

    def __bool__(self) -> bool:
        """Something (bytes or the end of a run) is waiting."""
        return bool(self._chunks)
