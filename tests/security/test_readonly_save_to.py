"""Issue 14 §2: a step that writes a file (``save_to``) is an action: refused as a check at load, refused in
read-only (``export-daily-metrics --read-only`` overwrote a file) and confirmed like every action."""

from __future__ import annotations

import pytest

from console.cli import main
from console.runbook import RunbookError, load_runbook

#: these start child processes (fake tools) or the simulated edge
pytestmark = pytest.mark.integration


def test_a_check_that_saves_to_a_file_is_refused_at_load(tmp_path, capsys):
    path = tmp_path / "ours.yaml"
    path.write_text(
        "flows:\n  - id: ours\n    title: Ours\n    section: Team\n    steps:\n"
        "      - kind: check\n        title: fetch\n"
        "        http: {method: GET, url: 'https://edge.example/metrics', save_to: /tmp/x}\n"
    )
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: flows[0].steps[0].kind: " in err and "writes a file" in err and "use kind: action" in err
    with pytest.raises(RunbookError):
        load_runbook([path])


def test_read_only_refuses_a_save_to_step_and_leaves_the_file_alone(tmp_path, capsys, state_dir):
    target = tmp_path / "metrics.txt"
    target.write_text("precious\n")
    code = main(["run", "export-daily-metrics", "--read-only", "--yes", "--set", f"file={target}"])
    out = capsys.readouterr()
    assert code == 3, out.out + out.err
    assert "read-only: flow 'export-daily-metrics' changes production" in out.err
    assert target.read_text() == "precious\n"


def test_a_save_to_step_asks_for_confirmation_before_writing(tmp_path, capsys, state_dir):
    target = tmp_path / "metrics.txt"
    code = main(["run", "export-daily-metrics", "--set", f"file={target}"])  # stdin is not a terminal, no --yes
    out = capsys.readouterr()
    assert code == 2, out.out + out.err
    assert "--yes" in out.err and not target.exists()
    assert main(["run", "export-daily-metrics", "--yes", "--set", f"file={target}"]) == 0
    assert target.read_text().startswith("# HELP")
