"""The log tail, the application side (no Textual): the settings, the bounded store with its filter, the
feed (one worker or several merged) with its parse pump, and switching workers.

``screens.log_view.TailController`` is this plus the Textual glue: it runs the feed in a worker, drains the
pump on a timer and redraws the panes (call order, pacing under a flood). What the UI does after a change
(redraw) is its own: the methods here change state and return.
"""

from __future__ import annotations

import asyncio
from typing import Any

from console import gctune
from console.app.protocols import TailFeed, TailPump
from console.config import DEFAULT_WORKER_ROLE, ConfigError
from console.tail.filters import Filter
from console.tail.pump import ParsePump
from console.tail.settings import ServerFilters, TailSettings, tail_settings
from console.tail.store import TailStore
from console.tail.workers import WorkerRoleError, tail_source

__all__ = ["LogTail"]


class LogTail:
    """One per app: the tail's settings (``tail:`` of the config; a config error is the first note), the
    store every pane renders, the feed and its pump."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.config_error = ""
        try:
            self.settings = tail_settings(session.config)
        except ConfigError as exc:
            self.settings = TailSettings()
            self.config_error = str(exc)
        self.store = TailStore(self.settings.buffer)
        if self.settings.filter:
            self.store.set_filter(Filter(self.settings.filter))
        #: the worker roles tailed (merged, each row labelled); empty: the environment's default worker
        self.roles: list[str] = []
        self.note = self.config_error
        self.source: TailFeed = self._new_source(self.settings.server, list(self.settings.workers))
        self.pump: TailPump | None = None

    def start_feed(self, loop: asyncio.AbstractEventLoop) -> bool:
        """A new feed for :attr:`roles` (with the current wrangler filters) and its parse pump, started;
        the caller runs ``self.source.run()``. False (the status says why) when there is nothing to tail."""
        env = self.session.env
        if env.simulated and "wrangler" not in env.tools:
            # A simulated environment without the simulator's wrangler: tailing the real worker of the
            # same name with real credentials next to simulated metrics would mislead. Nothing to tail.
            self.source.status.state = "stopped"
            self.source.status.detail = "simulated environment without its simulated wrangler: nothing to tail"
            return False
        gctune.settle()  # start-up is over: collect, freeze, rarer collections under a flood
        self.source = self._new_source(self.source.filters, self.roles)
        if self.pump is not None:
            self.pump.stop()
        # parsing runs on its own thread; the UI's tick drains it into the store (filter) and redraws
        self.pump = ParsePump(self.source, max_events=self.settings.buffer, loop=loop)
        self.pump.start()
        return True

    def stop_feed(self) -> None:
        """End wrangler (the source sends SIGTERM) and the parse thread."""
        self.source.stop()
        if self.pump is not None:
            self.pump.stop()

    def _new_source(self, filters: ServerFilters, roles: list[str]) -> TailFeed:
        """The source for ``roles`` (console.tail.workers); roles the environment lacks fall back to its
        default worker, with a note saying so."""
        kw = dict(
            max_pending=self.settings.buffer,
            reconnect_max=self.settings.reconnect_max_seconds,
            config=self.session.config,
        )
        try:
            source = tail_source(self.session.env, roles, filters, **kw)
        except WorkerRoleError as exc:
            self.note = f"tail.workers: {exc}"
            roles = []
            source = tail_source(self.session.env, [], filters, **kw)
        self.roles = list(roles)
        return source

    def worker_choices(self) -> list[list[str]]:
        """What the workers key cycles through: each configured role alone (the default role as the
        environment's worker, unlabelled), then all of them merged; a ``tail.workers`` selection first."""
        roles = self.session.env.worker_roles()
        choices: list[list[str]] = [list(self.settings.workers)] if len(self.settings.workers) > 1 else []
        for role in roles:
            choices.append([] if role == DEFAULT_WORKER_ROLE else [role])
        if len(roles) > 1:
            choices.append(list(roles))
        unique: list[list[str]] = []
        for choice in choices:
            if choice not in unique:
                unique.append(choice)
        return unique or [[]]

    def next_roles(self) -> list[str]:
        """The choice after the current one in :meth:`worker_choices` (the first when the current is none)."""
        choices = self.worker_choices()
        current = choices.index(self.roles) if self.roles in choices else -1
        return choices[(current + 1) % len(choices)]

    def workers_text(self) -> str:
        """The tailed workers, for titles: ``vau-processor``, ``rate-limiter + queue-processor``."""
        return " + ".join(self.roles) if self.roles else (self.session.env.worker or DEFAULT_WORKER_ROLE)

    def drain(self) -> int:
        """Move what the parse thread has parsed into the store (the filter runs here); returns the
        number of events moved."""
        if self.pump is None:
            return 0
        before = self.store.received
        self.store.add(self.pump.drain())
        return self.store.received - before

    def set_filter(self, flt: Filter) -> None:
        self.store.set_filter(flt)

    def set_server_filters(self, filters: ServerFilters) -> None:
        self.source.restart(filters)

    def toggle_pause(self) -> bool:
        return self.store.toggle_pause()
