"""Finding 9 (review of #14), inputs: digits are ASCII digits (``\\d`` matched ``٣``, so ``٣s`` was a
duration); the ``ip`` input refuses broadcast, multicast, link-local, reserved and IPv4-compatible
(``::127.0.0.1``) addresses for block flows; string inputs refuse U+2028/U+2029, the soft hyphen and
zero-width characters like the other format characters.

The refusals run the command line in-process (``run_cli``: one interpreter start per value was most of
the cost); the accepted values and the incident ID go through the real ``python -m console``."""

from __future__ import annotations

import pytest

from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config

BOOK = """\
flows:
  - id: typed
    title: Typed inputs
    section: Mine
    inputs:
      - {name: d, type: duration, required: false}
      - {name: n, type: int, required: false}
      - {name: x, type: number, required: false}
      - {name: c, type: cidr, required: false}
      - {name: t, type: timestamp, required: false}
      - {name: s, type: string, required: false}
    steps:
      - kind: check
        title: health
        http: {method: GET, url: "{env.base_url}/health"}
"""


@pytest.fixture()
def config(sim, tmp_path):
    book = tmp_path / "mine.yaml"
    book.write_text(BOOK)
    return write_config(tmp_path / "config.yaml", sim, runbooks=[book])


def test_ascii_values_are_accepted(config, fake_tools):
    r = cli(
        "--config",
        str(config),
        "run",
        "typed",
        "--dry-run",
        "--set",
        "d=3s",
        "--set",
        "n=12",
        "--set",
        "x=1.5",
        "--set",
        "c=203.0.113.0/24",
        "--set",
        "t=2024-01-15T00:00:00Z",
        "--set",
        "s=soft ware",
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    "name,value",
    [
        ("d", "\u0663s"),
        ("d", "3\u2028s"),
        ("n", "\u0663"),
        ("n", "1\u0661"),
        ("x", "\u0663.5"),
        ("x", "1_000"),
        ("c", "203.0.113.0/\u0662\u0664"),
        ("t", "2024-01-15T00:00:0\u0660Z"),
        ("s", "a\u2028b"),
        ("s", "a\u2029b"),
        ("s", "soft\u00adware"),
        ("s", "a\u200bb"),
        ("s", "a\u200cb"),
        ("s", "a\u200db"),
    ],
    ids=lambda v: v.encode("unicode_escape").decode() if isinstance(v, str) else v,
)
def test_non_ascii_digits_and_invisible_characters_are_refused(config, fake_tools, name, value):
    r = run_cli("--config", str(config), "run", "typed", "--dry-run", "--set", f"{name}={value}")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"input {name}:" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "ip",
    [
        "255.255.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1",
        "169.254.169.254",
        "fe80::1",
        "::127.0.0.1",
        "::1.2.3.4",
        "240.0.0.1",
        "::ffff:224.0.0.1",
    ],
)
def test_broadcast_multicast_link_local_and_ipv4_compatible_addresses_are_refused_for_block(
    sim, fake_tools, tmp_path, ip
):
    config = write_config(tmp_path / "config.yaml", sim)
    r = run_cli("--config", str(config), "run", "block-ip", "--set", f"ip={ip}", "--set", "reason=abuse", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "input ip:" in r.stderr and "not a client address" in r.stderr, r.stderr
    assert fake_tools.argvs() == []


def test_incident_id_with_non_ascii_digits_is_not_an_incident_id(state_dir):
    r = cli("incident", "show", "INC-\u0662\u0660\u0662\u0664-01-15-001")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "is not an incident ID" in r.stderr, r.stderr
