"""Fetch a metrics page and parse it off the event loop (retry with bounded exponential backoff)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Iterable, Mapping

import httpx

from console.metrics.exposition import Page, parse_exposition
from console.limits import size_text
from console.sources.bounded import AnswerTooLarge, BadAnswer, capped_headers, read_capped
from console.sources.http import HttpSettings, backoff_delay, describe_error, make_client

ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"


@dataclass
class ScrapeResult:
    page: Page | None  # None when no page was received
    error: str | None  # why the scrape cannot be used ("connection refused", "HTTP 500", ...)
    http_status: int | None = None
    attempts: int = 0
    elapsed_s: float = 0.0
    nbytes: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.page is not None


class _Failure(Exception):
    def __init__(self, message: str, *, retry: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.status = status


class Scraper:
    """Scrapes with one reused httpx.AsyncClient (its own, or one it is given and does not close)."""

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        settings: HttpSettings | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
    ) -> None:
        settings = settings or HttpSettings()
        if timeout is not None or retries is not None:
            settings = HttpSettings(
                connect_timeout=timeout if timeout is not None else settings.connect_timeout,
                read_timeout=timeout if timeout is not None else settings.read_timeout,
                retries=retries if retries is not None else settings.retries,
                backoff_s=settings.backoff_s,
                backoff_max_s=settings.backoff_max_s,
                max_bytes=settings.max_bytes,
                max_connections=settings.max_connections,
            )
        self.settings = settings
        self._own = client is None
        self.client = client or make_client(settings)

    async def aclose(self) -> None:
        if self._own:
            await self.client.aclose()

    async def scrape(
        self, url: str, families: Iterable[str] | None, max_series: Mapping[str, int] | None = None
    ) -> ScrapeResult:
        """GET ``url`` and parse it in a worker thread (``max_series``: per-family caps, see
        ``parse_exposition``); never raises (except cancellation)."""
        fams = list(families) if families is not None else None
        started = time.monotonic()
        attempt = 0
        last: _Failure | None = None
        while True:
            attempt += 1
            try:
                status, text, nbytes = await asyncio.wait_for(self._get(url), self.settings.total_timeout)
            except _Failure as exc:
                last = exc
            except (httpx.HTTPError, OSError, asyncio.TimeoutError) as exc:
                # a timeout is not retried within the poll: it already cost the whole timeout
                slow = isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError))
                last = _Failure(describe_error(exc, self.settings), retry=not slow)
            else:
                page = await asyncio.to_thread(_decode_and_parse, text, fams, max_series)
                error = page.error
                if error is None and fams and len(page.missing) == len(set(fams)):
                    error = "missing families: " + ", ".join(page.missing)
                return ScrapeResult(
                    page=page,
                    error=error,
                    http_status=status,
                    attempts=attempt,
                    elapsed_s=time.monotonic() - started,
                    nbytes=nbytes,
                )
            if not last.retry or attempt > self.settings.retries:
                return ScrapeResult(
                    page=None,
                    error=last.message,
                    http_status=last.status,
                    attempts=attempt,
                    elapsed_s=time.monotonic() - started,
                )
            await asyncio.sleep(backoff_delay(attempt, self.settings))

    async def _get(self, url: str) -> tuple[int, bytes, int]:
        limit = self.settings.max_bytes
        async with self.client.stream("GET", url, headers=capped_headers({"Accept": ACCEPT})) as response:
            status = response.status_code
            if status >= 400 or status < 200:
                await response.aclose()
                raise _Failure(f"HTTP {status}", retry=status >= 500 or status == 429, status=status)
            ctype = response.headers.get("content-type", "").lower()
            if "html" in ctype:
                await response.aclose()
                raise _Failure("not a metrics page (HTML)", retry=False, status=status)
            try:
                body = await read_capped(response, limit)
            except AnswerTooLarge:
                raise _Failure(f"page too large (more than {size_text(limit)})", retry=False, status=status) from None
            except BadAnswer as exc:
                raise _Failure(str(exc), retry=False, status=status) from None
        return status, body, len(body)


def _decode_and_parse(body: bytes, families: list[str] | None, max_series: Mapping[str, int] | None = None) -> Page:
    return parse_exposition(body.decode("utf-8", "replace"), families, max_series=max_series)
