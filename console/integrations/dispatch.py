"""Sends what the timeline says to PagerDuty, Slack and Grafana, on a thread of its own.

A listener on :class:`console.incident.manager.IncidentManager` turns each new entry into messages
(:mod:`console.integrations.messages`) and queues them; one worker thread posts them in order with
short timeouts, no redirects and a bounded read of the answer. The response never waits for it: a
failure is reported through ``report`` (the TUI puts it on the timeline from its own thread; the
headless commands after :meth:`Dispatcher.flush`) and phrased without the URL or the key, which are
secrets. Drills (``DRILL-`` incidents) never page: PagerDuty is told nothing about them.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from console.incident.model import Entry, Incident
from console.integrations import messages
from console.integrations.settings import Integrations
from console.secrets import SecretError, mask

#: seconds for one request (connect + answer): a pager outage must not hold anything up for long
TIMEOUT_S = 5.0
#: bytes of an answer read (PagerDuty and Grafana answer a few hundred bytes of JSON)
MAX_ANSWER_BYTES = 64 * 1024
#: messages waiting at most; beyond that the oldest are dropped (and that is reported)
MAX_QUEUED = 200


@dataclass(frozen=True)
class Outcome:
    """One delivery, in the shape the timeline's ``notify`` entries take."""

    channel: str
    ok: bool
    detail: str
    exit_code: int | None = None

    def describe(self) -> str:
        return f"{self.channel}: {self.detail}"


@dataclass(frozen=True)
class _Job:
    channel: str
    what: str
    incident_id: str
    body: dict[str, Any]


Report = Callable[[str, Outcome], None]


class Dispatcher:
    def __init__(
        self,
        settings: Integrations,
        report: Report,
        *,
        source: str = "edge-console",
        transport: Any = None,
        clock: Callable[[], datetime] | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.timeout_s = timeout_s  # one request's deadline (TIMEOUT_S; a test shortens it)
        self.report = report
        self.source = source
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._transport = transport
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.sent: list[Outcome] = []

    # -- the listener ------------------------------------------------------------------------
    def on_entry(self, incident: Incident, entry: Entry) -> None:
        """IncidentManager listener: queue what this entry means for each configured integration."""
        if entry.kind == "notify" or self._closed:
            return  # our own reports, and nothing after close
        drill = incident.id.startswith("DRILL-")
        s = self.settings
        if s.pagerduty and not drill:
            body = messages.pagerduty_event(incident, entry, source=self.source)
            if body:
                self._put(_Job("PagerDuty", body["event_action"], incident.id, body))
        if s.slack:
            body = messages.slack_message(incident, entry, now=self.clock(), drill=drill)
            if body:
                self._put(_Job("Slack", entry.kind, incident.id, body))
        if s.grafana:
            body = messages.grafana_annotation(incident, entry, dashboard_uid=s.grafana.dashboard_uid)
            if body:
                self._put(_Job("Grafana", "annotation", incident.id, body))

    def _put(self, job: _Job) -> None:
        with self._idle:
            if self._pending >= MAX_QUEUED:
                self.report(
                    job.incident_id,
                    Outcome(job.channel, False, f"{job.what} not sent: {MAX_QUEUED} messages already waiting"),
                )
                return
            self._pending += 1
        self._queue.put(job)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="integrations", daemon=True)
            self._thread.start()

    # -- the worker --------------------------------------------------------------------------
    def _run(self) -> None:
        import asyncio

        import httpx

        # one event loop on this thread: request_capped puts ONE deadline on each post (connect, headers and
        # body); httpx's own timeouts are per read, so a trickling server would hold every later message
        loop = asyncio.new_event_loop()
        from console.sources.tls import shared_ssl_context

        client = httpx.AsyncClient(
            timeout=self.timeout_s,
            follow_redirects=False,
            transport=self._transport,
            trust_env=False,
            verify=shared_ssl_context(trust_env=False) if self._transport is None else True,
        )
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                try:
                    outcome = self._send(client, job, loop)
                except Exception as exc:  # never let one message stop the others
                    outcome = Outcome(job.channel, False, f"{job.what} failed ({type(exc).__name__})")
                self.sent.append(outcome)
                if not outcome.ok:
                    try:
                        self.report(job.incident_id, outcome)
                    except Exception:
                        pass  # the console is going away; the record of the failure cannot be written
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
        finally:
            try:
                loop.run_until_complete(client.aclose())
            finally:
                loop.close()

    def _send(self, client: Any, job: _Job, loop: Any) -> Outcome:
        import httpx

        from console.sources.bounded import BadAnswer, request_capped

        secrets: list[str | None] = []
        try:
            url, headers, body = self._request(job, secrets)
        except SecretError as exc:
            return Outcome(job.channel, False, f"{job.what} not sent: {exc}")
        if url is None:
            return Outcome(job.channel, False, f"{job.what} not sent: its secret is not set")
        try:
            post = request_capped(
                client, "POST", url, limit=MAX_ANSWER_BYTES, deadline=self.timeout_s, json=body, headers=headers
            )
            response, _answer = loop.run_until_complete(post)
            status = response.status_code
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(job.channel, False, f"{job.what} failed: no answer within {self.timeout_s:g} s")
        except BadAnswer as exc:
            return Outcome(job.channel, False, f"{job.what} failed: {exc} (from {_host(url)})")
        except httpx.HTTPError as exc:
            return Outcome(job.channel, False, f"{job.what} failed: {type(exc).__name__} (to {_host(url)})")
        if 200 <= status < 300:
            return Outcome(job.channel, True, f"{job.what} sent (HTTP {status})")
        return Outcome(job.channel, False, mask(f"{job.what} refused: HTTP {status} from {_host(url)}", secrets))

    def _request(self, job: _Job, secrets: list[str | None]) -> tuple[str | None, dict[str, str], dict[str, Any]]:
        s = self.settings
        if job.channel == "PagerDuty" and s.pagerduty:
            key = s.pagerduty.routing_key()
            secrets.append(key)
            return (s.pagerduty.events_url if key else None), {}, {"routing_key": key, **job.body}
        if job.channel == "Slack" and s.slack:
            url = s.slack.webhook_url()
            secrets.append(url)
            return url, {}, job.body
        if job.channel == "Grafana" and s.grafana:
            token = s.grafana.token()
            secrets.append(token)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return f"{s.grafana.url}/api/annotations", headers, job.body
        return None, {}, job.body

    # -- lifecycle ---------------------------------------------------------------------------
    def flush(self, timeout: float = TIMEOUT_S * 3) -> bool:
        """Wait until everything queued was sent (or failed); False if time ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self) -> None:
        self._closed = True
        if self._thread is not None:
            self._queue.put(None)


def _host(url: str) -> str:
    """Where a message went, without the path (a Slack webhook's path is its secret)."""
    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def source_of(env: Any) -> str:
    base = getattr(env, "base_url", "") or ""
    return _host(base) if base else "edge-console"


def attach(manager: Any, config: Any, env: Any, report: Report, *, transport: Any = None) -> Dispatcher | None:
    """Listen to ``manager``'s timeline when any integration is configured (ConfigError otherwise raised)."""
    from console.integrations.settings import from_config

    settings = from_config(config)
    if not settings.any:
        return None
    dispatcher = Dispatcher(
        settings,
        report,
        source=(settings.pagerduty.source if settings.pagerduty and settings.pagerduty.source else source_of(env)),
        transport=transport,
    )
    manager.listeners.append(dispatcher.on_entry)
    if settings.grafana and settings.grafana.dashboard_uid:
        grafana = settings.grafana

        def dashboard(incident: Incident) -> tuple[str, str] | None:
            start, end = messages.incident_range_ms(incident)
            link = grafana.dashboard_link(start, end)
            return ("Dashboard", link) if link else None

        manager.report_links.append(dashboard)
    return dispatcher
