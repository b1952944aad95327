"""The audit trail: one JSON line per step under ``state_dir()/audit.jsonl``, flushed and fsynced
before the step is reported done (a step that changes something also has a ``step_started`` line written
before it runs: :mod:`console.runbook.unfinished`). Records are already masked by the engine;
:meth:`AuditLog.append` masks once more against the secrets it is given, as a last line of defence.
:meth:`AuditLog.read` skips and counts lines that are not records (the file may hold anything).
"""

from __future__ import annotations

import getpass
import json
import math
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from console import safejson
from console.paths import state_dir
from console.safefile import ensure_private_dir, open_append, open_read
from console.sanitize import clean_line
from console.secrets import mask

AUDIT_FILE = "audit.jsonl"
#: a longer line is not a record the console wrote (a step's record is a few KiB): skipped
MAX_LINE_BYTES = 1 << 20


def user_at_host() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_since(text: str, now: float | None = None) -> float:
    """``--since``: an ISO time (``2024-01-15T00:00:00Z``, ``2024-01-15``) or an age (``30m``, ``2h``, ``7d``).
    Raises ValueError with what is wrong."""
    from console.runbook.inputs import duration_seconds

    raw = text.strip()
    try:
        seconds = duration_seconds(raw)
    except ValueError:
        pass
    else:
        import time

        return (now if now is not None else time.time()) - seconds
    candidate = raw[:-1] + "+00:00" if raw.endswith("Z") else raw
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise ValueError(
            f"--since {text!r}: expected an ISO time (2024-01-15T09:00:00Z) or an age (30m, 2h, 7d)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def parse_record(raw: bytes) -> dict[str, Any] | None:
    """One line of the trail as a record, or None if it is not one (see :meth:`AuditLog.read`)."""
    try:
        record = safejson.loads(raw.decode("utf-8"))  # nested past MAX_JSON_DEPTH: a bad line
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    ts = record.get("ts")
    if ts is not None and _finite_ts(ts) is None:
        return None
    return record


#: the latest ``ts`` a record may carry (9999-12-31T23:59:59Z): past it, no calendar can show it
MAX_TS = 253402300799.0


def _finite_ts(ts: Any) -> float | None:
    """``ts`` as seconds, or None unless it is a number a calendar can show (a JSON integer of 400
    digits overflows a float: bad, not a crash)."""
    if isinstance(ts, bool) or not isinstance(ts, (int, float)):
        return None
    try:
        value = float(ts)
    except OverflowError:
        return None
    if not math.isfinite(value) or abs(value) > MAX_TS:
        return None
    return value


def record_ts(record: dict[str, Any]) -> float:
    return _finite_ts(record.get("ts")) or 0.0


def what_ran(record: dict[str, Any]) -> str:
    """The command (``argv``: a list of strings) or request (``request``: an object) a record names, as
    text; a field of another type (the file may have been written by anything) names nothing."""
    argv = record.get("argv")
    if isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv):
        return " ".join(argv)
    request = record.get("request")
    if isinstance(request, dict):
        method, url = request.get("method", ""), request.get("url", "")
        return " ".join(v for v in (method, url) if isinstance(v, str) and v)
    return ""


class AuditLog:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else state_dir() / AUDIT_FILE
        self._lock = threading.Lock()
        #: bad lines the latest :meth:`read` skipped
        self.skipped = 0

    def append(self, record: dict[str, Any], secrets: list[str | None] | None = None) -> dict[str, Any]:
        """Write one record as a JSON line; returns the record as written. Durable on return."""
        line = json.dumps(record, ensure_ascii=False, default=str, sort_keys=False)
        if secrets:
            masked = mask(line, secrets)
            if masked != line:
                line = masked
                record = json.loads(line)
        ensure_private_dir(self.path.parent, "audit directory")
        with self._lock:
            fd = open_append(self.path)  # 0600, never through a symlink
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        return record

    def read(self, since: float | None = None) -> Iterator[dict[str, Any]]:
        """Records in file order, newer than ``since`` (epoch seconds). A bad line (not UTF-8, not JSON,
        not a JSON object, a ``ts`` that is not a finite number, longer than :data:`MAX_LINE_BYTES`) is
        skipped and counted in :attr:`skipped` (the count of the latest read, final once it is consumed)."""
        self.skipped = 0
        try:
            handle = open_read(self.path)
        except FileNotFoundError:
            return
        with handle:
            while True:
                raw = handle.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                    self.skipped += 1
                    while raw and not raw.endswith(b"\n"):  # the rest of the over-long line
                        raw = handle.readline(MAX_LINE_BYTES)
                    continue
                record = parse_record(raw)
                if record is None:
                    if raw.strip():
                        self.skipped += 1
                    continue
                if since is not None and record_ts(record) < since:
                    continue
                yield record


def mark_simulated(record: dict[str, Any], env: Any) -> dict[str, Any]:
    """A step run against the simulated edge is a drill: its record says so (``"simulated": true``), so
    the trail never lets it pass for a change to a real environment."""
    if getattr(env, "simulated", False):
        record["simulated"] = True
    return record


def environment_label(record: dict[str, Any]) -> str:
    """The environment as shown: ``production``, or ``production (SIMULATED)`` for a drill's record."""
    env = record.get("environment", "")
    env = env if isinstance(env, str) else str(env)
    return f"{env} (SIMULATED)" if record.get("simulated") is True else env


def format_record(record: dict[str, Any]) -> str:
    """One line for ``edge-console audit`` and the app's audit view (fields shown escaped: the
    trail records outside text, and the file itself may have been written by anything)."""
    when = record.get("start") or record.get("time") or ""
    status = record.get("status", "")
    what = what_ran(record)
    code = ""
    if record.get("exit_code") is not None:
        code = f" exit={record['exit_code']}"
    elif record.get("http_status") is not None:
        code = f" http={record['http_status']}"
    step = record.get("step") or record.get("event", "")
    return clean_line(
        f"{when}  {environment_label(record)}  {record.get('user', '')}  "
        f"{record.get('flow', '')}/{step}  {status}{code}  {what}".rstrip()
    )
