"""Declares ``edge-console simulate`` (runs in :mod:`console.sim.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    from console.sim.scenarios import SCENARIO_NAMES, SCENARIOS

    parser = subparsers.add_parser(
        "simulate",
        help="serve a simulated TWIST edge (health, metrics, admin, Cloudflare API) on loopback",
        description="Serve the simulated edge until Ctrl-C. Switch scenarios while it runs with "
        'POST /admin/scenario {"name": ...}.',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="scenarios:\n" + "\n".join(f"  {name:<15} {SCENARIOS[name].description}" for name in SCENARIO_NAMES),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 picks a free one)")
    parser.add_argument(
        "--scenario",
        dest="sim_scenario",
        default=None,
        choices=SCENARIO_NAMES,
        metavar="NAME",
        help="starting scenario: " + ", ".join(SCENARIO_NAMES) + " (default normal)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed for reproducible values")
    parser.set_defaults(func=handler("console.sim.cli:run"))
