"""Decode a tail event's JSON into only the fields :class:`~console.tail.model.TailEvent` reads.

A full parse builds every header, ``cf`` key and log object of a ~1.4 KB event as Python objects, and
``TailEvent`` then keeps a dozen of them (the text holds the rest). For a request event, msgspec decodes
into the typed structs below, validating the whole text as JSON but skipping what no struct names, at
about two thirds of the cost. Anything of another shape (a cron or queue event, ``event.request`` not an
object, ``cf`` a list, ...) raises in msgspec and goes to the full parse, so hostile input takes the same
path as before. The result is a plain dict with the same keys and values ``TailEvent`` reads from a full
parse (absent and ``null`` read alike there: ``get`` returns ``None`` for both).
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

__all__ = ["decode_fields"]


class _Cf(msgspec.Struct):
    colo: Any = None
    country: Any = None


class _Headers(msgspec.Struct, rename={"ip": "cf-connecting-ip", "real_ip": "x-real-ip"}):
    ip: Any = None
    real_ip: Any = None


class _Request(msgspec.Struct):
    method: Any = None
    url: Any = None
    cf: _Cf | None = None
    headers: _Headers | None = None


class _Response(msgspec.Struct):
    status: Any = None


class _Event(msgspec.Struct):
    request: _Request | None = None
    response: _Response | None = None


class _Top(msgspec.Struct):
    eventTimestamp: Any = None
    outcome: Any = None
    scriptName: Any = None
    cpuTime: Any = None
    wallTime: Any = None
    exceptions: Any = None
    logs: Any = None
    event: _Event | None = None


_decode = msgspec.json.Decoder(_Top).decode
_DecodeError = msgspec.DecodeError  # ValidationError is a subclass


def decode_fields(chunk: bytes) -> Any:
    """The fields of a request event as a dict, else the full value (``orjson.loads``, which raises
    ``orjson.JSONDecodeError`` on what is not JSON, as the parser expects)."""
    try:
        top = _decode(chunk)
    except (_DecodeError, RecursionError):
        return orjson.loads(chunk)
    event = top.event
    request = event.request if event is not None else None
    if request is None:
        # not a request event: the event's other keys (cron, queue, type, ...) decide its kind
        return orjson.loads(chunk)
    cf = request.cf
    headers = request.headers
    response = event.response  # type: ignore[union-attr]
    req: dict[str, Any] = {"method": request.method, "url": request.url}
    if cf is not None:
        req["cf"] = {"colo": cf.colo, "country": cf.country}
    if headers is not None:
        req["headers"] = {"cf-connecting-ip": headers.ip, "x-real-ip": headers.real_ip}
    ev: dict[str, Any] = {"request": req}
    if response is not None:
        ev["response"] = {"status": response.status}
    return {
        "eventTimestamp": top.eventTimestamp,
        "outcome": top.outcome,
        "scriptName": top.scriptName,
        "cpuTime": top.cpuTime,
        "wallTime": top.wallTime,
        "exceptions": top.exceptions,
        "logs": top.logs,
        "event": ev,
    }
