"""The concurrent session limit (``--max-sessions``): a counter the event loop's single thread owns."""

from __future__ import annotations


class SessionSlots:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.used = 0

    @property
    def full(self) -> bool:
        return self.used >= self.limit

    def try_acquire(self) -> bool:
        """Take a slot (check and take in one step: no await in between), or False when all are used."""
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def release(self) -> None:
        if self.used > 0:
            self.used -= 1
