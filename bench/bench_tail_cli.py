"""The real headless command end to end: ``edge-console tail --json --once`` reading bench_tail's producer.

``bench_tail.py``'s headless line drives :class:`TailSource` in the bench's own process and never writes
the output; this bench runs the command an operator pipes (``edge-console tail --json``, or the text lines
with ``--text``) as its own process, with ``tools.wrangler`` pointing at bench_tail's producer (the same
wrangler-format pretty JSON, ~1.3 KB/event, flat out), and reads its stdout through a pipe like ``| jq``
would. Per run it prints:

* events/s from the first output byte to the last (the steady rate; the producer's and the console's
  start-up are outside it), events printed and dropped (past the tail's byte bound: a flat-out producer
  outruns any consumer), and the wall time of the whole command with its start-up;
* the console's CPU: its start-up (until the first output byte), then per event printed by thread
  (``/proc/<pid>/task/*/stat``, sampled until it exits): ``main`` is the loop (parse, filter, JSON out),
  ``thread`` the pipe reader;
* the load average at the start of the run (the machine is shared).

    .venv/bin/python bench/bench_tail_cli.py [--events 100000] [--runs 3] [--text] [--root OTHER_CHECKOUT]

``--root`` runs another checkout's ``edge-console`` (its ``.venv``) with this producer: an A/B in one run.
``--profile FILE`` runs the command under cProfile (``python -m cProfile -o FILE``) once instead.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_tail  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def write_config(tmp: Path, producer: Path) -> Path:
    path = tmp / "config.yaml"
    path.write_text(
        "environments:\n"
        "  bench:\n"
        "    base_url: http://127.0.0.1:9\n"
        "    worker: vau-processor-production\n"
        "    api_token_env: BENCH_NO_TOKEN\n"
        f"    tools:\n      wrangler: [{sys.executable}, {producer}]\n"
    )
    return path


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user+system) of each thread of ``pid``, keyed by ``tid:name``."""
    out: dict[str, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        name = "main" if int(tid) == pid else "thread"  # the loop (parse, filter, output) or the pipe reader
        fields = stat[stat.rindex(")") + 2 :].split()
        out[f"{tid}:{name}"] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def run_once(root: Path, config: Path, n: int, as_json: bool, profile: str | None = None) -> dict:
    exe = root / ".venv" / "bin" / "edge-console"
    argv = [str(exe), "tail", "--config", str(config), "--once"] + (["--json"] if as_json else [])
    if profile:
        argv = [str(root / ".venv" / "bin" / "python"), "-m", "cProfile", "-o", profile, *argv]
    env = dict(
        os.environ,
        BENCH_TAIL_EVENTS=str(n),
        BENCH_TAIL_EXIT="1",
        EDGE_CONSOLE_STATE_DIR=tempfile.mkdtemp(prefix="bench-tail-cli-state-"),
    )
    env.pop("BENCH_TAIL_RATE", None)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(root))
    samples: dict[str, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            cpu = thread_cpu(proc.pid)
            if cpu:
                samples.update(cpu)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    lines = 0
    first = last = 0.0
    at_first: dict[str, float] = {}
    first_lines = 0
    read = proc.stdout.read1 if hasattr(proc.stdout, "read1") else proc.stdout.read
    while chunk := read(1 << 20):
        now = time.perf_counter()
        count = chunk.count(b"\n")
        if not first:
            # the console's CPU so far is start-up (imports, config, spawning): left out of the per-event figure
            first, first_lines, at_first = now, count, thread_cpu(proc.pid)
        last = now
        lines += count
    err = proc.stderr.read() if proc.stderr else b""
    proc.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    found = re.search(rb"dropped (\d+) events", err)
    dropped = int(found.group(1)) if found else 0
    if not lines or proc.returncode != 0:
        raise SystemExit(f"{exe}: exit {proc.returncode}, {lines} lines\n{err.decode(errors='replace')[-2000:]}")
    steady = (lines - first_lines) / (last - first) if last > first else float("nan")
    threads = {name: cpu - at_first.get(name, 0.0) for name, cpu in samples.items()}
    return {
        "eps": steady,
        "lines": lines,
        "steady_lines": lines - first_lines,
        "startup_cpu": sum(at_first.values()),
        "dropped": dropped,
        "wall": wall,
        "load": load,
        "threads": threads,
    }


def describe(threads: dict[str, float], n: int) -> str:
    parts = sorted(threads.items(), key=lambda kv: -kv[1])
    total = sum(threads.values())
    shown = ", ".join(f"{name.split(':', 1)[1]} {cpu / n * 1e6:.1f}" for name, cpu in parts if cpu >= 0.01)
    return f"CPU {total / n * 1e6:.1f} µs/event ({shown})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--text", action="store_true", help="the text lines instead of --json")
    ap.add_argument("--root", action="append", default=[], help="a checkout to run (repeatable; default this one)")
    ap.add_argument("--profile", default=None, help="write a cProfile of one run of the first root here")
    args = ap.parse_args()
    roots = [Path(r).resolve() for r in args.root] or [HERE.parent]
    tmp = Path(tempfile.mkdtemp(prefix="bench-tail-cli-"))
    producer = bench_tail.producer_file(tmp)
    config = write_config(tmp, producer)
    mode = "text lines" if args.text else "--json"
    if args.profile:
        result = run_once(roots[0], config, args.events, not args.text, profile=args.profile)
        print(f"profiled {roots[0]}: {result['eps']:,.0f} ev/s under cProfile -> {args.profile}")
        return 0
    print(
        f"edge-console tail {mode} --once: {args.events:,} events per run, {args.runs} runs per checkout, interleaved"
    )
    results: dict[Path, list[dict]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:  # interleaved, so a change of the machine's load hits every checkout alike
            result = run_once(root, config, args.events, not args.text)
            results[root].append(result)
            print(
                f"  {root.name:16s} {result['eps']:>8,.0f} ev/s steady, {result['wall']:5.2f} s wall, "
                f"printed {result['lines']:,}, dropped {result['dropped']:,}, load {result['load']:.1f}; "
                f"start-up CPU {result['startup_cpu']:.2f} s, then {describe(result['threads'], result['steady_lines'])}",
                flush=True,
            )
    for root in roots:
        runs = results[root]
        eps = [r["eps"] for r in runs]
        loads = ", ".join(f"{r['load']:.1f}" for r in runs)
        print(
            f"{root.name:16s} median {statistics.median(eps):>8,.0f} ev/s (runs {', '.join(f'{e:,.0f}' for e in eps)}), "
            f"wall {statistics.median(r['wall'] for r in runs):.2f} s, load {loads}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
