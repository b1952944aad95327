"""The current step: what it is, its guidance text, exactly what will run (argv or HTTP request, secrets
already masked by the engine), a read-only refusal, and the confirmation that names the environment.

Data comes in through :meth:`StepPanel.show_preview` (an engine ``Preview``) and :meth:`StepPanel.show_text`.
The confirmation field is ``#flow-confirm``; the screen decides whether what was typed is accepted.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from widgets.text_input import TextInput

KIND_TEXT = {
    "check": "check (reads only)",
    "action": "CHANGE",
    "verify": "verify (watches a live value)",
    "manual": "checklist item",
    "note": "note",
}


def confirmation_prompt(confirmation: Any, title: str) -> Text:
    """The question for a mutating step, naming the environment (the step title rendered)."""
    text = Text()
    if confirmation.production:
        text.append(f"This changes {confirmation.environment.upper()}. ", style="bold red")
        text.append("Type ")
        text.append(confirmation.expected, style="bold")
        text.append(" to run: ")
    else:
        text.append(f"Run on {confirmation.environment}? ", style="bold")
        text.append("Type ")
        text.append("yes", style="bold")
        text.append(" to run: ")
    text.append(title)
    return text


class StepPanel(VerticalScroll, can_focus=False):
    """The current step: what it will run, and the confirmation a change needs. Scrolls when the terminal
    is too short for all of it (60x20), keeping its end in view: the confirmation box and the answer to
    what was typed there, which were cut off below the frame. Its height is fitted to the room its
    :class:`FlowBox` leaves it whenever that box changes height (see there), and when it shows more (a
    confirmation asked, an answer to what was typed)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="flow-step-head", markup=False)
        yield Static("", id="flow-step-text", markup=False)
        yield Static("", id="flow-step-display", markup=False)
        yield Static("", id="flow-step-refusal", markup=False)
        yield Static("", id="flow-confirm-prompt", markup=False)
        yield TextInput(id="flow-confirm", placeholder="environment name")
        yield Static("", id="flow-confirm-msg", markup=False)

    def on_mount(self) -> None:
        self.hide_confirmation()
        for name in ("text", "display", "refusal"):
            self.query_one(f"#flow-step-{name}").display = False

    def _set(self, name: str, content: Any) -> None:
        widget = self.query_one(f"#flow-step-{name}", Static)
        widget.update(content if content else "")
        widget.display = bool(content)

    def show_preview(self, preview: Any, number: int, total: int) -> None:
        head = Text()
        head.append(f"Step {number}/{total} · ", style="dim")
        head.append(KIND_TEXT.get(preview.kind, preview.kind), style="bold red" if preview.mutating else "bold")
        head.append(f" · {preview.title}")
        self._set("head", head)
        self._set("text", Text(preview.text.strip(), style="italic") if preview.text.strip() else None)
        display = preview.display.strip()
        if display:
            shown = Text()
            if preview.executor in ("http", "command", "tail"):
                shown.append("will run: ", "dim")
            shown.append(display, style="bold" if preview.mutating else "")
            self._set("display", shown)
        else:
            self._set("display", None)
        self._set("refusal", Text(f"⊘ {preview.refusal}", style="bold red") if preview.refusal else None)

    def show_text(self, head: Any, body: Any = None) -> None:
        self._set("head", head)
        self._set("text", body)
        self._set("display", None)
        self._set("refusal", None)

    # -- confirmation ------------------------------------------------------------------------
    def ask_confirmation(self, confirmation: Any, title: str) -> None:
        prompt = self.query_one("#flow-confirm-prompt", Static)
        prompt.update(confirmation_prompt(confirmation, title))
        field = self.query_one("#flow-confirm", Input)
        field.placeholder = f"type {confirmation.expected}"
        if not field.display:
            field.value = ""
        for widget in (prompt, field):
            widget.display = True
        self.query_one("#flow-confirm-msg", Static).display = False
        self._keep_end_in_view()

    def _keep_end_in_view(self) -> None:
        self.call_after_refresh(self.fit_to_room)

    def fit_to_room(self) -> None:
        """Cap the panel's height at the room its box has left (the CSS ``max-height`` at most) and scroll to
        its end. With height ``auto`` it took its whole content whatever the room, and the box cut off its
        last rows (60x20 with an alert line: the answer to a wrong name). A sibling sized in ``fr`` (the
        output) takes what is left after it, so it is not counted."""
        box = self.parent
        if box is None or not self.display:
            return
        used = sum(
            child.outer_size.height
            for child in box.children
            if child is not self and child.display and not (child.styles.height and child.styles.height.is_fraction)
        )
        css_max = self.styles.base.max_height
        most = int(css_max.value) if css_max is not None and css_max.is_cells else box.content_region.height
        limit = max(3, min(most, box.content_region.height - used))
        if self.styles.max_height is None or self.styles.max_height.value != limit:
            self.styles.max_height = limit
        self.call_after_refresh(self.scroll_end, animate=False, immediate=True)

    def reject(self, message: str) -> None:
        msg = self.query_one("#flow-confirm-msg", Static)
        msg.update(Text(f"✗ {message}", style="bold red"))
        msg.display = True
        self.query_one("#flow-confirm", Input).add_class("error")
        self._keep_end_in_view()

    def hide_confirmation(self) -> None:
        for selector in ("#flow-confirm-prompt", "#flow-confirm", "#flow-confirm-msg"):
            self.query_one(selector).display = False
        field = self.query_one("#flow-confirm", Input)
        field.value = ""
        field.remove_class("error")

    @property
    def confirming(self) -> bool:
        return bool(self.query_one("#flow-confirm", Input).display)


class FlowBox(Vertical):
    """The flow modal's box (``#flow-box``, ``1fr`` of the screen): when its height changes, its step panel
    is fitted again to the room left (:meth:`StepPanel.fit_to_room`). The box changes height with the
    terminal, and also without it: the one-line incident/alert strip shown or hidden above it (an alert
    raised while a change waits for its confirmation took the last row, the answer to a wrong name, off
    the screen at 60x20; fitted only on the modal's resize, the panel kept the height it had)."""

    _fitted_height: int | None = None

    def on_mount(self) -> None:
        # also after every layout of the screen: a layout that coincides with a scroll (the panel's or the
        # output's, in the same refresh) goes Textual's scrolling way, which sends no Resize to a widget
        # whose size changed (seen under load: the strip appeared, the box lost a row, no on_resize)
        self.screen.screen_layout_refresh_signal.subscribe(self, self._after_layout)

    def on_unmount(self) -> None:
        self.screen.screen_layout_refresh_signal.unsubscribe(self)

    def _after_layout(self, _screen: object) -> None:
        if self.content_region.height != self._fitted_height:
            self.on_resize()

    def on_resize(self) -> None:
        self._fitted_height = self.content_region.height
        for panel in self.query_children(StepPanel):
            if panel.display:
                panel.fit_to_room()
