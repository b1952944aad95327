"""Text boxes that apply keys in the order they were typed.

Textual (8.2.8, issue Textualize/textual#6605) inserts a typed character in the box's own key handler, but
runs the box's bound keys (backspace, delete, arrows, home/end, enter) only when the key has bubbled up to
the app, after the characters queued behind it. A burst of keys (over SSH, a paste of keystrokes, a slow
loop) was applied out of order: ``i``, then ``⌫EU checkout`` in one read, left ``iEU checkou``; an IP typed
``…77`` and corrected with ``⌫8`` in one read stayed ``…77``. Here the box runs its own binding for the key
at once, as the app would have run it (the same binding: the focused box is first in the binding chain; a
priority binding has already run before the key reached the box), and the key goes no further, if the
action ran. An action that did not run (``copy`` with nothing selected raises SkipAction; a
``check_action`` that refuses) leaves the key to bubble on as Textual does: ctrl+c then reaches the screen
(which copies a mouse selection) and the app.

A key that moves the focus (tab, shift+tab: the screen's ``focus_next``/``focus_previous``; enter in a
:class:`TextInput` made with ``enter_moves_on=True``) moves it at once, and the keys and pastes already
queued at this box behind it go to the widget that has the focus now, in order (``abc⇥def`` in one read
fills two fields, not the first with ``abcdef``). The keys and pastes queued behind an enter that
submitted a :class:`TextInput` are dropped: the screen reads the form when the box's Submitted reaches it,
after them, so ``203.0.113.9⏎7`` in one read ran the block-ip flow on ``203.0.113.97`` and an incident
started with the letters typed ahead for the next screen in its impact (typed after the box closed, they
are not commands either: screens/typing_guard.py).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input, TextArea

from screens.textual_compat import forward_input, take_input

#: the actions that move the focus (Textual's Screen binds tab/shift+tab to the app's)
FOCUS_ACTIONS = frozenset(
    f"{namespace}{name}" for namespace in ("", "app.", "screen.") for name in ("focus_next", "focus_previous")
)

#: the actions that send what the box holds (Textual's Input binds enter to ``submit``)
SUBMIT_ACTIONS = frozenset({"submit"})


class KeysInOrder:
    """A mixin for a focusable text widget (before the widget's class in the bases)."""

    async def on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # the widget's own handler inserts it, in order
        if self._moves_on(event):
            event.stop()
            event.prevent_default()
            self._focus_moved(self.screen.focus_next())  # type: ignore[attr-defined]
            return
        active = self.screen.active_bindings.get(event.key)  # type: ignore[attr-defined]
        if active is None or active.binding.priority or not active.enabled:
            return  # nobody's key, or a key that has had its turn: it bubbles on as before
        action = active.binding.action
        if active.node is not self and action not in FOCUS_ACTIONS:
            return  # another widget's key (escape, a screen's key): it bubbles on as before
        if not await self.app.run_action(action, active.node):  # type: ignore[attr-defined]
            return  # refused or skipped (copy with nothing selected): on to the next binding, as Textual does
        event.stop()
        event.prevent_default()
        if action in FOCUS_ACTIONS:
            self._focus_moved(self.app.focused)  # type: ignore[attr-defined]
        elif action in SUBMIT_ACTIONS:
            take_input(self)  # type: ignore[arg-type]  # typed after the form was sent: not into it

    def _moves_on(self, event: events.Key) -> bool:
        return False

    def _focus_moved(self, focused: Any) -> None:
        """The keys typed after the one that moved the focus go where the focus is now."""
        if focused is not None and focused is not self:
            forward_input(self, focused)  # type: ignore[arg-type]


class TextInput(KeysInOrder, Input):
    """Textual's ``Input``, keys applied in order. With ``enter_moves_on``, enter moves the focus to the next
    field (as tab does) instead of submitting: a form's one-line field that is not its last."""

    def __init__(self, *args: Any, enter_moves_on: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enter_moves_on = enter_moves_on

    def _moves_on(self, event: events.Key) -> bool:
        return self.enter_moves_on and event.key == "enter"


class TextBox(KeysInOrder, TextArea):
    """Textual's ``TextArea``, keys applied in order."""
