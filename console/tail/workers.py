"""Tailing several workers of the edge at once: one ``wrangler tail <script> --format json`` per worker role
(``environments.*.workers``), their events merged into one stream, each event labelled with its role.

:func:`tail_source` gives a plain :class:`TailSource` for one role and a :class:`MergedTailSource` for several;
both have the consumer API the CLI, the parse pump and the log view use (``take``, ``status``, ``run``,
``stop``, ``restart``, ``filters``, ``command``, ``has_backlog``, ``rate``, ``on_bytes``). The merged ``take``
returns each round's events ordered by their timestamps; the status is the children's, combined (streaming
if any streams; otherwise the first child's state) with counters summed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from console.config import Environment
from console.tail.model import TailEvent
from console.tail.settings import ServerFilters
from console.tail.source import TailSource, TailStatus


class WorkerRoleError(ValueError):
    pass


def resolve_roles(env: Environment, roles: list[str]) -> list[tuple[str, str]]:
    """``[(role, script)]`` for the roles asked (in the order given, each once); an unknown or unconfigured
    role raises :class:`WorkerRoleError` naming the configured ones."""
    known = env.worker_roles()
    out: list[tuple[str, str]] = []
    for role in roles:
        if role in (r for r, _ in out):
            continue
        script = env.worker_for(role) if role in known else ""
        if not script:
            listed = ", ".join(known) or "none"
            raise WorkerRoleError(
                f"no worker {role!r} in environment {env.name!r} (configured roles: {listed}; "
                f"set environments.{env.name}.workers.{role})"
            )
        out.append((role, script))
    return out


def tail_source(
    env: Environment, roles: list[str], filters: ServerFilters | None = None, **kw: Any
) -> TailSource | "MergedTailSource":
    """The source for ``roles`` (none: the environment's default worker, unlabelled)."""
    if not roles:
        return TailSource(env, filters, **kw)
    pairs = resolve_roles(env, roles)
    if len(pairs) == 1:
        role, script = pairs[0]
        return TailSource(env, filters, worker=script, label=role, **kw)
    return MergedTailSource(env, pairs, filters, **kw)


class MergedTailSource:
    def __init__(
        self,
        env: Environment,
        pairs: list[tuple[str, str]],
        filters: ServerFilters | None = None,
        *,
        on_status: Callable[[TailStatus], Any] | None = None,
        on_events: Callable[[], Any] | None = None,
        **kw: Any,
    ) -> None:
        self.env = env
        self.roles = [role for role, _ in pairs]
        self.on_status = on_status
        self.status = TailStatus()
        self.children = [
            TailSource(env, filters, worker=script, label=role, on_status=self._child_status, on_events=on_events, **kw)
            for role, script in pairs
        ]
        self._on_bytes: Callable[[], Any] | None = None
        self._combine()

    # -- what the consumers read ---------------------------------------------------------------------------
    @property
    def filters(self) -> ServerFilters:
        return self.children[0].filters

    @property
    def command(self) -> list[str]:
        """The first child's argv (for a status line); :attr:`commands` has them all."""
        return self.children[0].command

    @property
    def commands(self) -> list[list[str]]:
        return [child.command for child in self.children]

    @property
    def on_bytes(self) -> Callable[[], Any] | None:
        return self._on_bytes

    @on_bytes.setter
    def on_bytes(self, callback: Callable[[], Any] | None) -> None:
        self._on_bytes = callback
        for child in self.children:
            child.on_bytes = callback

    @property
    def has_backlog(self) -> bool:
        return any(child.has_backlog for child in self.children)

    @property
    def backlog_bytes(self) -> int:
        return sum(child.backlog_bytes for child in self.children)

    @property
    def noise(self) -> list[str]:
        return [line for child in self.children for line in child.noise]

    @property
    def stderr(self) -> list[str]:
        return [f"{child.label}: {line}" for child in self.children for line in child.stderr]

    def rate(self) -> float:
        return sum(child.rate() for child in self.children)

    def take(self, limit: int | None = None, budget_s: float = 0.05) -> list[TailEvent]:
        """Each child's share of ``limit`` and ``budget_s``; the round's events in timestamp order."""
        share = None if limit is None else max(1, limit // len(self.children))
        events: list[TailEvent] = []
        for child in self.children:
            events.extend(child.take(limit=share, budget_s=budget_s / len(self.children)))
        events.sort(key=lambda event: event.ts)
        self._combine()
        return events

    # -- control ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        await asyncio.gather(*(child.run() for child in self.children))

    def stop(self) -> None:
        for child in self.children:
            child.stop()

    def restart(self, filters: ServerFilters | None = None) -> None:
        for child in self.children:
            child.restart(filters)

    def _child_status(self, _status: TailStatus) -> None:
        self._combine()
        if self.on_status is not None:
            self.on_status(self.status)

    def _combine(self) -> None:
        states = [child.status for child in self.children]
        streaming = [s for s in states if s.state == "streaming"]
        lead = streaming[0] if streaming else states[0]
        status = self.status
        status.state = lead.state
        problems = [
            f"{child.label}: {child.status.detail}"
            for child in self.children
            if child.status.detail and child.status.state != "streaming"
        ]
        status.detail = "; ".join(problems)
        status.retry_at = lead.retry_at
        for name in ("received", "broken", "noise", "dropped", "attempts"):
            setattr(status, name, sum(getattr(s, name) for s in states))
        status.rate = sum(s.rate for s in states)
        status.notice = next((s.notice for s in states if s.notice), "")
        status.last_error = next(
            (f"{c.label}: {c.status.last_error}" for c in self.children if c.status.last_error), ""
        )
        status.command = " + ".join(" ".join(child.command) for child in self.children)
        status.changed = time.monotonic()
