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

try:
    from orjson import loads as _loads
except ImportError:  # a broken install: the stdlib does the same, slower
    _loads = json.loads

#: Outcomes known to wrangler today; the set is open (anything else is shown as-is).
KNOWN_OUTCOMES = (
    "ok",
    "exception",
    "exceededCpu",
    "exceededMemory",
    "canceled",
    "responseStreamDisconnected",
    "loadShed",
    "scriptNotFound",
    "unknown",
)
LOG_LEVELS = ("debug", "info", "log", "warn", "error")
_LEVEL_BIT = {name: 1 << i for i, name in enumerate(LOG_LEVELS)}
_WARN_BIT = _LEVEL_BIT["warn"]

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


def _int(value: Any) -> int | None:
    """A response status that is not a plain int: a float (truncated), else None."""
    number = _num(value)
    if number is None:
        return None
    try:
        return int(number)
    except (ValueError, OverflowError):  # nan, inf
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
    except RecursionError:  # nested deeper than the stdlib writes (orjson reads 1024 levels)
        return "[nested too deep to show]"


def other_kind(event: Any) -> tuple[str, str, str]:
    """(kind, what it ran for, notice text) of an event that is not a request (its ``event`` member):
    cron, queue, rpc, email, notice (wrangler's overload messages), alarm or unknown."""
    if not isinstance(event, dict):
        return "unknown", "", ""
    if "cron" in event:
        return "cron", str(event.get("cron")), ""
    if "queue" in event:
        return "queue", str(event.get("queue")), ""
    if "rpcMethod" in event:
        return "rpc", str(event.get("rpcMethod")), ""
    if "mailFrom" in event or "rcptTo" in event:
        return "email", str(event.get("rcptTo") or ""), ""
    if event.get("type") in ("overload", "overload-stop") or (
        "message" in event and "type" in event and len(event) <= 3
    ):
        return "notice", "", str(event.get("message") or event.get("type"))
    if "scheduledTime" in event:
        return "alarm", "", ""
    return "unknown", "", ""


#: JSON text holds tabs, newlines and carriage returns only as whitespace between tokens (in a string they
#: are escaped), so the text with each one a space is the same JSON on one line
_WHITESPACE_TO_SPACE = {9: 32, 10: 32, 13: 32}


def json_text_line(text: str) -> str:
    """An event's JSON ``text`` (as the parser read it) as one line: what to write for an object nested
    deeper than ``json.dumps`` writes (orjson reads 1024 levels; the stdlib's stack ends near 1000)."""
    return text.translate(_WHITESPACE_TO_SPACE)


class TailEvent:
    """One tail event. Construction pulls out the fields; ``text`` keeps the whole object."""

    __slots__ = (
        "text",
        "seq",
        "ts",
        "outcome",
        "script",
        "cpu",
        "wall",
        "kind",
        "method",
        "url",
        "colo",
        "country",
        "status",
        "ip",
        "n_exceptions",
        "error_logs",
        "levels",
        "errors",
        "notice",
        "severity",
        "_path",
        "worker",
        "json",
    )

    def __init__(self, raw: dict[str, Any], text: str | None = None) -> None:
        # Hot path (every event of a flood): plain type checks and local names, no helper calls in
        # the common case; each slot is written once.
        self.text = text if text is not None else json.dumps(raw, ensure_ascii=False)
        self.seq = next(_seq)
        #: the worker role this event was tailed from when a tail names one (``--worker``, merged tails);
        #: set by the source from the config, never from the event
        self.worker = ""
        #: the event as one compact JSON line (UTF-8, not sanitised) when the source was asked for them
        #: (``edge-console tail --json``); written by the parser while the tree was at hand, else None
        self.json: bytes | None = None
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
        if type(outcome) is str:
            outcome = _intern(outcome) if outcome and len(outcome) <= 64 else (outcome or "unknown")
        elif isinstance(outcome, dict):
            cpu = cpu if cpu is not None else _num(outcome.get("cpuTime"))
            wall = wall if wall is not None else _num(outcome.get("wallTime"))
            outcome = outcome.get("outcome") or outcome.get("type") or "unknown"
            outcome = _share(outcome) or "unknown"
        else:
            outcome = _share(outcome) if outcome else "unknown"
        self.outcome = outcome
        script = get("scriptName")
        self.script = _intern(script) if type(script) is str and len(script) <= 64 else _share(script or "")
        self.cpu = cpu
        self.wall = wall
        self._path = None
        status = None
        kind = "unknown"
        notice = ""
        event = get("event")
        request = event.get("request") if type(event) is dict else None
        if type(request) is dict:
            kind = "request"
            rget = request.get
            method = rget("method")
            self.method = _intern(method) if type(method) is str and len(method) <= 64 else _share(method or "")
            url = rget("url")
            self.url = url if type(url) is str else str(url or "")
            cf = rget("cf")
            if type(cf) is dict:
                colo = cf.get("colo")
                country = cf.get("country")
                self.colo = _intern(colo) if type(colo) is str and len(colo) <= 64 else _share(colo or "")
                self.country = (
                    _intern(country) if type(country) is str and len(country) <= 64 else _share(country or "")
                )
            else:
                self.colo = self.country = ""
            headers = rget("headers")
            if type(headers) is dict:
                ip = headers.get("cf-connecting-ip") or headers.get("x-real-ip")
                self.ip = _intern(ip) if type(ip) is str and len(ip) <= 64 else _share(ip or "")
            else:
                self.ip = ""
            response = event.get("response")
            if type(response) is dict:
                status = response.get("status")
                if type(status) is not int:
                    status = _int(status)
        else:
            self.method = self.colo = self.country = self.ip = ""
            kind, self.url, notice = other_kind(event)
        self.kind = kind
        self.notice = notice
        self.status = status
        errors: list[tuple[str, str]] | None = None
        n_exc = 0
        exceptions = get("exceptions")
        if exceptions and type(exceptions) is list:
            for exc in exceptions:
                if type(exc) is dict:
                    n_exc += 1
                    name = exc.get("name") or "Error"
                    message = exc.get("message", "")
                    text = (
                        (name if type(name) is str else str(name))
                        + ": "
                        + (message if type(message) is str else str(message))
                    )
                    if errors is None:
                        errors = []
                    errors.append(("exception", text.replace("\n", " ")[:300]))
        levels = 0
        error_logs = 0
        logs = get("logs")
        if logs and type(logs) is list:
            level_bit = _LEVEL_BIT
            for log in logs:
                if type(log) is dict:
                    level = log.get("level")
                    if type(level) is str:
                        levels |= level_bit.get(level, 0)
                        if level == "error":
                            error_logs += 1
                            if errors is None:
                                errors = []
                            errors.append(("log", message_text(log.get("message")).replace("\n", " ")[:300]))
        self.n_exceptions = n_exc
        self.levels = levels
        self.error_logs = error_logs
        self.errors = tuple(errors) if errors else ()
        # severity: 0 ok, 1 notice, 2 warning, 3 error (see :meth:`_severity`)
        if kind == "notice":
            self.severity = SEV_NOTICE
        elif (
            n_exc or error_logs or (outcome != "ok" and outcome != "unknown") or (status is not None and status >= 500)
        ):
            self.severity = SEV_ERROR
        elif levels & _WARN_BIT or (status is not None and status >= 400):
            self.severity = SEV_WARN
        else:
            self.severity = SEV_OK

    def _severity(self) -> int:
        """The severity rule, from the fields (``__init__`` computes the same inline)."""
        if self.kind == "notice":
            return SEV_NOTICE
        if self.outcome not in ("ok", "unknown") or self.n_exceptions or self.error_logs:
            return SEV_ERROR
        if self.status is not None and self.status >= 500:
            return SEV_ERROR
        if self.levels & _WARN_BIT or (self.status is not None and self.status >= 400):
            return SEV_WARN
        return SEV_OK

    # -- derived --------------------------------------------------------------------------------
    @property
    def raw(self) -> dict[str, Any]:
        """The whole object, parsed again from ``text`` (for the detail view and saving)."""
        try:
            value = _loads(self.text)
        except ValueError:  # what orjson refuses but the parser's stdlib fallback accepted
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
