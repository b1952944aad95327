"""How transport failures are worded for the operator."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from console.sources.http import HttpSettings, backoff_delay, describe_error

S = HttpSettings(connect_timeout=1.5, read_timeout=2.0, backoff_s=0.2, backoff_max_s=1.0)


def wrapped(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    "exc, text",
    [
        (httpx.ConnectTimeout("x"), "timed out after 1.5 s (connecting)"),
        (httpx.ReadTimeout("x"), "timed out after 2.0 s"),
        (asyncio.TimeoutError(), "timed out after 2.0 s"),
        (
            wrapped(
                httpx.ConnectError("All connection attempts failed"),
                wrapped(OSError("All connection attempts failed"), ConnectionRefusedError(111, "refused")),
            ),
            "connection refused",
        ),
        (
            wrapped(
                httpx.ConnectError("[Errno -2] Name or service not known"),
                socket.gaierror(-2, "Name or service not known"),
            ),
            "host not found",
        ),
        (
            httpx.ConnectError("[Errno 101] Network is unreachable"),
            "cannot connect: [Errno 101] Network is unreachable",
        ),
        (
            httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body (incomplete chunked read)"
            ),
            "truncated page (the connection closed before the end)",
        ),
    ],
)
def test_describe_error(exc, text):
    assert describe_error(exc, S) == text


def test_backoff_doubles_and_is_bounded():
    assert [backoff_delay(n, S) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.0, 1.0]
