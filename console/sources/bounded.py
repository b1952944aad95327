"""One bounded HTTP request for every caller (metrics, health, Prometheus, runbook HTTP steps).

The body is streamed and the request stops at a size cap ("answer larger than 8 MiB"), and one
total deadline covers connecting, the headers and the whole body, so a server that trickles a
byte every few seconds cannot hold a step past its timeout (httpx's own timeouts are per read).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from console.limits import size_text


class AnswerTooLarge(Exception):
    """The answer is larger than the cap; ``str()`` is ``answer larger than 8 MiB``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {size_text(limit)}")
        self.limit = limit


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The (decoded) body of a streamed response, at most ``limit`` bytes; raises AnswerTooLarge
    as soon as a declared length or the bytes received pass it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def request_capped(client: httpx.AsyncClient, method: str, url: str, *, limit: int, deadline: float,
                         **kwargs: Any) -> tuple[httpx.Response, bytes]:
    """``client.stream(method, url, **kwargs)`` read whole within ``deadline`` seconds and ``limit``
    bytes. Raises TimeoutError at the deadline, AnswerTooLarge, or httpx.HTTPError."""
    async with asyncio.timeout(deadline):
        async with client.stream(method, url, **kwargs) as response:
            body = await read_capped(response, limit)
    return response, body
