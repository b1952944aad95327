"""Switch the built-in simulated edge's scenario live: palette entries ``Scenario: <name>`` and a picker
on ``z`` (only in a console that runs the simulated edge). ``edge-console simulate --scenario`` and
``--scenario`` at start stay the other ways to choose one.

The app side is :class:`ScenarioSwitchMixin` (a base of ``EdgeConsoleApp``): ``switch_scenario(name)``
switches in a thread (the published entry in the state dir is rewritten) and says so in a toast.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.app.events import ScenarioSwitched
from console.sim.names import SCENARIO_NAMES
from widgets.keybindings import bindings
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.cursor_option_list import CursorOptionList

#: the key binding (also in the help): id, key, title


def _description(name: str) -> str:
    from console.sim.scenarios import SCENARIOS

    return SCENARIOS[name].description


def can_switch(app: Any) -> bool:
    """Only the console that runs the simulated edge, and not during a drill (its script drives the scenario)."""
    session = app.session
    return bool(session.simulated and not session.shared and session.sim is not None and app.drill is None)


class ScenarioPicker(ModalScreen[str | None]):
    """The scenarios, the current one marked; Enter switches, Escape leaves it as it is."""

    BINDINGS = bindings("scenario")

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="incident-modal"):
            yield Static("Simulated edge: switch the scenario (a drill, not a real edge)", classes="modal-title")
            options = []
            for name in SCENARIO_NAMES:
                mark = "● " if name == self.current else "  "
                options.append(Option(Text(f"{mark}{name}: {_description(name)}"), id=name))
            yield CursorOptionList(*options, id="scenario-options")
        yield Footer()  # this screen's keys (the screen below's footer offered keys that do nothing here)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in SCENARIO_NAMES:
            options.highlighted = SCENARIO_NAMES.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ScenarioCommands(Provider):
    """``Scenario: <name>`` for each scenario of the simulated edge (nothing on a real edge)."""

    def _entries(self) -> list[tuple[str, str, Any]]:
        if not can_switch(self.app):
            return []
        switch = self.app.switch_scenario  # type: ignore[attr-defined]
        return [
            (f"Scenario: {name}", f"simulated edge: {_description(name)}", partial(switch, name))
            for name in SCENARIO_NAMES
        ]

    async def discover(self) -> Hits:
        for text, help_text, action in self._entries():
            yield DiscoveryHit(text, action, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, action in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), action, text=text, help=help_text)


class ScenarioSwitchMixin:
    """``z`` and the palette entries: the simulated edge's scenario, switched live."""

    def action_switch_scenario(self) -> None:
        app: Any = self
        if not can_switch(app):
            app.notify(
                "Only a console running the built-in simulated edge switches scenarios (not during a drill: "
                "its script does).",
                title="Scenario",
                severity="warning",
                timeout=5,
                markup=False,
            )
            return
        if isinstance(app.screen, ScenarioPicker):
            return

        def chosen(name: str | None) -> None:
            if name:
                self.switch_scenario(name)

        app.push_screen(ScenarioPicker(app.session.scenario), chosen)

    def switch_scenario(self, name: str) -> None:
        app: Any = self
        app.run_worker(self._switch_scenario(name), group="scenario", exclusive=True, exit_on_error=False)

    async def _switch_scenario(self, name: str) -> None:
        app: Any = self
        try:
            await asyncio.to_thread(app.session.set_scenario, name)
        except (ValueError, OSError) as exc:
            app.notify(str(exc), title="Scenario", severity="error", timeout=8, markup=False)
            return
        app.events.publish(ScenarioSwitched(name))
        app.notify(
            f"Simulated edge now in scenario {name}: {_description(name)}",
            title="Scenario (drill)",
            timeout=5,
            markup=False,
        )
