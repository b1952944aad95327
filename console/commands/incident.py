"""Declares ``edge-console incident start|list|show|note|phase|close|report`` (run in :mod:`console.incident.cli`)."""

from __future__ import annotations

from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    from console.incident.model import MARKABLE_PHASES, SEVERITIES

    parser = subparsers.add_parser(
        "incident",
        help="start, annotate, close and report incidents",
        description="Incident records shared with the running console (JSON lines under the state dir).",
    )
    sub = parser.add_subparsers(dest="incident_command", metavar="ACTION", required=True)

    p = sub.add_parser("start", help="start an incident and print its ID")
    p.add_argument(
        "--severity",
        required=True,
        metavar="P0-P3",
        help="; ".join(
            f"{s.level}: {s.name} - {s.description}, respond within {s.response_text}" for s in SEVERITIES.values()
        ),
    )
    p.add_argument("--title", required=True)
    p.add_argument("--impact", default="")
    p.set_defaults(func=handler("console.incident.cli:cmd_start"))

    p = sub.add_parser("list", help="incidents, newest first, with anything overdue (drills only with --drills)")
    p.add_argument(
        "--drills",
        action="store_true",
        help="list the drills (incidents on the simulated edge, DRILL-...) instead of real incidents",
    )
    p.set_defaults(func=handler("console.incident.cli:cmd_list"))

    p = sub.add_parser("show", help="an incident's timeline")
    p.add_argument("id")
    p.set_defaults(func=handler("console.incident.cli:cmd_show"))

    p = sub.add_parser("note", help="add a note to the timeline")
    p.add_argument("id")
    p.add_argument("text", nargs="+")
    p.set_defaults(func=handler("console.incident.cli:cmd_note"))

    p = sub.add_parser("phase", help="mark a phase: " + ", ".join(MARKABLE_PHASES))
    p.add_argument("id")
    p.add_argument("phase", metavar="PHASE")
    p.set_defaults(func=handler("console.incident.cli:cmd_phase"))

    p = sub.add_parser("close", help="close with root cause, resolution and action items")
    p.add_argument("id")
    p.add_argument("--root-cause", required=True)
    p.add_argument("--resolution", required=True)
    p.add_argument("--action-item", action="append", default=[], metavar="TEXT")
    p.set_defaults(func=handler("console.incident.cli:cmd_close"))

    p = sub.add_parser(
        "report", help="write the incident report (markdown) and print its path (a draft while the incident is open)"
    )
    p.add_argument("id")
    p.add_argument(
        "--out", metavar="FILE", help="where to write (default: next to the incident record); '-' prints it instead"
    )
    p.set_defaults(func=handler("console.incident.cli:cmd_report"))
