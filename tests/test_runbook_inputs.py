"""Typed inputs and templates: bad input is stopped at the field with a message."""

from __future__ import annotations

import pytest

from console.config import Environment
from console.runbook.inputs import check_inputs, duration_seconds, parse_assignments, parse_input
from console.runbook.model import Flow, InputError, InputSpec, Step
from console.runbook.template import Context, TemplateError, refs, render, render_value


def spec(**kw) -> InputSpec:
    kw.setdefault("name", "value")
    return InputSpec(**kw)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("1.2.3.4; rm -rf /", "is not an IP address"),
        ("999.1.1.1", "is not a valid IPv4 or IPv6 address"),
        ("1.2.3", "is not a valid IPv4 or IPv6 address"),
        ("$(reboot)", "is not an IP address"),
        ("", "is required"),
    ],
)
def test_bad_ips_are_refused(raw, message):
    with pytest.raises(InputError) as info:
        parse_input(spec(name="ip", type="ip", label="IP address"), raw)
    assert info.value.field == "ip"
    assert message in info.value.message


def test_good_ips_are_normalised():
    assert parse_input(spec(type="ip"), " 203.0.113.7 ") == "203.0.113.7"
    assert parse_input(spec(type="ip"), "2001:DB8::1") == "2001:db8::1"


def test_numbers_with_bounds_refuse_negatives():
    with pytest.raises(InputError, match="must be at least 1, got -5"):
        parse_input(spec(type="int", minimum=1), "-5")
    with pytest.raises(InputError, match="not a whole number"):
        parse_input(spec(type="int"), "2.5")
    with pytest.raises(InputError, match="must be at most 1"):
        parse_input(spec(type="number", minimum=0.001, maximum=1), "3")
    with pytest.raises(InputError, match="not a finite number"):
        parse_input(spec(type="number"), "nan")
    assert parse_input(spec(type="int", minimum=1), "+20") == 20
    assert parse_input(spec(type="number"), "0.1") == 0.1


def test_strings_choices_bools_durations_cidrs_urls_timestamps():
    with pytest.raises(InputError, match="is required"):
        parse_input(spec(name="reason", type="string"), "   ")
    with pytest.raises(InputError, match="control characters"):
        parse_input(spec(type="string"), "abuse\nrm -rf /")
    assert parse_input(spec(type="string", required=False), "") is None
    with pytest.raises(InputError, match="is not one of: a, b"):
        parse_input(spec(type="choice", choices=["a", "b"]), "c")
    assert parse_input(spec(type="bool"), "yes") is True
    with pytest.raises(InputError, match="not true or false"):
        parse_input(spec(type="bool"), "maybe")
    assert parse_input(spec(type="duration"), "7d") == "7d" and duration_seconds("7d") == 604800
    with pytest.raises(InputError, match="not a duration"):
        parse_input(spec(type="duration"), "-7d")
    assert parse_input(spec(type="cidr"), "203.0.113.0/24") == "203.0.113.0/24"
    with pytest.raises(InputError, match="not a valid CIDR"):
        parse_input(spec(type="cidr"), "203.0.113.5/24")
    with pytest.raises(InputError, match="not an http"):
        parse_input(spec(type="url"), "ftp://x")
    assert parse_input(spec(type="timestamp"), "2024-01-15T00:00:00Z") == "2024-01-15T00:00:00Z"
    assert parse_input(spec(type="timestamp"), "2024-01-15T01:00:00+01:00") == "2024-01-15T00:00:00Z"
    with pytest.raises(InputError, match="not an ISO 8601 time"):
        parse_input(spec(type="timestamp"), "yesterday")


def env() -> Environment:
    return Environment(
        name="production",
        base_url="https://edge.example",
        metrics_url="https://edge.example/metrics",
        health_url="https://edge.example/health",
        worker="vau-processor-production",
        kv_namespace_id="ns1",
        paths={"repo": "/src/twist"},
    )


def test_check_inputs_collects_every_field_error_and_applies_config_defaults():
    flow = Flow(
        id="f",
        title="F",
        section="S",
        steps=[Step(id="n", kind="note", title="n")],
        inputs=[
            InputSpec(name="ip", type="ip"),
            InputSpec(name="reason"),
            InputSpec(name="ns", default="{env.kv_namespace_id}"),
            InputSpec(name="repo", default="{env.paths.repo}"),
            InputSpec(name="missing", default="{env.paths.nothing}", required=False),
        ],
    )
    values, errors = check_inputs(flow, {"ip": "999.1.1.1", "reason": "", "bogus": "1"}, Context(env=env()))
    assert set(errors) == {"ip", "reason", "bogus"}
    assert "has no input 'bogus'" in errors["bogus"]
    assert values["ns"] == "ns1" and values["repo"] == "/src/twist" and values["missing"] is None


def test_parse_assignments():
    assert parse_assignments(["ip=1.2.3.4", "reason=a=b"]) == {"ip": "1.2.3.4", "reason": "a=b"}
    with pytest.raises(InputError, match="expected key=value"):
        parse_assignments(["ip"])


def test_templates_render_mask_fallback_list_and_escape():
    ctx = Context(
        inputs={"ip": "1.2.3.4", "n": 20, "targets": "a.com, b.com"},
        env=env(),
        secret=lambda name: "s3cr3t-token",
        memory={"level": "high"},
        builtins={"today": "20240115"},
    )
    assert render("blocked:ip:{ip}", ctx) == "blocked:ip:1.2.3.4"
    assert render("Bearer {secret:api_token}", ctx) == "Bearer s3cr3t-token"
    assert render("Bearer {secret:api_token}", ctx, masked=True) == "Bearer ****"
    assert render("{memory.level|medium} {memory.other|medium}", ctx) == "high medium"
    assert render("{{literal}} {env.worker}", ctx) == "{literal} vau-processor-production"
    assert render("{env.worker!base}", ctx) == "vau-processor"
    assert render_value({"count": "{n}", "hosts": "{targets!list}", "s": "n={n}"}, ctx) == {
        "count": 20,
        "hosts": ["a.com", "b.com"],
        "s": "n=20",
    }
    with pytest.raises(TemplateError, match="has no paths.checkout: add it under environments.production.paths"):
        render("{env.paths.checkout}", ctx)
    with pytest.raises(TemplateError, match="unknown secret"):
        refs("{secret:password}")
    with pytest.raises(TemplateError, match="unbalanced brace"):
        refs("a } b")


def test_base_worker_name_must_carry_the_environment_suffix():
    e = env()
    e.worker = "vau-processor"
    with pytest.raises(TemplateError, match="wrangler appends -production"):
        render("{env.worker!base}", Context(env=e))
