"""One bounded HTTP request for every caller (metrics, health, Prometheus, runbook HTTP steps).

The body is streamed and the request stops at a size cap ("answer larger than 8 MiB"), counted after
inflating at most one layer of gzip or deflate (``Accept-Encoding: identity`` is asked), and one
total deadline covers connecting, the headers and the whole body, so a server that trickles a
byte every few seconds cannot hold a step past its timeout (httpx's own timeouts are per read).
"""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

import httpx

from console.limits import size_text


class BadAnswer(Exception):
    """An answer the console will not read: too large, or in an encoding it refuses."""


class AnswerTooLarge(BadAnswer):
    """The answer is larger than the cap; ``str()`` is ``answer larger than 8 MiB``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {size_text(limit)}")
        self.limit = limit


class BadEncoding(BadAnswer):
    """A Content-Encoding other than one layer of gzip or deflate, or a body that does not inflate."""


#: asked of every server: the body as is. A server may still compress it; one layer is inflated,
#: never past the cap (httpx inflated any number of stacked layers without an output limit)
IDENTITY = "identity"
_GZIP = ("gzip", "x-gzip")


def capped_headers(headers: Any = None) -> httpx.Headers:
    """``headers`` with ``Accept-Encoding: identity`` (what every capped request sends)."""
    out = httpx.Headers(headers)
    out["Accept-Encoding"] = IDENTITY
    return out


def _inflater(response: httpx.Response) -> Any:
    """A zlib decompressor for the response's Content-Encoding, or None for none; raises BadEncoding."""
    header = response.headers.get("content-encoding", "")
    layers = [part.strip().lower() for part in header.split(",") if part.strip().lower() not in ("", IDENTITY)]
    if not layers:
        return None
    if len(layers) == 1 and layers[0] in _GZIP:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if len(layers) == 1 and layers[0] == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib-wrapped, as the standard says
    shown = header.strip()[:60].encode("ascii", "replace").decode("ascii")
    raise BadEncoding(f"refused content encoding {shown!r} (one layer of gzip or deflate at most)")


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The (decoded) body of a streamed response, at most ``limit`` bytes; raises AnswerTooLarge
    as soon as a declared length or the bytes received (after inflating) pass it, and BadEncoding
    for a stacked or unknown Content-Encoding or a body that does not inflate."""
    inflater = _inflater(response)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(limit)
    if response.is_stream_consumed:  # already read whole by an in-memory transport: only the cap is left
        if len(response.content) > limit:
            raise AnswerTooLarge(limit)
        return response.content
    chunks: list[bytes] = []
    size = received = 0
    async for raw in response.aiter_raw():
        received += len(raw)
        if inflater is None:
            chunk = raw
        else:
            try:  # at most one byte past what is left: enough to know the cap is passed
                chunk = inflater.decompress(raw, limit - size + 1)
            except zlib.error:
                raise BadEncoding("invalid compressed body") from None
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge(limit)
        chunks.append(chunk)
    if inflater is not None and received and not inflater.eof:
        raise BadEncoding("invalid compressed body (cut short)")
    return b"".join(chunks)


async def request_capped(
    client: httpx.AsyncClient, method: str, url: str, *, limit: int, deadline: float, **kwargs: Any
) -> tuple[httpx.Response, bytes]:
    """``client.stream(method, url, **kwargs)`` read whole within ``deadline`` seconds and ``limit``
    bytes, asking for no compression. Raises TimeoutError at the deadline, BadAnswer (AnswerTooLarge,
    BadEncoding), or httpx.HTTPError."""
    kwargs["headers"] = capped_headers(kwargs.get("headers"))
    async with asyncio.timeout(deadline):
        async with client.stream(method, url, **kwargs) as response:
            body = await read_capped(response, limit)
    return response, body
