"""Config loading: defaults, overrides, and errors that name file, line and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from console.config import ConfigError, load_config, parse_config, resolve_config_path
from console.metrics.thresholds import State, evaluate

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "config.yaml"


def test_example_config_loads():
    cfg = load_config(EXAMPLE)
    env = cfg.environment()
    assert env.name == "production"
    assert env.metrics_url == "https://api.twist.io/metrics"
    assert env.health_url == "https://api.twist.io/health"
    assert env.tool("wrangler") == ["npx", "--yes", "wrangler@4"]  # pinned (issue 10)
    assert env.tool("gh") == ["gh"]
    assert cfg.environment("staging").metrics_url == "https://api.staging.twist.io/metrics"
    assert cfg.refresh_seconds == 2


def test_threshold_override_keeps_direction():
    cfg = parse_config(
        textwrap.dedent("""
        environments:
          prod: {base_url: "https://edge.example"}
        thresholds:
          p95_latency_ms: {warning: 300}
          cache_hit_rate: {warning: 95, critical: 85}
    """)
    )
    assert cfg.thresholds["p95_latency_ms"].warning == 300
    assert cfg.thresholds["p95_latency_ms"].critical == 1000
    assert evaluate(400, cfg.thresholds["p95_latency_ms"]) is State.WARNING
    assert evaluate(90, cfg.thresholds["cache_hit_rate"]) is State.WARNING
    assert evaluate(80, cfg.thresholds["cache_hit_rate"]) is State.CRITICAL


@pytest.mark.parametrize(
    "body, line, key, fragment",
    [
        ("environments:\n  prod:\n    base_url: 12\n", 3, "environments.prod.base_url", "expected an http(s) URL"),
        (
            "refresh_seconds: fast\nenvironments:\n  p: {base_url: 'http://x'}\n",
            1,
            "refresh_seconds",
            "expected a number",
        ),
        (
            "environments:\n  p: {base_url: 'http://x'}\nthresholds:\n  latency: {warning: 1}\n",
            4,
            "thresholds.latency",
            "unknown metric",
        ),
        ("environments:\n  p:\n    base_url: 'http://x'\n    wroker: vau\n", 4, "environments.p.wroker", "unknown key"),
        ("enviroments: {}\n", 1, "enviroments", "unknown key"),
        (
            "environments:\n  p: {base_url: 'http://x'}\ndefault_environment: q\n",
            3,
            "default_environment",
            "names no environment",
        ),
        (
            "environments:\n  p: {base_url: 'http://x'}\nthresholds:\n  error_rate: {warning: 2, critical: 1}\n",
            4,
            "thresholds.error_rate",
            "must not be below warning",
        ),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, body, line, key, fragment):
    path = tmp_path / "config.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    assert err.line == line
    assert err.key == key
    assert fragment in str(err)
    assert str(err).startswith(f"{path}:{line}: {key}: ")


def test_yaml_syntax_error_has_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("environments:\n  p: {base_url: 'http://x'\n  q: [\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line is not None
    assert "invalid YAML" in str(info.value)


def test_resolution_order(tmp_path, monkeypatch):
    assert resolve_config_path(None) is None  # isolated XDG dir: the simulated edge
    env_file = tmp_path / "env.yaml"
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(env_file))
    assert resolve_config_path(None) == env_file
    assert resolve_config_path("explicit.yaml") == Path("explicit.yaml")


def test_cli_invalid_config_exits_2_without_traceback(tmp_path, capsys):
    from console.cli import main

    path = tmp_path / "c.yaml"
    path.write_text("environments:\n  p:\n    base_url: nope\n")
    code = main(["--config", str(path)])  # the TUI path: the config is read before anything starts
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert f"{path}:3: environments.p.base_url:" in captured.err


def test_workers_map_roles_and_default_role(tmp_path):
    from console.config import WORKER_ROLES, load_config

    path = tmp_path / "c.yaml"
    path.write_text(
        "environments:\n  production:\n    base_url: https://e.example\n"
        "    workers:\n      vau-processor: vau-prod\n      rate-limiter: rl-prod\n"
    )
    env = load_config(path).environment()
    assert env.worker == "vau-prod"
    assert env.worker_for() == "vau-prod"
    assert env.worker_for("rate-limiter") == "rl-prod"
    assert env.worker_for("security-waf") == ""
    assert env.worker_roles() == ["vau-processor", "rate-limiter"]
    assert set(env.worker_roles()) <= set(WORKER_ROLES)


def test_workers_unknown_role_and_bad_script_name_are_errors_at_their_line(tmp_path):
    from console.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text(
        "environments:\n  production:\n    base_url: https://e.example\n    workers:\n      vau-procesor: vau-prod\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}:5: environments.production.workers.vau-procesor: unknown worker role")
    path.write_text(
        "environments:\n  production:\n    base_url: https://e.example\n"
        "    workers:\n      rate-limiter: 'rl prod;rm'\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "environments.production.workers.rate-limiter: expected a Worker script name" in str(err.value)


def test_github_repo_is_owner_slash_name_and_an_error_at_its_line(tmp_path):
    from console.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text(
        "environments:\n  production:\n    base_url: https://e.example\n    github_repo: twist-network/edge\n"
    )
    assert load_config(path).environment().github_repo == "twist-network/edge"
    for bad in ("twist-network", "https://github.com/twist-network/edge", "-R/x", "a/b c", "owner/.."):
        path.write_text(f"environments:\n  production:\n    base_url: https://e.example\n    github_repo: '{bad}'\n")
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert str(err.value).startswith(f"{path}:4: environments.production.github_repo: expected owner/name"), bad


def test_example_config_pins_wrangler_and_documents_the_tool_paths():
    from console.config import load_config

    env = load_config(EXAMPLE).environment("production")
    assert env.tool("wrangler")[-1] == "wrangler@4"
    assert env.github_repo and {"terraform", "worker_dir"} <= set(env.paths)
    text = EXAMPLE.read_text()
    assert "terraform:" in text and "worker_dir:" in text and "refuses to start" in text
