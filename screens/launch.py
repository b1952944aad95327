"""Start the TUI (imports Textual lazily so headless commands stay light)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from console import gctune
from console.session import open_session_from_args


def check_keymap(session: Any) -> None:
    """The config's ``keys:`` against the catalogue before the UI starts (a bad one is ``file:line``,
    exit 2). Only a keymap naming a runbook flow loads the runbook here; the app loads it after its
    first frame otherwise."""
    from console.actions import CODE_ACTIONS, build_catalogue
    from console.keymap import read_keymap

    keymap = read_keymap(session.config)
    if not keymap:
        return
    runbook = None
    if set(keymap) - {a.id for a in CODE_ACTIONS}:
        from console.runbook import RunbookError, load_for_config

        try:
            runbook = load_for_config(session.config)
        except RunbookError:
            return  # the app shows the runbook's own error
    build_catalogue(runbook, keymap=keymap, read_only=bool(session.read_only), config=session.config)


def run_tui(args: Any) -> int:
    gctune.start_up()  # the app settles the collector after its first frame
    session = open_session_from_args(args, defer_sim=True)  # the app starts it after its first frame
    try:
        check_keymap(session)
        from console.sources.early import start_for_session

        early = start_for_session(session)  # the first numbers are fetched while Textual loads
        from screens.app import EdgeConsoleApp  # Textual loads here, after the session is open

        app = EdgeConsoleApp(session, theme=getattr(args, "theme", None))
        app.early_scrapes = early
        app.run()
        return int(app.return_code or 0)
    finally:
        session.close()


def run_drill_tui(args: Any, script: Any) -> int:
    """``edge-console drill FILE``: the console on its own simulated edge, the drill script played on it."""
    from console.session import open_session

    first = next((item.scenario for item in script.timeline if item.scenario and item.at == 0), None)
    gctune.start_up()
    # the drill's own simulated edge (a console's: published for headless commands), never a joined one
    session = open_session(None, None, bool(getattr(args, "read_only", False)), first or "normal", defer_sim=True)
    try:
        from screens.app import EdgeConsoleApp
        from screens.drill_app import DrillController

        app = EdgeConsoleApp(session, theme=getattr(args, "theme", None))
        controller = DrillController(
            app, script, speed=args.speed, score_out=Path(args.score_out) if args.score_out else None
        )
        app.after_first_frame(controller.start)
        app.run()
        if controller.result is None and controller.runner is not None:
            # quit before the end: scored as far as it went (and marked so)
            controller.result = controller.runner.finish(score_out=controller.score_out, ended_early=True)
            print(
                f"the drill was left {int(controller.runner.now)} s in, before its end ({int(script.duration)} s)",
                file=sys.stderr,
            )
        if controller.result is not None:
            from console.drill.score import score_lines

            for line in score_lines(controller.result):
                print(line)
            if controller.result.get("score_file"):
                print(f"score: {controller.result['score_file']}")
        return int(app.return_code or 0)
    finally:
        session.close()
