"""argparse takes a unique prefix of a long option (``--en`` for ``--env``, ``--he`` for ``--help``): the
lazy parser (``requested_modules``) must read it the same way, or the value of ``--en check`` is taken
for the command (and the real command is then refused), and ``--he`` prints a help with no commands."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from console.cli import build_parser, requested_modules

FULL = build_parser()


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[int | str | None, str, str, dict]:
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = None
    args: dict = {}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            args = {k: v for k, v in vars(parser.parse_args(argv)).items() if k != "func"}
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue(), args


@pytest.mark.parametrize(
    "argv",
    [
        ["--en", "check", "keys", "--json"],
        ["--e", "tail", "check", "--json"],
        ["--conf", "keys", "check", "--help"],
        ["--sc", "normal", "keys"],
        ["--the", "edge-mono", "keys"],
        ["--t", "edge", "check", "--help"],
        ["--read", "--en", "run", "flows"],
        ["--he"],
        ["--h"],
        ["--en", "staging", "--hel"],
        ["--en=check", "keys"],
    ],
    ids=" ".join,
)
def test_an_abbreviated_top_level_option_is_read_as_the_full_parser_reads_it(argv):
    alone = build_parser(requested_modules(argv))  # what `edge-console ARGV` builds
    assert parse(alone, argv) == parse(FULL, argv)


def test_the_abbreviations_known_are_the_parsers_top_level_options():
    from console.cli import _TOP_OPTIONS

    options = {o for action in FULL._actions for o in action.option_strings if o.startswith("--")}
    assert set(_TOP_OPTIONS) == options  # else a new option's prefix is not recognised before the command
