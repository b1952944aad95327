"""The subcommands' declarations (``console/commands/``): every handler they name exists, and a parser
built for one command (what ``edge-console CMD`` builds) says the same as the full one."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from console.cli import COMMAND_MODULES, SUBCOMMAND_MODULES, build_parser, requested_modules
from console.commands import Handler


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, child in _subparsers(parser).items():
        paths.append((*prefix, name))
        paths.extend(_command_paths(child, (*prefix, name)))
    return paths


def _handlers(parser: argparse.ArgumentParser) -> list[Handler]:
    found = []
    for child in _subparsers(parser).values():
        func = child.get_default("func")
        if func is not None:
            found.append(func)
        found.extend(_handlers(child))
    return found


FULL = build_parser()
PATHS = _command_paths(FULL)


def test_every_command_is_declared_once_and_mapped_to_its_module():
    tops = [path[0] for path in PATHS if len(path) == 1]
    assert sorted(tops) == sorted(COMMAND_MODULES)
    assert set(COMMAND_MODULES.values()) == set(SUBCOMMAND_MODULES)
    for name in tops:  # the module named for a command declares it
        sub = argparse.ArgumentParser().add_subparsers()
        __import__(COMMAND_MODULES[name], fromlist=["register"]).register(sub)
        assert name in sub.choices, (name, COMMAND_MODULES[name])


def test_every_handler_names_a_function_of_its_module():
    handlers = _handlers(FULL)
    assert len(handlers) >= len(COMMAND_MODULES)
    for func in handlers:
        assert isinstance(func, Handler), func  # declarations name their handler, never import it
        assert callable(func.resolve()), func.target


def _help(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> str:
    for name in path:
        parser = _subparsers(parser)[name]
    return parser.format_help()


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_the_parser_built_for_one_command_prints_the_full_parsers_help(path):
    alone = build_parser(requested_modules([*path, "--version"]))  # what `edge-console PATH ...` builds
    assert _help(alone, path) == _help(FULL, path)


def test_the_tui_builds_no_command_and_help_builds_them_all():
    assert requested_modules([]) == [] and requested_modules(["--theme", "edge-mono"]) == []
    assert requested_modules(["--help"]) == SUBCOMMAND_MODULES
    assert requested_modules(["--config", "keys", "check"]) == ["console.commands.check"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser(requested_modules(["--help"])).parse_args(["--help"])
    assert out.getvalue() == FULL.format_help()


def test_every_top_level_option_taking_a_value_is_skipped_when_looking_for_the_command():
    from console.cli import _VALUE_OPTIONS

    taking = {
        option
        for action in FULL._actions
        if action.option_strings and action.nargs != 0 and not isinstance(action, argparse._SubParsersAction)
        for option in action.option_strings
    }
    assert taking == _VALUE_OPTIONS  # else `edge-console --OPTION VALUE` took VALUE for a command


def test_a_handler_runs_the_function_it_names(monkeypatch):
    import console.schema.cli

    seen = []
    monkeypatch.setattr(console.schema.cli, "run", lambda args: seen.append(args) or 7)
    args = FULL.parse_args(["schema", "config"])
    assert args.func(args) == 7 and seen == [args]
