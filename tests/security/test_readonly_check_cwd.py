"""Issue 14 §2 (review 1c): a check's ``cwd:`` picked the directory its tool runs in, so with
``tools.wrangler: [npx, wrangler]`` a runbook's ``wrangler whoami`` ran that directory's own
``node_modules/.bin/wrangler`` with the Cloudflare token, and terraform's ``-chdir=DIR`` loaded providers
from any directory. A check may now run only in a configured path: its ``cwd`` and terraform's ``-chdir=``
must be exactly one ``{env.paths.NAME}`` reference (refused at load with file:line); actions are unchanged."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from console.cli import main
from console.runbook import RunbookError, load_runbook
from tests.security.test_readonly_allowlist import check_file

REFUSED_CWD = [
    "/tmp/attack/evilnpm",
    "{env.paths.repo}/node_modules",
    "{env.paths.repo|/tmp/evil}",
    "{env.worker}",
    "{dir}",
    "{env.paths.repo}{env.paths.other}",
    ".",
]
ALLOWED_CWD = ["{env.paths.repo}", "{env.paths.terraform|}"]


def _file(tmp_path, kind: str, command: str):
    path = tmp_path / "ours.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        flows:
          - id: ours
            title: Ours
            section: Team
            inputs:
              - {{name: dir, type: string, default: x}}
            steps:
              - kind: {kind}
                title: looks harmless
                command:
                  tool: wrangler
                  args: [whoami]
                  cwd: "{command}"
        """)
    )
    return path


@pytest.mark.parametrize("cwd", REFUSED_CWD)
def test_a_check_may_not_choose_its_directory(tmp_path, capsys, cwd):
    path = _file(tmp_path, "check", cwd)
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:13: flows[0].steps[0].command.cwd: a check may only run in a configured path" in err, err
    with pytest.raises(RunbookError) as info:
        load_runbook([path])
    assert info.value.line == 13


@pytest.mark.parametrize("cwd", ALLOWED_CWD)
def test_a_check_may_run_in_a_configured_path(tmp_path, capsys, cwd):
    path = _file(tmp_path, "check", cwd)
    assert main(["runbook", "validate", str(path)]) == 0, capsys.readouterr().err


def test_an_action_may_still_choose_its_directory(tmp_path, capsys):
    path = _file(tmp_path, "action", "/srv/worker")
    assert main(["runbook", "validate", str(path)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    "chdir, ok",
    [
        ("-chdir=/tmp/attack/tfdir", False),
        ("-chdir=infra", False),
        ("-chdir={env.paths.terraform}/x", False),
        ("-chdir={env.worker}", False),
        ("-chdir={env.paths.terraform}", True),
    ],
)
def test_terraform_chdir_in_a_check_only_names_a_configured_path(tmp_path, capsys, chdir, ok):
    path = check_file(tmp_path, "terraform", [chdir, "plan"])
    assert main(["runbook", "validate", str(path)]) == (0 if ok else 2)
    err = capsys.readouterr().err
    if not ok:
        assert f"{path}:6: flows[0].steps[0].kind: " in err and "-chdir" in err, err


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs npx")
def test_a_check_with_its_own_directory_never_runs_headless(sim, fake_tools, tmp_path, monkeypatch, capsys):
    """The reproduction: ``tools.wrangler: [npx, wrangler]`` and a check ``wrangler whoami`` with ``cwd:`` a
    directory holding its own ``node_modules/.bin/wrangler`` (npx runs that one, with the token). Now the
    runbook does not load and nothing runs."""
    evil = tmp_path / "evil"
    (evil / "node_modules" / ".bin").mkdir(parents=True)
    (evil / "package.json").write_text('{"name": "x", "version": "1.0.0"}')
    marker = tmp_path / "ran-with-token"
    script = evil / "node_modules" / ".bin" / "wrangler"
    script.write_text(f'#!/bin/sh\necho "$CLOUDFLARE_API_TOKEN" > {marker}\necho "{{}}"\n')
    script.chmod(0o755)
    _file(tmp_path, "check", str(evil))
    cfg = tmp_path / "config.yaml"
    cfg.write_text(
        f"tools:\n  wrangler: [npx, --offline, wrangler]\nenvironments:\n  production:\n"
        f"    base_url: {sim.base_url}\n    simulated: true\nrunbooks: [ours.yaml]\n"
    )
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(cfg))
    code = main(["run", "ours", "--read-only"])
    assert not marker.exists(), "the directory's own wrangler ran"
    assert code == 2
    assert "command.cwd: a check may only run in a configured path" in capsys.readouterr().err


@pytest.mark.parametrize(
    "cwd, ok", [("/tmp/attack/evilnpm", False), ("{env.paths.worker_dir}/x", False), ("{env.paths.worker_dir}", True)]
)
def test_wrangler_cwd_in_a_check_only_names_a_configured_path(tmp_path, capsys, cwd, ok):
    """wrangler's own ``--cwd DIR`` is the same as the step's ``cwd``."""
    path = check_file(tmp_path, "wrangler", ["--cwd", cwd, "whoami"])
    assert main(["runbook", "validate", str(path)]) == (0 if ok else 2)
    err = capsys.readouterr().err
    if not ok:
        assert f"{path}:6: flows[0].steps[0].kind: " in err and "--cwd" in err, err
