"""Start an incident: severity (the runbook's table), title, impact."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioSet, Static

from console.incident.model import SEVERITIES
from screens.textual_compat import Footer, StyledOnMount  # styled once when first shown
from widgets.marked_toggle import MarkedRadioButton
from widgets.keybindings import bindings, key_hints
from widgets.text_input import TextInput


class IncidentStartScreen(StyledOnMount, ModalScreen[str | None]):
    """``submit(severity, title, impact)`` returns an error message or the new incident's ID."""

    BINDINGS = bindings("prompt")

    def __init__(
        self,
        submit: Callable[[str, str, str], tuple[bool, str]],
        *,
        severity: str = "P2",
        title: str = "",
        impact: str = "",
        trigger: str = "",
    ) -> None:
        super().__init__()
        self.submit = submit
        self.severity = severity if severity in SEVERITIES else "P2"
        self.initial_title = title
        self.initial_impact = impact
        self.trigger = trigger

    def compose(self) -> ComposeResult:
        with Vertical(id="incident-start-box", classes="incident-modal"):
            yield Static("Start an incident", classes="modal-title")
            if self.trigger:
                yield Static(Text(f"From alert: {self.trigger}"), id="incident-start-trigger")
            with RadioSet(id="incident-severity", compact=True):
                for sev in SEVERITIES.values():
                    yield MarkedRadioButton(
                        f"{sev.level} {sev.name} - {sev.description} · respond within "
                        f"{sev.response_text} · e.g. {sev.examples}",
                        value=sev.level == self.severity,
                        id=f"sev-{sev.level}",
                        compact=True,
                    )
            yield Label("Title")
            yield TextInput(
                self.initial_title,
                placeholder="what is wrong, in a few words",
                id="incident-title",
                compact=True,
                enter_moves_on=True,  # enter goes on to Impact at once (the keys typed after it with it)
            )
            yield Label("Impact")
            yield TextInput(
                self.initial_impact,
                placeholder="who is affected and how (optional)",
                id="incident-impact",
                compact=True,
            )
            # what enter does here (on_input_submitted): moves from Title to Impact, starts from Impact
            yield Static(
                Text(key_hints(self.app, "enter: Title → Impact → starts", ("prompt.cancel", "cancels"))),
                id="incident-start-hint",
                classes="modal-hint",
            )
            yield Static("", id="incident-start-error", classes="form-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Start", variant="error", id="incident-start-ok", compact=True)
                yield Button("Cancel", id="incident-start-cancel", compact=True)
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one("#incident-start-error").display = False  # shown with a message (pending_submit)
        self.query_one("#incident-title", Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.pressed is not None and event.pressed.id:
            self.severity = event.pressed.id.removeprefix("sev-")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "incident-impact":  # the last field (enter in the title moves on to it)
            self._start(impact=event.value)  # as it was at the enter, whatever was typed into the box since

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "incident-start-ok":
            self._start()
        else:
            self.dismiss(None)

    def _start(self, impact: str | None = None) -> None:
        from screens.pending_submit import submit_form

        submit_form(
            self,
            lambda: self.submit(
                self.severity,
                self.query_one("#incident-title", Input).value,
                self.query_one("#incident-impact", Input).value if impact is None else impact,
            ),
            "incident-start-error",
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
