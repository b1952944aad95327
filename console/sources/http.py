"""The console's HTTP client settings and the wording of transport failures (no Textual)."""

from __future__ import annotations

import asyncio
import errno
from dataclasses import dataclass

import httpx

from console import __version__
from console.sources.tls import shared_ssl_context

USER_AGENT = f"edge-console/{__version__}"


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 2.0
    read_timeout: float = 2.0
    #: extra attempts within one poll after a quick transient failure (refused, 5xx, 429, cut-off
    #: answer); timeouts are not retried within the poll (the next poll tries again)
    retries: int = 1
    #: first retry delay; doubles per attempt, capped by backoff_max_s
    backoff_s: float = 0.2
    backoff_max_s: float = 2.0
    #: the largest answer read (a bounded buffer): bigger pages fail with "page too large"
    max_bytes: int = 64 * 1024 * 1024
    max_connections: int = 4

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout, read=self.read_timeout, write=self.read_timeout, pool=self.connect_timeout
        )

    @property
    def total_timeout(self) -> float:
        """A deadline for one attempt, so a server that trickles bytes cannot hold a poll."""
        return self.connect_timeout + self.read_timeout


def make_client(settings: HttpSettings | None = None) -> httpx.AsyncClient:
    """One AsyncClient reused for every request of a poller (keep-alive, bounded pool)."""
    settings = settings or HttpSettings()
    return httpx.AsyncClient(
        timeout=settings.timeout(),
        limits=httpx.Limits(
            max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
        ),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        trust_env=False,  # loopback and configured URLs only; no proxies picked up from the env
        verify=shared_ssl_context(trust_env=False),  # not a new one per client: console/sources/tls.py
    )


def _seconds(value: float) -> str:
    return f"{value:.1f}"


def describe_error(exc: BaseException, settings: HttpSettings) -> str:
    """A short operator-facing reason for a failed request ("connection refused", ...)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out after {_seconds(settings.connect_timeout)} s (connecting)"
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError, TimeoutError)):
        return f"timed out after {_seconds(settings.read_timeout)} s"
    if isinstance(exc, httpx.ConnectError):
        chain = _chain(exc)
        text = " ".join(str(e) for e in chain).lower()
        if (
            any(isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain)
            or "connection refused" in text
        ):
            return "connection refused"
        if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "host not found"
        return "cannot connect: " + (str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        if "incomplete" in text or "without sending complete" in text or "closed" in text:
            return "truncated page (the connection closed before the end)"
        return "bad HTTP answer: " + (str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _chain(exc: BaseException, limit: int = 10) -> list[BaseException]:
    """The exception and its causes (httpx wraps the OSError that says what happened)."""
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(out) < limit and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def is_refused(message: str | None) -> bool:
    return bool(message) and message == "connection refused"


def backoff_delay(attempt: int, settings: HttpSettings) -> float:
    """Delay before retry ``attempt`` (1-based): backoff_s, 2x, 4x, ... capped."""
    return min(settings.backoff_s * (2 ** max(attempt - 1, 0)), settings.backoff_max_s)
