"""Issue 14 §2 (review 1b): a git check could point git at any repository (``-C DIR``, ``--git-dir``,
``--work-tree``, ``diff --no-index``) and git then ran whatever that repository's config says
(``core.fsmonitor``, ``diff.external``, textconv, pager). Those options are off the allow-list now, and the
console runs every git check with ``-c core.fsmonitor=false -c diff.external= -c core.pager=cat`` (and
``--no-ext-diff --no-textconv`` for diff/show/log), so even the configured checkout's own config runs
nothing. The run test uses the real git on a real repository whose config would run a program."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from console.cli import main
from console.runbook.engine import FlowRunner, StepState
from console.runbook.loader import parse_runbook
from console.runbook.policy import command_problem
from tests.security.test_readonly_allowlist import check_file

GIT = shutil.which("git")

REFUSED = [
    ["-C", "/tmp/other", "status"],
    ["--git-dir=/tmp/other/.git", "log"],
    ["--git-dir", "/tmp/other/.git", "log"],
    ["--work-tree=/tmp/other", "status"],
    ["diff", "--no-index", "a", "b"],
    ["diff", "--no-ind", "a", "b"],
    ["diff", "--ext-diff"],
    ["log", "-p", "--textconv"],
]


@pytest.mark.parametrize("args", REFUSED, ids=[" ".join(a) for a in REFUSED])
def test_git_options_that_pick_another_repository_or_its_programs_are_refused(tmp_path, capsys, args):
    assert command_problem("git", args) is not None
    path = check_file(tmp_path, "git", args)
    assert main(["runbook", "validate", str(path)]) == 2
    assert f"{path}:6: flows[0].steps[0].kind: " in capsys.readouterr().err


def _hostile_repo(tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    run = lambda *a: subprocess.run([GIT, *a], cwd=repo, check=True, capture_output=True)
    run("init", "-q")
    (repo / "f").write_text("one\n")
    run("add", "f")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    (repo / "f").write_text("two\n")  # a change, so diff has something to show
    marker = tmp_path / "ran"
    with open(repo / ".git" / "config", "a") as fh:
        fh.write(
            f'[core]\n\tfsmonitor = "touch {marker}-fsmonitor; true"\n\tpager = "touch {marker}-pager; cat"\n'
            f'[diff]\n\texternal = "touch {marker}-external; true"\n'
            f'[diff "t"]\n\ttextconv = "touch {marker}-textconv; cat"\n'
        )
    (repo / ".gitattributes").write_text("f diff=t\n")
    return repo, marker


@pytest.mark.skipif(GIT is None, reason="needs git")
async def test_git_checks_run_nothing_the_repositorys_config_names(sim, fake_tools, tmp_path):
    from console.config import simulated_config

    repo, marker = _hostile_repo(tmp_path)
    (flow,) = parse_runbook(
        textwrap.dedent("""\
        flows:
          - id: repo-read
            title: Read the checkout
            section: Team
            steps:
              - {id: status, kind: check, title: status, command: {tool: git, args: [status, --short],
                 cwd: "{env.paths.repo}"}}
              - {id: diff, kind: check, title: diff, command: {tool: git, args: [diff], cwd: "{env.paths.repo}"}}
              - {id: show, kind: check, title: show, command: {tool: git, args: [show, HEAD],
                 cwd: "{env.paths.repo}"}}
              - {id: log, kind: check, title: log, command: {tool: git, args: [log, -p, -1],
                 cwd: "{env.paths.repo}"}}
        """),
        "ours.yaml",
    )
    config = simulated_config(sim.base_url, tools=sim.tools(), paths={"repo": str(repo)})
    env = config.environment()
    env.tools["git"] = [GIT]
    runner = FlowRunner(flow, env, {}, config=config)
    await runner.run_all()
    for step in runner.steps:
        assert step.state == StepState.PASSED, (step.step.id, step.result)
    diff = runner.steps[1].result.output
    assert "-one" in diff and "+two" in diff, diff  # git's own diff, not the configured program
    ran = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(marker.name))
    assert ran == [], f"the repository's config ran: {ran}"
