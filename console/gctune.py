"""Garbage-collector policy of the TUI process.

Start-up allocates hundreds of thousands of long-lived objects (Textual, the DOM, the loaded
runbook); with the default thresholds the cyclic collector ran several full passes over them before
the first frame. So the TUI starts with the collector off (reference counting still frees almost
everything) and, once the first frame is on screen, collects once, freezes what exists (it lives as
long as the app) out of the collector's reach and raises the thresholds: later passes walk only what
was allocated since, which also keeps the idle dashboard's CPU low.
"""

from __future__ import annotations

import gc

#: gen-0 threshold after start-up: a log flood allocates ~2 long-lived objects per event, and the
#: default (700) ran a collection every few hundred events; full collections walked Textual's whole DOM
#: with the tail buffer (pauses up to ~300 ms measured under a flood)
THRESHOLDS = (50_000, 50, 100)

_settled = False


def start_up() -> None:
    """Collector off until :func:`settle` (call before the TUI's imports)."""
    gc.disable()


def settle() -> None:
    """Once per process, after the first frame: collect, freeze, raise thresholds, collector on."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    gc.enable()
