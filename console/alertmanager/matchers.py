"""Alertmanager matchers as operators type them: ``alertname=EdgeHighErrorRate,env=production`` (pure).

Each comma-separated term is ``name OP value`` with OP one of ``=``, ``!=``, ``=~``, ``!~`` (as
amtool writes them). :func:`api_matchers` gives the API v2 objects ``{name, value, isRegex, isEqual}``.
A value may be double-quoted to hold a comma (``summary="a, b"``).
"""

from __future__ import annotations

import re
from typing import Any

from console.re2check import re2_problem

_TERM = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"]*?)\s*(?:,|$)')
MAX_MATCHERS = 32
MAX_TEXT = 2000


class MatcherError(ValueError):
    pass


def parse_matchers(text: str) -> list[dict[str, Any]]:
    """API v2 matcher objects for ``text``; raises MatcherError saying what is wrong."""
    text = (text or "").strip()
    if not text:
        raise MatcherError("at least one matcher is needed, such as alertname=EdgeHighErrorRate")
    if len(text) > MAX_TEXT:
        raise MatcherError(f"longer than {MAX_TEXT} characters")
    out: list[dict[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None or match.end() == pos:
            raise MatcherError(f"expected name=value (or != =~ !~) at character {pos + 1}: {text[pos : pos + 30]!r}")
        name, op, value = match.groups()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if op in ("=~", "!~"):
            problem = re2_problem(value)
            if problem:
                raise MatcherError(f"{name}{op}: {problem}")
        out.append({"name": name, "value": value, "isRegex": op in ("=~", "!~"), "isEqual": op in ("=", "=~")})
        if len(out) > MAX_MATCHERS:
            raise MatcherError(f"more than {MAX_MATCHERS} matchers")
        pos = match.end()
    if all(m["value"] == "" and m["isEqual"] and not m["isRegex"] for m in out):
        raise MatcherError("every matcher matches an empty value: this would silence everything without the label")
    return out


api_matchers = parse_matchers


def format_matchers(matchers: Any) -> str:
    """``name=value,...`` for API matcher objects (what the operator sees and types back)."""
    parts = []
    for m in matchers or []:
        if not isinstance(m, dict):
            continue
        op = ("=~" if m.get("isRegex") else "=") if m.get("isEqual", True) else ("!~" if m.get("isRegex") else "!=")
        value = str(m.get("value", ""))
        if any(c in value for c in ',"'):
            value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(f"{m.get('name', '')}{op}{value}")
    return ",".join(parts)
