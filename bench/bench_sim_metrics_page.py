"""The simulated edge's /metrics page: the direct writer (``Exposition.render``, console/sim/exposition_text.py)
against prometheus-client's ``generate_latest`` over the collector (``Exposition.render_registry``), the bytes
being equal (tests/test_sim_exposition_text.py). Every poll of the simulated edge renders one page.

Prints the median CPU time per page of each, alternating them so load hits both alike, and the ratio.
``python bench/bench_sim_metrics_page.py [--pages N] [--scenario ddos]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.sim.exposition import Exposition  # noqa: E402
from console.sim.state import SimState  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--scenario", default="ddos")
    args = parser.parse_args()
    now = [1_700_000_000.0]
    state = SimState(scenario=args.scenario, seed=11, clock=lambda: now[0])
    exposition = Exposition(state)
    direct: list[float] = []
    reference: list[float] = []
    for _ in range(args.pages):
        now[0] += 2.0  # a poll every 2 s, as the console's default
        for render, into in ((exposition.render, direct), (exposition.render_registry, reference)):
            start = time.process_time()
            page = render()
            into.append(time.process_time() - start)
    d, r = statistics.median(direct), statistics.median(reference)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.pages} pages of {len(page):,} bytes ({args.scenario})")
    print(f"generate_latest over the collector: {r * 1000:.2f} ms CPU a page")
    print(f"direct writer:                      {d * 1000:.2f} ms CPU a page")
    print(f"ratio direct / generate_latest:     {d / r:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
