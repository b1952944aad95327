"""Pick one flow from a short list (a response that names a runbook section, e.g. "P0 service down")."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.runbook.model import Flow
from widgets.keybindings import bindings, key_hints
from widgets.plain import plain
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.cursor_option_list import CursorOptionList


def flow_option_text(flow: Flow, key: str | None = None) -> Text:
    """One row: the flow's key (as configured, from the catalogue), its title, whether it changes things."""
    text = Text()
    key = flow.key if key is None else key
    text.append(f"{key or ' '} ", style="bold")
    text.append(flow.title)
    if flow.mutating:
        text.append("  changes", style="bold red")
    return text


class FlowPickerScreen(ModalScreen[str | None]):
    BINDINGS = bindings("flow.picker")

    def __init__(self, title: str, flows: list[Flow], why: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.flows = list(flows)
        self.why = why

    def compose(self) -> ComposeResult:
        with Vertical(id="flow-picker"):
            if self.why:
                yield Static(self.why, id="flow-picker-why", markup=False)
            actions = self.app.actions  # type: ignore[attr-defined]
            keys = {f.id: actions.key_of(f"flow.{f.id}") for f in self.flows}
            yield CursorOptionList(
                *[Option(flow_option_text(f, keys[f.id]), id=f.id) for f in self.flows], id="flow-picker-list"
            )
            hint = key_hints(self.app, "enter opens the flow", ("flow.picker.close", "closes"))
            yield Static(Text(hint, style="dim"))
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one("#flow-picker").border_title = plain(self.title_text)
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
