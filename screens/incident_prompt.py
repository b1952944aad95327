"""Small modals for incidents: a one-line text prompt (notes, reasons), a phase picker, a resume offer."""

from __future__ import annotations

from typing import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from console.incident.model import MARKABLE_PHASES, PHASE_TEXT, Incident, format_duration
from console.sanitize import clean_line
from screens.textual_compat import Footer, StyledOnMount  # styled once when first shown
from widgets.keybindings import bindings, key_hints
from widgets.text_input import TextInput
from widgets.cursor_option_list import CursorOptionList


class TextPromptScreen(StyledOnMount, ModalScreen[str | None]):
    """Asks for one line. ``submit(text)`` returns (ok, error); on ok the screen closes with the text."""

    BINDINGS = bindings("prompt")

    def __init__(
        self, title: str, submit: Callable[[str], tuple[bool, str]], *, placeholder: str = "", value: str = ""
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.submit = submit
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal"):
            yield Static(Text(self.prompt_title), classes="modal-title")
            yield TextInput(self.value, placeholder=self.placeholder, id="prompt-input", compact=True)
            yield Static("", id="prompt-error", classes="form-error")
            yield Static(Text(key_hints(self.app, "enter saves", ("prompt.cancel", "cancels"))), classes="modal-hint")
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from screens.pending_submit import submit_form

        value = event.value
        submit_form(self, lambda: self.submit(value), "prompt-error", dismissed=lambda _message: value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PhasePickerScreen(StyledOnMount, ModalScreen[str | None]):
    """Pick the phase to mark: keys 1-4 or the list."""

    BINDINGS = bindings("prompt", "prompt.phase")

    def phase_keys(self) -> str:
        """``"1/2/3/4 or "``: the phase keys as configured (from the catalogue)."""
        keys_text = self.app.keys_text  # type: ignore[attr-defined]
        keys = [k for k in (keys_text(f"prompt.phase.{n}") for n in range(1, len(MARKABLE_PHASES) + 1)) if k]
        return "/".join(keys) + " or " if keys else ""

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        options = []
        for i, phase in enumerate(MARKABLE_PHASES, start=1):
            done = self.incident.phase_times.get(phase)
            mark = f"  (marked {done:%H:%M} UTC)" if done else ""
            options.append(Option(Text(f"{i}  {PHASE_TEXT[phase]}{mark}"), id=phase))
        with Vertical(classes="incident-modal"):
            yield Static(f"Mark a phase of {self.incident.id}", classes="modal-title")
            yield CursorOptionList(*options, id="phase-list")
            yield Static(
                Text(key_hints(self.app, self.phase_keys() + "enter marks", ("prompt.cancel", "cancels"))),
                classes="modal-hint",
            )
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        # the cursor starts on the first phase not marked yet: it was on "Engineer acknowledged" always, and
        # enter (the habit) marked that again, setting the phase back (the latest mark is the phase)
        unmarked = [i for i, phase in enumerate(MARKABLE_PHASES) if phase not in self.incident.phase_times]
        options.highlighted = unmarked[0] if unmarked else len(MARKABLE_PHASES) - 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_pick(self, number: int) -> None:
        self.dismiss(MARKABLE_PHASES[number - 1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResumeScreen(StyledOnMount, ModalScreen[str | None]):
    """Offered at start-up when an incident is still open: resume it (or one of them) or not."""

    BINDINGS = bindings("prompt.resume")

    def __init__(self, incidents: Sequence[Incident], now, warnings: Sequence[str] = ()) -> None:
        super().__init__()
        self.incidents = list(incidents)
        self.now = now
        self.warnings = list(warnings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal", id="resume-box"):
            yield Static("An incident is still open. Resume it?", classes="modal-title")
            yield CursorOptionList(
                *[
                    Option(
                        Text(
                            clean_line(
                                f"{i.id}  {i.severity}  {i.phase}  "
                                f"{format_duration(i.elapsed(self.now))} "
                                f"· {len(i.entries)} entries · {i.title}"
                            )
                        ),
                        id=i.id,
                    )
                    for i in self.incidents
                ],
                id="resume-list",
            )
            for warning in self.warnings:
                yield Static(Text(f"warning: {clean_line(warning)}"), classes="form-error")
            with Horizontal(classes="modal-buttons"):
                yield Button("Resume", variant="primary", id="resume-yes", compact=True)
                yield Button("Not now", id="resume-no", compact=True)
            yield Static(
                Text(key_hints(self.app, ("prompt.resume", "or enter resumes"), ("prompt.not_now", "leaves it open"))),
                classes="modal-hint",
            )
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_resume_first() if event.button.id == "resume-yes" else self.dismiss(None)

    def action_resume_first(self) -> None:
        option_list = self.query_one(OptionList)
        index = option_list.highlighted or 0
        self.dismiss(self.incidents[index].id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(StyledOnMount, ModalScreen[str | None]):
    """Pick one of a few labelled choices (review items, channels, ...)."""

    BINDINGS = bindings("prompt")

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.choice_title = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal"):
            yield Static(Text(self.choice_title), classes="modal-title")
            yield CursorOptionList(*[Option(Text(label), id=key) for key, label in self.choices], id="choice-list")
            yield Static(Text(key_hints(self.app, "enter picks", ("prompt.cancel", "cancels"))), classes="modal-hint")
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
