"""Review 5: a runbook command whose output has a line longer than 64 KiB crashed the step.

``run_command`` read the child's output with ``StreamReader.readline()``, whose default limit is 64 KiB: a
longer line raised ``ValueError: Separator is not found, and chunk exceed the limit`` out of the step. Tools
print their JSON on ONE line when writing to a pipe (``terraform show -json`` of a plan, ``gh ... --json``),
and a plan of a real edge module is far more than 64 KiB. Now a long line is read whole (up to the
2 MB the executor keeps), and a line longer than that (hostile output) is cut, not a crash.
Driven with real child processes."""

from __future__ import annotations

import asyncio
import sys

import pytest

from console.runbook.executors import MAX_KEEP_BYTES, PreparedCommand, run_command

pytestmark = pytest.mark.integration  # real child processes


def _run(code: str, timeout: float = 60):
    lines: list[str] = []
    cmd = PreparedCommand(argv=[sys.executable, "-c", code], timeout=timeout)
    result = asyncio.run(run_command(cmd, on_line=lines.append, mask=lambda s: s))
    return result, lines


def test_a_json_answer_on_one_line_of_300_kib_is_read_and_parsed():
    result, lines = _run("import json; print(json.dumps([{'id': 'x' * 80, 'n': i} for i in range(3000)]))")
    assert result.ok, result.error
    assert isinstance(result.data, list) and len(result.data) == 3000 and result.data[-1]["n"] == 2999
    assert len(lines) == 1


def test_a_line_without_end_longer_than_what_is_kept_is_cut_not_a_crash():
    code = "import sys\nfor _ in range(6): sys.stdout.write('y' * 1048576)\nsys.stdout.write('\\nafter\\n')"
    result, lines = _run(code)
    assert result.ok, result.error
    assert lines[-1] == "after" and len(lines) == 2
    assert lines[0] == "y" * MAX_KEEP_BYTES  # the 6 MiB line, cut to what the executor keeps


def test_stderr_with_a_long_line_is_shown_cut_and_the_exit_code_kept():
    result, lines = _run("import sys; sys.stderr.write('e' * 200000 + '\\n'); sys.exit(3)")
    assert not result.ok and result.exit_code == 3
    assert lines and lines[0].startswith("eeee")
