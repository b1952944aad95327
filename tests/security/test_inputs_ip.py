"""Finding 5.3: an IPv4-mapped IPv6 address is blocked (and shown) as the IPv4 address the operator
meant, and unspecified/loopback addresses are refused for the block flows. The refusals and the preview run the
command line in-process (``run_cli``); the block itself goes through the real ``python -m console``."""

from __future__ import annotations

import pytest

from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config


def test_ipv4_mapped_address_is_blocked_and_previewed_as_its_ipv4(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    r = run_cli(
        "--config", str(config), "run", "block-ip", "--set", "ip=::ffff:1.2.3.4", "--set", "reason=abuse", "--dry-run"
    )
    assert r.returncode == 0, r.stderr
    assert "blocked:ip:1.2.3.4" in r.stdout and "102:304" not in r.stdout
    r = cli("--config", str(config), "run", "block-ip", "--set", "ip=::ffff:1.2.3.4", "--set", "reason=abuse", "--yes")
    assert r.returncode == 0, r.stderr + r.stdout
    kv = sim.state.snapshot()["kv"]["5100000000000000000000000000c001"]
    assert "blocked:ip:1.2.3.4" in kv and not any("102:304" in key for key in kv)


@pytest.mark.parametrize(
    "ip", ["0.0.0.0", "::", "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "::ffff:0.0.0.0"]
)
def test_unspecified_and_loopback_addresses_are_refused_for_block(sim, fake_tools, tmp_path, ip):
    config = write_config(tmp_path / "config.yaml", sim)
    r = run_cli("--config", str(config), "run", "block-ip", "--set", f"ip={ip}", "--set", "reason=abuse", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "input ip:" in r.stderr and ("loopback" in r.stderr or "unspecified" in r.stderr)
    assert fake_tools.argvs() == []
