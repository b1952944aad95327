"""Steps whose outcome nobody knows: a ``started`` record in the audit trail with no ``finished`` one.

Before a step that changes something runs, the engine appends a ``step_started`` record (fsynced) with
a ``step_run`` id and the identity of the console process (``pid``, its start time ``pid_start`` from
``/proc`` and ``host``); after it, the usual ``step`` record with the same ``step_run`` (``phase:
finished``). A console that died mid-step (kill -9, power, OOM) leaves the first without the second: the
change may or may not have landed. On start, :func:`report_unfinished` finds such records whose console
is no longer running (a step another live console is running right now is left alone), returns one line
each ("outcome unknown: check the edge: ..."), and appends a ``step_unknown`` record for each so the
next start does not repeat it. ``edge-console audit`` lists every one of them as ``unknown``.

Reading the trail is disk I/O: the TUI calls this from a thread worker, never on its event loop.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from console.runbook.audit import AuditLog, iso, user_at_host, what_ran

STARTED = "step_started"
FINISHED = "step"
UNKNOWN = "step_unknown"
MESSAGE = "outcome unknown: check the edge"


def _start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux ``/proc/PID/stat`` field 22)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields and fields[0] in ("Z", "X"):
            return -1  # exited, not yet reaped
        return int(fields[19])
    except (OSError, ValueError, IndexError):
        return None


def process_identity() -> dict[str, Any]:
    """What a ``started`` record says about the console running the step."""
    return {"pid": os.getpid(), "pid_start": _start_time(os.getpid()), "host": socket.gethostname()}


def owner_alive(record: dict[str, Any]) -> bool:
    """True when the console that wrote ``record`` may still be running the step (same host, its pid
    alive and, where recorded, started at the same time: not a recycled pid)."""
    pid = record.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if record.get("host") != socket.gethostname():
        return False  # another machine's console: this one cannot tell, so it reports it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    except (OSError, OverflowError):  # a pid no process can have (the file may have been written by anything)
        return False
    recorded = record.get("pid_start")
    if isinstance(recorded, int) and not isinstance(recorded, bool):
        now = _start_time(pid)
        if now is not None and now != recorded:
            return False
    return True


@dataclass
class TrailScan:
    """One pass over the trail: the ``step_run`` ids finished or already reported, the open starts."""

    finished: set[str] = field(default_factory=set)
    reported: set[str] = field(default_factory=set)
    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: int = 0

    def open_records(self) -> list[dict[str, Any]]:
        """``started`` records with no ``finished`` (reported or not), in file order."""
        return [r for key, r in self.started.items() if key not in self.finished]

    def unknown(self, *, unreported_only: bool = False) -> list[dict[str, Any]]:
        """Open starts whose console is gone: their outcome is unknown."""
        return [
            r
            for r in self.open_records()
            if not (unreported_only and r["step_run"] in self.reported) and not owner_alive(r)
        ]


def scan(log: AuditLog) -> TrailScan:
    found = TrailScan()
    for record in log.read():
        key = record.get("step_run")
        if not isinstance(key, str) or not key:
            continue
        event = record.get("event")
        if event == STARTED:
            found.started[key] = record
        elif event == FINISHED:
            found.finished.add(key)
        elif event == UNKNOWN:
            found.reported.add(key)
    found.skipped = log.skipped
    return found


def describe(record: dict[str, Any]) -> str:
    """One line for an operator (plain text; callers escape what they print)."""
    what = what_ran(record)
    when = record.get("start") or record.get("time") or ""
    return (
        f"{MESSAGE}: flow {record.get('flow', '?')} step {record.get('step', '?')}"
        + (f" ({what})" if what else "")
        + f" on {record.get('environment', '?')}, started {when} by {record.get('user', '?')}"
        + f" (console pid {record.get('pid', '?')}), which ended before the step finished"
    )


def mark_reported(log: AuditLog, records: Iterable[dict[str, Any]]) -> None:
    """Append a ``step_unknown`` record for each (raises OSError if the trail cannot be written)."""
    user = user_at_host()
    for record in records:
        now = time.time()
        log.append(
            {
                "event": UNKNOWN,
                "ts": now,
                "time": iso(now),
                "step_run": record.get("step_run"),
                "run_id": record.get("run_id"),
                "flow": record.get("flow"),
                "step": record.get("step"),
                "step_title": record.get("step_title"),
                "kind": record.get("kind"),
                "mutating": record.get("mutating"),
                "status": "unknown",
                "environment": record.get("environment"),
                "user": user,
                "started_by": record.get("user"),
                "started_pid": record.get("pid"),
                "message": describe(record),
            }
        )


def report_unfinished(log: AuditLog | None = None, *, mark: bool = True) -> list[str]:
    """Lines to show at start-up for steps whose outcome is unknown (new ones only when ``mark``: those
    are then recorded as reported). Never raises: a trail that cannot be read or written says so."""
    log = log if log is not None else AuditLog()
    try:
        found = scan(log)
    except OSError as exc:
        return [f"cannot read the audit trail {log.path}: {exc.strerror or exc}"]
    unknown = found.unknown(unreported_only=mark)
    lines = [describe(r) for r in unknown]
    if mark and unknown:
        try:
            mark_reported(log, unknown)
        except (OSError, ValueError) as exc:
            lines.append(f"cannot record in {log.path} that these were reported: {getattr(exc, 'strerror', '') or exc}")
    return lines


def listing_record(record: dict[str, Any], found: TrailScan) -> dict[str, Any] | None:
    """How ``edge-console audit`` and the audit view show ``record``: a ``started`` record whose step
    finished is left out (its ``finished`` record says it all); an open one shows as ``unknown`` (or
    ``running`` while its console lives); a ``step_unknown`` note is left out (its step shows already)."""
    event = record.get("event")
    if event == UNKNOWN:
        return None
    if event != STARTED:
        return record
    key = record.get("step_run")
    if not isinstance(key, str) or key in found.finished:
        return None if isinstance(key, str) else record
    shown = dict(record)
    shown["status"] = "running" if owner_alive(record) else "unknown"
    shown["message"] = "" if shown["status"] == "running" else describe(record)
    return shown
