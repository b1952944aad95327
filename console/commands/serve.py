"""Declares ``edge-console serve`` (runs in :mod:`console.serve.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.commands import handler

DEFAULT_PORT = 8000
DEFAULT_MAX_SESSIONS = 20
MAX_SESSIONS_LIMIT = 500


def register(subparsers: Any) -> None:
    from console.sim.names import SCENARIO_NAMES

    parser = subparsers.add_parser(
        "serve",
        help="share the console read-only in browsers (textual-serve)",
        description="Serve the console to browsers: each tab gets its own console process, always "
        "read-only (SHARED READ-ONLY). Binds 127.0.0.1 by default; another --host needs "
        "--token-env. Stop with Ctrl+C or SIGTERM: every session's process ends.",
    )
    # --config/--env/--scenario also work after the command; given before it, they are not reset
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="YAML config the served consoles use (default: as the console: "
        "$EDGE_CONSOLE_CONFIG, the XDG file, else ONE simulated edge for every browser)",
    )
    parser.add_argument("--env", metavar="NAME", default=argparse.SUPPRESS, help="environment from the config")
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        default=argparse.SUPPRESS,
        choices=SCENARIO_NAMES,
        help="scenario of the shared simulated edge (default: normal)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free)")
    parser.add_argument(
        "--token-env",
        metavar="VAR",
        default=None,
        help="environment variable holding the access token (required for a non-loopback "
        "--host); browsers open the printed URL with ?token=...",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"concurrent browser sessions (default: {DEFAULT_MAX_SESSIONS})",
    )
    parser.set_defaults(func=handler("console.serve.cli:run"))
