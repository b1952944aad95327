"""``edge-console drill FILE``: run a drill script in the TUI on the built-in simulated edge and score it.

FILE is a path or the name of a shipped script (``edge-console drill --list``). ``--check`` validates the
script and exits (errors ``file:line: key: what``, exit 2). The drill always runs on the simulated edge:
a configuration naming a real environment is refused.
"""

from __future__ import annotations

import argparse
import sys


#: the drill's terminal UI (screens/launch.py), reached by name: the core never imports the UI
DRILL_TUI_ENTRY = "screens.launch:run_drill_tui"


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
