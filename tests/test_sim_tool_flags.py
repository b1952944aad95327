"""The simulated tools' one declared flag parser (console.sim.tools.flags) and what each tool makes of a refused flag.

The styles follow the real parsers: Go's ``flag`` (terraform), spf13/pflag (gh), yargs-parser in strict mode
(wrangler). The tool tests run each tool's ``main`` in this process: a refused flag ends the command before
it reaches the simulator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.sim.tools import gh, terraform, wrangler
from console.sim.tools._common import Invocation
from console.sim.tools.flags import Flag, FlagError, Style, go_duration, go_int, parse, pflag_int

# -- Go flag (terraform) -----------------------------------------------------------------------------
GO = (
    Flag(("-var",), "var", repeated=True),
    Flag(("-var-file",), "var-file", repeated=True),
    Flag(("-out",), "out"),
    Flag(("-auto-approve",), "auto-approve", value=False),
    Flag(("-parallelism",), "parallelism", check=go_int),
    Flag(("-lock-timeout",), "lock-timeout", check=go_duration),
)


def test_goflag_stops_at_the_first_non_flag_argument() -> None:
    parsed = parse(["-auto-approve", "plan.out", "-out=x"], GO, Style.GOFLAG)
    assert parsed.flag("auto-approve")
    assert parsed.positionals == ["plan.out", "-out=x"]  # not a flag any more: terraform says too many arguments
    assert parse(["-", "-out=x"], GO, Style.GOFLAG).positionals == ["-", "-out=x"]
    assert parse(["--", "-out=x"], GO, Style.GOFLAG).positionals == ["-out=x"]


def test_goflag_one_or_two_dashes_and_both_value_forms() -> None:
    parsed = parse(["--out", "a", "-out=b", "--auto-approve=false"], GO, Style.GOFLAG)
    assert parsed.get("out") == "b" and parsed.bools == {"auto-approve": False}
    # a boolean never takes the next argument: it is the first positional, and parsing stops there
    assert parse(["-auto-approve", "false", "-out=c"], GO, Style.GOFLAG).positionals == ["false", "-out=c"]


def test_goflag_keeps_var_and_var_file_in_command_line_order() -> None:
    parsed = parse(["-var=a=1", "-var-file", "f.tfvars", "-var", "a=2"], GO, Style.GOFLAG)
    assert parsed.order == [("var", "a=1"), ("var-file", "f.tfvars"), ("var", "a=2")]
    assert parsed.lists["var"] == ["a=1", "a=2"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus"], "flag provided but not defined: -bogus"),  # Go names it with one dash
        (["-var"], "flag needs an argument: -var"),
        (["-auto-approve=yes"], 'invalid boolean value "yes" for -auto-approve: parse error'),
        (["-parallelism=ten"], 'invalid value "ten" for flag -parallelism: parse error'),
        (["-lock-timeout", "5"], 'invalid value "5" for flag -lock-timeout: parse error'),
        (["---x"], "bad flag syntax: ---x"),
        (["-=x"], "bad flag syntax: -=x"),
    ],
)
def test_goflag_refusals_say_what_go_says(argv: list[str], message: str) -> None:
    with pytest.raises(FlagError) as caught:
        parse(argv, GO, Style.GOFLAG)
    assert caught.value.message == message


def test_go_value_checks() -> None:
    assert go_int("0x10") is None and go_int("-3") is None and go_int("1.5") == "parse error"
    assert go_duration("120s") is None and go_duration("1h30m") is None and go_duration("0") is None
    assert go_duration("90") == "parse error"


# -- pflag (gh) -------------------------------------------------------------------------------------
PF = (
    Flag(("--repo", "-R"), "repo"),
    Flag(("--json",), "json", repeated=True, split_commas=True),
    Flag(("--raw-field", "-f"), "raw", repeated=True),
    Flag(("--fill", "-F"), "fill", value=False),
    Flag(("--draft", "-d"), "draft", value=False),
    Flag(("--limit", "-L"), "limit", check=pflag_int("-L, --limit")),
)


def test_pflag_mixes_flags_and_positionals_and_reads_every_shorthand_form() -> None:
    parsed = parse(["view", "-Rowner/a", "123", "-R=owner/b", "-R", "owner/c", "--", "-d"], PF, Style.PFLAG)
    assert parsed.positionals == ["view", "123", "-d"]
    assert parsed.get("repo") == "owner/c"  # the last one wins
    assert parse(["-dF"], PF, Style.PFLAG).bools == {"draft": True, "fill": True}
    assert parse(["--fill=false"], PF, Style.PFLAG).bools == {"fill": False}
    assert parse(["-"], PF, Style.PFLAG).positionals == ["-"]


def test_pflag_value_flags_take_the_next_argument_whatever_it_is_and_repeat() -> None:
    parsed = parse(["--repo", "--json", "-f", "a=1", "--raw-field=b=2", "--json", "x,y", "--json=z"], PF, Style.PFLAG)
    assert parsed.get("repo") == "--json"
    assert parsed.lists == {"raw": ["a=1", "b=2"], "json": ["x", "y", "z"]}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus"], "unknown flag: --bogus"),
        (["-x"], "unknown shorthand flag: 'x' in -x"),
        (["-dx"], "unknown shorthand flag: 'x' in -x"),
        (["--repo"], "flag needs an argument: --repo"),
        (["-R"], "flag needs an argument: 'R' in -R"),
        (
            ["--fill=maybe"],
            'invalid argument "maybe" for "-F, --fill" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
        ),
        (
            ["-L", "ten"],
            'invalid argument "ten" for "-L, --limit" flag: strconv.ParseInt: parsing "ten": invalid syntax',
        ),
    ],
)
def test_pflag_refusals_say_what_pflag_says(argv: list[str], message: str) -> None:
    with pytest.raises(FlagError) as caught:
        parse(argv, PF, Style.PFLAG)
    assert caught.value.message == message


# -- yargs (wrangler) -------------------------------------------------------------------------------
YA = (
    Flag(("--name",), "name", requires_arg=True),
    Flag(("--message", "-m"), "message"),
    Flag(("--namespace-id",), "namespace_id", requires_arg=True),
    Flag(("--remote",), "remote", value=False),
)


def test_yargs_collects_every_unknown_option_and_mixes_positionals() -> None:
    parsed = parse(["put", "--bogus", "KEY", "--other=1", "-5", "--", "--name"], YA, Style.YARGS)
    assert parsed.unknown == ["bogus", "other"]
    assert parsed.positionals == ["put", "KEY", "-5", "--name"]


def test_yargs_requires_arg_refuses_an_option_as_the_value() -> None:
    with pytest.raises(FlagError) as caught:
        parse(["--name", "--env", "production"], YA, Style.YARGS)
    assert caught.value.message == "Not enough arguments following: name"
    with pytest.raises(FlagError):
        parse(["--namespace-id"], YA, Style.YARGS)
    assert parse(["--name=--x"], YA, Style.YARGS).get("name") == "--x"


def test_yargs_value_without_requires_arg_is_empty_and_booleans_take_true_false() -> None:
    parsed = parse(["--message", "--remote", "false", "KEY"], YA, Style.YARGS)
    assert parsed.get("message") == "" and parsed.bools == {"remote": False}
    assert parsed.positionals == ["KEY"]
    assert parse(["--no-remote"], YA, Style.YARGS).bools == {"remote": False}
    assert parse(["--namespaceId", "abc"], YA, Style.YARGS).get("namespace_id") == "abc"


# -- the tools --------------------------------------------------------------------------------------
def test_terraform_refuses_flags_after_the_plan_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert terraform.main(["apply", "plan.out", "-auto-approve"]) == 1
    err = capsys.readouterr().err
    assert "Error: Too many command line arguments" in err and "Expected at most one positional argument." in err
    assert "terraform apply -help" in err


def test_terraform_plan_positional_and_per_command_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert terraform.main(["plan", "infra/"]) == 1
    assert "To specify a working directory for the plan, use the global -chdir flag." in capsys.readouterr().err
    assert terraform.main(["show", "-auto-approve"]) == 1  # show has no -auto-approve
    assert "flag provided but not defined: -auto-approve" in capsys.readouterr().err
    assert terraform.main(["apply", "--out=p"]) == 1  # -out is plan's
    assert "flag provided but not defined: -out" in capsys.readouterr().err


def test_terraform_var_name_with_a_trailing_space(capsys: pytest.CaptureFixture[str]) -> None:
    assert terraform.main(["plan", "-var", "worker_count =12"]) == 1
    err = capsys.readouterr().err
    assert "Invalid -var option" in err
    assert 'Variable name "worker_count " is invalid due to trailing space. Did you mean -var="worker_count=12"?' in err


def test_terraform_applies_var_and_var_file_in_command_line_order(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "big.tfvars").write_text("worker_count = 30\n")
    monkeypatch.chdir(tmp_path)
    tf = terraform.Terraform(Invocation("terraform", []))
    variables, _, _ = tf._options("plan", ["-var=worker_count=12", "-var-file=big.tfvars"])
    assert tf._values(variables)["worker_count"] == 30  # the file comes later: it wins
    variables, _, _ = tf._options("plan", ["-var-file=big.tfvars", "-var=worker_count=12"])
    assert tf._values(variables)["worker_count"] == 12


def test_gh_flag_errors_print_the_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert gh.main(["run", "list", "-x"]) == 1
    assert capsys.readouterr().err == "unknown shorthand flag: 'x' in -x\n\nUsage:  gh run list [flags]\n"
    assert gh.main(["run", "watch", "1", "--interval", "0.5"]) == 1  # an IntVar
    assert 'invalid argument "0.5" for "-i, --interval" flag' in capsys.readouterr().err
    assert gh.main(["run", "view", "1", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Specify one or more comma-separated fields for `--json`:\n  attempt\n")
    assert "Usage:" not in err


def test_wrangler_requires_the_secret_name_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert wrangler.main(["secret", "put", "TOKEN", "--name", "--env", "production"]) == 1
    assert "✘ [ERROR] Not enough arguments following: name" in capsys.readouterr().err
    assert wrangler.main(["deployments", "list", "--bogus", "--other"]) == 1
    assert "Unknown arguments: bogus, other" in capsys.readouterr().err


def test_yargs_array_options_take_every_argument_up_to_the_next_option() -> None:
    flags = (Flag(("--method",), "method", repeated=True, greedy=True, requires_arg=True),)
    parsed = parse(["--method", "GET", "worker", "--method=POST"], flags, Style.YARGS)
    assert parsed.lists["method"] == ["GET", "worker", "POST"] and parsed.positionals == []
    with pytest.raises(FlagError):
        parse(["--method", "--x"], flags, Style.YARGS)


def test_wrangler_tail_parses_like_wrangler(capsys: pytest.CaptureFixture[str]) -> None:
    from console.sim.tools.wrangler_tail import parse_args

    args = parse_args(
        ["vau", "--format", "json", "--status", "error", "ok", "--method", "GET", "--sampling-rate", "0.5"]
    )
    assert args is not None
    assert (args.worker, args.format, args.status, args.method, args.sampling_rate) == (
        "vau",
        "json",
        ["error", "ok"],
        ["GET"],
        0.5,
    )
    assert parse_args(["vau", "--format", "xml"]) is None
    assert 'Invalid values:\n  Argument: format, Given: "xml", Choices: "json", "pretty"' in capsys.readouterr().err
    assert parse_args(["vau", "other", "--bogus"]) is None  # strict: an extra positional is an unknown argument
    assert "✘ [ERROR] Unknown arguments: bogus, other" in capsys.readouterr().err
    assert parse_args(["vau", "--search"]) is None
    assert "Not enough arguments following: search" in capsys.readouterr().err
    # without --format: pretty on a terminal, json otherwise (pytest's captured stdout is not a terminal)
    assert parse_args(["vau"]).format == "json"


def test_the_console_passes_a_tail_search_starting_with_a_dash_as_one_word(capsys):
    """wrangler (yargs) reads ``--search -x`` as a flag with no value: the console sends ``--search=-x``."""
    from console.sim.tools.wrangler_tail import parse_args
    from console.tail.settings import ServerFilters

    assert parse_args(["vau", "--search", "-v1 rollback"]) is None
    assert "Not enough arguments following: search" in capsys.readouterr().err
    args = ServerFilters(search="-v1 rollback").args()
    assert args == ["--search=-v1 rollback"]
    assert parse_args(["vau", *args]).search == "-v1 rollback"
