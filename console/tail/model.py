"""The tail event model: one ``wrangler tail --format json`` object.

The fields the console filters, shows and ranks on are pulled out once; the object itself is kept as
its JSON text (``text``), not as a tree of Python objects. That keeps everything (unknown fields
survive save and detail), costs one string per event instead of dozens of objects (memory, and the
garbage collector's work under a flood), and lets free-text filters search the JSON like the
runbook's ``| grep``. ``raw`` parses the text again when the detail view or a save needs the tree.
"""

from __future__ import annotations

import itertools
import json
import sys
from typing import Any
from urllib.parse import urlsplit

#: Outcomes known to wrangler today; the set is open (anything else is shown as-is).
KNOWN_OUTCOMES = ("ok", "exception", "exceededCpu", "exceededMemory", "canceled",
                  "responseStreamDisconnected", "loadShed", "scriptNotFound", "unknown")
LOG_LEVELS = ("debug", "info", "log", "warn", "error")
_LEVEL_BIT = {name: 1 << i for i, name in enumerate(LOG_LEVELS)}

#: Severity ranks used for colour and sorting: 0 ok, 1 notice, 2 warning, 3 error.
SEV_OK, SEV_NOTICE, SEV_WARN, SEV_ERROR = 0, 1, 2, 3

_seq = itertools.count(1)
_intern = sys.intern
_NUMBER = (int, float)


def _share(value: Any) -> str:
    """One string object for repeated small values (outcome, method, colo, ...)."""
    if type(value) is str:
        return _intern(value) if len(value) <= 64 else value
    return "" if value is None else str(value)


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def message_text(parts: Any) -> str:
    """A console.log ``message`` array (or anything else) as one line of text."""
    if isinstance(parts, list):
        return " ".join(p if isinstance(p, str) else _compact(p) for p in parts)
    if isinstance(parts, str):
        return parts
    return _compact(parts)


def _compact(value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


class TailEvent:
    """One tail event. Construction pulls out the fields; ``text`` keeps the whole object."""

    __slots__ = ("text", "seq", "ts", "outcome", "script", "cpu", "wall", "kind", "method", "url", "colo",
                 "country", "status", "ip", "n_exceptions", "error_logs", "levels", "errors", "notice",
                 "severity", "_path")

    def __init__(self, raw: dict[str, Any], text: str | None = None) -> None:
        self.text = text if text is not None else json.dumps(raw, ensure_ascii=False)
        self.seq = next(_seq)
        get = raw.get
        ts = get("eventTimestamp")
        self.ts = float(ts) if type(ts) in _NUMBER else 0.0
        outcome = get("outcome")
        # The runbook reads ``.outcome.cpuTime``; real events have a string outcome and a top-level
        # cpuTime. Accept both shapes.
        cpu = get("cpuTime")
        if type(cpu) not in _NUMBER:
            cpu = None
        wall = get("wallTime")
        if type(wall) not in _NUMBER:
            wall = None
        if isinstance(outcome, dict):
            cpu = cpu if cpu is not None else _num(outcome.get("cpuTime"))
            wall = wall if wall is not None else _num(outcome.get("wallTime"))
            outcome = outcome.get("outcome") or outcome.get("type") or "unknown"
        self.outcome = _share(outcome) if outcome else "unknown"
        self.script = _share(get("scriptName") or "")
        self.cpu = cpu
        self.wall = wall
        self.method = ""
        self.url = ""
        self.colo = ""
        self.country = ""
        self.status: int | None = None
        self.ip = ""
        self.notice = ""
        self._path: str | None = None
        event = get("event")
        self.kind = "unknown"
        if isinstance(event, dict):
            request = event.get("request")
            if isinstance(request, dict):
                self.kind = "request"
                self.method = _share(request.get("method") or "")
                self.url = str(request.get("url") or "")
                cf = request.get("cf")
                if isinstance(cf, dict):
                    self.colo = _share(cf.get("colo") or "")
                    self.country = _share(cf.get("country") or "")
                headers = request.get("headers")
                if isinstance(headers, dict):
                    self.ip = _share(headers.get("cf-connecting-ip") or headers.get("x-real-ip") or "")
                response = event.get("response")
                if isinstance(response, dict):
                    status = _num(response.get("status"))
                    self.status = int(status) if status is not None else None
            elif "cron" in event:
                self.kind = "cron"
                self.url = str(event.get("cron"))
            elif "queue" in event:
                self.kind = "queue"
                self.url = str(event.get("queue"))
            elif "rpcMethod" in event:
                self.kind = "rpc"
                self.url = str(event.get("rpcMethod"))
            elif "mailFrom" in event or "rcptTo" in event:
                self.kind = "email"
                self.url = str(event.get("rcptTo") or "")
            elif event.get("type") in ("overload", "overload-stop") or (
                    "message" in event and "type" in event and len(event) <= 3):
                self.kind = "notice"
                self.notice = str(event.get("message") or event.get("type"))
            elif "scheduledTime" in event:
                self.kind = "alarm"
        errors: list[tuple[str, str]] = []
        exceptions = get("exceptions")
        n_exc = 0
        if exceptions and isinstance(exceptions, list):
            for exc in exceptions:
                if isinstance(exc, dict):
                    n_exc += 1
                    errors.append(("exception", f"{exc.get('name') or 'Error'}: {exc.get('message', '')}"))
        self.n_exceptions = n_exc
        logs = get("logs")
        levels = 0
        error_logs = 0
        if logs and isinstance(logs, list):
            for log in logs:
                if type(log) is dict:
                    level = log.get("level")
                    bit = _LEVEL_BIT.get(level, 0) if type(level) is str else 0
                    levels |= bit
                    if level == "error":
                        error_logs += 1
                        errors.append(("log", message_text(log.get("message"))))
        self.levels = levels
        self.error_logs = error_logs
        self.errors = tuple((source, message.replace("\n", " ")[:300]) for source, message in errors) if errors else ()
        self.severity = self._severity()

    def _severity(self) -> int:
        if self.kind == "notice":
            return SEV_NOTICE
        if self.outcome not in ("ok", "unknown") or self.n_exceptions or self.error_logs:
            return SEV_ERROR
        if self.status is not None and self.status >= 500:
            return SEV_ERROR
        if self.levels & _LEVEL_BIT["warn"] or (self.status is not None and self.status >= 400):
            return SEV_WARN
        return SEV_OK

    # -- derived --------------------------------------------------------------------------------
    @property
    def raw(self) -> dict[str, Any]:
        """The whole object, parsed again from ``text`` (for the detail view and saving)."""
        value = json.loads(self.text)
        return value if isinstance(value, dict) else {}

    @property
    def path(self) -> str:
        if self._path is None:
            if self.kind == "request" and self.url:
                try:
                    parts = urlsplit(self.url)
                    self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                except ValueError:
                    self._path = self.url
            else:
                self._path = self.url
        return self._path

    @property
    def logs(self) -> list[dict[str, Any]]:
        logs = self.raw.get("logs")
        return [log for log in logs if isinstance(log, dict)] if isinstance(logs, list) else []

    @property
    def exceptions(self) -> list[dict[str, Any]]:
        exc = self.raw.get("exceptions")
        return [e for e in exc if isinstance(e, dict)] if isinstance(exc, list) else []

    def has_level(self, level: str) -> bool:
        return bool(self.levels & _LEVEL_BIT.get(level, 0))

    @property
    def headline(self) -> str:
        """The first exception (``Name: message``), else the first error log, else the notice."""
        if self.errors:
            return self.errors[0][1]
        return self.notice.replace("\n", " ")
