"""Declares ``edge-console drill FILE`` (runs in :mod:`console.drill.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "drill",
        help="run a drill script (scenarios on a timeline, faults) on the simulated edge and score it",
        description="Play a drill script on the built-in simulated edge in the TUI: scenario switches and "
        "source faults on a timeline; at the end the responder is scored (time to acknowledge, "
        "to the runbook's mitigation, to recovery; wrong or risky actions) and the score is "
        "shown and written as JSON under the state dir.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a drill script (YAML) or a shipped one's name")
    parser.add_argument("--list", action="store_true", help="list the shipped drill scripts")
    parser.add_argument("--check", action="store_true", help="validate FILE and exit")
    parser.add_argument(
        "--speed", type=_speed, default=1.0, metavar="N", help="play the timeline N times faster (1-600; default 1)"
    )
    parser.add_argument("--score-out", metavar="FILE", help="also write the score (JSON) here")
    parser.set_defaults(func=handler("console.drill.cli:run"))


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"must be between 1 and 600, got {text}")
    return value
