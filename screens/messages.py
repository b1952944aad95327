"""Messages the app sends to its screens."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class PollUpdated(Message):
    """A new PollResult (console.sources.poller) is in ``app.last_result``."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result


class FleetUpdated(Message):
    """A new FleetResult (console.sources.promql) is in ``app.fleet_result``."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result
