"""Issue 14 §2 (review 9, gh part): ``gh api`` accepted ``--hostname X`` (the token sent to another host)
and ``-H/--header`` (``X-HTTP-Method-Override: DELETE`` turns the GET into a DELETE on servers that honour
it) in checks. A check's ``gh api`` now takes only options that shape the output of a GET."""

from __future__ import annotations

import pytest

from console.cli import main
from console.runbook.policy import command_problem
from tests.security.test_readonly_allowlist import check_file

REFUSED = [
    ["api", "--hostname", "evil.example", "user"],
    ["api", "--hostname=evil.example", "user"],
    ["api", "-H", "X-HTTP-Method-Override: DELETE", "repos/o/r"],
    ["api", "--header", "X-HTTP-Method-Override: DELETE", "repos/o/r"],
    ["api", "--header=X-HTTP-Method-Override: DELETE", "repos/o/r"],
    ["api", "-p", "corsair", "repos/o/r"],
    ["api", "--preview", "corsair", "repos/o/r"],
    ["api", "--verbose", "repos/o/r"],
]
ACCEPTED = [
    ["api", "repos/o/r", "--jq", ".name"],
    ["api", "repos/o/r", "-q", ".name"],
    ["api", "repos/o/r/pulls", "--paginate", "--slurp"],
    ["api", "repos/o/r", "--cache", "1h"],
    ["api", "repos/o/r", "-i"],
    ["api", "repos/o/r", "--include", "--silent"],
    ["api", "-X", "GET", "repos/o/r", "-t", "{{.name}}"],
]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a) for a in REFUSED])
def test_gh_api_options_that_change_the_host_or_the_request_are_refused_in_a_check(tmp_path, capsys, args):
    assert command_problem("gh", args) is not None
    path = check_file(tmp_path, "gh", args)
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: flows[0].steps[0].kind: " in err and "use kind: action" in err, err


@pytest.mark.parametrize("args", ACCEPTED, ids=[" ".join(a) for a in ACCEPTED])
def test_gh_api_output_options_stay_read_only(args):
    assert command_problem("gh", args) is None
