"""Keys typed just after a text box closed are not commands.

An operator types a filter, presses enter (or esc) and, still typing, the next letters would land on
the screen below: in the log view ``s`` saved evidence, ``a`` acknowledged the alert, ``u`` opened the
audit trail. :class:`TypingGuard` is armed when the box closes; while keys keep arriving in the same
burst (each within ``grace_s`` of the one before, starting when the box closed),
printable keys (letters, digits, punctuation, space) are swallowed and the screen says so once. The
first key after a pause, or any non-printable key (arrows, enter, esc, function keys), disarms it and
works as usual."""

from __future__ import annotations

import time
from typing import Callable

#: a pause longer than this between keys ends the burst (fast typists: ~0.1-0.3 s between keys)
TYPING_GRACE_S = 1.0


class TypingGuard:
    def __init__(self, grace_s: float = TYPING_GRACE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace_s = grace_s
        self.clock = clock
        self.armed = False
        self.last_key = float("-inf")
        self.swallowed = ""

    def typed(self) -> None:
        """A key went into the text box."""
        self.last_key = self.clock()

    def closed(self) -> None:
        """The text box closed: keys of the same burst are not commands."""
        self.armed = True
        self.swallowed = ""
        self.last_key = self.clock()

    def active(self) -> bool:
        """A key now would still be taken as part of the burst (tests wait for this to end)."""
        return self.armed and self.clock() - self.last_key <= self.grace_s

    def swallow(self, key: str, character: str | None) -> bool:
        """True when the key belongs to the burst typed after the box closed (drop it)."""
        if not self.armed:
            return False
        now = self.clock()
        printable = character is not None and (character.isprintable() or key == "space") and len(character) == 1
        if not printable or now - self.last_key > self.grace_s:
            self.armed = False
            return False
        self.last_key = now
        self.swallowed += character or ""
        return True
