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

from rich.text import Text
from textual.visual import Visual, visualize
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from widgets.marked_toggle import FOCUS_MARK


def _as_text(prompt: object) -> Text:
    return prompt.copy() if isinstance(prompt, Text) else Text(str(prompt))  # a str is shown as is, never markup


class CursorOptionList(OptionList):
    def _get_visual(self, option: Option) -> Visual:
        marked = self.highlighted is not None and self._option_to_index.get(option) == self.highlighted
        cached = getattr(option, "_cursor_visual", None)  # (prompt, marked, visual)
        if cached is not None and cached[0] is option.prompt and cached[1] == marked:
            return cached[2]
        head = Text(f"{FOCUS_MARK} ", style="bold") if marked else Text("  ")  # as wide: the heights hold
        visual = visualize(self, head.append_text(_as_text(option.prompt)), markup=False)
        option._cursor_visual = (option.prompt, marked, visual)  # type: ignore[attr-defined]
        return visual

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self._option_render_cache.clear()  # the rows drawn with the mark where it was (keyed by style only)
        self.refresh()
