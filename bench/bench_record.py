"""Recording size and replay speed (issue 13).

1. Size: one hour of the simulated edge at 2 s polls with the log tail at 20 events/s, recorded through
   the console's own writer (``console.record.writer.Recorder``: masking, JSON lines, gzip). The hour is
   synthesised quickly: 1800 real polls of a running ``SimServer`` (the scenario changes every 15
   minutes: normal, ddos, error-spike, latency) stamped 2 s apart on a virtual clock, and 72,000 tail
   events from the simulator's generator in wrangler's pretty JSON (the text the tail keeps), 40 per
   poll. Printed against the target (20 MB) and against the same records uncompressed (the baseline,
   measured in the same run), with the time to read the file back (``read_recording``).
2. Replay at --speed (60x): the full TUI (``ReplayApp``, headless) replays --replay-minutes of that
   recording on its real frame timer; printed: frames, late frames (drops: a frame more than two frame
   periods after the last), recorded seconds advanced per real second (keeps up when ~= speed), and the
   same figures for the app paused over the same real time (the baseline: the cost of the frames alone).

    .venv/bin/python bench/bench_record.py [--minutes 60] [--replay-minutes 10] [--speed 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MB = 20.0
POLL_S = 2.0
TAIL_PER_S = 20
#: real seconds after the first frame before the replay is measured (start-up work runs then)
WARMUP_S = 1.0
FRAME_MS = 0.0
SCENARIOS = ["normal", "ddos", "error-spike", "latency"]


class VirtualClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


async def synthesise(path: Path, minutes: float) -> dict:
    import httpx

    from console.config import simulated_config
    from console.incident.alerts import AlertEngine
    from console.record.encode import alerts_to_json, poll_to_json, tail_to_json
    from console.record.live import alert_signature, header_for
    from console.record.writer import Recorder, secret_values
    from console.session import Session
    from console.sim.server import SimServer
    from console.sim.tail_events import TailEventGenerator
    from console.sources.poller import EdgePoller
    from console.tail.model import TailEvent

    server = SimServer(host="127.0.0.1", port=0, scenario="normal")
    base = server.start()
    cfg = simulated_config(base, tool_env=server.tool_env(), tools=server.tools())
    session = Session(config=cfg, env=cfg.environment(), read_only=True)
    clock = VirtualClock(time.time())
    recorder = Recorder(path, secrets=secret_values(cfg, session.env), header=header_for(session), clock=clock)
    gen = TailEventGenerator("vau-processor-production", seed=7)
    engine = AlertEngine()
    poller = EdgePoller(cfg, session.env)
    polls = int(minutes * 60 / POLL_S)
    per_poll = int(TAIL_PER_S * POLL_S)
    raw_bytes = 0
    last_alerts = None
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient() as admin:
            for i in range(polls):
                t = clock.now
                if i % int(15 * 60 / POLL_S) == 0:
                    scenario = SCENARIOS[(i // int(15 * 60 / POLL_S)) % len(SCENARIOS)]
                    (await admin.post(f"{base}/admin/scenario", json={"name": scenario})).raise_for_status()
                result = await poller.poll()
                records = [poll_to_json(result, t=t)]
                engine.observe(result, t)
                if alert_signature(engine.active()) != last_alerts:
                    last_alerts = alert_signature(engine.active())
                    records.append(alerts_to_json(engine.active(), t))
                for j in range(per_poll):
                    at = t + j * POLL_S / per_poll
                    raw = gen.event(scenario, at * 1000)
                    records.append(tail_to_json(TailEvent(raw, json.dumps(raw, indent=4)), at))
                for record in records:
                    raw_bytes += len(json.dumps(record, separators=(",", ":"), default=str)) + 1
                    recorder.write(record)
                while recorder._queue.qsize() > 50_000:  # the synthetic producer outruns any real edge
                    await asyncio.sleep(0.01)
                clock.now += POLL_S
    finally:
        await poller.aclose()
        recorder.close(timeout=120)
        server.stop()
    return {
        "polls": polls,
        "records": recorder.records,
        "dropped": recorder.dropped,
        "raw": raw_bytes,
        "size": path.stat().st_size,
        "seconds": time.perf_counter() - started,
        "error": recorder.error,
    }


async def replay_run(recording, speed: float, real_s: float, paused: bool) -> dict:
    from screens.replay_app import ReplayApp, replay_session

    app = ReplayApp(replay_session(recording.header), recording, speed=speed)
    work: list[float] = []
    frame = app._frame

    def timed_frame() -> None:  # the frame's own work (deliver + badge), on the UI thread
        started = time.perf_counter()
        frame()
        work.append(time.perf_counter() - started)

    app._frame = timed_frame  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 30
        while not app._first_frame_shown and time.monotonic() < deadline:
            await pilot.pause(0.05)
        if paused:
            app.timeline.paused = True
        await asyncio.sleep(WARMUP_S)  # start-up work after the first frame (runbook keys, incident chrome)
        frames0, drops0, v0, r0 = app.frames, app.drops, app.timeline.now, time.monotonic()
        first = len(work)
        await asyncio.sleep(real_s)
        real = time.monotonic() - r0
        measured = sorted(work[first:]) or [0.0]
        return {
            "work_p50": measured[len(measured) // 2],
            "work_max": measured[-1],
            "frames": app.frames - frames0,
            "drops": app.drops - drops0,
            "real": real,
            "advanced": app.timeline.now - v0,
            "tail": app.tail.store.received,
            "polls": app.poll_count,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0, help="recorded minutes to synthesise (60)")
    parser.add_argument("--replay-minutes", type=float, default=10.0, help="recorded minutes to replay (10)")
    parser.add_argument("--speed", type=float, default=60.0, help="replay speed (60)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-record-"))
    os.environ.setdefault("EDGE_CONSOLE_STATE_DIR", str(tmp / "state"))
    path = tmp / "hour.jsonl.gz"
    size = asyncio.run(synthesise(path, args.minutes))
    mb = size["size"] / 1e6
    print(
        f"1. size: {args.minutes:g} min at {POLL_S:g} s polls + tail {TAIL_PER_S}/s: {size['polls']} polls, "
        f"{size['records']} records ({size['dropped']} dropped), synthesised in {size['seconds']:.1f} s"
    )
    print(
        f"   recorded (gzip): {mb:.2f} MB  vs target {TARGET_MB:g} MB: {mb / TARGET_MB:.2f}x of the target "
        f"-> {'OK' if mb < TARGET_MB else 'OVER'}"
    )
    print(
        f"   baseline uncompressed JSON lines: {size['raw'] / 1e6:.1f} MB: recording is "
        f"{size['size'] / size['raw']:.3f}x of it ({size['raw'] / size['size']:.1f}:1)"
    )
    if size["error"]:
        print(f"   writer error: {size['error']}")

    from console.record.reader import read_recording
    from screens.replay_app import FRAME_S

    global FRAME_MS
    FRAME_MS = FRAME_S * 1000
    started = time.perf_counter()
    recording = read_recording(path)
    read_s = time.perf_counter() - started
    print(f"   read back: {len(recording.records)} records, {recording.damaged} damaged, in {read_s:.1f} s")

    # the measured stretch plus the warm-up, with room to spare: the end of the recording would stop the clock
    cut = recording.start + args.replay_minutes * 60 + (WARMUP_S + 5) * args.speed
    recording.records = [r for r in recording.records if r["t"] <= cut]
    real_s = args.replay_minutes * 60 / args.speed
    live = asyncio.run(replay_run(recording, args.speed, real_s, paused=False))
    idle = asyncio.run(replay_run(recording, args.speed, real_s, paused=True))
    keep = live["advanced"] / live["real"]
    print(
        f"2. replay of {args.replay_minutes:g} recorded min at {args.speed:g}x for {live['real']:.1f} s real: "
        f"{live['frames']} frames, {live['drops']} late (drops), {keep:.1f} recorded s per real s "
        f"({keep / args.speed:.2f}x of the speed), {live['polls']} polls and {live['tail']} tail events shown"
    )
    print(
        f"   frame work (deliver + badge) p50 {live['work_p50'] * 1000:.0f} ms, max {live['work_max'] * 1000:.0f} ms; "
        f"paused p50 {idle['work_p50'] * 1000:.1f} ms (the frame period is {FRAME_MS:.0f} ms)"
    )
    print(
        f"   baseline paused over {idle['real']:.1f} s: {idle['frames']} frames, {idle['drops']} late; "
        f"frames replaying / paused: {live['frames'] / max(1, idle['frames']):.2f}"
    )
    print(f"   keeps up: {'yes' if keep >= 0.95 * args.speed and live['drops'] == 0 else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
