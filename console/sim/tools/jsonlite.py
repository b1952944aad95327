"""``loads``/``dumps``/``dump`` for the simulated tools without importing :mod:`json` at start-up.

A simulated tool is a process per command, so its start-up is paid on every runbook step: ``import json``
imports ``re`` (its patterns) and, through ``re``, ``enum``; that was about 40% of a ``wrangler`` call's CPU.
This module does the same work with the C accelerator :mod:`_json` that :mod:`json` itself uses (its scanner,
its one-shot encoder, its string escaping) and writes the indented form as ``json.dumps(indent=N)`` does.
The results are the standard library's (tests/test_sim_tools_jsonlite.py holds them equal; a document too deep or
with too long an integer is a ``JSONDecodeError`` instead of json's ``RecursionError``/``ValueError``): anything outside
the plain JSON types (or a document that does not parse) is handed to :mod:`json` itself, imported then, so
its exact value, error and message come back. ``JSONDecodeError`` is :mod:`json`'s own class, looked up on
first use (an ``except jsonlite.JSONDecodeError`` clause only evaluates it when an exception reaches it).
"""

from __future__ import annotations

import _json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_WS = " \t\n\r"  # json.decoder.WHITESPACE
_INF = float("inf")


class _Context:
    """What ``_json.make_scanner`` reads from a ``json.JSONDecoder()`` with default arguments."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": -_INF, "Infinity": _INF, "NaN": float("nan")}.__getitem__
    memo: dict = {}


_scan = _json.make_scanner(_Context)


def _std() -> Any:
    import json

    return json


def __getattr__(name: str) -> Any:
    if name == "JSONDecodeError":
        return _std().JSONDecodeError
    raise AttributeError(name)


def loads(s: Any) -> Any:
    """``json.loads(s)``, except that a document :mod:`json` cannot read for its nesting (``RecursionError``)
    or an integer's length (``ValueError``: more than ``sys.get_int_max_str_digits()`` digits) is a
    ``JSONDecodeError`` too: the tools catch that (or ``ValueError``) and say the file or answer does not
    parse; a ``RecursionError`` ended them with a traceback."""
    try:
        return _loads(s)
    except RecursionError:
        raise _std().JSONDecodeError("Document nested too deeply", s if type(s) is str else "", 0) from None
    except ValueError as exc:
        if type(exc) is not ValueError:  # JSONDecodeError, UnicodeDecodeError: as json raised them
            raise
        raise _std().JSONDecodeError(str(exc).split(";")[0], s if type(s) is str else "", 0) from None


def _loads(s: Any) -> Any:
    if type(s) is not str or s.startswith("\ufeff"):
        return _std().loads(s)  # bytes (encoding detection), a BOM (its error)
    start = len(s) - len(s.lstrip(_WS))
    try:
        obj, end = _scan(s, start)
    except StopIteration:
        return _std().loads(s)  # "Expecting value": json's own error
    if end != len(s) and s[end:].strip(_WS):
        return _std().loads(s)  # "Extra data"
    return obj


class _Fallback(Exception):
    """Something the plain path does not write (another type, a cycle): json does it."""


def _refuse(o: Any) -> Any:
    raise _Fallback


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, float):
        return _float(k)
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, int):
        return int.__repr__(k)
    raise _Fallback


def _indented(o: Any, enc: Any, step: str, level: int, depth: int, out: list[str]) -> None:
    if depth > 200:
        raise _Fallback  # deeper than anything a tool writes (or a cycle): json's recursion handling
    if isinstance(o, str):
        out.append(enc(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float(o))
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = "\n" + step * (level + 1)
        out.append("[")
        for i, item in enumerate(o):
            out.append(inner if i == 0 else "," + inner)
            _indented(item, enc, step, level + 1, depth + 1, out)
        out.append("\n" + step * level + "]")
    elif isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = "\n" + step * (level + 1)
        out.append("{")
        for i, (k, v) in enumerate(o.items()):
            out.append(inner if i == 0 else "," + inner)
            out.append(enc(_key(k)))
            out.append(": ")
            _indented(v, enc, step, level + 1, depth + 1, out)
        out.append("\n" + step * level + "}")
    else:
        raise _Fallback


def dumps(obj: Any, *, indent: int | None = None, ensure_ascii: bool = True) -> str:
    """``json.dumps(obj, indent=indent, ensure_ascii=ensure_ascii)``."""
    enc = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    try:
        if isinstance(obj, str):
            return enc(obj)
        if indent is None:
            encode = _json.make_encoder({}, _refuse, enc, None, ": ", ", ", False, False, True)
            return "".join(encode(obj, 0))
        if not isinstance(indent, int) or isinstance(indent, bool):
            raise _Fallback
        out: list[str] = []
        _indented(obj, enc, " " * indent, 0, 0, out)
        return "".join(out)
    except (_Fallback, ValueError, RecursionError):  # a cycle, another type: json writes it or says why
        return _std().dumps(obj, indent=indent, ensure_ascii=ensure_ascii)


def dump(obj: Any, fp: Any, *, indent: int | None = None, ensure_ascii: bool = True) -> None:
    """``json.dump(obj, fp, ...)``: the same text, written at once."""
    fp.write(dumps(obj, indent=indent, ensure_ascii=ensure_ascii))
