"""The audit trail: one JSON line per step under ``state_dir()/audit.jsonl``, flushed and fsynced
before the step is reported done. Records are already masked by the engine; :meth:`AuditLog.append`
masks once more against the secrets it is given, as a last line of defence.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from console.paths import state_dir
from console.secrets import mask

AUDIT_FILE = "audit.jsonl"


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
        raise ValueError(f"--since {text!r}: expected an ISO time (2024-01-15T09:00:00Z) or an age (30m, 2h, 7d)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class AuditLog:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else state_dir() / AUDIT_FILE
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any], secrets: list[str | None] | None = None) -> dict[str, Any]:
        """Write one record as a JSON line; returns the record as written. Durable on return."""
        line = json.dumps(record, ensure_ascii=False, default=str, sort_keys=False)
        if secrets:
            masked = mask(line, secrets)
            if masked != line:
                line = masked
                record = json.loads(line)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        return record

    def read(self, since: float | None = None) -> Iterator[dict[str, Any]]:
        """Records in file order, newer than ``since`` (epoch seconds); bad lines are skipped."""
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if since is not None and float(record.get("ts", 0)) < since:
                    continue
                yield record


def format_record(record: dict[str, Any]) -> str:
    """One line for ``edge-console audit`` and the app's audit view."""
    when = record.get("start") or record.get("time") or ""
    status = record.get("status", "")
    what = ""
    if record.get("argv"):
        what = " ".join(record["argv"])
    elif record.get("request"):
        req = record["request"]
        what = f"{req.get('method', '')} {req.get('url', '')}"
    code = ""
    if record.get("exit_code") is not None:
        code = f" exit={record['exit_code']}"
    elif record.get("http_status") is not None:
        code = f" http={record['http_status']}"
    step = record.get("step") or record.get("event", "")
    return (f"{when}  {record.get('environment', '')}  {record.get('user', '')}  {record.get('flow', '')}/{step}  "
            f"{status}{code}  {what}").rstrip()
