"""The headless recording loop behind ``edge-console record``: poll the edge, judge alerts and drain the
tail exactly as the TUI does, and hand every record to a :class:`~console.record.writer.Recorder`.

``clock`` stamps the records and ``interval`` is the real time between polls; a test (or the bench)
runs a minute of recorded time in a few real seconds by giving a clock that runs faster than real time
and a matching short interval (polls store their inner times relative to the poll: see ``encode``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from console.incident.alerts import AlertEngine, AlertSettings
from console.record.encode import FLOW, INCIDENT, alerts_to_json, poll_to_json, tail_to_json
from console.record.writer import Recorder

#: how often (real seconds) the tail is drained between polls
TAIL_DRAIN_S = 0.2


def alert_signature(alerts: list[Any]) -> list[tuple[str, str, bool]]:
    return [(a.key, a.level.value, a.acknowledged) for a in alerts]


async def record_live(
    session: Any,
    recorder: Recorder,
    *,
    seconds: float | None = None,
    stop: asyncio.Event | None = None,
    clock: Callable[[], float] = time.time,
    interval: float | None = None,
    tail: bool = True,
    on_poll: Callable[[Any], Any] | None = None,
    follow: Any = None,
    poll_clock: Any = None,
) -> int:
    """Record until ``seconds`` of ``clock`` time have passed or ``stop`` is set; returns the polls made.
    ``follow`` (a ``console.record.follow.StateFollower``) adds the flow steps and incident entries other
    consoles append meanwhile. ``poll_clock``: the poller's clock (``time`` and ``monotonic``: its rate windows),
    when the edge it polls runs on one of its own."""
    from console.sources.poller import EdgePoller

    config, env = session.config, session.env
    stop = stop or asyncio.Event()
    interval = float(config.refresh_seconds) if interval is None else max(0.01, interval)
    engine = AlertEngine(getattr(config, "thresholds", None), AlertSettings.from_config(config))
    poller = EdgePoller(config, env) if poll_clock is None else EdgePoller(config, env, clock=poll_clock)
    source, task = _start_tail(session) if tail else (None, None)
    started = clock()
    polls = 0
    last_alerts: Any = None
    try:
        while not stop.is_set():
            now = clock()
            if seconds is not None and now - started >= seconds:
                break
            result = await poller.poll()
            now = clock()
            polls += 1
            recorder.write(poll_to_json(result, t=now))
            engine.observe(result, now)
            active = engine.active()
            if alert_signature(active) != last_alerts:
                last_alerts = alert_signature(active)
                recorder.write(alerts_to_json(active, now))
            if follow is not None:
                steps, entries = await asyncio.to_thread(follow.read)
                for step in steps:
                    recorder.write({"k": FLOW, "t": now, "record": step})
                for incident_id, entry in entries:
                    recorder.write({"k": INCIDENT, "t": now, "entry": {"incident": incident_id, **entry}})
            if on_poll is not None:
                on_poll(result)
            deadline = time.monotonic() + interval
            while not stop.is_set():
                if source is not None:
                    stamp = clock()
                    for event in source.take(budget_s=0.05):
                        recorder.write(tail_to_json(event, stamp))
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    await asyncio.wait_for(stop.wait(), timeout=min(TAIL_DRAIN_S, left))
                except asyncio.TimeoutError:
                    pass
    finally:
        if source is not None:
            source.stop()
            try:
                await asyncio.wait_for(task, timeout=3)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
        await poller.aclose()
    return polls


def _start_tail(session: Any) -> tuple[Any, Any]:
    """The log tail the TUI would run; none for a simulated environment without its wrangler."""
    from console.config import ConfigError
    from console.tail.settings import TailSettings, tail_settings
    from console.tail.source import TailSource

    env = session.env
    if env.simulated and "wrangler" not in env.tools:
        return None, None
    try:
        settings = tail_settings(session.config)
    except ConfigError:
        settings = TailSettings()
    source = TailSource(
        env,
        settings.server,
        max_pending=settings.buffer,
        reconnect_max=settings.reconnect_max_seconds,
        config=session.config,
    )
    return source, asyncio.ensure_future(source.run())


def header_for(session: Any) -> dict[str, Any]:
    """What a replay needs to present the recording: where it came from (no secrets, no URLs' userinfo)."""
    from urllib.parse import urlsplit

    env = session.env
    target = urlsplit(env.base_url)
    return {
        "environment": env.name,
        "simulated": bool(env.simulated),
        "target": target.hostname or "",
        "refresh_seconds": float(session.config.refresh_seconds),
    }
