"""Where the headless tail's time goes, per event, without the producer process.

``bench_tail.py``'s "headless read + parse + filter" line times a producer process from its start: on a
loaded 2-core machine the producer needs 0.4-0.8 s before its first byte (its own imports and 2,000
``json.dumps(indent=4)``), a quarter or more of a 100,000-event run, and then competes with the consumer
for the cores. This bench feeds the same wrangler-format pretty JSON (the simulator's events, ~1.4 KB each)
from memory and times each stage the consumer runs, best of ``--runs``:

* ``consumer``: all of it through the real ByteQueue + BudgetedParser + TailEvent + Filter, as ``take``
  does, with the garbage collector on and off (the collector's share of the consumer's time);
* ``consumer --json``: what ``edge-console tail --json`` adds and saves: the parser's JSON lines, lazy
  events when the filter reads no field, the lines sanitised and joined;
* ``orjson.loads``: the parse floor (the parser uses orjson), each result dropped at once;
* ``StreamParser.feed``: framing (the ``\\n}`` scan) + orjson + the UTF-8 text of each object;
* ``TailEvent``: pulling the fields out of the parsed objects;
* ``Filter``: the CLI's ``--filter`` (default ``!/health``, a search of the text).

Parsed trees kept alive make every full collection longer (20,000 of them double orjson's time), so the
parse rows drop each result at once, as the tail does; the TailEvent row keeps its events (as the view's
buffer does).

Usage: ``python bench/bench_tail_stages.py [--events 20000] [--runs 5] [--filter EXPR]``
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402

from console.sim.tail_events import TailEventGenerator  # noqa: E402
from console.tail.bytequeue import ByteQueue  # noqa: E402
from console.tail.filters import Filter  # noqa: E402
from console.tail.model import TailEvent  # noqa: E402
from console.tail.parse_budget import PARSE_PIECE, BudgetedParser  # noqa: E402
from console.tail.parser import StreamParser  # noqa: E402


def blobs(n: int) -> list[bytes]:
    gen = TailEventGenerator("vau-processor-production", seed=7)
    scenarios = ["normal", "error-spike", "latency", "ddos"]
    distinct = [(json.dumps(gen.event(scenarios[i % 4], 1.7e12 + i), indent=4) + "\n").encode() for i in range(2000)]
    return [distinct[i % len(distinct)] for i in range(n)]


def best(runs: int, fn: Callable[[], Any]) -> float:
    fastest = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        fastest = min(fastest, time.perf_counter() - start)
        del result
    return fastest


def loads_each(items: list[bytes]) -> None:
    loads = orjson.loads
    for item in items:
        loads(item)


def consumer(data: bytes, n: int, flt: Filter) -> int:
    queue = ByteQueue(len(data) + 1)
    for i in range(0, len(data), 1 << 20):
        queue.put(memoryview(data[i : i + (1 << 20)]))

    def wrap(raws: list[dict[str, Any]], texts: list[str]) -> list[TailEvent]:
        return [TailEvent(raw, text) for raw, text in zip(raws, texts)]

    parser = BudgetedParser(queue, wrap, lambda lines: None)
    seen = kept = 0
    while batch := parser.take(n + 1, 0.2):
        for event in batch:
            seen += 1
            kept += flt(event)
    assert seen == n, (seen, n)
    return kept


def consumer_json(data: bytes, n: int, flt: Filter) -> int:
    """What ``edge-console tail --json`` runs per event: the parser writing each event's JSON line, lazy events
    (the filter reads no field) or full ones, the filter, the sanitised lines joined for one write."""
    from console.tail.cli import json_line
    from console.tail.lazy_event import LazyTailEvent

    queue = ByteQueue(len(data) + 1)
    for i in range(0, len(data), 1 << 20):
        queue.put(memoryview(data[i : i + (1 << 20)]))
    make = TailEvent if flt.needs_fields else LazyTailEvent

    def wrap(raws: list[dict[str, Any]], texts: list[str]) -> list[TailEvent]:
        return [make(raw, text) for raw, text in zip(raws, texts)]

    parser = BudgetedParser(queue, wrap, lambda lines: None, json_lines=True)
    seen = written = 0
    while batch := parser.take(n + 1, 0.2):
        seen += len(batch)
        shown = [event for event in batch if flt(event)] if flt.active else batch
        written += len(b"\n".join([json_line(event) for event in shown]))
    assert seen == n, (seen, n)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--filter", default="!/health")
    args = ap.parse_args()
    n = args.events
    items = blobs(n)
    data = b"".join(items)
    flt = Filter(args.filter)

    def feed() -> tuple[list[dict[str, Any]], list[str]]:
        parser = StreamParser()
        raws: list[dict[str, Any]] = []
        texts: list[str] = []
        view = memoryview(data)
        for i in range(0, len(data), PARSE_PIECE):
            out = parser.feed(view[i : i + PARSE_PIECE])
            raws += out.events
            texts += out.texts
        return raws, texts

    # the consumer first, while the heap holds no parsed trees (the stage rows below keep 20,000 of them
    # alive, which makes every full collection longer: that would be this bench's cost, not the tail's)
    rows = [("consumer (gc on)", best(args.runs, lambda: consumer(data, n, flt)))]
    rows.append(("consumer --json (gc on)", best(args.runs, lambda: consumer_json(data, n, flt))))
    gc.disable()
    try:
        rows.append(("consumer (gc off)", best(args.runs, lambda: consumer(data, n, flt))))
    finally:
        gc.enable()

    def feed_only() -> int:
        parser = StreamParser()
        view = memoryview(data)
        count = 0
        for i in range(0, len(data), PARSE_PIECE):
            count += len(parser.feed(view[i : i + PARSE_PIECE]).events)
        return count

    raws, texts = feed()
    assert len(raws) == n == feed_only()
    events = [TailEvent(raw, text) for raw, text in zip(raws, texts)]
    rows += [
        ("orjson.loads (none kept)", best(args.runs, lambda: loads_each(items))),
        ("StreamParser.feed (none kept)", best(args.runs, feed_only)),
        ("TailEvent", best(args.runs, lambda: [TailEvent(r, t) for r, t in zip(raws, texts)])),
        (f"Filter({args.filter!r})", best(args.runs, lambda: [flt(e) for e in events])),
    ]
    print(f"{n:,} events, {len(data) / n:,.0f} bytes each, best of {args.runs}")
    for name, seconds in rows:
        print(f"  {name:28s} {n / seconds:>10,.0f} ev/s  {seconds / n * 1e6:6.2f} µs/event")


if __name__ == "__main__":
    main()
