"""Start the TUI (imports Textual lazily so headless commands stay light)."""

from __future__ import annotations

from typing import Any

from console import gctune
from console.session import open_session_from_args


def run_tui(args: Any) -> int:
    gctune.start_up()  # the app settles the collector after its first frame
    session = open_session_from_args(args, defer_sim=True)  # the app starts it after its first frame
    try:
        from screens.app import EdgeConsoleApp

        app = EdgeConsoleApp(session, theme=getattr(args, "theme", None))
        app.run()
        return int(app.return_code or 0)
    finally:
        session.close()
