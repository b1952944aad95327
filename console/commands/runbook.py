"""Declares ``edge-console flows``, ``run``, ``runbook validate`` and ``audit`` (run in :mod:`console.runbook.cli`)."""

from __future__ import annotations

import argparse
from typing import Any

from console.commands import handler


def _session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="YAML config")
    p.add_argument("--env", metavar="NAME", default=argparse.SUPPRESS, help="environment from the config")
    p.add_argument(
        "--read-only", action="store_true", default=argparse.SUPPRESS, help="refuse every step that changes anything"
    )


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "flows",
        help="list the runbook's flows",
        description="The flows of the built-in runbook plus the config's runbooks.",
    )
    _session_options(p)
    p.add_argument(
        "--json", action="store_true", help="print each flow's id, title, section, key, mutating and inputs as JSON"
    )
    p.set_defaults(func=handler("console.runbook.cli:cmd_flows"))

    p = subparsers.add_parser(
        "run",
        help="run one flow without the TUI",
        description="Run a runbook flow headless: inputs with --set key=value (defaults from the config), the "
        "same validation and safety rails as the TUI. Steps that change something need --yes when "
        "stdin is not a terminal; manual checklist items are listed as pending.",
    )
    _session_options(p)
    p.add_argument("flow", metavar="FLOW", help="flow id (see `edge-console flows`)")
    p.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an input value (repeatable)",
    )
    p.add_argument("--dry-run", action="store_true", help="show each step's command or request; run nothing")
    p.add_argument("--yes", action="store_true", help="confirm every step that changes something")
    p.set_defaults(func=handler("console.runbook.cli:cmd_run"))

    p = subparsers.add_parser("runbook", help="check runbook files", description="Runbook YAML tools.")
    sub = p.add_subparsers(dest="runbook_command", metavar="ACTION", required=True)
    v = sub.add_parser(
        "validate", help="check runbook YAML files, together with the built-in runbook (file, line and what is wrong)"
    )
    v.add_argument("files", metavar="FILE", nargs="+")
    v.set_defaults(func=handler("console.runbook.cli:cmd_validate"))

    p = subparsers.add_parser(
        "audit",
        help="print the audit trail of runbook steps",
        description="Every step run (flow, step, inputs with secrets masked, argv or "
        "request, status, user@host, environment) from the state dir. A step "
        "that was started but never finished (its console died) shows as "
        "unknown; lines that are not records are skipped and counted. The trail is the state dir's: "
        "--env shows one environment's records, --config is not used.",
    )
    p.add_argument(
        "--since",
        metavar="T",
        default=None,
        help="only records newer than T: an ISO time (2024-01-15T09:00:00Z) or an age (30m, 2h, 7d)",
    )
    p.add_argument("--json", action="store_true", help="print the records as JSON lines")
    p.add_argument("--flow", metavar="ID", default=None, help="only this flow's records")
    p.set_defaults(func=handler("console.runbook.cli:cmd_audit"))
