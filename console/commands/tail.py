"""Declares ``edge-console tail`` (runs in :mod:`console.tail.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "tail",
        help="stream the workers' logs (wrangler tail), parsed and filtered",
        description="Run `wrangler tail <worker> --format json` for the environment (or for each --worker "
        "ROLE, merged) and print the parsed, "
        "filtered events: one line each, or with --json one JSON object each. Status and errors "
        "go to stderr. Filter syntax is the view's `/`: text, !text, level:error, "
        "outcome:exception, exceptions, cpu>25, method:POST, colo:FRA, status:5xx, ...",
    )
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="YAML config")
    p.add_argument("--env", metavar="NAME", default=argparse.SUPPRESS, help="environment from the config")
    p.add_argument(
        "--worker",
        metavar="ROLE",
        action="append",
        default=[],
        help="tail this worker role of environments.*.workers (vau-processor, security-waf, "
        "rate-limiter, queue-processor); repeatable: several are merged, each line labelled",
    )
    p.add_argument("--filter", metavar="EXPR", default=None, help="client-side filter expression")
    p.add_argument("--json", action="store_true", help="print each event as one JSON object (nothing else)")
    p.add_argument(
        "--status",
        action="append",
        default=[],
        choices=["ok", "error", "canceled"],
        help="wrangler --status (repeatable)",
    )
    p.add_argument("--method", action="append", default=[], help="wrangler --method (repeatable)")
    p.add_argument("--search", default=None, help="wrangler --search (console.log text)")
    p.add_argument("--ip", action="append", default=[], help="wrangler --ip (repeatable)")
    p.add_argument("--sampling-rate", type=float, default=None, help="wrangler --sampling-rate (0..1)")
    p.add_argument("--count", type=int, default=0, metavar="N", help="exit after printing N events")
    p.add_argument("--once", action="store_true", help="do not reconnect when wrangler exits")
    p.set_defaults(func=handler("console.tail.cli:run"))
