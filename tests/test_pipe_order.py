"""A command's stdout and stderr lines reach the screen in one order whatever the machine's load
(console/runbook/pipe_order.py): the lines read in the same wake-up, stderr's first; lines read in
different wake-ups, in the order they came. Driven with real child processes; the event loop is held
(blocked) while the child writes, so both pipes are full when it wakes, as on a busy machine."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

from console.runbook.executors import PreparedCommand, run_command
from tests.util import wait_for

pytestmark = pytest.mark.integration  # real child processes


def _child(tmp_path: Path, writes: str) -> list[str]:
    """argv of a child that starts, waits for ``.go``, runs ``writes`` (Python statements writing to its
    pipes, flushed after each), then touches ``.written``."""
    code = (
        "import os, sys, time\n"
        "marks = sys.argv[1]\n"
        "open(marks + '.started', 'w').close()\n"
        "deadline = time.monotonic() + 20\n"
        "while not os.path.exists(marks + '.go') and time.monotonic() < deadline:\n"
        "    time.sleep(0.005)\n"
        f"{writes}\n"
        "open(marks + '.written', 'w').close()\n"
    )
    return [sys.executable, "-c", code, str(tmp_path / "m")]


async def _run_with_the_loop_held(tmp_path: Path, writes: str) -> list[str]:
    """Run the child; once it has started, block the event loop (a busy machine) until it has written
    everything, so the console's next wake-up finds both pipes full."""
    lines: list[str] = []
    marks = tmp_path / "m"
    cmd = PreparedCommand(argv=_child(tmp_path, writes), timeout=30)
    task = asyncio.ensure_future(run_command(cmd, on_line=lines.append, mask=lambda s: s))
    await wait_for(lambda: Path(f"{marks}.started").exists(), timeout=20, interval=0.01, message="child started")
    Path(f"{marks}.go").touch()
    deadline = time.monotonic() + 20
    while not Path(f"{marks}.written").exists():  # the loop is held: nothing is read meanwhile
        assert time.monotonic() < deadline, "the child never wrote"
        time.sleep(0.005)
    time.sleep(0.05)  # and its last bytes are in the pipes
    result = await task
    assert result.ok, result.error
    return lines


W = "sys.stdout.write({0!r}); sys.stdout.flush()"
E = "sys.stderr.write({0!r}); sys.stderr.flush()"


async def test_lines_read_in_one_wake_up_show_stderr_first_each_pipe_in_its_order(tmp_path):
    writes = "; ".join([W.format("result 1\n"), W.format("result 2\n"), E.format("notice 1\n"), E.format("notice 2\n")])
    lines = await _run_with_the_loop_held(tmp_path, writes)
    assert lines == ["notice 1", "notice 2", "result 1", "result 2"]


async def test_lines_read_in_different_wake_ups_keep_the_order_they_came_in(tmp_path):
    """The child writes its result, waits until the console has shown it, then writes a warning."""
    lines: list[str] = []
    shown = tmp_path / "shown"

    def on_line(line: str) -> None:
        lines.append(line)
        shown.touch()

    code = (
        "import os, sys, time\n"
        "sys.stdout.write('result first\\n'); sys.stdout.flush()\n"
        "deadline = time.monotonic() + 20\n"
        "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n"
        "    time.sleep(0.005)\n"
        "sys.stderr.write('warning after\\n'); sys.stderr.flush()\n"
    )
    cmd = PreparedCommand(argv=[sys.executable, "-c", code, str(shown)], timeout=30)
    result = await run_command(cmd, on_line=on_line, mask=lambda s: s)
    assert result.ok, result.error
    assert lines == ["result first", "warning after"]
    assert result.text.splitlines() == lines  # the step's shown excerpt in the same order


async def test_the_last_lines_are_passed_on_when_the_child_ends():
    lines: list[str] = []
    cmd = PreparedCommand(
        argv=[sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(2)"],
        timeout=30,
    )
    result = await run_command(cmd, on_line=lines.append, mask=lambda s: s)
    assert not result.ok and result.exit_code == 2
    assert sorted(lines) == ["err", "out"]  # none left waiting when the step ends
