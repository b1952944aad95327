"""The tail event model: one ``wrangler tail --format json`` object, with the fields the console uses
pulled out once and everything else kept in ``raw`` (unknown fields survive save/export)."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

#: Outcomes known to wrangler today; the set is open (anything else is shown as-is).
KNOWN_OUTCOMES = ("ok", "exception", "exceededCpu", "exceededMemory", "canceled",
                  "responseStreamDisconnected", "loadShed", "scriptNotFound", "unknown")
LOG_LEVELS = ("debug", "info", "log", "warn", "error")

#: Severity ranks used for colour and sorting: 0 ok, 1 notice, 2 warning, 3 error.
SEV_OK, SEV_NOTICE, SEV_WARN, SEV_ERROR = 0, 1, 2, 3

_seq = itertools.count(1)


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
    import json

    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


class TailEvent:
    """One tail event. Construction is cheap (a few dict lookups); text is built lazily."""

    __slots__ = ("raw", "seq", "ts", "outcome", "script", "cpu", "wall", "kind", "method", "url", "colo",
                 "country", "status", "ip", "n_exceptions", "error_logs", "levels", "_path", "_haystack",
                 "_headline", "notice")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.seq = next(_seq)
        ts = _num(raw.get("eventTimestamp"))
        self.ts = ts if ts is not None else 0.0
        outcome = raw.get("outcome")
        # The runbook reads ``.outcome.cpuTime``; real events have a string outcome and a top-level
        # cpuTime. Accept both shapes.
        cpu = _num(raw.get("cpuTime"))
        wall = _num(raw.get("wallTime"))
        if isinstance(outcome, dict):
            cpu = cpu if cpu is not None else _num(outcome.get("cpuTime"))
            wall = wall if wall is not None else _num(outcome.get("wallTime"))
            outcome = outcome.get("outcome") or outcome.get("type") or "unknown"
        self.outcome = str(outcome) if outcome not in (None, "") else "unknown"
        self.script = str(raw.get("scriptName") or "")
        self.cpu = cpu
        self.wall = wall
        self.method = ""
        self.url = ""
        self.colo = ""
        self.country = ""
        self.status: int | None = None
        self.ip = ""
        self.notice = ""
        event = raw.get("event")
        self.kind = "unknown"
        if isinstance(event, dict):
            request = event.get("request")
            if isinstance(request, dict):
                self.kind = "request"
                self.method = str(request.get("method") or "")
                self.url = str(request.get("url") or "")
                cf = request.get("cf")
                if isinstance(cf, dict):
                    self.colo = str(cf.get("colo") or "")
                    self.country = str(cf.get("country") or "")
                headers = request.get("headers")
                if isinstance(headers, dict):
                    self.ip = str(headers.get("cf-connecting-ip") or headers.get("x-real-ip") or "")
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
        exceptions = raw.get("exceptions")
        self.n_exceptions = len(exceptions) if isinstance(exceptions, list) else 0
        logs = raw.get("logs")
        levels = 0
        error_logs = 0
        if isinstance(logs, list):
            for log in logs:
                if isinstance(log, dict):
                    level = log.get("level")
                    if level == "error":
                        error_logs += 1
                    try:
                        levels |= 1 << LOG_LEVELS.index(level)
                    except ValueError:
                        pass
        self.levels = levels
        self.error_logs = error_logs
        self._path: str | None = None
        self._haystack: str | None = None
        self._headline: str | None = None

    # -- derived --------------------------------------------------------------------------------
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
        try:
            return bool(self.levels & (1 << LOG_LEVELS.index(level)))
        except ValueError:
            return any(log.get("level") == level for log in self.logs)

    @property
    def severity(self) -> int:
        if self.kind == "notice":
            return SEV_NOTICE
        if self.outcome not in ("ok", "unknown") or self.n_exceptions:
            return SEV_ERROR
        if self.error_logs or (self.status is not None and self.status >= 500):
            return SEV_ERROR
        if self.has_level("warn") or (self.status is not None and self.status >= 400):
            return SEV_WARN
        return SEV_OK

    @property
    def headline(self) -> str:
        """The first exception (``Name: message``), else the first error log, else the notice."""
        if self._headline is None:
            text = ""
            for exc in self.exceptions:
                name = str(exc.get("name") or "Error")
                text = f"{name}: {exc.get('message', '')}"
                break
            if not text and self.error_logs:
                for log in self.logs:
                    if log.get("level") == "error":
                        text = message_text(log.get("message"))
                        break
            if not text and self.notice:
                text = self.notice
            self._headline = text.replace("\n", " ")
        return self._headline

    @property
    def haystack(self) -> str:
        """Lower-cased searchable text: URL, log messages, exceptions, outcome, colo, method."""
        if self._haystack is None:
            parts = [self.outcome, self.script, self.method, self.url, self.colo, self.country, self.ip,
                     self.notice, str(self.status or "")]
            for log in self.logs:
                parts.append(message_text(log.get("message")))
            for exc in self.exceptions:
                parts.append(str(exc.get("name") or ""))
                parts.append(str(exc.get("message") or ""))
                parts.append(str(exc.get("stack") or ""))
            self._haystack = "\n".join(parts).lower()
        return self._haystack
