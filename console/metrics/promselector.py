"""Per-environment PromQL label matchers (``prometheus_selector: '{env="production",job="edge"}'``), pure.

One Prometheus often scrapes staging and production; every query the console sends carries the
environment's matchers so their numbers never mix. The selector is parsed here (label names
``[a-zA-Z_][a-zA-Z0-9_]*``, operators ``= != =~ !~``, values in double, single or back quotes as PromQL
writes them) and written back in one canonical, safely quoted form: nothing an operator typed can end
the braces early and add PromQL of its own. ``{}`` or an empty text is "no matchers".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.re2check import re2_problem

_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OPS = ("=~", "!~", "!=", "=")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "`": "`",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
#: more matchers than this is a mistake, not a selector
MAX_MATCHERS = 32
MAX_SELECTOR_CHARS = 2000


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    value: str

    def promql(self) -> str:
        return f"{self.name}{self.op}{quote(self.value)}"


def quote(value: str) -> str:
    """A PromQL double-quoted string literal for ``value`` (backslash, quote and controls escaped)."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


class SelectorError(ValueError):
    pass


def parse_selector(text: str) -> tuple[Matcher, ...]:
    """The matchers of ``{a="b", c=~"d.*"}``; raises SelectorError saying where and what."""
    text = (text or "").strip()
    if not text:
        return ()
    if len(text) > MAX_SELECTOR_CHARS:
        raise SelectorError(f"longer than {MAX_SELECTOR_CHARS} characters")
    if not (text.startswith("{") and text.endswith("}")):
        raise SelectorError('expected label matchers in braces, such as {env="production",job="edge"}')
    pos, end = 1, len(text) - 1
    matchers: list[Matcher] = []

    def skip_space(i: int) -> int:
        while i < end and text[i] in " \t":
            i += 1
        return i

    pos = skip_space(pos)
    while pos < end:
        name_match = _NAME.match(text, pos, end)
        if name_match is None:
            raise SelectorError(f"expected a label name at character {pos + 1}")
        name = name_match.group(0)
        pos = skip_space(name_match.end())
        op = next((o for o in _OPS if text.startswith(o, pos)), None)
        if op is None:
            raise SelectorError(f"expected = != =~ or !~ after {name!r} at character {pos + 1}")
        pos = skip_space(pos + len(op))
        value, pos = _string(text, pos, end)
        if op in ("=~", "!~"):
            problem = re2_problem(value)
            if problem:
                raise SelectorError(f"{name}{op}: {problem}")
        matchers.append(Matcher(name, op, value))
        if len(matchers) > MAX_MATCHERS:
            raise SelectorError(f"more than {MAX_MATCHERS} matchers")
        pos = skip_space(pos)
        if pos < end:
            if text[pos] != ",":
                raise SelectorError(f"expected ',' or '}}' at character {pos + 1}")
            pos = skip_space(pos + 1)
    if any(m.name == "__name__" for m in matchers):
        raise SelectorError("__name__ cannot be part of an environment's selector (it names the metric)")
    return tuple(matchers)


def _string(text: str, pos: int, end: int) -> tuple[str, int]:
    if pos >= end or text[pos] not in "\"'`":
        raise SelectorError(f"expected a quoted value at character {pos + 1}")
    quote_char = text[pos]
    out = []
    i = pos + 1
    while i < end:
        char = text[i]
        if char == quote_char:
            return "".join(out), i + 1
        if char == "\\" and quote_char != "`":
            if i + 1 >= end:
                break
            nxt = text[i + 1]
            if nxt not in _ESCAPES:
                raise SelectorError(f"unknown escape \\{nxt} at character {i + 1}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        if char == "\n":
            raise SelectorError("a newline inside a quoted value")
        out.append(char)
        i += 1
    raise SelectorError("unterminated quoted value")


def inner(matchers: tuple[Matcher, ...]) -> str:
    """``env="production",job="edge"`` (no braces): what goes inside a metric's own braces."""
    return ",".join(m.promql() for m in matchers)


def canonical(text: str) -> str:
    """The selector re-written canonically (``{env="production",job="edge"}``; ``""`` for none)."""
    matchers = parse_selector(text)
    return "{" + inner(matchers) + "}" if matchers else ""


def series(family: str, selector: str, extra: str = "") -> str:
    """``family{selector matchers, extra}``: a metric selector with the environment's matchers."""
    parts = [p for p in (inner(parse_selector(selector)) if selector else "", extra) if p]
    return f"{family}{{{','.join(parts)}}}" if parts else family


def equality_labels(selector: str) -> dict[str, str]:
    """The ``name="value"`` matchers as a mapping (the labels every series of this environment has)."""
    return {m.name: m.value for m in parse_selector(selector) if m.op == "="}
