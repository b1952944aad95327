"""An option list whose highlighted row reads without colour: ``›`` before it, two spaces before the rest.

Textual's ``OptionList`` shows the highlight only by the theme's cursor style, and Textual 8's visual style
keeps bold but drops ``reverse``: in the monochrome theme (``NO_COLOR``) the cursor of the DDoS response
picker was a bold title among plain ones. The mark is the one ``widgets/marked_toggle.py`` puts before a
focused radio button or checkbox.

The mark is drawn, never stored: each option keeps the prompt it was given (the one an ``OptionSelected``
carries), and options added, removed or cleared later are drawn the same way. (Rewriting the prompts kept
a copy of them that went stale: ``clear_options`` raised OptionDoesNotExist, and after ``remove_option`` a
row was drawn with another option's title.)"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets.option_list import Option

from screens.textual_compat import DrawnOptionList
from widgets.marked_toggle import FOCUS_MARK


def _as_text(prompt: object) -> Text:
    return prompt.copy() if isinstance(prompt, Text) else Text(str(prompt))  # a str is shown as is, never markup


class CursorOptionList(DrawnOptionList):
    def option_text(self, option: Option, highlighted: bool) -> Any:
        head = Text(f"{FOCUS_MARK} ", style="bold") if highlighted else Text("  ")  # as wide: the heights hold
        return head.append_text(_as_text(option.prompt))
