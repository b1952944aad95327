"""An option list whose highlighted row reads without colour: ``›`` before it, two spaces before the rest.

Textual's ``OptionList`` shows the highlight only by the theme's cursor style, and Textual 8's visual style
keeps bold but drops ``reverse``: in the monochrome theme (``NO_COLOR``) the cursor of the DDoS response
picker was a bold title among plain ones. The mark is the one ``widgets/marked_toggle.py`` puts before a
focused radio button or checkbox."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList

from widgets.marked_toggle import FOCUS_MARK


def _as_text(prompt: object) -> Text:
    return prompt.copy() if isinstance(prompt, Text) else Text(str(prompt))  # a str is shown as is, never markup


class CursorOptionList(OptionList):
    _prompts: list[Text] = []  # each option's own prompt, without the mark
    _marked: int | None = None

    def __init__(self, *options, **kwargs) -> None:
        super().__init__(*options, **kwargs)
        self._prompts = [_as_text(option.prompt) for option in self.options]
        for index, prompt in enumerate(self._prompts):
            self.replace_option_prompt_at_index(index, Text("  ").append_text(prompt))

    def on_mount(self) -> None:
        self._mark(self.highlighted)  # a highlight set before mounting ran no watcher

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self._mark(highlighted)

    def _mark(self, highlighted: int | None) -> None:
        if highlighted == self._marked or not self._prompts:
            return
        if self._marked is not None and self._marked < len(self._prompts):
            self.replace_option_prompt_at_index(self._marked, Text("  ").append_text(self._prompts[self._marked]))
        if highlighted is not None and highlighted < len(self._prompts):
            mark = Text(f"{FOCUS_MARK} ", style="bold").append_text(self._prompts[highlighted])
            self.replace_option_prompt_at_index(highlighted, mark)
        self._marked = highlighted
