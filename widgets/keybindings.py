"""Textual bindings made from the action catalogue (``console/actions.py``): the only place a
``Binding`` is built. Screens and widgets declare ``BINDINGS = bindings("scope")``; every binding has
the action's id, so the user keymap (``keys:``) is applied with ``App.set_keymap``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from textual.binding import Binding

from console.actions import FLOW_GROUP, Action, code_catalogue

if TYPE_CHECKING:
    from console.app.protocols import ConsoleApp

_GROUPS: dict[str, Binding.Group] = {FLOW_GROUP: Binding.Group(FLOW_GROUP, compact=True)}


def binding(action: Action) -> Binding:
    group = _GROUPS.get(action.group) if action.group else None
    return Binding(
        action.key, action.handler, action.title, show=action.show, priority=action.priority, id=action.id, group=group
    )


def bindings(*scopes: str) -> list[Binding]:
    """The code's bindings of ``scopes`` with their default keys (a keymap is applied by the app)."""
    catalogue = code_catalogue()
    return [binding(a) for scope in scopes for a in catalogue.in_scope(scope) if a.keys]


def bindings_of(actions: Iterable[Action]) -> list[Binding]:
    """Bindings for configured actions (enabled ones with a key), e.g. the runbook's flows."""
    return [binding(a) for a in actions if a.enabled and a.keys]


def key_hints(app: ConsoleApp, *parts: tuple[str, str] | str) -> str:
    """A hint line from the catalogue: each ``(action id, words)`` becomes ``"n or esc stays"`` with the
    action's keys as configured (left out when it is not bound); a plain string is kept as it is (a
    widget's own key, such as enter in an input). Parts are joined with `` · ``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            text = app.keys_text(*part)
            if text:
                out.append(text)
    return " · ".join(out)
