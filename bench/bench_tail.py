"""Log tail throughput, key latency under a flood, and memory after 1M events.

Prints figures (medians of several runs) with baselines measured in the same run:

1. events/s of the whole path -- a fast producer process writing wrangler-format pretty JSON into a
   pipe, read + parse (TailSource) + filter + display (the full-screen log view in a headless Textual
   app) -- against the floor: ``json.loads`` of the same objects in-process, and reading the pipe only.
2. with a producer paced at --key-rate (20,000 ev/s) for --key-seconds, --runs times: events/s shown
   (median), and key-press latency (key sent to the app's driver -> its action has run, every 50 ms)
   p50/p99 over all runs, against the same measurement with the stream idle. Keys start once the app's
   start-up has settled and the view is up; the first press right after opening the view under the
   flood is printed on its own.
3. headroom: a producer paced above the target (--capacity-rate, 30,000 ev/s) for --key-seconds,
   --runs times: events/s shown (median) and dropped, and the console process's CPU time per shown
   event (all its threads; the paced runs above are capped by their producer's rate).
4. RSS after 1,000,000 events through the whole path (bounded buffer), against RSS before the flood.

    .venv/bin/python bench/bench_tail.py [--events 200000] [--runs 3] [--million 1000000]

Headless Textual renders into a buffer and skips the terminal write; a real terminal adds that cost
to every frame (frames are coalesced at tail.batch_ms, so the cost is per frame, not per event).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRODUCER = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
from console.sim.tail_events import TailEventGenerator
n = int(os.environ["BENCH_TAIL_EVENTS"])
gen = TailEventGenerator("vau-processor-production", seed=7)
now = time.time() * 1000
scen = ["normal", "error-spike", "latency", "ddos"]
blobs = [(json.dumps(gen.event(scen[i % 4], now + i), indent=4) + "\n").encode() for i in range(2000)]
out = sys.stdout.buffer
out.write(b"Successfully created tail, expires at 2026-01-01T00:00:00Z\nConnected, waiting for logs...\n")
rate = float(os.environ.get("BENCH_TAIL_RATE", "0"))
buf = []
size = 0
if rate:
    # paced: rate events/s in 20 ms slices
    start = time.perf_counter(); sent = 0
    while sent < n:
        due = min(n, int((time.perf_counter() - start) * rate) + 1)
        if due > sent:
            out.write(b"".join(blobs[i % len(blobs)] for i in range(sent, due))); out.flush()
            sent = due
        time.sleep(0.02)
else:
    for i in range(n):
        b = blobs[i % len(blobs)]
        buf.append(b); size += len(b)
        if size >= 262144:
            out.write(b"".join(buf)); buf = []; size = 0
out.write(b"".join(buf))
out.write(b"BENCH-END\n"); out.flush()
if os.environ.get("BENCH_TAIL_EXIT"):
    sys.exit(0)
time.sleep(3600)
"""


def rss_mb() -> tuple[float, float]:
    rss = hwm = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def producer_file(tmp: Path) -> Path:
    path = tmp / "producer.py"
    path.write_text(PRODUCER.format(root=str(ROOT)))
    return path


def environment(producer: Path):
    from console.config import Environment

    return Environment(
        name="bench",
        base_url="http://127.0.0.1:9",
        metrics_url="http://127.0.0.1:9/metrics",
        health_url="http://127.0.0.1:9/health",
        worker="vau-processor-production",
        api_token_env="BENCH_NO_TOKEN",
        tools={"wrangler": [sys.executable, str(producer)]},
    )


# -- baselines ----------------------------------------------------------------------------------------
def baseline_json_loads(n: int) -> float:
    """events/s of json.loads alone over the producer's objects (the parse floor)."""
    from console.sim.tail_events import TailEventGenerator

    gen = TailEventGenerator("vau-processor-production", seed=7)
    scen = ["normal", "error-spike", "latency", "ddos"]
    texts = [json.dumps(gen.event(scen[i % 4], 1.7e12 + i), indent=4) for i in range(2000)]
    start = time.perf_counter()
    for i in range(n):
        json.loads(texts[i % 2000])
    return n / (time.perf_counter() - start)


def baseline_pipe_read(producer: Path, n: int) -> tuple[float, float]:
    """events/s and MB/s of just reading the producer's pipe (no parsing)."""
    env = dict(os.environ, BENCH_TAIL_EVENTS=str(n), BENCH_TAIL_EXIT="1")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(producer)], stdout=subprocess.PIPE, env=env)
    total = 0
    assert proc.stdout is not None
    while chunk := proc.stdout.read(262144):
        total += len(chunk)
    proc.wait()
    elapsed = time.perf_counter() - start
    return n / elapsed, total / elapsed / 1e6


async def headless_source(producer: Path, n: int, expr: str) -> float:
    """events/s of read + parse + filter without a UI (what `edge-console tail` does)."""
    from console.tail.filters import Filter
    from console.tail.source import TailSource

    os.environ["BENCH_TAIL_EVENTS"] = str(n)
    flt = Filter(expr)
    source = TailSource(environment(producer), max_pending=1_000_000)
    wake = asyncio.Event()
    source.on_events = wake.set
    start = time.perf_counter()
    task = asyncio.ensure_future(source.run())
    seen = kept = 0
    while "BENCH-END" not in source.noise:
        await wake.wait()
        wake.clear()
        while True:
            batch = source.take(budget_s=0.2)
            if not batch:
                break
            for event in batch:
                seen += 1
                kept += flt(event)
    elapsed = time.perf_counter() - start
    source.stop()
    await task
    return seen / elapsed


async def headless_cli(producer: Path, n: int, expr: str) -> tuple[float, int, int]:
    """(events/s printed, printed, dropped) of ``edge-console tail --json --once --filter EXPR`` run in this
    process (``console.tail.cli.stream``, the command's loop) with its output to /dev/null. The rate is from
    the first write to the last (the producer's start-up left out): a flat-out producer fills the tail's
    byte bound within a second and the rest is dropped, so events printed over the whole run would mostly
    measure how long the producer took to start."""
    from console.tail.cli import stream
    from console.tail.filters import Filter
    from console.tail.settings import ServerFilters

    os.environ["BENCH_TAIL_EVENTS"] = str(n)
    os.environ["BENCH_TAIL_EXIT"] = "1"
    with open(os.devnull, "w") as out, open(os.devnull, "w") as err:
        written = first_batch = 0
        first = last = 0.0
        real_write = out.buffer.write

        def count_write(data: bytes) -> int:
            nonlocal written, first_batch, first, last
            lines = data.count(b"\n")
            last = time.perf_counter()
            if not first:
                first, first_batch = last, lines
            written += lines
            return real_write(data)

        out.buffer.write = count_write  # type: ignore[method-assign]
        await stream(
            environment(producer),
            ServerFilters(),
            Filter(expr),
            as_json=True,
            count=0,
            once=True,
            reconnect_max=1.0,
            out=out,
            err=err,
        )
    os.environ.pop("BENCH_TAIL_EXIT", None)
    eps = (written - first_batch) / (last - first) if last > first else float("nan")
    return eps, written, max(0, n - written)


# -- the whole path in the TUI ------------------------------------------------------------------------
def make_app(producer: Path):
    from console.config import Config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from tests.fakes import StaticPoller

    env = environment(producer)
    cfg = Config(path=None, default_environment="bench", environments={"bench": env}, refresh_seconds=3600)
    return EdgeConsoleApp(Session(config=cfg, env=env, read_only=True), poller=StaticPoller())


async def tui_run(
    producer: Path, n: int, expr: str, *, keys_every: float | None = None, rss: bool = False, rate: float = 0.0
) -> dict:
    from textual import events

    from console.tail.filters import Filter
    from screens.log_view import LogViewScreen, tail_controller

    os.environ["BENCH_TAIL_EVENTS"] = str(n)
    os.environ["BENCH_TAIL_RATE"] = str(rate)
    app = make_app(producer)
    result: dict = {}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        rss_before = rss_mb()[0]
        controller = tail_controller(app)
        controller.store.set_filter(Filter(expr))
        if keys_every is not None:
            # start-up over (runbook parsed, the dashboard's flow keys and footer built), as when an
            # operator opens the log view; the stream is already flowing into the dashboard's pane
            await wait_settled(app, pilot)
        store = controller.store
        received_before = store.received  # what the dashboard's pane took while settling is not counted
        parsed_before = controller.source.status.received
        start = time.perf_counter()
        cpu_start = time.process_time()
        await app.push_screen(LogViewScreen())
        latencies: list[float] = []
        await wait_streaming(store)
        if keys_every is not None:
            # a key while the view is still being built under the flood: reported on its own
            result["first_key"] = await key_latency(app, store)
            await pilot.pause()
        next_key = time.perf_counter() + (keys_every or 1e9)
        source = controller.source
        deadline = time.perf_counter() + 600
        while "BENCH-END" not in controller.source.noise and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
            if keys_every is not None and time.perf_counter() >= next_key:
                latencies.append(await key_latency(app, store))
                next_key = time.perf_counter() + keys_every
        # the end marker is parsed: the events parsed before it reach the store on the next tick
        parsed = controller.source.status.received - parsed_before
        while store.received - received_before < parsed and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        await pilot.pause()
        result["eps"] = (store.received - received_before) / elapsed
        result["cpu_per_event"] = cpu / max(1, store.received - received_before)
        result["received"] = store.received - received_before
        result["dropped"] = controller.source.status.dropped
        result["shown"] = len(store.view)
        result["latencies"] = latencies
        result["ticks"] = controller.ticks
        _ = source
        result["elapsed"] = elapsed
        if rss:
            import gc

            gc.collect()
            result["rss_before"] = rss_before
            result["rss_after"], result["rss_peak"] = rss_mb()
            result["buffer"] = len(store.events)
        if keys_every is not None:
            # the idle baseline: the same key presses with the stream quiet (producer done, sleeping)
            idle = []
            for _ in range(len(latencies) or 20):
                idle.append(await key_latency(app, store))
                await asyncio.sleep(0.01)
            result["idle"] = idle
        _ = events
    return result


async def wait_settled(app, pilot) -> None:
    deadline = time.perf_counter() + 60
    while app._flow_runbook is None and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    await pilot.pause()


async def wait_streaming(store) -> None:
    deadline = time.perf_counter() + 60
    while store.received < 200 and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)


async def key_latency(app, store) -> float:
    """Send `space` through the driver like a terminal would; time until pause has toggled."""
    from textual import events

    before = store.paused
    event = events.Key("space", " ")
    event.set_sender(app)
    t0 = time.perf_counter()
    app._driver.send_message(event)
    while store.paused == before:
        await asyncio.sleep(0.0005)
        if time.perf_counter() - t0 > 5:
            break
    return time.perf_counter() - t0


def memory_only(args: argparse.Namespace) -> int:
    os.environ.setdefault("EDGE_CONSOLE_STATE_DIR", tempfile.mkdtemp(prefix="bench-tail-state-"))
    producer = producer_file(Path(tempfile.mkdtemp(prefix="bench-tail-")))
    big = asyncio.run(tui_run(producer, args.million, args.filter, rss=True, rate=args.memory_rate))
    paced = f"paced {args.memory_rate:,.0f} ev/s" if args.memory_rate else "flat out"
    print(
        f"memory    {args.million:,} events written ({paced}; shown {big['received']:,}, dropped ~{big['dropped']:,}, "
        f"{big['elapsed']:.0f} s): RSS before {big['rss_before']:.0f} MB, after {big['rss_after']:.0f} MB, "
        f"peak {big['rss_peak']:.0f} MB, buffer {big['buffer']:,} events  (target < 150 MB)"
    )
    return 0


def pct(values: list[float], q: float) -> float:
    if not values:  # a run too short for any key press
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--filter", default="!/health")
    parser.add_argument("--key-rate", type=float, default=20_000, help="producer rate while pressing keys")
    parser.add_argument("--key-seconds", type=float, default=8)
    parser.add_argument(
        "--capacity-rate",
        type=float,
        default=30_000,
        help="producer rate of the headroom runs (above the target); 0 skips them",
    )
    parser.add_argument("--memory-rate", type=float, default=0, help="producer rate for the 1M run (0 = flat out)")
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()
    if args.memory_only:
        return memory_only(args)
    os.environ.setdefault("EDGE_CONSOLE_STATE_DIR", tempfile.mkdtemp(prefix="bench-tail-state-"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-tail-"))
    producer = producer_file(tmp)
    n = args.events
    print(
        f"log tail bench: {n:,} events per run, {args.runs} runs, filter {args.filter!r}, "
        f"producer = wrangler-format pretty JSON (~1.3 KB/event) through a pipe"
    )

    loads = statistics.median(baseline_json_loads(n) for _ in range(args.runs))
    pipe = [baseline_pipe_read(producer, n) for _ in range(args.runs)]
    pipe_eps = statistics.median(p[0] for p in pipe)
    pipe_mbs = statistics.median(p[1] for p in pipe)
    print(f"baseline  json.loads only (in-process)         {loads:>10,.0f} events/s")
    print(f"baseline  pipe read only (no parsing)          {pipe_eps:>10,.0f} events/s  ({pipe_mbs:,.0f} MB/s)")

    headless = statistics.median(asyncio.run(headless_source(producer, n, args.filter)) for _ in range(args.runs))
    print(
        f"headless  read + parse + filter (tail CLI)     {headless:>10,.0f} events/s  "
        f"= {headless / loads:.2f}x json.loads"
    )

    cli = [asyncio.run(headless_cli(producer, n, args.filter)) for _ in range(args.runs)]
    cli_eps = statistics.median(c[0] for c in cli)
    print(
        f"headless  edge-console tail --json (in-process) {cli_eps:>9,.0f} events/s printed  "
        f"= {cli_eps / loads:.2f}x json.loads  (runs {', '.join(f'{c[0]:,.0f}' for c in cli)}; "
        f"printed {statistics.median(c[1] for c in cli):,.0f} of {n:,}, the rest dropped past the byte bound)"
    )

    runs = [asyncio.run(tui_run(producer, n, args.filter)) for _ in range(args.runs)]
    eps = statistics.median(r["eps"] for r in runs)
    print(
        f"TUI       flat-out producer, events shown/s    {eps:>10,.0f} events/s  "
        f"= {eps / loads:.2f}x json.loads  (short burst; the excess is dropped, see below)  "
        f"ticks {statistics.median(r['ticks'] for r in runs):.0f}, shown {statistics.median(r['received'] for r in runs):,.0f}"
        f" of {n:,}, dropped ~{statistics.median(r['dropped'] for r in runs):,.0f}"
    )

    rate = args.key_rate
    floods = [
        asyncio.run(tui_run(producer, int(rate * args.key_seconds), args.filter, keys_every=0.05, rate=rate))
        for _ in range(args.runs)
    ]
    shown = statistics.median(f["eps"] for f in floods)
    lat = [x for f in floods for x in f["latencies"]]
    idle = [x for f in floods for x in f["idle"]]
    firsts = [f["first_key"] for f in floods]
    each = ", ".join(f"{f['eps']:,.0f}" for f in floods)
    print(
        f"TUI       sustained: producer paced at {rate:,.0f} ev/s for {args.key_seconds:.0f} s -> shown "
        f"{shown:,.0f} ev/s (median of {len(floods)}: {each})"
        f" = {shown / loads:.2f}x json.loads (target >= 20,000; shown cannot exceed the producer's rate: "
        f"what says whether it keeps up is the dropped count below, and the headroom line)"
    )
    print(
        f"keys      during those runs (dropped ~{statistics.median(f['dropped'] for f in floods):,.0f} per run): "
        f"{len(lat)} presses  p50 {pct(lat, 0.5) * 1000:.1f} ms  p99 {pct(lat, 0.99) * 1000:.1f} ms  "
        f"max {max(lat, default=float('nan')) * 1000:.1f} ms  (target p99 <= 100 ms)"
    )
    print(
        f"keys      the first press right after opening the view during the flood (the view still being "
        f"built; not in the figures above): {', '.join(f'{x * 1000:.0f}' for x in firsts)} ms"
    )
    print(
        f"keys      idle baseline (same app, stream quiet): {len(idle)} presses  p50 {pct(idle, 0.5) * 1000:.1f} ms  "
        f"p99 {pct(idle, 0.99) * 1000:.1f} ms"
    )
    if args.capacity_rate:
        cap = args.capacity_rate
        heads = [
            asyncio.run(tui_run(producer, int(cap * args.key_seconds), args.filter, rate=cap)) for _ in range(args.runs)
        ]
        each = ", ".join(f"{h['eps']:,.0f}" for h in heads)
        print(
            f"TUI       headroom: producer paced at {cap:,.0f} ev/s for {args.key_seconds:.0f} s -> shown "
            f"{statistics.median(h['eps'] for h in heads):,.0f} ev/s (median of {len(heads)}: {each}), dropped "
            f"~{statistics.median(h['dropped'] for h in heads):,.0f} per run; console CPU "
            f"{statistics.median(h['cpu_per_event'] for h in heads) * 1e6:.1f} us per shown event "
            f"(sustained run: {statistics.median(f['cpu_per_event'] for f in floods) * 1e6:.1f} us)"
        )
        capacity = statistics.median(h["eps"] for h in heads)
        kept_up = statistics.median(f["dropped"] for f in floods) <= rate * 0.01
        print(
            f"verdict   sustains {rate:,.0f} ev/s: {'yes' if kept_up and capacity >= rate else 'NO'} "
            f"(at {rate:,.0f}: ~{statistics.median(f['dropped'] for f in floods):,.0f} dropped per run; "
            f"offered {cap:,.0f}: {capacity:,.0f} shown)"
        )
    # memory in a fresh process, so earlier runs do not count
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--memory-only",
            "--million",
            str(args.million),
            "--filter",
            args.filter,
            "--memory-rate",
            str(args.memory_rate),
        ],
        check=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
