"""Finding 5 (review of #14): the log tail's ``wrangler`` inherits no secret of ANY configured
environment: ``edge-console --env X tail`` used to strip only X's token variables, so the other
environments' tokens (``PROD_CF_TOKEN`` ...) reached the child."""

from __future__ import annotations

from tests.security.inputs_files_util import cli, write_config

OTHER = {"STAGING_CF_TOKEN": "staging-secret-1", "STAGING_ADMIN_TOKEN": "staging-secret-2"}


def test_tail_child_gets_no_token_of_another_environment(sim, fake_tools, tmp_path):
    config = write_config(tmp_path / "config.yaml", sim)
    text = config.read_text()
    staging = (
        "  staging:\n    base_url: http://127.0.0.1:9\n    worker: vau-processor-staging\n"
        "    api_token_env: STAGING_CF_TOKEN\n    admin_token_env: STAGING_ADMIN_TOKEN\n"
    )
    config.write_text(text.replace("environments:\n", "environments:\n" + staging, 1))
    r = cli("--config", str(config), "--env", "production", "tail", "--count", "1", "--once", env=OTHER)
    assert r.returncode == 0, r.stdout + r.stderr
    tails = [c for c in fake_tools.calls("wrangler") if c["argv"][:1] == ["tail"]]
    assert tails, fake_tools.calls()
    keys = set(tails[0]["env_keys"])
    assert keys & set(OTHER) == set(), keys
    assert "CLOUDFLARE_API_TOKEN" in keys  # its own token, under the tool's name
