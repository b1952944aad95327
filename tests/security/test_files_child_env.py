"""Finding 6.2: a child gets only the secrets its step names. Every known secret variable (the
configured ``api_token_env``/``admin_token_env`` of every environment, their defaults and the simulated
edge's tokens) is removed from what it inherits; a Cloudflare tool gets the API token back as
``CLOUDFLARE_API_TOKEN`` and a step's own ``env:`` adds what it names."""

from __future__ import annotations

from tests.security.inputs_files_util import cli, write_config

SECRETS = {
    "EDGE_SIM_API_TOKEN",
    "EDGE_SIM_ADMIN_TOKEN",
    "CLOUDFLARE_API_TOKEN",
    "ADMIN_TOKEN",
    "STAGING_CF_TOKEN",
    "STAGING_ADMIN_TOKEN",
}


def test_children_inherit_no_secret_but_the_ones_their_step_names(sim, fake_tools, tmp_path):
    book = tmp_path / "mine.yaml"
    book.write_text("""\
flows:
  - id: my-checks
    title: Children and their secrets
    section: Mine
    steps:
      - id: runs
        kind: check
        title: gh run list
        command:
          tool: gh
          args: [run, list, -R, twist-network/edge, --workflow, rollback-edge.yml, --limit, "1", --json, "databaseId,status"]
      - id: key
        kind: check
        title: wrangler kv key get
        command:
          tool: wrangler
          args: [kv, key, get, --namespace-id, "{env.kv_namespace_id}", --remote, --text, --, test-key]
      - id: named
        kind: action
        title: gh with the admin token it names
        command:
          tool: gh
          args: [run, list, -R, twist-network/edge, --workflow, rollback-edge.yml, --limit, "1", --json, "databaseId"]
          env: {EDGE_ADMIN: "{secret:admin_token}"}
""")
    config = write_config(
        tmp_path / "config.yaml",
        sim,
        runbooks=[book],
        top_extra="""\
  staging:
    base_url: http://127.0.0.1:9
    api_token_env: STAGING_CF_TOKEN
    admin_token_env: STAGING_ADMIN_TOKEN
""",
    )
    # the staging block belongs under environments: move it there
    text = config.read_text()
    staging = text[text.index("  staging:") :]
    body = text[: text.index("  staging:")]
    head, runbooks = body.split("runbooks:", 1)
    config.write_text(head + staging + "runbooks:" + runbooks)
    r = cli(
        "--config",
        str(config),
        "run",
        "my-checks",
        "--yes",
        env={
            "STAGING_CF_TOKEN": "staging-secret-1",
            "STAGING_ADMIN_TOKEN": "staging-secret-2",
            "CLOUDFLARE_API_TOKEN": "default-secret-3",
            "ADMIN_TOKEN": "default-secret-4",
        },
    )
    assert r.returncode == 0, r.stdout + r.stderr
    calls = fake_tools.calls()
    assert [c["tool"] for c in calls] == ["gh", "wrangler", "gh"], calls
    gh, wrangler, named = (set(c["env_keys"]) for c in calls)
    assert gh & SECRETS == set()
    assert wrangler & SECRETS == {"CLOUDFLARE_API_TOKEN"}  # the API token, given back under its tool's name
    assert named & SECRETS == set() and "EDGE_ADMIN" in named
    assert "kv-consistency-probe" in r.stdout  # the wrangler step still authenticated with the token


def test_log_tail_child_inherits_no_other_secret(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    r = cli(
        "--config",
        str(config),
        "tail",
        "--count",
        "1",
        "--once",
        env={"ADMIN_TOKEN": "default-secret-4", "CLOUDFLARE_API_TOKEN": "default-secret-3"},
    )
    assert r.returncode == 0, r.stdout + r.stderr
    tails = [c for c in fake_tools.calls("wrangler") if c["argv"][:1] == ["tail"]]
    assert tails, fake_tools.calls()
    assert set(tails[0]["env_keys"]) & SECRETS == {"CLOUDFLARE_API_TOKEN"}
