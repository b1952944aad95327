"""The one place the core names a user interface: the CLI starts the TUI through this entry.

``console`` never imports ``screens``, ``widgets`` or Textual (import-linter checks it in
``make test``); the TUI is looked up by name only when a command needs it, so headless commands
never load it. Like a packaging entry point, without scanning installed metadata at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

#: ``module:function`` that runs the terminal UI with the parsed command line; returns the exit code
TUI_ENTRY = "screens.launch:run_tui"


def tui_runner(entry: str = TUI_ENTRY) -> Callable[[Any], int]:
    module_name, _, function = entry.partition(":")
    return getattr(importlib.import_module(module_name), function)
