"""The runbook's flow keys on the dashboard, bound with public Textual API.

The runbook is parsed after the first frame (start-up time), so its keys cannot be in the dashboard's
class-level ``BINDINGS``. Instead, once it has loaded, the dashboard mounts a :class:`FlowKeys`: a
widget class made for this catalogue (``BINDINGS`` from the catalogue's enabled flow actions, each with
its ``flow.<id>`` id so ``App.set_keymap`` remaps it) that draws nothing and holds the dashboard's
focus, so its bindings are in the binding chain (footer, ``?``, key presses). Nothing else on the
dashboard takes focus."""

from __future__ import annotations

from typing import Iterable

from textual.widget import Widget

from console.actions import Action
from widgets.keybindings import bindings_of


class FlowKeys(Widget, can_focus=True):
    """Base class; use :func:`flow_keys_widget`."""

    def render(self) -> str:
        return ""


def flow_keys_widget(actions: Iterable[Action], **kwargs) -> FlowKeys:
    """A FlowKeys instance whose class binds ``actions`` (the enabled ones with a key)."""
    cls = type("FlowKeys", (FlowKeys,), {"BINDINGS": bindings_of(actions)})
    return cls(**kwargs)
