"""What ``edge-console`` accepts: each subcommand's options and help, declared without its code.

One module here per command family (``check``, ``runbook``, ...), each with ``register(subparsers)``
adding its parsers. The handler that runs a command is named, not imported: ``handler("console.check:run")``
imports ``console.check`` only when that command runs, so ``edge-console keys`` or ``--help`` do not load
the HTTP client, the runbook engine or the simulator (``console/cli.py`` builds the parser from these).
A declaration module imports only what its options need (names, limits, the formatter of its help).
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any, Callable


class Handler:
    """``module:function``, imported when called with the parsed arguments (it returns the exit code)."""

    __slots__ = ("target",)

    def __init__(self, target: str) -> None:
        self.target = target

    def resolve(self) -> Callable[[argparse.Namespace], Any]:
        module, _, function = self.target.partition(":")
        return getattr(importlib.import_module(module), function)

    def __call__(self, args: argparse.Namespace) -> Any:
        return self.resolve()(args)

    def __repr__(self) -> str:
        return f"Handler({self.target!r})"


def handler(target: str) -> Handler:
    return Handler(target)
