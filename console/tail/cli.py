"""``edge-console tail``: the parsed, filtered stream on stdout for pipes on a jump host.

One line per event (or with ``--json`` one JSON object per event and nothing else on stdout);
lifecycle, notices and errors go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from typing import Any, TextIO

from console.sanitize import clean_line, json_dumps
from console.tail.filters import Filter, FilterError
from console.tail.format import plain_line
from console.tail.settings import ServerFilters, tail_settings
from console.tail.source import TailStatus
from console.tail.workers import WorkerRoleError, resolve_roles, tail_source


def run(args: argparse.Namespace) -> int:
    from console.session import open_session_from_args

    try:
        flt = Filter(args.filter or "")
    except FilterError as exc:
        print(f"edge-console tail: --filter: {exc}", file=sys.stderr)
        return 2
    if args.sampling_rate is not None and not 0 < args.sampling_rate <= 1:
        print("edge-console tail: --sampling-rate: expected a rate between 0 and 1", file=sys.stderr)
        return 2
    session = open_session_from_args(args)
    try:
        settings = tail_settings(session.config)
        roles = list(getattr(args, "worker", []) or []) or list(settings.workers)
        try:
            resolve_roles(session.env, roles)
        except WorkerRoleError as exc:
            where = "--worker" if getattr(args, "worker", None) else "tail.workers"
            print(f"edge-console tail: {where}: {clean_line(str(exc))}", file=sys.stderr)
            return 2
        if args.filter is None and settings.filter:
            flt = Filter(settings.filter)
        server = ServerFilters(
            status=list(args.status),
            method=[m.upper() for m in args.method],
            search=args.search,
            ip=list(args.ip),
            sampling_rate=args.sampling_rate,
        )
        if not server.active:
            server = settings.server
        if session.notice:
            print(f"edge-console tail: {clean_line(session.notice)}", file=sys.stderr)
        return asyncio.run(
            stream(
                session.env,
                server,
                flt,
                as_json=args.json,
                count=args.count,
                once=args.once,
                reconnect_max=settings.reconnect_max_seconds,
                out=sys.stdout,
                err=sys.stderr,
                config=session.config,
                roles=roles,
            )
        )
    except KeyboardInterrupt:
        return 130
    finally:
        session.close()


async def stream(
    env: Any,
    server: ServerFilters,
    flt: Filter,
    *,
    as_json: bool,
    count: int,
    once: bool,
    reconnect_max: float,
    out: TextIO,
    err: TextIO,
    config: Any = None,
    roles: list[str] | None = None,
) -> int:
    wake = asyncio.Event()
    last = {"state": "", "detail": "", "notice": ""}

    def on_status(status: TailStatus) -> None:
        wake.set()
        if status.state != last["state"] or status.detail != last["detail"]:
            last["state"], last["detail"] = status.state, status.detail
            print(f"edge-console tail: {clean_line(status.summary())}", file=err, flush=True)
            if status.state == "reconnecting":
                last["failure"] = status.detail
                if once:
                    source.stop()
        if status.notice and status.notice != last["notice"]:
            last["notice"] = status.notice
            print(f"edge-console tail: notice: {clean_line(status.notice)}", file=err, flush=True)
        wake.set()

    source = tail_source(
        env,
        list(roles or []),
        server,
        on_status=on_status,
        on_events=wake.set,
        reconnect_max=reconnect_max,
        max_pending=100_000,
        config=config,
    )
    for command in getattr(source, "commands", None) or [source.command]:
        print(f"edge-console tail: {clean_line(' '.join(command))}", file=err, flush=True)
    task = asyncio.ensure_future(source.run())
    printed = 0
    try:
        done = False
        while not done:
            await wake.wait()
            wake.clear()
            while True:
                finished = task.done()
                batch = source.take(budget_s=0.2)
                lines = []
                for event in batch:
                    if flt.active and not flt(event):
                        continue
                    lines.append(json_dumps(event.raw, separators=(",", ":")) if as_json else plain_line(event))
                    printed += 1
                    if count and printed >= count:
                        done = True
                        break
                if lines:
                    out.write("\n".join(lines) + "\n")
                    out.flush()
                if done or (not batch and finished and not source.has_backlog):
                    done = done or finished
                    break
                if not batch:
                    break
    except BrokenPipeError:
        pass
    finally:
        source.stop()
        try:
            await asyncio.wait_for(task, timeout=5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            task.cancel()
    if source.status.dropped:
        print(f"edge-console tail: dropped {source.status.dropped} events (output too slow)", file=err)
    failure = last.get("failure", "")
    return 1 if once and failure and not source.status.received else 0
