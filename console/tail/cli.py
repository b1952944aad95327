"""``edge-console tail``: the parsed, filtered stream on stdout for pipes on a jump host.

One line per event (or with ``--json`` one JSON object per event and nothing else on stdout);
lifecycle, notices and errors go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from typing import Any, Callable, TextIO

from console import gctune
from console.sanitize import clean_json_bytes, clean_line, json_dumps
from console.tail.filters import Filter, FilterError
from console.tail.format import plain_line
from console.tail.model import TailEvent, json_text_line
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
    if args.count < 0:
        print("edge-console tail: --count: expected 0 (no limit) or more events", file=sys.stderr)
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
        json_lines=as_json,  # each event's output line written by the parser, from the tree it just decoded
        # JSON lines need no field of the event unless the filter reads one: those are pulled out on first use
        lazy_events=as_json and not flt.needs_fields,
    )
    for command in getattr(source, "commands", None) or [source.command]:
        print(f"edge-console tail: {clean_line(' '.join(command))}", file=err, flush=True)
    task = asyncio.ensure_future(source.run())
    # start-up is over: the collector's policy for a flood (frozen start-up heap, rarer collections)
    gctune.settle()
    write = _writer(out, as_json)
    printed = 0
    try:
        done = False
        while not done:
            await wake.wait()
            wake.clear()
            while True:
                finished = task.done()
                batch = source.take(budget_s=0.2)
                shown = [event for event in batch if flt(event)] if flt.active else batch
                if count and printed + len(shown) >= count:
                    shown = shown[: count - printed]
                    done = True
                printed += len(shown)
                if shown:
                    write(shown)  # the whole batch in one write and one flush
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


def json_line(event: TailEvent) -> bytes:
    """The event as one line of JSON with every unsafe character escaped: the parser's compact line, or
    (an object the stdlib decoded, or a source without json_lines) the text parsed again and dumped."""
    line = event.json
    if line is not None:
        return clean_json_bytes(line)
    try:
        return json_dumps(event.raw, separators=(",", ":")).encode("utf-8")
    except RecursionError:  # nested deeper than the stdlib writes (orjson read it): its own text on one line
        return clean_json_bytes(json_text_line(event.text).encode("utf-8"))


def _writer(out: TextIO, as_json: bool) -> Callable[[list[TailEvent]], None]:
    """Writes a batch of events to ``out``: JSON lines as bytes straight to its binary buffer when it has
    one (no text layer), else text."""
    binary = getattr(out, "buffer", None) if as_json else None

    def write(batch: list[TailEvent]) -> None:
        if as_json:
            data = b"\n".join([json_line(event) for event in batch]) + b"\n"
            if binary is not None:
                out.flush()  # anything written as text first stays first
                binary.write(data)
                binary.flush()
                return
            out.write(data.decode("utf-8"))
        else:
            out.write("\n".join([plain_line(event) for event in batch]) + "\n")
        out.flush()

    return write
