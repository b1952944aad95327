"""JSON from outside, parsed to a bounded depth: a document nested 100k deep is an invalid answer,
never a RecursionError traceback (health, Prometheus and Cloudflare answers)."""

from __future__ import annotations

import json
from typing import Any

from console.limits import MAX_JSON_DEPTH


class JsonTooDeep(ValueError):
    """The document nests deeper than allowed (a ValueError: callers that treat bad JSON as "not
    JSON" keep doing so)."""


def loads(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth``; raises ValueError (JsonTooDeep
    for depth) on anything it does not accept."""
    try:
        data = json.loads(text)
    except RecursionError:  # the C decoder stops at the interpreter's recursion limit (~1000)
        raise JsonTooDeep(f"nested deeper than {max_depth} levels") from None
    if too_deep(data, max_depth):
        raise JsonTooDeep(f"nested deeper than {max_depth} levels")
    return data


def too_deep(data: Any, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """True when lists/objects nest deeper than ``max_depth`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
