"""Declares ``edge-console check`` (runs in :mod:`console.check`)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from console.commands import handler

DEFAULT_WINDOW_S = 5.0
MAX_WINDOW_S = 3600.0


def register(subparsers: Any) -> None:
    from console.cli import add_common_options

    p = subparsers.add_parser(
        "check",
        help="check all systems: health, key metrics, queues, security (exit 0 ok, 1 warning, 2 critical)",
        description="Health, two scrapes --window seconds apart, every key metric with value and state, "
        "queues and security. Exit 0 when all normal, 1 on any warning, 2 on any critical "
        "value or unreachable endpoint.",
    )
    add_common_options(p, keep_earlier=True)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument(
        "--window",
        type=_window,
        default=DEFAULT_WINDOW_S,
        metavar="SECONDS",
        help=f"seconds between the two scrapes (default {DEFAULT_WINDOW_S:g})",
    )
    p.set_defaults(func=handler("console.check:run"))


def _window(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if math.isnan(value) or value < 0 or value > MAX_WINDOW_S:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_WINDOW_S:g} seconds, got {text}")
    return value
