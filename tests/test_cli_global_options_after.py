"""Every top-level option (--config, --env, --read-only, --scenario, --theme) is taken after any
(sub-)subcommand as well as before it, with the same value: `edge-console drill FILE --theme edge-mono`
(the drill runs the TUI) was refused as an unrecognised argument."""

from __future__ import annotations

import argparse

import pytest

from console.cli import build_parser

FULL = build_parser()
GLOBAL = {"--config", "--env", "--read-only", "--scenario", "--theme"}


def _children(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield (*prefix, name), child
                yield from _children(child, (*prefix, name))


@pytest.mark.parametrize(
    "path, child", list(_children(FULL)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_subcommand_takes_every_global_option(path, child):
    assert GLOBAL <= set(child._option_string_actions), path


@pytest.mark.parametrize(
    "argv", [["drill", "x.yaml", "--theme", "edge-mono"], ["--theme", "edge-mono", "drill", "x.yaml"]]
)
def test_theme_before_or_after_the_command_is_the_same(argv):
    args = FULL.parse_args(argv)
    assert args.theme == "edge-mono" and args.file == "x.yaml"


def test_theme_after_the_command_is_checked_as_before(capsys):
    with pytest.raises(SystemExit) as exc:
        FULL.parse_args(["drill", "x.yaml", "--theme", "\x1b[2Jmauve"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "\x1b" not in err
