"""Declares ``edge-console keys`` (runs in :mod:`console.keys_cli`)."""

from __future__ import annotations

import argparse

from console.commands import handler


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("keys", help="every action: id, key, scope, title, dangerous, enabled (with your keys:)")
    p.add_argument("--json", action="store_true", help="a JSON list of {id, key, scope, title, dangerous, enabled}")
    p.add_argument(
        "--update-readme",
        metavar="FILE",
        default=None,
        help="rewrite FILE's generated key table (defaults, built-in runbook) and exit",
    )
    p.set_defaults(func=handler("console.keys_cli:cmd_keys"))
