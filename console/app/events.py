"""The app's typed events (no Textual): one small bus instead of hand-rolled listener lists.

``bus.subscribe(PollCompleted, handler)`` returns a function that unsubscribes; ``bus.publish(event)``
calls every handler of the event's type, in subscription order, on the publishing thread (a handler that
needs the UI thread posts itself there). A handler that raises is logged (``on_error``, else the
``console.app.events`` logger) and the others still run; nothing reaches the user as a traceback.
Subscribing the same handler to the same type twice keeps one subscription.

Events: :class:`PollCompleted` (each poll's result, after ``app.last_result`` and the history are set),
:class:`AuditRecorded` (a runbook audit record, already on disk), :class:`ScenarioSwitched` (the simulated
edge's scenario), :class:`AlertsUpdated` (Alertmanager's alerts fetched, or the fetch failed).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

__all__ = ["AlertsUpdated", "AuditRecorded", "EventBus", "PollCompleted", "ScenarioSwitched"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollCompleted:
    """A poll's result (``console.sources.result.PollResult``, or a recorded one on replay)."""

    result: Any


@dataclass(frozen=True)
class AuditRecorded:
    """A runbook step's audit record, as written to ``audit.jsonl``."""

    record: dict[str, Any]


@dataclass(frozen=True)
class ScenarioSwitched:
    """The simulated edge now runs scenario ``name``."""

    name: str


@dataclass(frozen=True)
class AlertsUpdated:
    """Alertmanager answered (``alerts``) or did not (``error``: the last good alerts stay)."""

    alerts: tuple[Any, ...] = ()
    error: str | None = None


E = TypeVar("E")
Handler = Callable[[Any], Any]


@dataclass
class EventBus:
    """Handlers by event type. Thread-safe: subscribing and publishing may happen on any thread."""

    #: called with (event, handler, exception) when a handler raises; default: logged
    on_error: Callable[[Any, Handler, BaseException], None] | None = None
    _handlers: dict[type, tuple[Handler, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, event_type: type[E], handler: Callable[[E], Any]) -> Callable[[], None]:
        """Call ``handler(event)`` for every published ``event_type``; returns the unsubscribe function."""
        with self._lock:
            current = self._handlers.get(event_type, ())
            if handler not in current:
                self._handlers[event_type] = (*current, handler)

        def unsubscribe() -> None:
            with self._lock:
                handlers = self._handlers.get(event_type, ())
                if handler in handlers:
                    self._handlers[event_type] = tuple(h for h in handlers if h != handler)

        return unsubscribe

    def handlers(self, event_type: type) -> tuple[Handler, ...]:
        """The handlers ``event_type`` goes to now, in order."""
        with self._lock:
            return self._handlers.get(event_type, ())

    def publish(self, event: Any) -> int:
        """Hand ``event`` to its type's handlers (those subscribed when it is published); returns how
        many raised."""
        failed = 0
        for handler in self.handlers(type(event)):
            try:
                handler(event)
            except Exception as exc:  # noqa: BLE001 - one broken subscriber must not stop the others
                failed += 1
                self._failed(event, handler, exc)
        return failed

    def _failed(self, event: Any, handler: Handler, exc: BaseException) -> None:
        if self.on_error is not None:
            try:
                self.on_error(event, handler, exc)
                return
            except Exception:  # noqa: BLE001 - the error hook itself failed: fall back to the logger
                pass
        log.error("%s handler %r failed: %r", type(event).__name__, handler, exc)
