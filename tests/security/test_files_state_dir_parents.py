"""Finding 8 (review of #14): a state dir inside a directory another user controls is refused. That
user could rename the state dir away (and put another in its place) and so hide or forge the trail,
whatever the state dir's own owner and mode. Every parent up to ``/`` must be owned by root or by us
and not writable by group/others unless sticky (``/tmp``, root's and 1777, is fine)."""

from __future__ import annotations

import os

import pytest

from tests.security.inputs_files_util import cli, write_config

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")
NOBODY = 65534


def _state_env(state):
    return {"EDGE_CONSOLE_STATE_DIR": str(state)}


@pytest.mark.parametrize("mode", [0o777, 0o755], ids=["0777", "0755"])
def test_state_dir_under_a_parent_another_user_owns_is_refused(sim, fake_tools, tmp_path, mode):
    config = write_config(tmp_path / "config.yaml", sim)
    hostile = tmp_path / "x"
    hostile.mkdir()
    os.chown(hostile, NOBODY, NOBODY)
    hostile.chmod(mode)
    state = hostile / "state"
    r = cli(
        "--config",
        str(config),
        "run",
        "block-ip",
        "--set",
        "ip=203.0.113.7",
        "--set",
        "reason=abuse",
        "--yes",
        env=_state_env(state),
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{hostile}" in r.stderr and "owned by uid 65534" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert fake_tools.argvs() == []
    assert not state.exists()  # nothing created inside it


def test_state_dir_under_a_parent_others_can_write_is_refused(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # ours, but anyone may rename what is in it (no sticky bit)
    state = shared / "state"
    state.mkdir(mode=0o700)
    r = cli("--config", str(config), "audit", env=_state_env(state))
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{shared}" in r.stderr and "writable by group or others" in r.stderr, r.stderr


def test_state_dir_under_a_sticky_root_directory_is_accepted(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    sticky.chmod(0o1777)  # like /tmp: root's, sticky: others cannot rename what is ours
    state = sticky / "me" / "state"
    r = cli(
        "--config",
        str(config),
        "run",
        "block-ip",
        "--set",
        "ip=203.0.113.7",
        "--set",
        "reason=abuse",
        "--yes",
        env=_state_env(state),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert (state / "audit.jsonl").exists()
