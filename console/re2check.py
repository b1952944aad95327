"""Regular expressions that Prometheus and Alertmanager will run: they use Go's RE2 syntax, which lacks
some of Python's constructs. A pattern Python accepts but RE2 refuses would pass the console's check and
then fail (or match differently) on the server, so both are checked here.

RE2 has no lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``), no backreferences (``\\1``, ``(?P=name)``), no
atomic groups (``(?>``), no possessive quantifiers (``a*+``), no conditionals (``(?(1)a|b)``) and no ``\\Z``
(RE2 writes ``\\z``). See https://github.com/google/re2/wiki/Syntax ("NOT SUPPORTED" rows).
"""

from __future__ import annotations

import re

_GROUP_NOT_IN_RE2 = {
    "(?=": "lookahead (?=...)",
    "(?!": "negative lookahead (?!...)",
    "(?<=": "lookbehind (?<=...)",
    "(?<!": "negative lookbehind (?<!...)",
    "(?>": "an atomic group (?>...)",
    "(?P=": "a backreference (?P=name)",
    "(?(": "a conditional (?(...)...)",
    "(?#": "a comment group (?#...)",
}


def re2_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a regular expression Prometheus/Alertmanager accept, or ``None``."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a regular expression: {exc}"
    in_class = False
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if not in_class and nxt in "123456789":
                return f"a backreference \\{nxt} (RE2 has none)"
            if nxt == "Z":
                return "\\Z is not RE2 (use \\z, or $)"
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            i += 1
            continue
        if c == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":  # a leading ] is a literal
                i += 1
            continue
        if c == "(":
            for start, what in _GROUP_NOT_IN_RE2.items():
                if pattern.startswith(start, i):
                    return f"{what} is not RE2"
        if c in "*+?}" and i + 1 < n and pattern[i + 1] == "+":
            return f"a possessive quantifier {c}+ is not RE2"
        i += 1
    return None
