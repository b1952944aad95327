"""Helpers for recording tests: a minute of the simulated edge recorded in a few real seconds."""

from __future__ import annotations

import time
from pathlib import Path

from console.config import simulated_config
from console.record.live import header_for, record_live
from console.record.writer import Recorder, resolve_out, secret_values
from console.session import Session

#: recorded seconds per real second: 60 s of the edge at 2 s polls in about 3 s
WARP = 20.0


class WarpClock:
    """Wall-clock time that runs WARP times faster than real time from its start."""

    def __init__(self, warp: float = WARP) -> None:
        self.warp = warp
        self.t0 = time.time()
        self.m0 = time.monotonic()

    def __call__(self) -> float:
        return self.t0 + (time.monotonic() - self.m0) * self.warp


async def record_sim(server, name: str, *, seconds: float = 60.0, on_poll=None, tail: bool = True) -> Path:
    """Record ``seconds`` of recorded time from a running ``SimServer`` through the headless loop."""
    cfg = simulated_config(server.base_url, tool_env=server.tool_env(), tools=server.tools())
    session = Session(config=cfg, env=cfg.environment(), read_only=True)
    clock = WarpClock()
    path = resolve_out(name)
    recorder = Recorder(path, secrets=secret_values(cfg, session.env), header=header_for(session), clock=clock)
    try:
        await record_live(
            session,
            recorder,
            seconds=seconds,
            clock=clock,
            interval=cfg.refresh_seconds / clock.warp,
            tail=tail,
            on_poll=(lambda result: on_poll(recorder, result, clock())) if on_poll else None,
        )
    finally:
        recorder.close()
    assert recorder.error is None, recorder.error
    return path
