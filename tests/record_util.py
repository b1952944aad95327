"""Helpers for recording tests: a minute of the simulated edge recorded in a few real seconds."""

from __future__ import annotations

import time
from pathlib import Path

from console.config import simulated_config
from console.record.live import header_for, record_live
from console.record.writer import Recorder, resolve_out, secret_values
from console.session import Session

#: real seconds between polls (the recorded time between them is the config's refresh, 2 s)
REAL_INTERVAL_S = 0.1


class PollClock:
    """Recorded time that moves with the polls, not with the wall clock: poll ``k`` is stamped ``k``
    refresh intervals after the start however long it took in real time, so a loaded machine makes the
    same 30 polls in a recorded minute as an idle one (a clock running faster than real time made fewer
    when each poll took longer)."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.t0 = time.time()
        self.polls = 0

    def __call__(self) -> float:
        return self.t0 + self.polls * self.step

    def tick(self) -> None:
        self.polls += 1


async def record_sim(
    server, name: str, *, seconds: float = 60.0, on_poll=None, tail: bool = True, edge_clock=None
) -> Path:
    """Record ``seconds`` of recorded time from a running ``SimServer`` through the headless loop. With
    ``edge_clock`` (the server's skip-ahead clock, tests/virtual_time.py) the edge lives a whole refresh
    between two polls and the poller measures its rates on that clock: the rates are the increase over a 2 s
    window, as the console sees them, not a quotient of two spans of 0.1 s timed by different threads (on a
    loaded machine such a reading was off by far more than the gap between a DDoS and its threshold)."""
    cfg = simulated_config(server.base_url, tool_env=server.tool_env(), tools=server.tools())
    session = Session(config=cfg, env=cfg.environment(), read_only=True)
    clock = PollClock(float(cfg.refresh_seconds))
    path = resolve_out(name)
    recorder = Recorder(path, secrets=secret_values(cfg, session.env), header=header_for(session), clock=clock)

    def polled(result) -> None:
        if on_poll is not None:
            on_poll(recorder, result, clock())
        clock.tick()  # the next poll is one refresh later in recorded time
        if edge_clock is not None:
            edge_clock.advance(clock.step)  # and the edge lives that refresh

    try:
        await record_live(
            session,
            recorder,
            seconds=seconds,
            clock=clock,
            interval=REAL_INTERVAL_S,
            tail=tail,
            on_poll=polled,
            poll_clock=edge_clock,
        )
    finally:
        recorder.close()
    assert recorder.error is None, recorder.error
    return path
