"""Test helpers: waiting on conditions with deadlines instead of fixed sleeps."""

from __future__ import annotations

import asyncio
import time
from typing import Callable


async def wait_for(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05,
                   message: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


def wait_for_sync(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05,
                  message: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
