"""Declares ``edge-console alerts`` (runs in :mod:`console.alertmanager.cli`)."""

from __future__ import annotations

from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    from console.cli import add_common_options

    p = subparsers.add_parser(
        "alerts",
        help="firing alerts: the console's own and Alertmanager's (alertmanager_url), one row per metric",
        description="The console's alerts (key metrics in warning/critical over two scrapes) and Alertmanager's "
        "firing alerts (GET /api/v2/alerts: labels, start time, silenced/inhibited), deduplicated by "
        "metric, each with the runbook flow that responds to it. Exit 0 none firing, 1 firing, "
        "2 a source could not be read.",
    )
    add_common_options(p, keep_earlier=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--window",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="seconds between the console's two scrapes (default 1)",
    )
    p.set_defaults(func=handler("console.alertmanager.cli:run"))
