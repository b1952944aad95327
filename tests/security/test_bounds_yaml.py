"""Config and runbook YAML are bounded: aliases are refused (a "billion laughs" file is answered at
once, in little memory, with file:line) and a file larger than 1 MiB is refused before parsing.
The real ``edge-console`` runs in a subprocess with an address-space ceiling and its peak RSS taken."""

from __future__ import annotations

import pytest

from tests.security.bounds_util import run_console, write_config

LEVELS = 9


def bomb(indent: str = "") -> str:
    """9 levels of 9 aliases each: 9**9 (387 million) leaves when walked without sharing."""
    rows = [f'{indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, LEVELS):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        rows.append(f"{indent}l{level}: &l{level} [{refs}]")
    return "\n".join(rows) + "\n"


def runbook_bomb() -> str:
    return (
        "version: 1\n"
        "flows:\n"
        "  - id: laughs\n"
        "    title: Laughs\n"
        "    section: Security\n"
        "    steps:\n"
        "      - kind: note\n"
        "        title: lol\n"
        "        text: lol\n"
        "x:\n" + bomb("  ")
    )


@pytest.mark.parametrize("kind", ["config", "runbook"])
def test_bounds_alias_bomb_is_refused_quickly_in_bounded_memory(tmp_path, kind):
    if kind == "config":
        path = write_config(tmp_path, "http://127.0.0.1:9", bomb())
        args = ["check", "--config", str(path), "--json"]
        first_alias_line = 7  # 5 lines of config, then l0, then l1 with the first *l0
    else:
        path = tmp_path / "laughs.yaml"
        path.write_text(runbook_bomb())
        args = ["runbook", "validate", str(path)]
        first_alias_line = 12
    run = run_console(args, timeout=30.0, address_space_mb=2048)
    assert run.returncode is not None, f"still running after {run.elapsed_s:.0f} s (killed)"
    assert run.returncode in (1, 2), (run.returncode, run.err[-2000:])
    assert "Traceback" not in run.err and "MemoryError" not in run.err, run.err[-2000:]
    assert f"{path}:{first_alias_line}: " in run.err + run.out, run.err[-2000:]
    assert "alias" in (run.err + run.out).lower()
    assert run.elapsed_s < 15.0, run.elapsed_s
    assert run.maxrss_mb < 300, f"peak RSS {run.maxrss_mb:.0f} MB"


@pytest.mark.parametrize("kind", ["config", "runbook"])
def test_bounds_file_larger_than_1_mib_is_refused(tmp_path, kind):
    padding = ("# " + "x" * 98 + "\n") * (11 * 1024)  # ~1.1 MiB of comments: valid YAML otherwise
    if kind == "config":
        path = write_config(tmp_path, "http://127.0.0.1:9", padding)
        args = ["check", "--config", str(path), "--json", "--window", "0"]
    else:
        path = tmp_path / "big.yaml"
        path.write_text(
            "version: 1\nflows:\n  - id: big\n    title: Big\n    section: Security\n"
            "    steps:\n      - {kind: note, title: n, text: t}\n" + padding
        )
        args = ["runbook", "validate", str(path)]
    assert path.stat().st_size > 1024 * 1024
    run = run_console(args, timeout=60.0)
    assert run.returncode in (1, 2), (run.returncode, run.out[-500:], run.err[-2000:])
    assert f"{path}: larger than 1 MiB" in run.err + run.out, run.err[-2000:]
    assert "Traceback" not in run.err
