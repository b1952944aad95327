"""Conditions over results: ``PATH [OP VALUE]`` (pure functions).

``PATH`` is a dotted path into a JSON value with ``[N]`` indexes (``status.indicator``,
``[0].databaseId``, ``result.value``). ``OP`` is one of ``== != < <= > >= in contains matches``;
``VALUE`` is a YAML/JSON literal (``"healthy"``, ``1``, ``true``, ``[none, minor]``). Without an
operator the path's value is tested for truthiness; ``!PATH`` holds when it is missing or false. A
``[KEY=VALUE]`` segment picks the first object of a list whose KEY equals VALUE (``result[name=blocked].id``).
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from console.runbook.model import Expr
from console.yamlpaths import YamlLimitError, load_literal

OPS = ("==", "!=", "<=", ">=", "<", ">", " in ", " contains ", " matches ")
#: ``[KEY=VALUE]`` picks the first object of a list whose KEY is VALUE (``result[name=blocked].id``); VALUE may
#: be one template reference, bound when the step runs (``result[ip={ip}].id``)
_SELECT = r"\[[A-Za-z_][A-Za-z0-9_\-]*=(?:[^\[\]{}=]+|\{[^{}]+\})\]"
_PATH_RE = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_\-]*|\[\d+\]|" + _SELECT + r")(?:\.[A-Za-z_][A-Za-z0-9_\-]*|\[\d+\]|" + _SELECT + r")*$"
)
_TOKEN_RE = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]|\[([A-Za-z_][A-Za-z0-9_\-]*)=([^\]]*)\]")

_MISSING = object()
#: a comparison value that is one template reference: ``[0].databaseId > {capture.previous_run_id}``
TEMPLATE_VALUE = re.compile(r"^\{[^{}]+\}$")


def is_template(value: Any) -> bool:
    return isinstance(value, str) and bool(TEMPLATE_VALUE.match(value))


class ExprError(ValueError):
    pass


def parse_expr(text: str) -> Expr:
    """Parse a condition, raising :class:`ExprError` with what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("expected a condition such as 'status == \"healthy\"'")
    raw = text.strip()
    for op in OPS:
        index = raw.find(op)
        if index > 0:
            path = raw[:index].strip()
            literal = raw[index + len(op) :].strip()
            if not literal:
                raise ExprError(f"{raw!r}: nothing after {op.strip()!r}")
            if TEMPLATE_VALUE.match(literal):
                value: Any = literal  # a reference such as {capture.previous_run_id}, resolved when evaluated
            else:
                try:  # no aliases, finite numbers, at most 4 KiB (safe_load expanded a "billion laughs")
                    value = load_literal(literal)
                except YamlLimitError as exc:
                    raise ExprError(f"{_shown(raw)}: the value after {op.strip()!r}: {exc.message}") from None
                except yaml.YAMLError:
                    raise ExprError(f"{raw!r}: {literal!r} is not a value (quote strings)") from None
                if isinstance(value, float) and not math.isfinite(value):  # .nan compares false: never holds
                    raise ExprError(f"{raw!r}: {literal!r} must be a finite number")
            _check_path(path, raw)
            op = op.strip()
            if (
                op in ("<", "<=", ">", ">=")
                and not is_template(value)
                and (isinstance(value, bool) or not isinstance(value, (int, float)))
            ):
                raise ExprError(f"{raw!r}: {op} needs a number")
            if op == "matches":
                try:
                    re.compile(str(value))
                except re.error as exc:
                    raise ExprError(f"{raw!r}: bad regular expression: {exc}") from None
            return Expr(text=raw, path=path, op=op, value=value)
    if raw.startswith("!"):  # ``!PATH``: holds when the value is missing or false (``!result[ip={ip}]``)
        _check_path(raw[1:].strip(), raw)
        return Expr(text=raw, path=raw[1:].strip(), op="not")
    _check_path(raw, raw)
    return Expr(text=raw, path=raw)


def _shown(text: str, width: int = 80) -> str:
    """``repr(text)``, cut to ``width`` characters."""
    return repr(text) if len(text) <= width else repr(text[:width]) + " ..."


def _check_path(path: str, raw: str) -> None:
    if not _PATH_RE.match(path):
        raise ExprError(f"{raw!r}: {path!r} is not a path such as status.indicator or [0].id")


def lookup(data: Any, path: str, default: Any = None) -> Any:
    """The value at ``path`` in nested dicts/lists, or ``default``."""
    current = data
    for match in _TOKEN_RE.finditer(path):
        name, index, key = match.group(1), match.group(2), match.group(3)
        if key is not None:
            wanted = match.group(4)
            found = (
                next(
                    (item for item in current if isinstance(item, dict) and key in item and _text(item[key]) == wanted),
                    None,
                )
                if isinstance(current, list)
                else None
            )
            if found is None:
                return default
            current = found
        elif name is not None:
            if isinstance(current, dict) and name in current:
                current = current[name]
            else:
                return default
        else:
            i = int(index)
            if isinstance(current, list) and -len(current) <= i < len(current):
                current = current[i]
            else:
                return default
    return current


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def path_refs(path: str) -> list[str]:
    """The template references (``{ip}``) inside a path's ``[KEY={REF}]`` selectors."""
    return re.findall(r"=(\{[^{}]+\})\]", path)


def evaluate(expr: Expr, data: Any) -> tuple[bool, Any]:
    """``(holds, actual value)``; a missing or non-comparable value never holds."""
    actual = lookup(data, expr.path, _MISSING)
    if expr.op == "not":
        return actual is _MISSING or not actual, None if actual is _MISSING else actual
    if actual is _MISSING:
        return False, None
    return compare(actual, expr.op, expr.value), actual


def compare(actual: Any, op: str | None, expected: Any) -> bool:
    if op is None:
        return bool(actual)
    if op == "not":
        return not actual
    if op == "==":
        return _norm(actual) == _norm(expected)
    if op == "!=":
        return _norm(actual) != _norm(expected)
    if op == "in":
        return isinstance(expected, list) and _norm(actual) in [_norm(v) for v in expected]
    if op == "contains":
        if isinstance(actual, (list, dict)):
            return expected in actual
        return str(expected) in str(actual)
    if op == "matches":
        return re.search(str(expected), str(actual)) is not None
    number = _number(actual)
    if isinstance(expected, str):
        expected = _number(expected)
    if number is None or expected is None:
        return False
    return {"<": number < expected, "<=": number <= expected, ">": number > expected, ">=": number >= expected}[op]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _norm(value: Any) -> Any:
    # YAML reads `none` as the string "none" only when quoted; treat None and "none" alike is wrong,
    # so only numbers are normalised (1 == 1.0) and everything else compares as is.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value
