"""Finding 5.1: string inputs that start with ``-`` must never reach a tool's argv as options.

The shipped ``block-ip`` flow puts ``--`` before its positional values, so a reason such as
``--path=/etc/hostname`` is stored literally; anywhere a value from an input (or a capture) would begin
an argv element that is not after ``--`` (a positional or an option's value), the run is refused before
anything runs: in the built-in runbook and in user runbooks alike. The refusals run the command line in-process
(``run_cli``); the stored reason goes through the real ``python -m console``."""

from __future__ import annotations

import json

from console.runbook import AuditLog
from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config


def test_block_ip_reason_that_looks_like_an_option_is_stored_literally(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    r = cli(
        "--config",
        str(config),
        "run",
        "block-ip",
        "--set",
        "ip=203.0.113.7",
        "--set",
        "reason=--path=/etc/hostname",
        "--yes",
    )
    assert r.returncode == 0, r.stderr + r.stdout
    put = fake_tools.argvs("wrangler")[0]
    assert put[:3] == ["kv", "key", "put"]
    # every value that came from the operator sits after the end-of-options marker
    assert "--" in put and put.index("--") < put.index("--path=/etc/hostname")
    kv = sim.state.snapshot()["kv"]["5100000000000000000000000000c001"]
    assert kv["blocked:ip:203.0.113.7"] == "--path=/etc/hostname"


def test_option_value_from_an_input_that_starts_with_a_dash_is_refused(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    r = run_cli("--config", str(config), "run", "kv-consistency", "--set", "namespace_id=--local", "--yes")
    assert r.returncode == 2, r.stderr + r.stdout
    assert "namespace_id" in r.stderr and "starts with '-'" in r.stderr and "Traceback" not in r.stderr
    assert fake_tools.argvs() == []
    assert [rec for rec in AuditLog().read() if rec.get("event") == "step" and rec.get("status") == "passed"] == []


def test_user_runbook_positional_from_an_input_is_refused_unless_after_double_dash(sim, fake_tools, tmp_path):
    book = tmp_path / "mine.yaml"
    book.write_text("""\
flows:
  - id: my-get
    title: Read a key
    section: Mine
    inputs:
      - {name: key, type: string}
    steps:
      - id: get
        kind: check
        title: get
        command:
          tool: wrangler
          args: [kv, key, get, "{key}", --namespace-id, "{env.kv_namespace_id}", --remote, --text]
  - id: my-get-safe
    title: Read a key (after --)
    section: Mine
    inputs:
      - {name: key, type: string}
    steps:
      - id: get
        kind: check
        title: get
        command:
          tool: wrangler
          args: [kv, key, get, --namespace-id, "{env.kv_namespace_id}", --remote, --text, --, "{key}"]
""")
    config = write_config(tmp_path / "config.yaml", sim, runbooks=[book])
    r = run_cli("--config", str(config), "run", "my-get", "--set", "key=--local")
    assert r.returncode == 2, r.stderr + r.stdout
    assert "starts with '-'" in r.stderr and "key" in r.stderr
    assert fake_tools.argvs() == []
    r = run_cli("--config", str(config), "run", "my-get-safe", "--set", "key=--local")
    # after "--" the value is a positional: the tool is asked for the key named "--local" (not found)
    argvs = fake_tools.argvs("wrangler")
    assert argvs == [
        [
            "kv",
            "key",
            "get",
            "--namespace-id",
            "5100000000000000000000000000c001",
            "--remote",
            "--text",
            "--",
            "--local",
        ]
    ], (r.stderr, json.dumps(argvs))
