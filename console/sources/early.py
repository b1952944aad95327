"""Numbers at once: the first two metric scrapes, taken while the TUI starts.

Rates need two scrapes, and the poller's HTTP client (httpx) takes a noticeable time to import and
build after the first frame. So the TUI starts :class:`EarlyScrapes` before it imports Textual
(:func:`start_for_session`, from ``screens/launch.py``; the app starts them at mount otherwise): a
daemon thread fetches the metrics page twice, ``window_s`` apart, with the standard library's
``http.client`` (the network wait and the window happen while Textual loads and the dashboard is drawn),
then parses and derives them on the same thread: a ``PollResult`` whose rates come from a SHORT window
(``Derived.window_s``, shown as such; :meth:`EarlyScrapes.result`, :meth:`EarlyScrapes.result_now`).
The poller is seeded with the second snapshot (``EdgePoller.seed``) so its own first scrape continues
the window. The following scrapes give full windows.

Bounded like every scrape: one total deadline per request (connect + headers + body), a body cap
(the config's ``limits.max_body_bytes``), ``Accept-Encoding: identity``, no redirects, no proxy. The
early scrapes are only a head start: anything unusual (not HTTP 200, a compressed or HTML answer, too
large, too slow, a transport error) gives no early result and the poller does everything as before,
reporting the problem its own way. The page is sanitised and parsed by the same parser as every scrape.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from console.limits import DEFAULT_MAX_BODY_BYTES

#: the early window: long enough for counters to move, short enough to show rates within a second
EARLY_WINDOW_S = 0.3
#: one early request's total deadline (connect, headers and body)
EARLY_TIMEOUT_S = 1.5
ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"
#: a held thread (``hold=True``) derives at the latest this long after its second scrape
HOLD_MAX_S = 3.0


@dataclass(frozen=True)
class RawScrape:
    at: float  # wall clock when the answer was complete
    mono: float
    body: bytes


class EarlyError(Exception):
    """Why an early scrape gave up (the poller then starts from nothing, as before)."""


def fetch_page(url: str, *, limit: int, timeout: float, user_agent: str = "edge-console") -> bytes:
    """One bounded GET of a metrics page; raises EarlyError on anything but a plain 200 answer."""
    import http.client  # on the early thread, not while the app starts (~15 ms of imports)

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EarlyError(f"unsupported URL scheme {parts.scheme!r}")
    deadline = time.monotonic() + timeout
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname, parts.port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(
            "GET",
            path,
            headers={"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": user_agent, "Connection": "close"},
        )
        response = conn.getresponse()
        if response.status != 200:
            raise EarlyError(f"HTTP {response.status}")
        encoding = (response.getheader("content-encoding") or "").strip().lower()
        if encoding not in ("", "identity"):
            raise EarlyError("compressed answer")
        if "html" in (response.getheader("content-type") or "").lower():
            raise EarlyError("not a metrics page (HTML)")
        declared = response.getheader("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise EarlyError("page too large")
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EarlyError("too slow")
            if conn.sock is not None:
                conn.sock.settimeout(left)
            chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise EarlyError("page too large")
            chunks.append(chunk)
        return b"".join(chunks)
    except (OSError, http.client.HTTPException, socket.timeout) as exc:
        raise EarlyError(f"{type(exc).__name__}: {exc}") from None
    finally:
        conn.close()


class EarlyScrapes:
    """Two early scrapes of ``env.metrics_url`` on a daemon thread; :meth:`result` derives them."""

    def __init__(
        self,
        config: Any,
        env: Any,
        *,
        window_s: float = EARLY_WINDOW_S,
        timeout: float = EARLY_TIMEOUT_S,
        prepare: Callable[[], Any] | None = None,
        hold: bool = False,
    ) -> None:
        self.config = config
        #: run on the thread before the first scrape (the built-in simulated edge starts there); an
        #: exception from it ends the early scrapes like any other problem
        self.prepare = prepare
        #: ``hold``: the thread parses and derives only after :meth:`release` (the app calls it once its
        #: first frame is shown: that CPU work then does not delay the frame), at the latest after
        #: HOLD_MAX_S
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self.env = env
        self.window_s = window_s
        self.timeout = timeout
        self.limit = int(getattr(config, "max_body_bytes", DEFAULT_MAX_BODY_BYTES) or DEFAULT_MAX_BODY_BYTES)
        self.scrapes: list[RawScrape] = []
        self.error: str | None = None
        self.done = threading.Event()
        self._thread: threading.Thread | None = None
        #: the second snapshot and its derivation, once the thread has derived them (the poller's seed)
        self.snapshot: Any = None
        self.derived: Any = None
        self._result: Any = None

    def start(self) -> "EarlyScrapes":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="early scrapes", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.prepare is not None:
                self.prepare()
            from console import __version__

            agent = f"edge-console/{__version__}"
            for index in range(2):
                if index:
                    pause = self.scrapes[0].mono + self.window_s - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                body = fetch_page(self.env.metrics_url, limit=self.limit, timeout=self.timeout, user_agent=agent)
                self.scrapes.append(RawScrape(at=time.time(), mono=time.monotonic(), body=body))
            # parsed and derived here, off the UI loop, so the numbers are ready when the app asks
            self._released.wait(HOLD_MAX_S)
            self._result = self._derive()
        except EarlyError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a head start must never break start-up
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()

    def release(self) -> None:
        """Let a held thread parse and derive now (see ``hold``)."""
        self._released.set()

    def wait(self, timeout: float) -> bool:
        """Both scrapes are in and derived (False: gave up, or not within ``timeout``)."""
        return self.done.wait(timeout) and len(self.scrapes) == 2

    def result(self, timeout: float | None = None) -> Any:
        """The two scrapes derived (blocking up to ``timeout``: call it in a thread). A ``PollResult``
        whose derivation has the short window, or None (nothing usable: the poller starts as before)."""
        if not self.wait(self.timeout * 2 + self.window_s + 1.0 if timeout is None else timeout):
            return None
        return self._result

    def result_now(self) -> Any:
        """The result if the thread has finished, else None; never waits (the UI loop may ask)."""
        return self._result if self.done.is_set() else None

    def _derive(self) -> Any:
        """Parse and derive the two raw scrapes (on the thread): a ``PollResult`` or None."""
        from console.metrics.caps import series_caps
        from console.metrics.derive import Snapshot, derive, families
        from console.metrics.exposition import parse_exposition
        from console.metrics.model import SourceStatus
        from console.sources.result import PollResult

        names = families(self.config)
        caps = series_caps(self.config)
        snaps = []
        for raw in self.scrapes:
            page = parse_exposition(raw.body.decode("utf-8", "replace"), names, max_series=caps)
            if page.error is not None or (names and len(page.missing) == len(set(names))):
                return None  # the poller reports it, with its wording
            snaps.append(Snapshot(at=raw.at, mono=raw.mono, page=page))
        derived = derive(snaps[0], snaps[1], self.config, None)
        self.snapshot, self.derived = snaps[1], derived
        note = ("missing families: " + ", ".join(snaps[1].page.missing)) if snaps[1].page.missing else None
        metrics = SourceStatus(name="metrics", state="live", last_ok=snaps[1].at, error=note)
        health = SourceStatus(name="health", state="connecting")
        return PollResult(
            derived=derived,
            metrics=metrics,
            health=None,
            health_source=health,
            at=snaps[1].at,
            environment=getattr(self.env, "name", ""),
            scrape_ms=None,
            warnings=list(derived.warnings),
        )


def start_for_session(session: Any) -> EarlyScrapes:
    """The early scrapes of a TUI session, started now: ``screens/launch.py`` calls this before it imports
    Textual, so both scrapes are usually in before the first frame. With the built-in simulated edge
    (reserved, not started: ``open_session(defer_sim=True)``) the thread starts its server first: its
    port already listens, but a scrape would wait for the server until after the first frame. (Its
    workspace for the repository flows is made after the first frame.) Held: the app releases the
    parsing once its first frame is shown."""
    prepare = session.start_sim_server if getattr(session, "pending_sim", None) is not None else None
    return EarlyScrapes(session.config, session.env, prepare=prepare, hold=True).start()
