"""A simulated ``wrangler`` is a process per runbook step: it starts without ``json``, ``re`` and ``enum`` (a third
of its start-up CPU; tests/test_sim_tool_launch.py checks its imports), and what replaced them in its flag parser
parses as before (yargs's negative-number rule, the regex it was)."""

from __future__ import annotations

import os
import re
import subprocess

from hypothesis import example, given, settings
from hypothesis import strategies as st

from console.sim.names import tool_argv
from console.sim.tools.flags import Flag, Style, _is_number, parse

_NUMBER = re.compile(r"^-+([0-9]+(\.[0-9]+)?|\.[0-9]+)$")  # the pattern flags.py used


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="-0123456789.\n5a٣²", max_size=8))
@example("-5\n")  # ``$`` matches before a final newline
@example("--.5\n")
@example("-5\n\n")
@example("-5.")
@example("-٣")
def test_a_negative_number_is_what_the_pattern_matched(token):
    assert _is_number(token) == bool(_NUMBER.match(token))


def test_yargs_takes_a_negative_number_as_a_value_and_a_flag_as_a_flag():
    flags = [Flag(("--count",), "count"), Flag(("--json",), "json", value=False)]
    parsed = parse(["--count", "-5", "--json"], flags, Style.YARGS)
    assert parsed.values["count"] == "-5" and parsed.bools["json"] is True
    parsed = parse(["--count", "--json"], flags, Style.YARGS)
    assert parsed.values["count"] == "" and parsed.bools["json"] is True


def test_gh_without_a_repository_flag_reads_it_from_the_git_remote(tmp_path):
    """gh's repository from ``git remote -v`` (its ``re`` is imported there now, not at start-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EDGE_SIM", "GH_", "GITHUB"))}

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "init.defaultBranch=main", *args], check=True, env=env, timeout=30)

    def gh_run_list() -> subprocess.CompletedProcess:
        argv = [*tool_argv("gh"), "run", "list"]
        return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)

    git("init", "-q", str(tmp_path))
    git("-C", str(tmp_path), "remote", "add", "origin", "https://github.com/twist/other.git")
    found = gh_run_list()
    assert "repos/twist/other" in found.stderr, found.stderr  # asked the simulated GitHub about that repository
    git("-C", str(tmp_path), "remote", "set-url", "origin", "https://gitlab.example/x/y.git")
    none = gh_run_list()
    assert none.returncode == 1
    assert "none of the git remotes configured for this repository point to a known GitHub host" in none.stderr
