"""Command palette provider for the runbook's flows, from the action catalogue (``console/actions.py``).

Added to ``EdgeConsoleApp.COMMANDS``; ``:`` and ctrl+p open the palette. Every flow the configuration
binds is there by title (read-only leaves out the flows that change the edge); the app's other palette
entries are the catalogue's actions with palette text (``EdgeConsoleApp.get_system_commands``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from console.sanitize import clean_line


def flow_command_text(action: Any) -> str:
    """The palette parses prompts and help as markup: a runbook file's text is escaped for it."""
    return escape(clean_line(action.palette))


def flow_help(action: Any) -> str:
    key = action.key_label
    return escape(clean_line(action.help + (f" · key {key}" if key else "")))


class FlowCommands(Provider):
    """``Flow: <title>`` for every enabled flow action (built-in runbook plus the config's ``runbooks``)."""

    def _flows(self) -> list[Any]:
        app = self.app
        if not app.flow_keys_bound:  # type: ignore[attr-defined]
            # the palette opened before the dashboard bound the flows: load the runbook now
            app.rebuild_actions(app.flow_runbook())  # type: ignore[attr-defined]
        return [a for a in app.actions.flows() if a.enabled]  # type: ignore[attr-defined]

    def _open(self, action: Any) -> Any:
        return partial(self.app.open_flow, action.id.removeprefix("flow."))  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for action in self._flows():
            if action.key:
                yield DiscoveryHit(flow_command_text(action), self._open(action), help=flow_help(action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in self._flows():
            text = flow_command_text(action)
            score = max(matcher.match(text), matcher.match(f"Flow: {action.id.removeprefix('flow.')}") * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(text), self._open(action), text=text, help=flow_help(action))


PROVIDERS: tuple[type[Provider], ...] = (FlowCommands,)
