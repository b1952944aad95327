"""A form's ``submit`` that may answer later: the incident prompts' submit functions return
``(ok, message)`` or an awaitable of it (the write runs on the incident writer thread). Awaited in a
worker so the screen keeps answering keys; a second enter while one is in flight is ignored."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from textual.screen import Screen

_IN_FLIGHT: set[int] = set()


def settle_submit(screen: Screen, result: Any, on_result: Callable[[bool, str], None]) -> None:
    """Call ``on_result(ok, message)`` with ``result`` now, or once it is awaited."""
    if not inspect.isawaitable(result):
        on_result(*result)
        return
    key = id(screen)

    async def wait() -> None:
        try:
            ok, message = await result
        except Exception as exc:  # noqa: BLE001 - never a traceback in front of an operator
            ok, message = False, f"internal error: {type(exc).__name__}: {exc}"
        finally:
            _IN_FLIGHT.discard(key)
        if screen.is_attached:
            on_result(ok, message)

    _IN_FLIGHT.add(key)
    screen.run_worker(wait(), group="incident-submit", exit_on_error=False)


def submit_in_flight(screen: Screen) -> bool:
    return id(screen) in _IN_FLIGHT


def submit_form(
    screen: Screen, submit: Callable[[], Any], error_id: str, dismissed: Callable[[str], Any] = lambda message: message
) -> None:
    """A form's enter: ``submit()`` unless one is in flight; on success dismiss the screen (with
    ``dismissed(message)``), else show the message in the ``#error_id`` Static."""
    if submit_in_flight(screen):
        return
    from rich.text import Text
    from textual.widgets import Static

    def answered(ok: bool, message: str) -> None:
        if ok:
            screen.dismiss(dismissed(message))
        else:
            error = screen.query_one(f"#{error_id}", Static)
            error.update(Text(message))
            error.display = True  # a form may keep its empty error line hidden (room at 60x20)

    settle_submit(screen, submit(), answered)
