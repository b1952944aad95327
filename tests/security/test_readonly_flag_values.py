"""Issue 14 §2 (review 1a): the allow-list understood an option's name but not its value, so
``terraform fmt -check=false`` passed as a check and rewrote files. Boolean flags now parse their value like
Go's ``strconv.ParseBool``, a required option must be true (its last occurrence, as Go's flag package
reads it), and ``=VALUE`` on any other tool's flag is refused."""

from __future__ import annotations

import pytest

from console.cli import main
from console.runbook.policy import command_problem
from tests.security.test_readonly_allowlist import check_file

NOT_READ_ONLY = [
    ("terraform", ["fmt", "-check=false"]),
    ("terraform", ["fmt", "-check=0"]),
    ("terraform", ["fmt", "-check=F"]),
    ("terraform", ["fmt", "-check", "-check=false"]),
    ("terraform", ["fmt", "--check=false"]),
    ("terraform", ["fmt", "-check=yes"]),
    ("terraform", ["plan", "-input=maybe"]),
    ("terraform", ["-version=false"]),
    ("wrangler", ["--version=false"]),
    ("wrangler", ["kv", "key", "list", "--remote=false"]),
    ("gh", ["--version=false"]),
    ("gh", ["run", "list", "--all=x"]),
]

READ_ONLY = [
    ("terraform", ["fmt", "-check"]),
    ("terraform", ["fmt", "-check=true"]),
    ("terraform", ["fmt", "-check=1"]),
    ("terraform", ["fmt", "-check=T"]),
    ("terraform", ["fmt", "-check=false", "-check=True"]),
    ("terraform", ["fmt", "-check", "-diff=false", "-recursive=TRUE"]),
    ("terraform", ["plan", "-input=false", "-refresh=f", "-lock=FALSE"]),
]


@pytest.mark.parametrize("tool, args", NOT_READ_ONLY, ids=[" ".join([t, *a]) for t, a in NOT_READ_ONLY])
def test_a_flag_value_that_turns_a_check_into_a_change_is_refused(tmp_path, capsys, tool, args):
    assert command_problem(tool, args) is not None
    path = check_file(tmp_path, tool, args)
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: flows[0].steps[0].kind: " in err and "use kind: action" in err, err


@pytest.mark.parametrize("tool, args", READ_ONLY, ids=[" ".join([t, *a]) for t, a in READ_ONLY])
def test_boolean_flag_values_that_keep_a_check_read_only_are_accepted(tmp_path, capsys, tool, args):
    assert command_problem(tool, args) is None
    path = check_file(tmp_path, tool, args)
    assert main(["runbook", "validate", str(path)]) == 0, capsys.readouterr().err
