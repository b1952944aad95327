"""Filter expressions for the tail (the view's ``/`` and ``edge-console tail --filter``).

An expression is whitespace-separated terms that must all match (AND). Each term may be negated
with a leading ``!``. Terms:

``text`` / ``"two words"``   free text, case-insensitive, anywhere in the event's JSON (like ``| grep -i``)
``level:error``              some log line at that level (debug, info, log, warn, error)
``outcome:exception``        the outcome (comma list: ``outcome:exceededCpu,exceededMemory``)
``exceptions`` / ``exc``     events with at least one exception
``errors``                   severity error (exception, non-ok outcome, error log or 5xx)
``cpu>25`` ``cpu<=5``        CPU time in ms (the runbook's ``select(.outcome.cpuTime > 25)``)
``wall>100``                 wall time in ms
``method:POST``              request method (comma list)
``colo:FRA``                 Cloudflare colo (comma list)
``country:DE``               request country (comma list)
``status:500`` ``status:5xx`` ``status>=500``   response status
``ip:203.0.113.7``           client IP (cf-connecting-ip)
``path:/api``                URL path prefix
``kind:cron``                event kind (request, cron, queue, alarm, email, rpc, notice)
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable

from console.tail.model import LOG_LEVELS, TailEvent

Predicate = Callable[[TailEvent], bool]


class FilterError(ValueError):
    """A bad filter expression; the message says where and what."""

    def __init__(self, expr: str, column: int, term: str, what: str) -> None:
        self.expr = expr
        self.column = column
        self.term = term
        self.what = what
        super().__init__(f"filter column {column}: {term!r}: {what}")


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "==": operator.eq,
}
_CMP = re.compile(r"^(cpu|wall|status)(>=|<=|!=|==|>|<|=)(.*)$", re.IGNORECASE)
_FIELD = re.compile(r"^([a-zA-Z]+):(.*)$")
_TOKEN = re.compile(r'!?"[^"]*"?|\S+')

FIELDS = ("level", "outcome", "method", "colo", "country", "status", "ip", "path", "kind", "text")


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool
    predicate: Predicate

    def __call__(self, event: TailEvent) -> bool:
        return self.predicate(event) != self.negated


class Filter:
    """A compiled expression. ``Filter("")`` matches everything."""

    def __init__(self, expr: str = "") -> None:
        self.expr = expr.strip()
        self.terms = parse_terms(self.expr)

    @property
    def active(self) -> bool:
        return bool(self.terms)

    @property
    def needs_fields(self) -> bool:
        """Some term reads a field of the event (not only its text): a free-text filter needs none."""
        return not all(getattr(term.predicate, "text_only", False) for term in self.terms)

    def __call__(self, event: TailEvent) -> bool:
        for term in self.terms:
            if not term(event):
                return False
        return True

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Filter({self.expr!r})"


def parse_terms(expr: str) -> list[Term]:
    terms: list[Term] = []
    for match in _TOKEN.finditer(expr):
        raw = match.group(0)
        column = match.start() + 1
        negated = raw.startswith("!")
        body = raw[1:] if negated else raw
        if not body:
            raise FilterError(expr, column, raw, "'!' must be followed by a term, e.g. !healthz")
        terms.append(Term(raw, negated, _compile(expr, column, raw, body)))
    return terms


def _listed(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def _compile(expr: str, column: int, raw: str, body: str) -> Predicate:
    def fail(what: str) -> FilterError:
        return FilterError(expr, column, raw, what)

    if body.startswith('"'):
        if len(body) < 2 or not body.endswith('"'):
            raise fail('unclosed quote: end the phrase with "')
        if not body[1:-1]:
            raise fail("empty phrase")
        return _text(body[1:-1])
    low = body.lower()
    if low in ("exceptions", "exception", "exc"):
        return lambda e: e.n_exceptions > 0
    if low in ("errors", "error"):
        return lambda e: e.severity >= 3
    cmp = _CMP.match(body)
    if cmp:
        name, op, value = cmp.group(1).lower(), cmp.group(2), cmp.group(3)
        if name == "status" and op in ("=", "=="):
            return _status_match(value, fail)
        try:
            number = float(value)
        except ValueError:
            raise fail(f"{name} needs a number after {op}, e.g. {name}{op}25") from None
        fn = _OPS[op]
        if name == "cpu":
            return lambda e: e.cpu is not None and fn(e.cpu, number)
        if name == "wall":
            return lambda e: e.wall is not None and fn(e.wall, number)
        return lambda e: e.status is not None and fn(e.status, number)
    field = _FIELD.match(body)
    if field:
        name, value = field.group(1).lower(), field.group(2)
        values = _listed(value)
        if name not in FIELDS:
            raise fail("unknown field (known: " + ", ".join(FIELDS) + ", cpu>N, wall>N, exceptions)")
        if not values:
            raise fail(f"{name}: needs a value, e.g. {_EXAMPLES[name]}")
        if name == "level":
            bad = [v for v in values if v not in LOG_LEVELS]
            if bad:
                raise fail(f"unknown level {bad[0]!r} (known: {', '.join(LOG_LEVELS)})")
            return lambda e: any(e.has_level(v) for v in values)
        if name == "outcome":
            return lambda e: e.outcome.lower() in values
        if name == "method":
            return lambda e: e.method.lower() in values
        if name == "colo":
            return lambda e: e.colo.lower() in values
        if name == "country":
            return lambda e: e.country.lower() in values
        if name == "kind":
            return lambda e: e.kind in values
        if name == "ip":
            return lambda e: e.ip.lower() in values
        if name == "path":
            return lambda e: any(e.path.lower().startswith(v) for v in values)
        if name == "status":
            return _status_match(value, fail)
        return _text(value)
    return _text(body)


def _text(needle: str) -> Predicate:
    """Case-insensitive search of the event's JSON text (no lower-cased copy per event)."""
    search = re.compile(re.escape(needle), re.IGNORECASE).search

    def predicate(e: TailEvent) -> bool:
        return search(e.text) is not None

    predicate.text_only = True  # type: ignore[attr-defined]
    return predicate


_EXAMPLES = {
    "level": "level:error",
    "outcome": "outcome:exception",
    "method": "method:POST",
    "colo": "colo:FRA",
    "country": "country:DE",
    "status": "status:5xx",
    "ip": "ip:203.0.113.7",
    "path": "path:/api",
    "kind": "kind:cron",
    "text": "text:timeout",
}


def _status_match(value: str, fail: Callable[[str], FilterError]) -> Predicate:
    exact: set[int] = set()
    classes: set[int] = set()
    for item in _listed(value):
        if re.fullmatch(r"[1-5]xx", item):
            classes.add(int(item[0]))
        elif item.isdigit():
            exact.add(int(item))
        else:
            raise fail(f"status: expected a code or class such as 503 or 5xx, got {item!r}")
    if not exact and not classes:
        raise fail("status: needs a value, e.g. status:5xx")
    return lambda e: e.status is not None and (e.status in exact or e.status // 100 in classes)
