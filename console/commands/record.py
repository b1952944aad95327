"""Declares ``edge-console record`` and ``replay`` (run in :mod:`console.record.cli`)."""

from __future__ import annotations

from typing import Any

from console.commands import handler


def register(sub: Any) -> None:
    from console.limits import MAX_DURATION_S

    rec = sub.add_parser("record", help="record what the console sees (polls, alerts, tail) to a compressed file")
    rec.add_argument(
        "--out",
        metavar="FILE",
        default=None,
        help="recording file: a bare name goes under the state dir's recordings/ "
        "(default: recording-<UTC time>.jsonl.gz there)",
    )
    rec.add_argument(
        "--seconds",
        type=float,
        default=None,
        metavar="N",
        help=f"stop after N seconds (at most {int(MAX_DURATION_S)}; default: until interrupted)",
    )
    rec.add_argument("--no-tail", action="store_true", help="do not record the log tail")
    rec.set_defaults(func=handler("console.record.cli:cmd_record"))
    rep = sub.add_parser("replay", help="replay a recording in the TUI (read-only)")
    rep.add_argument("file", metavar="FILE", help="a recording (a bare name is looked up under recordings/)")
    rep.add_argument("--speed", type=float, default=1.0, metavar="N", help="replay speed (default 1)")
    rep.add_argument(
        "--from",
        dest="from_",
        default=None,
        metavar="TIME",
        help="start at an offset (90s, 5m), a UTC time of day (12:03:30) or an ISO timestamp",
    )
    rep.set_defaults(func=handler("console.record.cli:cmd_replay"))
