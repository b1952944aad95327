"""Start the TUI (imports Textual lazily so headless commands stay light)."""

from __future__ import annotations

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
        from screens.app import EdgeConsoleApp

        app = EdgeConsoleApp(session)
        app.run()
        return int(app.return_code or 0)
    finally:
        session.close()
