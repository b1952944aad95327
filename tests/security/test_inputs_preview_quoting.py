"""Finding 5.5: the command preview is shell-safe: pasting it into a shell runs the same argv and
nothing else (``"$(id)"`` in double quotes would run ``id``)."""

from __future__ import annotations

import shlex
import subprocess

from tests.security.inputs_files_util import cli, write_config


def test_preview_quotes_argv_so_a_shell_gets_the_same_words(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    marker = tmp_path / "pwned"
    reason = f"$(touch {marker}) `touch {marker}` \"q\" 'a' \\ $HOME !x"
    r = cli(
        "--config", str(config), "run", "block-ip", "--set", "ip=203.0.113.7", "--set", f"reason={reason}", "--dry-run"
    )
    assert r.returncode == 0, r.stderr
    line = next(text.strip() for text in r.stdout.splitlines() if text.strip().startswith("wrangler kv key put"))
    words = shlex.split(line)
    assert reason in words
    # a real shell given the preview line runs the same words and never the command substitution
    shown = subprocess.run(
        ["bash", "-c", "printf '%s\\n' " + line.split(" ", 1)[1]],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert not marker.exists()
    assert reason in shown.stdout.splitlines()
