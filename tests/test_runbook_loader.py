"""Runbook YAML loading: the built-in runbook, file:line errors, policy checks at load time, overrides."""

from __future__ import annotations

import re
import textwrap

import pytest

from console.cli import main
from console.runbook import RunbookError, load_runbook, parse_runbook
from console.runbook.loader import builtin_runbook_files


def rb(text: str):
    return parse_runbook(textwrap.dedent(text), "test.yaml")


def test_builtin_runbook_loads_with_stable_kebab_case_ids_and_unique_keys():
    runbook = load_runbook()
    assert len(builtin_runbook_files()) >= 8
    assert len(runbook.flows) >= 45
    for flow in runbook.flows.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", flow.id), flow.id
        assert flow.title and flow.section and flow.steps
    keys = [f.key for f in runbook.flows.values() if f.key]
    assert len(keys) == len(set(keys))
    # the flows are all there
    for flow_id in (
        "worker-health",
        "overnight-metrics-review",
        "queue-backlog",
        "security-events",
        "hourly-checks",
        "check-all-systems",
        "worker-status",
        "enable-circuit-breaker",
        "disable-circuit-breaker",
        "cloudflare-status",
        "rollback",
        "p0-communication",
        "error-breakdown",
        "recent-deployments",
        "recent-commits",
        "scale-workers",
        "raise-rate-limits",
        "enable-caching",
        "verify-salt-rotation",
        "cache-cleanup",
        "monthly-security-audit",
        "performance-review",
        "cost-review",
        "identify-bottlenecks",
        "tune-rate-limits",
        "enable-performance-mode",
        "review-security-blocks",
        "blocked-ips",
        "geo-block-effectiveness",
        "under-attack-mode",
        "restore-security-level",
        "tighten-rate-limits",
        "restore-rate-limit-multiplier",
        "enable-strict-waf",
        "export-security-logs",
        "block-ip",
        "unblock-ip",
        "high-latency",
        "low-cache-hit-rate",
        "worker-timeout",
        "kv-consistency",
        "queue-processing-delays",
        "complete-service-recovery",
        "smoke-test",
        "export-daily-metrics",
    ):
        assert flow_id in runbook.flows, flow_id


def test_every_mutating_builtin_flow_with_a_known_reverse_names_it():
    runbook = load_runbook()
    pairs = {
        "enable-circuit-breaker": "disable-circuit-breaker",
        "under-attack-mode": "restore-security-level",
        "block-ip": "unblock-ip",
        "tighten-rate-limits": "restore-rate-limit-multiplier",
        "enable-performance-mode": "disable-performance-mode",
        "enable-strict-waf": "disable-strict-waf",
    }
    for flow_id, reverse in pairs.items():
        assert runbook.flows[flow_id].reverse == reverse
        assert runbook.flows[reverse].mutating


def test_modern_command_syntax_in_the_builtin_runbook():
    runbook = load_runbook()
    for flow in runbook.flows.values():
        for step in flow.steps:
            if step.command is None or step.command.tool is None:
                continue
            args = step.command.args
            assert not any(a.startswith("kv:") for a in args), (flow.id, args)
            assert "logpull" not in args
            if step.command.tool == "wrangler" and args[:1] == ["kv"]:
                assert "--remote" in args, (flow.id, args)
            if args[:2] == ["secret", "put"]:
                assert len([a for a in args[2:] if not a.startswith("-") and "{" not in a]) == 1, args
                assert step.command.stdin is not None
            if args[:2] == ["queues", "list"]:
                assert "--json" not in args


def test_unknown_step_kind_names_file_line_and_known_kinds():
    with pytest.raises(RunbookError) as info:
        rb("""\
            flows:
              - id: demo
                title: Demo
                section: Test
                steps:
                  - kind: shell
                    title: rm it
            """)
    err = info.value
    assert err.file == "test.yaml" and err.line == 6
    assert "unknown step kind 'shell'" in str(err)
    assert "check, action, verify, manual, note" in str(err)
    assert str(err).startswith("test.yaml:6: flows[0].steps[0].kind:")


def test_invalid_yaml_reports_the_line():
    with pytest.raises(RunbookError) as info:
        rb("flows:\n  - id: x\n    title: [unclosed\n")
    assert info.value.line is not None and "invalid YAML" in str(info.value)


@pytest.mark.parametrize(
    "step, message",
    [
        ("{kind: check, title: t, http: {method: POST, url: 'https://x/'}}", "use kind: action"),
        ("{kind: check, title: t, command: {tool: wrangler, args: [secret, put, X]}}", "use kind: action"),
        ("{kind: check, title: t, command: {tool: terraform, args: [apply]}}", "use kind: action"),
        ("{kind: action, title: t, command: {tool: wrangler, args: [x, '{secret:api_token}']}}", "never in argv"),
        ("{kind: action, title: t, http: {url: 'https://x/{secret:api_token}'}}", "never in argv"),
        ("{kind: check, title: t, command: {tool: gh, args: ['{nope}']}}", "names no input"),
        ("{kind: check, title: t, command: {tool: gh, args: ['{capture.run}']}}", "not captured by an earlier step"),
        ("{kind: check, title: t, command: {tool: gh, args: ['{env.nonsense}']}}", "unknown environment field"),
        ("{kind: verify, title: t, expect: 'bogus_metric < 1'}", "not a live metric"),
        ("{kind: verify, title: t}", "needs expect"),
        ("{kind: action, title: t, metrics: [error_rate]}", "an action runs an http request or a command"),
        ("{kind: manual, title: t, command: {tool: gh, args: [x]}}", "text only"),
        ("{kind: check, title: t, http: {url: 'https://x/'}, expect: 'status =='}", "nothing after"),
        ("{kind: check, title: t, http: {url: 'https://x/'}, surprise: 1}", "unknown key"),
        ("{kind: check, title: t, command: {tool: gh, args: 'run list'}}", "argv, never a shell line"),
        ("{kind: action, title: t, command: {tool: gh, args: [x]}, retry: {attempts: 3}}", "an action runs once"),
        (
            "{kind: check, title: t, command: {tool: gh, args: [x]}, expect: '[0].id > {capture.nope}'}",
            "not captured by an earlier step",
        ),
        ("{kind: check, title: t, http: {url: 'https://x/'}, trend: 8}", "only a metrics step has a trend"),
        ("{kind: check, title: t, metrics: [error_rate], trend: 1}", "2 to 60"),
    ],
)
def test_bad_steps_are_rejected_with_a_reason(step, message):
    text = f"flows:\n  - id: demo\n    title: Demo\n    section: Test\n    steps:\n      - {step}\n"
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "bad.yaml")
    assert message in str(info.value)
    assert info.value.line == 6


def test_bad_flow_ids_inputs_and_duplicates():
    with pytest.raises(RunbookError, match="kebab-case"):
        rb("flows:\n  - {id: Bad_Id, title: t, section: s, steps: [{kind: note, title: n}]}\n")
    with pytest.raises(RunbookError, match="unknown input type"):
        rb(
            "flows:\n  - {id: a, title: t, section: s, inputs: [{name: x, type: float}], steps: [{kind: note, title: n}]}\n"
        )
    with pytest.raises(RunbookError, match="duplicate flow id"):
        rb(
            "flows:\n  - {id: a, title: t, section: s, steps: [{kind: note, title: n}]}\n"
            "  - {id: a, title: t, section: s, steps: [{kind: note, title: n}]}\n"
        )
    with pytest.raises(RunbookError, match="needs a list of choices"):
        rb(
            "flows:\n  - {id: a, title: t, section: s, inputs: [{name: x, type: choice}], steps: [{kind: note, title: n}]}\n"
        )


def test_user_runbook_overrides_builtin_flow_and_reverse_must_exist(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(
        textwrap.dedent("""\
        flows:
          - id: worker-health
            title: Our own health check
            section: Daily
            key: H
            replaces: worker-health
            steps:
              - {kind: note, title: look at the dashboard}
        """)
    )
    runbook = load_runbook([user])
    assert runbook.flows["worker-health"].title == "Our own health check"
    assert runbook.flows["worker-health"].file == str(user)

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "flows:\n  - {id: a, title: t, section: s, reverse: no-such-flow, steps: [{kind: note, title: n}]}\n"
    )
    with pytest.raises(RunbookError, match="names no flow 'no-such-flow'"):
        load_runbook([broken])
    clash = tmp_path / "clash.yaml"
    clash.write_text("flows:\n  - {id: mine, title: t, section: s, key: B, steps: [{kind: note, title: n}]}\n")
    with pytest.raises(RunbookError, match="already used by flow 'enable-circuit-breaker'"):
        load_runbook([clash])


def test_runbook_validate_command(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("flows:\n  - {id: mine, title: Mine, section: Ours, steps: [{kind: note, title: n}]}\n")
    assert main(["runbook", "validate", str(good)]) == 0
    assert "good.yaml: OK, 1 flow (mine)" in capsys.readouterr().out

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "flows:\n  - id: mine\n    title: Mine\n    section: Ours\n    steps:\n      - kind: sudo\n        title: x\n"
    )
    assert main(["runbook", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:6: flows[0].steps[0].kind: unknown step kind 'sudo'" in err
    assert "Traceback" not in err

    assert main(["runbook", "validate", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.parametrize("path", builtin_runbook_files(), ids=lambda p: p.name)
def test_runbook_validate_accepts_each_shipped_file(path, capsys):
    # a shipped file is the built-in runbook itself, not a user file taking its flows' ids and keys
    assert main(["runbook", "validate", str(path)]) == 0, capsys.readouterr().err
    assert f"{path}: OK" in capsys.readouterr().out


def test_config_runbooks_are_merged(tmp_path):
    from console.config import parse_config
    from console.runbook import load_for_config

    (tmp_path / "extra.yaml").write_text(
        "flows:\n  - {id: team-check, title: Team check, section: Ours, steps: [{kind: manual, title: tick}]}\n"
    )
    cfg_path = tmp_path / "config.yaml"
    text = "environments:\n  production:\n    base_url: https://edge.example\nrunbooks: [extra.yaml]\n"
    cfg_path.write_text(text)
    config = parse_config(text, cfg_path)
    runbook = load_for_config(config)
    assert "team-check" in runbook.flows and "worker-health" in runbook.flows


def test_metric_responses_are_data_and_diagnosis_comes_first():
    runbook = load_runbook()
    assert [f.id for f in runbook.responses_for("error_rate")] == [
        "error-breakdown",
        "p1-high-error-rate",
        "enable-circuit-breaker",
        "rollback",
    ]
    assert [f.id for f in runbook.responses_for("cache_hit_rate")] == ["low-cache-hit-rate"]
    for metric in ("p95_latency_ms", "queue_backlog", "request_rate", "cpu_time_ms"):
        assert runbook.responses_for(metric), metric
    with pytest.raises(RunbookError, match="metric keys"):
        rb("flows:\n  - {id: a, title: t, section: s, responds_to: [latency], steps: [{kind: note, title: n}]}\n")
