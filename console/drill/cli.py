"""``edge-console drill FILE``: run a drill script in the TUI on the built-in simulated edge and score it.

FILE is a path or the name of a shipped script (``edge-console drill --list``). ``--check`` validates the
script and exits (errors ``file:line: key: what``, exit 2). The drill always runs on the simulated edge:
a configuration naming a real environment is refused.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


#: the drill's terminal UI (screens/launch.py), reached by name: the core never imports the UI
DRILL_TUI_ENTRY = "screens.launch:run_drill_tui"


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
    parser.set_defaults(func=run)


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 1 <= value <= 600:
        raise argparse.ArgumentTypeError(f"must be between 1 and 600, got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    from console.drill.script import DrillScriptError, load_script, resolve, shipped_scripts
    from console.sanitize import clean_line

    if args.list:
        for path in shipped_scripts():
            try:
                script = load_script(path)
            except DrillScriptError as exc:
                print(clean_line(str(exc)), file=sys.stderr)
                continue
            print(f"{path.stem:<32} {clean_line(script.name)} ({int(script.duration // 60)} min)")
        return 0
    if not args.file:
        print("edge-console drill: give a drill script (or --list)", file=sys.stderr)
        return 2
    try:
        script = load_script(resolve(args.file))
    except DrillScriptError as exc:
        print(f"edge-console drill: {clean_line(str(exc))}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{clean_line(script.path)}: ok ({len(script.timeline)} events, {int(script.duration)} s)")
        return 0
    from console.config import resolve_config_path

    if resolve_config_path(getattr(args, "config", None)) is not None:
        from console.config import load_config

        env = load_config(resolve_config_path(getattr(args, "config", None))).environment(getattr(args, "env", None))
        if not env.simulated:
            print(
                f"edge-console drill: environment {env.name!r} is a real edge; drills run only on the simulated "
                "edge (run without --config)",
                file=sys.stderr,
            )
            return 2
    from console.frontends import tui_runner

    return tui_runner(DRILL_TUI_ENTRY)(args, script)
