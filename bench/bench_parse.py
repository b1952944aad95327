"""Scrape + parse + derive time for a 100k-series exposition vs prometheus-client's parser alone.

The page is generated with the families the console reads (requests by worker x colo x
status, two histograms by worker x colo, cache, memory, queues, security) plus unrelated
families that the console skips, ``--series`` sample lines in all (default 100 000).

Three figures, medians of ``--runs`` runs (default 5):

* ``console``: scrape over HTTP from a loopback server (127.0.0.1, a thread in this process)
  with the console's own httpx client code, then parse in a worker thread and derive against
  the previous scrape: exactly what one poll does (``console.sources.scrape`` + ``derive``);
* ``console (in memory)``: parse + derive of the same text without HTTP;
* ``prometheus-client``: ``text_string_to_metric_families`` over the same text (in memory,
  consuming every family), the baseline the issue quotes (~2 s).

Label cardinality (``--cardinality N``, default 100 000; 0 skips it): a hostile page with N queue
series and N security-rule series against a low-cardinality baseline of the same size (3 queues,
5 rules, the rest unrelated families the parser skips), in the same run: parse + derive of two
scrapes + the headless ``check`` report rendered (rich tables, to a string). The parser reads at most
1,000 series of the queue and rule families (``console.metrics.caps``, as the poller parses) and counts
the rest; the derived view keeps at most 50 queues and 50 rules, so the report's cost is set by those
rows (a page with exactly 50 queues and 50 rules renders in the same time as one with 100k).

Usage: ``python bench/bench_parse.py [--series N] [--runs N] [--cardinality N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.metrics.derive import Snapshot, derive, families  # noqa: E402
from console.metrics.exposition import parse_exposition  # noqa: E402

BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BUCKETS_MS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)


def generate_page(series: int = 100_000, tick: int = 0, seed: int = 7) -> str:
    """A text exposition with ``series`` sample lines; ``tick`` advances the counters."""
    rnd = random.Random(seed)
    out: list[str] = []
    add = out.append
    workers = [f"vau-processor-{i}" for i in range(10)]
    colos = [f"C{i:03d}" for i in range(100)]
    statuses = ["200", "201", "204", "301", "304", "400", "404", "429", "500", "503"]
    k = tick + 1

    def counter(name: str, help_: str) -> None:
        add(f"# HELP {name} {help_}\n# TYPE {name} counter\n")

    counter("edge_requests_total", "Requests by worker, colo and status.")
    for w in workers:
        for c in colos:
            for s in statuses:
                add(f'edge_requests_total{{worker="{w}",colo="{c}",status="{s}"}} {rnd.randint(1, 500) * k}.0\n')
    counter("edge_errors_total", "Errors by worker and type.")
    for w in workers:
        for t in ("timeout", "exception", "upstream", "limit", "other"):
            add(f'edge_errors_total{{worker="{w}",type="{t}"}} {rnd.randint(0, 5) * k}.0\n')

    def histogram(name: str, bounds: tuple[float, ...], scale: float) -> None:
        add(f"# HELP {name} A histogram.\n# TYPE {name} histogram\n")
        for w in workers:
            for c in colos:
                labels = f'worker="{w}",colo="{c}"'
                cum = 0
                for b in bounds:
                    cum += rnd.randint(0, 50) * k
                    add(f'{name}_bucket{{{labels},le="{b}"}} {cum}.0\n')
                cum += rnd.randint(0, 3) * k
                add(f'{name}_bucket{{{labels},le="+Inf"}} {cum}.0\n')
                add(f"{name}_count{{{labels}}} {cum}.0\n")
                add(f"{name}_sum{{{labels}}} {cum * scale:.3f}\n")

    histogram("edge_request_duration_seconds", BUCKETS_S, 0.05)
    histogram("edge_cpu_time_ms", BUCKETS_MS, 4.0)
    for name in ("edge_cache_hits_total", "edge_cache_misses_total"):
        counter(name, "Cache lookups.")
        for w in workers:
            for c in colos:
                add(f'{name}{{worker="{w}",colo="{c}"}} {rnd.randint(100, 900) * k}.0\n')
    add("# TYPE edge_memory_usage_bytes gauge\n")
    for w in workers:
        add(f'edge_memory_usage_bytes{{worker="{w}"}} {rnd.randint(40, 90) * 1048576}\n')
    add("# TYPE edge_queue_backlog gauge\n")
    for q in ("vau-batch", "analytics", "dead-letter"):
        add(f'edge_queue_backlog{{queue="{q}"}} {rnd.randint(0, 200)}\n')
    add("# TYPE edge_queue_processing_duration_seconds histogram\n")
    for q in ("vau-batch", "analytics", "dead-letter"):
        cum = 0
        for b in BUCKETS_S:
            cum += rnd.randint(0, 20) * k
            add(f'edge_queue_processing_duration_seconds_bucket{{queue="{q}",le="{b}"}} {cum}.0\n')
        add(f'edge_queue_processing_duration_seconds_bucket{{queue="{q}",le="+Inf"}} {cum}.0\n')
    counter("edge_security_blocks_total", "Blocks by rule.")
    for r in ("waf", "geo_block", "rate_limit", "bot", "ip_block"):
        add(f'edge_security_blocks_total{{rule="{r}"}} {rnd.randint(0, 100) * k}.0\n')
    counter("edge_rate_limit_violations_total", "Rate-limit violations.")
    add(f"edge_rate_limit_violations_total {rnd.randint(0, 100) * k}.0\n")

    used = sum(1 for line in out for row in line.splitlines() if row and not row.startswith("#"))
    # unrelated families the console does not read, up to the requested number of series
    filler = max(0, series - used)
    per_family = 1000
    for f in range((filler + per_family - 1) // per_family):
        name = f"workerd_internal_family_{f}_total"
        add(f"# HELP {name} Unrelated.\n# TYPE {name} counter\n")
        for i in range(min(per_family, filler - f * per_family)):
            add(f'{name}{{shard="{i % 64}",slot="{i}"}} {rnd.randint(0, 10**6) * k}.0\n')
    return "".join(out)


def cardinality_page(n: int, tick: int, high: bool) -> str:
    """``n`` queue and ``n`` rule series (``high``), or 3 queues and 5 rules padded with unrelated
    series to the same number of lines (the baseline)."""
    k = tick + 1
    out = [
        "# TYPE edge_requests_total counter\n",
        f"edge_requests_total {1000 * k}\n",
        "# TYPE edge_errors_total counter\n",
        f"edge_errors_total {k}\n",
        "# TYPE edge_queue_backlog gauge\n",
    ]
    queues = n if high else 3
    rules = n if high else 5
    out += [f'edge_queue_backlog{{queue="q{i:06d}"}} {i % 400}\n' for i in range(queues)]
    out.append("# TYPE edge_security_blocks_total counter\n")
    out += [f'edge_security_blocks_total{{rule="r{i:06d}"}} {(i % 97) * k}\n' for i in range(rules)]
    pad = 2 * n - queues - rules
    for f in range((pad + 999) // 1000):
        name = f"workerd_internal_family_{f}_total"
        out.append(f"# TYPE {name} counter\n")
        out += [f'{name}{{shard="s{i:06d}"}} {i * k}\n' for i in range(min(1000, pad - f * 1000))]
    return "".join(out)


def _cardinality_round(pages: list[str], fams: list[str]) -> tuple[float, float, float, int, int]:
    """(parse s, derive s, render s, queues shown, rules shown) for two scrapes of ``pages``."""
    import contextlib
    import io

    from console.check import build_report, print_human
    from console.metrics.model import SourceStatus
    from console.sources.poller import PollResult

    from console.metrics.caps import series_caps

    caps = series_caps(None)  # as the poller parses
    t0 = time.perf_counter()
    first = parse_exposition(pages[0], fams, max_series=caps)
    second = parse_exposition(pages[1], fams, max_series=caps)
    t1 = time.perf_counter()
    s0 = Snapshot(at=1.0, mono=1.0, page=first)
    s1 = Snapshot(at=3.0, mono=3.0, page=second)
    derived = derive(s0, s1, None, derive(None, s0))
    t2 = time.perf_counter()
    result = PollResult(
        derived=derived,
        metrics=SourceStatus("metrics", "live", 3.0),
        health=None,
        health_source=SourceStatus("health", "live", 3.0),
        at=3.0,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        print_human(build_report(None, result))
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, len(derived.queues), len(derived.security)


def bench_cardinality(n: int, runs: int, fams: list[str]) -> None:
    high = [cardinality_page(n, t, True) for t in range(2)]
    low = [cardinality_page(n, t, False) for t in range(2)]
    lines = sum(1 for row in high[0].splitlines() if row and not row.startswith("#"))
    print(
        f"\ncardinality: {n} queue + {n} rule series ({lines} lines, {len(high[0]) / 1e6:.1f} MB) vs "
        f"3 queues + 5 rules padded to {sum(1 for r in low[0].splitlines() if r and not r.startswith('#'))} "
        f"lines ({len(low[0]) / 1e6:.1f} MB)"
    )
    hi_rounds, lo_rounds = [], []
    for _ in range(runs):  # interleaved: both see the same machine load
        hi_rounds.append(_cardinality_round(high, fams))
        lo_rounds.append(_cardinality_round(low, fams))
    for what, i in (("parse (2 scrapes)", 0), ("derive (2 windows)", 1), ("check report rendered", 2)):
        h = _median([r[i] for r in hi_rounds])
        b = _median([r[i] for r in lo_rounds])
        print(f"  {what:<22} high {h * 1000:8.1f} ms   baseline {b * 1000:8.1f} ms   ratio {h / b:6.2f}x")
    total_h = _median([sum(r[:3]) for r in hi_rounds])
    total_b = _median([sum(r[:3]) for r in lo_rounds])
    print(
        f"  {'total':<22} high {total_h * 1000:8.1f} ms   baseline {total_b * 1000:8.1f} ms   "
        f"ratio {total_h / total_b:6.2f}x"
    )
    print(
        f"  kept for display: {hi_rounds[0][3]} queues, {hi_rounds[0][4]} rules (high); "
        f"{lo_rounds[0][3]} queues, {lo_rounds[0][4]} rules (baseline)"
    )


class _Handler(BaseHTTPRequestHandler):
    pages: list[bytes] = []
    hits = 0

    def do_GET(self) -> None:  # noqa: N802
        body = self.pages[min(type(self).hits, len(self.pages) - 1)]  # counters advance per scrape
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


class _HttpPath:
    """scrape (HTTP, loopback) + parse (worker thread) + derive against the previous scrape."""

    def __init__(self, url: str, fams: list[str]) -> None:
        from console.sources.scrape import Scraper

        self.url = url
        self.fams = fams
        self.loop = asyncio.new_event_loop()
        self.scraper = Scraper(timeout=60.0, retries=0)
        self.prev: Snapshot | None = None

    async def _once(self) -> None:
        result = await self.scraper.scrape(self.url, self.fams)
        assert result.page is not None and result.page.ok, result.error
        snap = Snapshot.now(result.page)
        if self.prev is not None:
            derived = await asyncio.to_thread(derive, self.prev, snap, None)
            assert derived.metrics["request_rate"].value is not None
        self.prev = snap

    def once(self) -> float:
        t0 = time.perf_counter()
        self.loop.run_until_complete(self._once())
        return time.perf_counter() - t0

    def close(self) -> None:
        self.loop.run_until_complete(self.scraper.aclose())
        self.loop.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cardinality", type=int, default=100_000)
    args = ap.parse_args()

    from prometheus_client.parser import text_string_to_metric_families

    pages = [generate_page(args.series, tick) for tick in range(args.runs + 1)]
    lines = sum(1 for row in pages[0].splitlines() if row and not row.startswith("#"))
    fams = families(None)
    print(f"page: {lines} series, {len(pages[0]) / 1e6:.1f} MB; families read by the console: {len(fams)}")

    # over HTTP from a loopback server (a thread in this process)
    _Handler.pages = [p.encode() for p in pages]  # scrape k gets tick k: a real window every time
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    http_path = _HttpPath(f"http://127.0.0.1:{server.server_address[1]}/metrics", fams)
    prev = Snapshot(at=0.0, mono=0.0, page=parse_exposition(pages[0], fams))
    derive(None, prev)
    prev.histograms("edge_request_duration_seconds")
    prev.histograms("edge_cpu_time_ms")
    http: list[float] = []
    mem: list[float] = []
    base: list[float] = []
    ratios: list[float] = []
    try:
        http_path.once()  # the first scrape has no previous one to derive against
        # interleaved, so that all three see the same machine load in each round
        for _ in range(args.runs):
            http.append(http_path.once())

            t0 = time.perf_counter()
            page = parse_exposition(pages[1], fams)
            derived = derive(prev, Snapshot(at=2.0, mono=2.0, page=page), None)
            mem.append(time.perf_counter() - t0)
            assert derived.metrics["p95_latency_ms"].value is not None

            t0 = time.perf_counter()
            n = 0
            for fam in text_string_to_metric_families(pages[1]):
                n += len(fam.samples)
            base.append(time.perf_counter() - t0)
            ratios.append(base[-1] / http[-1])
    finally:
        http_path.close()
        server.shutdown()

    b = _median(base)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"runs: {args.runs} (medians); load average {load:.2f} on {os.cpu_count()} CPUs "
        "(the ratios are the figures to compare: both sides run under the same load)"
    )
    print(
        f"console scrape(HTTP loopback)+parse+derive: {_median(http) * 1000:8.1f} ms   "
        f"(min {min(http) * 1000:.1f}, max {max(http) * 1000:.1f})"
    )
    print(
        f"console parse+derive (in memory):           {_median(mem) * 1000:8.1f} ms   "
        f"(min {min(mem) * 1000:.1f}, max {max(mem) * 1000:.1f})"
    )
    print(f"prometheus-client parser alone (in memory): {b * 1000:8.1f} ms   ({n} samples)")
    print(f"ratio prometheus-client / console (HTTP):   {_median(ratios):8.2f}x  (median of per-round ratios)")
    print(f"ratio prometheus-client / console (memory): {b / _median(mem):8.2f}x")
    target = 0.5
    print(
        f"target: 100k-series page derived in < {target} s -> "
        f"{'met' if _median(http) < target else 'NOT met'} as measured here"
    )
    # the issue quotes prometheus-client at ~2 s on a quiet machine: scale by the ratio
    print(
        f"projection for a machine where prometheus-client takes 2.0 s: "
        f"{2.0 / _median(ratios) * 1000:.0f} ms (an estimate from the ratio, not a measurement)"
    )
    if args.cardinality:
        bench_cardinality(args.cardinality, args.runs, fams)
    return 0


if __name__ == "__main__":
    sys.exit(main())
