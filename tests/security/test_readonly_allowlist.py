"""Issue 14 §2: a check may run only command shapes on the read-only allow-list (parsed per tool,
options and their values understood); anything else must be an ``action``, refused at load with file:line."""

from __future__ import annotations

import textwrap

import pytest

from console.cli import main
from console.runbook import RunbookError, load_runbook

#: (tool, args) pairs that change something (or are not known to be read-only): every one passed as
#: ``kind: check`` on the old deny-list.
MUTATING = [
    ("wrangler", ["--env", "production", "kv", "key", "put", "k", "v"]),
    ("wrangler", ["-e", "production", "kv", "key", "put", "k", "v"]),
    ("wrangler", ["--config", "wrangler.toml", "kv", "key", "delete", "k"]),
    ("git", ["push", "--force"]),
    ("git", ["-C", "log", "push"]),
    ("git", ["-c", "core.pager=sh", "log"]),
    ("git", ["log", "--output=/tmp/x"]),
    ("gh", ["api", "-X", "DELETE", "repos/o/r"]),
    ("gh", ["api", "--method=PATCH", "repos/o/r"]),
    ("gh", ["api", "repos/o/r", "-f", "x=1"]),
    ("gh", ["api", "repos/o/r", "--raw-field", "x=1"]),
    ("gh", ["api", "repos/o/r", "--input", "body.json"]),
    ("gh", ["api", "graphql"]),
    ("gh", ["-R", "o/r", "workflow", "run", "x.yml"]),
    ("gh", ["run", "rerun", "1"]),
    ("curl", ["-X", "POST", "https://example.invalid/"]),
    ("bash", ["-c", "wrangler secret put X"]),
    ("sh", ["-c", "true"]),
    ("npm", ["exec", "--", "wrangler", "secret", "put", "X"]),
    ("npx", ["wrangler", "kv", "key", "list"]),
    ("node", ["scripts/export.js"]),
    ("python", ["-c", "print(1)"]),
    ("wrangler", ["delete"]),
    ("wrangler", ["secret", "bulk", "f.json"]),
    ("wrangler", ["versions", "upload"]),
    ("wrangler", ["versions", "secret", "put", "X"]),
    ("wrangler", ["d1", "execute", "db", "--command", "DROP TABLE t"]),
    ("wrangler", ["r2", "object", "delete", "b/k"]),
    ("wrangler", ["kv", "namespace", "delete"]),
    ("wrangler", ["queues", "purge", "q"]),
    ("wrangler", ["pages", "deploy", "dir"]),
    ("wrangler", ["kv", "key", "list", "--unknown-option", "put"]),
    ("wrangler", ["tail", "worker", "extra", "args"]),
    ("terraform", ["workspace", "delete", "x"]),
    ("terraform", ["taint", "x"]),
    ("terraform", ["force-unlock", "id"]),
    ("terraform", ["plan", "-out=plan.bin"]),
    ("terraform", ["plan", "-out", "plan.bin"]),
    ("terraform", ["-chdir=infra", "apply", "-auto-approve"]),
    ("terraform", ["fmt"]),
    ("terraform", ["-chdir=infra", "plan"]),
    ("git", ["-C", "repo", "show", "HEAD"]),
]

#: read-only shapes a check may run.
READ_ONLY = [
    ("wrangler", ["tail", "vau-processor", "--format", "json"]),
    ("wrangler", ["deployments", "list", "--name", "w", "--json"]),
    ("wrangler", ["deployments", "status", "--name", "w"]),
    ("wrangler", ["versions", "list", "--name", "w"]),
    ("wrangler", ["versions", "view", "abc", "--name", "w"]),
    ("wrangler", ["--env", "production", "kv", "key", "get", "k", "--namespace-id", "put", "--remote", "--text"]),
    ("wrangler", ["kv", "key", "list", "--namespace-id", "{env.kv_namespace_id}", "--prefix", "blocked:ip:"]),
    ("wrangler", ["kv", "namespace", "list"]),
    ("wrangler", ["queues", "list"]),
    ("wrangler", ["queues", "info", "q"]),
    ("wrangler", ["whoami"]),
    ("wrangler", ["--version"]),
    ("gh", ["run", "list", "--workflow", "rollback-edge.yml", "--limit", "1", "--json", "databaseId"]),
    ("gh", ["run", "view", "12", "-R", "o/r"]),
    ("gh", ["run", "watch", "12345", "--exit-status"]),
    ("gh", ["workflow", "list"]),
    ("gh", ["workflow", "view", "rollback-edge.yml"]),
    ("gh", ["pr", "view", "5", "--repo", "o/r"]),
    ("gh", ["pr", "list", "--state", "open"]),
    ("gh", ["api", "repos/o/r"]),
    ("gh", ["api", "-X", "GET", "repos/o/r/actions/runs", "--jq", ".total_count"]),
    ("terraform", ["plan", "-input=false", "-target=cloudflare_ruleset.security_rules"]),
    ("terraform", ["-chdir={env.paths.terraform}", "plan", "-var", "a=b"]),
    ("terraform", ["show", "-json"]),
    ("terraform", ["validate"]),
    ("terraform", ["output", "-json"]),
    ("terraform", ["version"]),
    ("terraform", ["fmt", "-check", "-recursive"]),
    ("git", ["log", "--oneline", "-20", "--", "modules/plan-2-edge"]),
    ("git", ["--no-pager", "show", "HEAD"]),
    ("git", ["diff", "HEAD~1"]),
    ("git", ["status", "--short"]),
    ("git", ["rev-parse", "HEAD"]),
]


def check_file(tmp_path, tool: str, args: list[str], extra: str = ""):
    path = tmp_path / "ours.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        flows:
          - id: ours
            title: Ours
            section: Team
            steps:
              - kind: check
                title: looks harmless
                command: {{tool: {tool}, args: {args!r}{extra}}}
        """)
    )
    return path


@pytest.mark.parametrize("tool, args", MUTATING, ids=[" ".join([t, *a]) for t, a in MUTATING])
def test_a_check_running_a_command_off_the_read_only_list_is_refused(tmp_path, capsys, tool, args):
    path = check_file(tmp_path, tool, args)
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: flows[0].steps[0].kind: " in err and "use kind: action" in err, err
    assert "Traceback" not in err
    with pytest.raises(RunbookError) as info:
        load_runbook([path])
    assert info.value.file == str(path) and info.value.line == 6


@pytest.mark.parametrize("tool, args", READ_ONLY, ids=[" ".join([t, *a]) for t, a in READ_ONLY])
def test_read_only_shapes_are_accepted_as_checks(tmp_path, capsys, tool, args):
    from console.runbook.policy import command_problem

    assert command_problem(tool, args) is None
    path = check_file(tmp_path, tool, args)
    assert main(["runbook", "validate", str(path)]) == 0, capsys.readouterr().err
    assert load_runbook([path]).flows["ours"].mutating is False


def test_the_same_shapes_as_actions_load_and_ask_for_confirmation(tmp_path):
    from console.runbook.policy import confirmation_for

    path = tmp_path / "ours.yaml"
    path.write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n"
        "      - {kind: action, title: push, command: {tool: git, args: [push, --force]}}\n"
    )
    step = load_runbook([path]).flows["ours"].steps[0]
    conf = confirmation_for(step, "production")
    assert conf is not None and conf.production and not conf.accepts("yes") and conf.accepts("production")


def test_a_check_may_not_set_the_child_environment_or_take_argv_from_config(tmp_path, capsys):
    path = check_file(tmp_path, "git", ["status"], ", env: {GIT_CONFIG_COUNT: '1'}")
    assert main(["runbook", "validate", str(path)]) == 2
    assert "use kind: action" in capsys.readouterr().err
    path.write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n"
        "      - {kind: check, title: up, command: {argv_from: export.upload}}\n"
    )
    assert main(["runbook", "validate", str(path)]) == 2
    assert f"{path}:6: flows[0].steps[0].kind: " in capsys.readouterr().err


def test_a_configured_tool_prefix_is_classified_by_its_tool_name(tmp_path):
    """``tools: {wrangler: [npx, wrangler@4]}``: a check names the tool ``wrangler`` and is judged by the
    wrangler allow-list; spelling the prefix out as the tool (``npx``) is not read-only."""
    from console.config import parse_config
    from console.runbook import load_for_config

    (tmp_path / "ours.yaml").write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n"
        "      - {kind: check, title: keys, command: {tool: wrangler, args: [kv, key, list, --remote]}}\n"
    )
    text = (
        "environments:\n  production:\n    base_url: https://edge.example\n"
        "    tools: {wrangler: [npx, wrangler@4]}\nrunbooks: [ours.yaml]\n"
    )
    config = parse_config(text, tmp_path / "config.yaml")
    runbook = load_for_config(config)
    assert config.environment().tool("wrangler") == ["npx", "wrangler@4"]
    assert runbook.flows["ours"].mutating is False
    (tmp_path / "ours.yaml").write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n"
        "      - {kind: check, title: keys, command: {tool: npx, args: [wrangler@4, kv, key, list]}}\n"
    )
    with pytest.raises(RunbookError, match="use kind: action"):
        load_for_config(config)


def test_every_builtin_check_fits_the_allow_list():
    from console.runbook.policy import command_problem

    for flow in load_runbook().flows.values():
        for step in flow.steps:
            if step.kind != "action" and step.command is not None:
                assert step.command.tool is not None and not step.command.env
                assert command_problem(step.command.tool, step.command.args) is None, (flow.id, step.id)
            if step.kind != "action" and step.http is not None:
                assert step.http.method in ("GET", "HEAD") and step.http.save_to is None, (flow.id, step.id)


def test_a_disguised_change_never_runs_headless_even_read_only(sim, fake_tools, tmp_path, monkeypatch, capsys):
    """The issue's reproduction: a user runbook's ``kind: check`` doing ``wrangler --env production kv key put``
    ran under ``--read-only`` without confirmation. Now the runbook does not load and nothing runs."""
    check_file(tmp_path, "wrangler", ["--env", "production", "kv", "key", "put", "k", "v", "--remote"])
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"environments:\n  production:\n    base_url: {sim.base_url}\n    simulated: true\nrunbooks: [ours.yaml]\n"
    )
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(cfg))
    assert main(["run", "ours", "--read-only"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'ours.yaml'}:6: flows[0].steps[0].kind: " in err and "kv key put" in err
    assert fake_tools.argvs("wrangler") == []
