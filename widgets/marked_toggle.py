"""Radio buttons and checkboxes whose state reads without colour: ``(•) P1`` / ``( ) P2``,
``[x] done`` / ``[ ] done``, and ``›`` before the one that has focus (Textual's own draw ``▐●▌`` and
``▐X▌`` for both states; only the colour of the inside changes)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton

from screens.textual_compat import DrawnToggleButton

FOCUS_MARK = "›"


class _Marked(DrawnToggleButton):
    ON = OFF = ""

    @property
    def focused_here(self) -> bool:
        """Focused itself, or the highlighted button of a focused RadioSet (its buttons take no focus)."""
        if self.has_focus:  # type: ignore[attr-defined]
            return True
        parent = self.parent  # type: ignore[attr-defined]
        return bool(self.has_class("-selected") and parent is not None and parent.has_focus)  # type: ignore[attr-defined]

    def notify_style_update(self) -> None:
        super().notify_style_update()  # type: ignore[misc]
        self.refresh()  # type: ignore[attr-defined]  # the focus mark follows the focus and highlight

    def button_face(self) -> Content:
        style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        mark = FOCUS_MARK if self.focused_here else " "
        return Content.assemble(mark, (self.ON if self.value else self.OFF, style))  # type: ignore[attr-defined]

    def on_focus(self) -> None:
        self.refresh()  # type: ignore[attr-defined]

    def on_blur(self) -> None:
        self.refresh()  # type: ignore[attr-defined]


class MarkedRadioButton(_Marked, RadioButton):
    ON, OFF = "(•)", "( )"


class MarkedCheckbox(_Marked, Checkbox):
    ON, OFF = "[x]", "[ ]"
