"""Finding 9 (review of #14), files: ``edge-console simulate`` writes its token files in a private
directory: ``<state>/simulator/`` and ``<state>/simulator/<port>/`` are 0700 (were 0755 under the usual
umask), the files 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from tests.util import wait_for_sync


def _umask_022() -> None:
    os.umask(0o022)  # the usual umask: a plain mkdir gives 0755


def test_simulator_token_dirs_are_0700_and_files_0600(tmp_path):
    state = tmp_path / "state"
    env = dict(os.environ, EDGE_CONSOLE_STATE_DIR=str(state))
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_umask_022,
    )
    try:
        wait_for_sync(lambda: "Ctrl-C" in proc.stdout.readline(), timeout=20)
        token_dirs = list(state.glob("simulator/*"))
        assert len(token_dirs) == 1, token_dirs
        for directory in (state / "simulator", token_dirs[0]):
            assert stat.S_IMODE(os.lstat(directory).st_mode) == 0o700, (directory, oct(os.lstat(directory).st_mode))
        for name in ("api_token", "admin_token"):
            path = token_dirs[0] / name
            assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
            assert path.read_text().strip()
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        assert not token_dirs[0].exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
