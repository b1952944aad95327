"""Command palette providers: every runbook flow by title, and the audit trail view.

Added to ``EdgeConsoleApp.COMMANDS``; ``:`` and ctrl+p open the palette. The app side is
:class:`screens.flow_app.FlowsMixin` (``flow_runbook()``, ``open_flow(id)``, ``action_audit_view()``).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from console.sanitize import clean_line


def flow_command_text(flow: Any) -> str:
    """The palette parses prompts and help as markup: a runbook file's text is escaped for it."""
    return f"Flow: {escape(clean_line(flow.title))}"


def flow_help(flow: Any) -> str:
    bits = [flow.section, flow.id]
    if flow.key:
        bits.append(f"key {flow.key}")
    if flow.mutating:
        bits.append("changes things")
    if getattr(flow, "replaces", None):
        bits.append(flow.override_text)
    return escape(clean_line(" · ".join(bits)))


class FlowCommands(Provider):
    """``Flow: <title>`` for every flow in the runbook (built-in plus the config's ``runbooks``)."""

    def _flows(self) -> list[Any]:
        getter = getattr(self.app, "flow_runbook", None)
        if not callable(getter):
            return []
        runbook = getter()
        return list(runbook.flows.values())

    async def discover(self) -> Hits:
        opener = getattr(self.app, "open_flow", None)
        for flow in self._flows():
            if flow.key and opener is not None:
                yield DiscoveryHit(flow_command_text(flow), partial(opener, flow.id), help=flow_help(flow))

    async def search(self, query: str) -> Hits:
        opener = getattr(self.app, "open_flow", None)
        if opener is None:
            return
        matcher = self.matcher(query)
        for flow in self._flows():
            text = flow_command_text(flow)
            score = max(matcher.match(text), matcher.match(f"Flow: {flow.id}") * 0.9)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(opener, flow.id), text=text, help=flow_help(flow))


class AuditCommands(Provider):
    """``Audit trail``: the view of every runbook step that ran."""

    TEXT = "Audit trail: runbook steps that ran"

    async def discover(self) -> Hits:
        action = getattr(self.app, "action_audit_view", None)
        if action is not None:
            yield DiscoveryHit(self.TEXT, action, help="newest first, from the audit trail file")

    async def search(self, query: str) -> Hits:
        action = getattr(self.app, "action_audit_view", None)
        if action is None:
            return
        matcher = self.matcher(query)
        score = matcher.match(self.TEXT)
        if score > 0:
            yield Hit(score, matcher.highlight(self.TEXT), action, text=self.TEXT,
                      help="newest first, from the audit trail file")


class ShareCommands(Provider):
    """``Share this console``: how to open it read-only in browsers (``w``); starts nothing."""

    TEXT = "Share this console: read-only in a browser (edge-console serve)"
    HELP = "shows the command and URL; starts nothing"

    async def discover(self) -> Hits:
        action = getattr(self.app, "action_share_help", None)
        if action is not None:
            yield DiscoveryHit(self.TEXT, action, help=self.HELP)

    async def search(self, query: str) -> Hits:
        action = getattr(self.app, "action_share_help", None)
        if action is None:
            return
        matcher = self.matcher(query)
        score = matcher.match(self.TEXT)
        if score > 0:
            yield Hit(score, matcher.highlight(self.TEXT), action, text=self.TEXT, help=self.HELP)


PROVIDERS: tuple[type[Provider], ...] = (FlowCommands, AuditCommands, ShareCommands)
