"""The ``edge-console`` command: the TUI by default, plus headless subcommands.

Each subcommand's options and help are declared in ``console/commands/`` (``register(subparsers)``),
apart from its code: the declaration sets ``func`` to a :class:`console.commands.Handler` naming the
function that runs it (``"console.check:run"``), imported only when that command runs, so the parser
of ``edge-console keys`` or ``--help`` loads no HTTP client, runbook engine or simulator. ``func`` takes
the parsed args and returns an exit code. Errors the operator can fix are printed as one line, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from console import __version__
from console.safefile import UnsafePath
from console.sim.names import SCENARIO_NAMES
from console.termcaps import CHOICES as THEME_CHOICES

#: Modules that declare subcommands (console/commands/), in help order.
SUBCOMMAND_MODULES = [
    "console.commands.sim",  # simulate
    "console.commands.check",  # check
    "console.commands.tail",  # tail
    "console.commands.runbook",  # flows, run, runbook validate, audit
    "console.commands.incident",  # incident ...
    "console.commands.serve",  # serve
    "console.commands.schema",  # schema
    "console.commands.alerts",  # alerts
    "console.commands.drill",  # drill
    "console.commands.keys",  # keys
    "console.commands.record",  # record, replay
]

#: Which module declares each command, so starting the TUI imports none of them (start-up time).
COMMAND_MODULES = {
    "simulate": "console.commands.sim",
    "check": "console.commands.check",
    "tail": "console.commands.tail",
    "flows": "console.commands.runbook",
    "run": "console.commands.runbook",
    "runbook": "console.commands.runbook",
    "audit": "console.commands.runbook",
    "incident": "console.commands.incident",
    "serve": "console.commands.serve",
    "schema": "console.commands.schema",
    "alerts": "console.commands.alerts",
    "drill": "console.commands.drill",
    "keys": "console.commands.keys",
    "record": "console.commands.record",
    "replay": "console.commands.record",
}

#: Top-level options that take a value (so their value is never mistaken for a command).
_VALUE_OPTIONS = {"--config", "--env", "--scenario", "--theme"}


#: Every long option of the top-level parser: argparse takes a unique prefix of one (``--en`` for ``--env``)
_TOP_OPTIONS = ("--help", "--version", "--config", "--env", "--read-only", "--scenario", "--theme")


def _unabbreviated(token: str) -> str:
    """The top-level option ``token`` is a unique prefix of, as argparse reads it; else ``token``."""
    if token.startswith("--") and "=" not in token and token not in _TOP_OPTIONS:
        matches = [option for option in _TOP_OPTIONS if option.startswith(token)]
        if len(matches) == 1:
            return matches[0]
    return token


def requested_modules(argv: list[str]) -> list[str]:
    """The subcommand modules to import for ``argv``: the command's own, all for --help, none for the TUI."""
    skip = False
    for token in argv:
        token = _unabbreviated(token)
        if skip:
            skip = False
            continue
        if token in ("-h", "--help"):
            return SUBCOMMAND_MODULES
        if token in _VALUE_OPTIONS:
            skip = True
            continue
        if token.startswith("-"):
            continue
        module = COMMAND_MODULES.get(token)
        return [module] if module else SUBCOMMAND_MODULES  # an unknown word: let argparse list the commands
    return []


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-console",
        description="Terminal console for the TWIST edge on Cloudflare Workers. "
        "With no configuration it runs against a built-in simulated edge.",
    )
    parser.add_argument("--version", action="version", version=f"edge-console {__version__}")
    add_common_options(parser)
    parser.add_argument(
        "--scenario",
        default=None,
        choices=SCENARIO_NAMES,
        metavar="NAME",
        help="scenario of the built-in simulated edge: " + ", ".join(SCENARIO_NAMES) + " (default: normal)",
    )
    parser.add_argument(
        "--theme",
        default=None,
        metavar="NAME",
        choices=THEME_CHOICES,
        help="colours of the console: auto (default: from NO_COLOR, COLORTERM, TERM), "
        "edge, edge-ansi16 (16 colours), edge-mono (no colour); overrides the config's theme:",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES if modules is None else modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of the console is not built yet
            raise
        module.register(sub)
    _accept_global_options_everywhere(parser, parser)
    return parser


def _accept_global_options_everywhere(top: argparse.ArgumentParser, parser: argparse.ArgumentParser) -> None:
    """Let every subcommand (and sub-subcommand) take the global options after its name too
    (``edge-console audit --config F`` as well as ``edge-console --config F audit``). A copy on a
    subparser defaults to SUPPRESS, so when it is not given the value given before the command stands.
    A subcommand that has its own option of that name keeps it."""
    globals_ = [
        action
        for action in top._actions
        if action.option_strings and action.dest in ("config", "env", "read_only", "scenario", "theme")
    ]
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for child in dict.fromkeys(action.choices.values()):  # aliases map to the same parser
            for option in globals_:
                if any(o in child._option_string_actions for o in option.option_strings):
                    continue
                kwargs = {"dest": option.dest, "default": argparse.SUPPRESS, "help": argparse.SUPPRESS}
                if isinstance(option, argparse._StoreTrueAction):
                    child.add_argument(*option.option_strings, action="store_true", **kwargs)
                else:
                    child.add_argument(*option.option_strings, metavar=option.metavar, choices=option.choices, **kwargs)
            _accept_global_options_everywhere(top, child)


def add_common_options(parser: argparse.ArgumentParser, *, keep_earlier: bool = False) -> None:
    """``--config``, ``--env`` and ``--read-only``; ``keep_earlier`` on a subcommand's parser: the values
    given before the subcommand (``edge-console --config F check``) are not reset by its defaults."""
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="YAML config (default: $EDGE_CONSOLE_CONFIG, "
        "then ~/.config/edge-console/config.yaml, else the simulated edge)",
    )
    parser.add_argument("--env", metavar="NAME", help="environment from the config (default: default_environment)")
    parser.add_argument("--read-only", action="store_true", help="refuse every step that changes anything")
    if keep_earlier:
        for action in parser._actions:
            if action.dest in ("config", "env", "read_only"):
                action.default = argparse.SUPPRESS


#: httpx's own command-line client, which ``import httpx`` loads when it can (rich and click: ~0.1 CPU-s of
#: every command that talks HTTP); the console never uses it, and httpx falls back to a stub without it
_UNUSED_MODULES = ("httpx._main",)


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # a program run (not a caller passing argv): it may keep the parsed shipped runbook on disk
        from console.runbook.builtin_disk_cache import enable_writes

        enable_writes()
    argv = sys.argv[1:] if argv is None else list(argv)
    for name in _UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: importing it raises ImportError
    parser = build_parser(requested_modules(argv))
    args = parser.parse_args(argv)
    try:
        # every command reads or writes the state dir: refuse an unsafe one before anything runs
        from console.paths import state_dir

        state_dir()
        if getattr(args, "func", None) is None:
            from console.frontends import tui_runner

            return tui_runner()(args)
        return int(args.func(args) or 0)
    except UnsafePath as exc:
        print(f"edge-console: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader of our output went away (``| head -1``): stop quietly, like any Unix filter
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        errors = config_errors(exc)
        if errors is None:
            raise
        for error in errors:  # every problem of the file, one line each
            print(f"edge-console: {error}", file=sys.stderr)
        return 2


def config_errors(exc: BaseException) -> list | None:
    """The file:line problems of a :class:`console.config.ConfigError`, else None. The config module is
    not imported for this (~0.1 s of every start): an exception of that class means it is loaded."""
    config = sys.modules.get("console.config")
    if config is not None and isinstance(exc, config.ConfigError):
        return list(exc.errors)
    return None


def _silence_stdout() -> None:
    """Point stdout's descriptor at /dev/null so the interpreter's exit flush of what is still buffered
    does not print 'Exception ignored ... BrokenPipeError'."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else 1
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)
