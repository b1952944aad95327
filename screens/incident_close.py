"""Closing an incident, guided: the Complete Service Recovery checklist (live checks ticked from the
latest poll, the rest confirmed by the operator), then root cause, resolution and action items,
then the report."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from console.incident.recovery import RecoveryCheck, recovery_checks
from console.metrics.thresholds import State
from screens.textual_compat import Footer, StyledOnMount  # styled once when first shown
from themes.look import state_style, state_tint
from widgets.marked_toggle import MarkedCheckbox
from widgets.keybindings import bindings
from widgets.text_input import TextInput, TextBox

#: a check's word and the state whose style (themes/look.py) it takes
STATUS_STATE = {"pass": ("PASS", State.NORMAL), "fail": ("FAIL", State.CRITICAL), "unknown": ("??", State.WARNING)}


class IncidentCloseScreen(StyledOnMount, ModalScreen[str | None]):
    """``submit(checks, confirmed, root_cause, resolution, action_items)`` returns (ok, error or report path)."""

    BINDINGS = bindings("prompt")

    def __init__(
        self,
        incident_id: str,
        get_result: Callable[[], Any],
        submit: Callable[[list[RecoveryCheck], set[str], str, str, list[str]], tuple[bool, str]],
    ) -> None:
        super().__init__()
        self.incident_id = incident_id
        self.get_result = get_result
        self.submit = submit
        self.checks: list[RecoveryCheck] = recovery_checks(get_result())

    def compose(self) -> ComposeResult:
        with Vertical(id="close-box", classes="incident-modal"):
            yield Static(Text(f"Close {self.incident_id}"), classes="modal-title")
            with VerticalScroll(id="close-step-recovery"):
                yield Static("1/2 Complete Service Recovery (live checks from the latest poll)", classes="step-title")
                for check in self.checks:
                    if check.status == "manual":
                        yield MarkedCheckbox(check.text, id=f"recovery-{check.key}", compact=True)
                    else:
                        yield Static(
                            self._check_text(check, self.app), id=f"recovery-{check.key}", classes="recovery-row"
                        )
                with Horizontal(classes="modal-buttons"):
                    yield Button("Re-check", id="close-recheck", compact=True)
                    yield Button("Next", variant="primary", id="close-next", compact=True)
                    yield Button("Cancel", id="close-cancel", compact=True)
            with VerticalScroll(id="close-step-review"):
                yield Static("2/2 What happened", classes="step-title")
                yield Label("Root cause")
                # enter goes on to the next field at once (the keys typed after it with it)
                yield TextInput(id="close-root-cause", compact=True, enter_moves_on=True)
                yield Label("Resolution")
                yield TextInput(id="close-resolution", compact=True, enter_moves_on=True)
                yield Label("Action items (one per line)")
                yield TextBox(id="close-action-items")
                yield Static("", id="close-error", classes="form-error")
                with Horizontal(classes="modal-buttons"):
                    yield Button("Back", id="close-back", compact=True)
                    yield Button("Close and write report", variant="error", id="close-ok", compact=True)
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one("#close-step-review").display = False
        self._focus_recovery()

    def _focus_recovery(self) -> None:
        """The first item to tick (else Next): the step's scroll container took the focus, with no cursor
        shown, and space ticked nothing until a tab; after Back the focus stayed on the hidden Back button."""
        boxes = self.query_one("#close-step-recovery").query(Checkbox)
        (boxes.first() if boxes else self.query_one("#close-next", Button)).focus()

    @staticmethod
    def _check_text(check: RecoveryCheck, node: object = None) -> Text:
        word, state = STATUS_STATE.get(check.status, ("?", State.UNKNOWN))
        text = Text()
        style = state_style(node, state) if state is not State.NORMAL else f"bold {state_tint(node, state)}"
        text.append(f"[{word:^4}]", style=style)
        text.append(" ")
        text.append(check.text)
        if check.detail:
            text.append(f"  {check.detail}", style="dim")
        return text

    def recheck(self) -> None:
        self.checks = recovery_checks(self.get_result())
        for check in self.checks:
            if check.status != "manual":
                self.query_one(f"#recovery-{check.key}", Static).update(self._check_text(check, self.app))

    def confirmed(self) -> set[str]:
        return {
            c.key for c in self.checks if c.status == "manual" and self.query_one(f"#recovery-{c.key}", Checkbox).value
        }

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button == "close-recheck":
            self.recheck()
        elif button == "close-next":
            self.recheck()
            self.query_one("#close-step-recovery").display = False
            self.query_one("#close-step-review").display = True
            self.query_one("#close-root-cause", Input).focus()
        elif button == "close-back":
            self.query_one("#close-step-review").display = False
            self.query_one("#close-step-recovery").display = True
            self._focus_recovery()
        elif button == "close-ok":
            if not self._failing_accepted():
                return
            items = [
                line.strip()
                for line in self.query_one("#close-action-items", TextArea).text.splitlines()
                if line.strip()
            ]
            from screens.pending_submit import submit_form

            submit_form(
                self,
                lambda: self.submit(
                    self.checks,
                    self.confirmed(),
                    self.query_one("#close-root-cause", Input).value,
                    self.query_one("#close-resolution", Input).value,
                    items,
                ),
                "close-error",
            )
        else:
            self.dismiss(None)

    #: the failing checks the operator has been shown and closes anyway (``close-ok`` pressed again)
    _accepted_failures: frozenset[str] | None = None

    def _failing_accepted(self) -> bool:
        """Closing says the incident is over: with a live check failing (health down, a queue growing), the
        first press says which and asks for a second (it closed at once, the report alone saying 'fail')."""
        self.recheck()
        failing = frozenset(c.key for c in self.checks if c.status == "fail")
        if not failing or failing == self._accepted_failures:
            return True
        self._accepted_failures = failing
        names = "; ".join(f"{c.text} ({c.detail})" if c.detail else c.text for c in self.checks if c.key in failing)
        self.query_one("#close-error", Static).update(
            Text(f"✖ Still failing: {names}. Press the button again to close anyway (the report says so).")
        )
        self.query_one("#close-ok", Button).label = "Close anyway"
        return False

    def action_cancel(self) -> None:
        self.dismiss(None)
