"""Declared schemas (console/schema/): every problem of a file at once with file:line: key: what, pointed
messages for inline secrets, one doc per field, and the JSON Schemas that editors use (generated, shipped,
validating the example config and every shipped runbook)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import msgspec
import pytest
import yaml
from msgspec import inspect as mi

from console.cli import main
from console.config import ConfigError, parse_config
from console.runbook.loader import builtin_runbook_files, parse_runbook
from console.runbook.model import RunbookError
from console.schema.config_model import ConfigFile
from console.schema.generate import SCHEMAS, schema_text, shipped_path
from console.schema.runbook_model import RunbookFile

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "config.yaml"
#: PyYAML's safe loader, on libyaml when built with it (the same data, ~10x less CPU than the pure-Python one)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<key>[^:]+): (?P<what>.+)$")


def _schema_from_cli(name: str, capsys) -> dict:
    assert main(["schema", name]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_shipped_schema_files_equal_the_generated_ones(name):
    path = shipped_path(name)
    assert path.is_file(), f"{path} is missing: run edge-console schema {name} -o {path.relative_to(ROOT)}"
    assert path.read_text(encoding="utf-8") == schema_text(name), (
        f"{path.relative_to(ROOT)} is stale: run edge-console schema {name} -o {path.relative_to(ROOT)}"
    )


def test_schema_config_validates_the_example_and_rejects_mistakes(capsys):
    import jsonschema  # not at the top: each pytest worker imports this module to collect its tests

    schema = _schema_from_cli("config", capsys)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    example = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    assert list(validator.iter_errors(example)) == []
    broken = dict(example, refresh_secs=2)
    broken["environments"] = {"p": {"base_url": "ftp://edge.example", "zone_id": "xyz"}}
    messages = sorted(e.message for e in validator.iter_errors(broken))
    assert any("refresh_secs" in m for m in messages), messages
    assert any("ftp://edge.example" in m for m in messages), messages
    assert any("'xyz'" in m for m in messages), messages


def test_schema_runbook_validates_every_shipped_runbook_and_rejects_mistakes(capsys):
    import jsonschema  # not at the top: each pytest worker imports this module to collect its tests

    schema = _schema_from_cli("runbook", capsys)
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    files = builtin_runbook_files()
    assert len(files) >= 8
    for path in files:
        errors = [
            f"{list(e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(yaml.load(path.read_text(), Loader=YAML_LOADER))
        ]
        assert errors == [], (path.name, errors[:5])
    bad = {"flows": [{"id": "Bad_Id", "title": "t", "section": "s", "steps": [{"kind": "shell", "title": "x"}]}]}
    assert len(list(validator.iter_errors(bad))) == 2


def test_schema_output_file_option(tmp_path):
    out = tmp_path / "runbook.schema.json"
    assert main(["schema", "runbook", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schema_text("runbook")


THREE_MISTAKES = """\
environments:
  production:
    base_url: edge.example.com
    zone_id: "0123456789abcdef0123456789abcdef"
refresh_seconds: fast
tail:
  buffer: 5
"""


def test_a_config_with_three_mistakes_reports_all_three_in_one_run(tmp_path, capsys):
    path = tmp_path / "config.yaml"
    path.write_text(THREE_MISTAKES)
    assert main(["--config", str(path)]) == 2  # the TUI path: the config is read before anything starts
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert all(line.startswith("edge-console: ") for line in err.strip().splitlines()), err
    lines = [line.removeprefix("edge-console: ") for line in err.strip().splitlines()]
    assert len(lines) == 3, err
    found = [LINE.match(line) for line in lines]
    assert all(found), lines
    assert [(m["file"], int(m["line"]), m["key"]) for m in found] == [
        (str(path), 3, "environments.production.base_url"),
        (str(path), 5, "refresh_seconds"),
        (str(path), 7, "tail.buffer"),
    ]
    assert found[0]["what"] == "expected an http(s) URL, got 'edge.example.com'"
    assert found[1]["what"] == "expected a number, got 'fast'"
    assert found[2]["what"] == "must be between 100 and 1,000,000, got 5"


def test_config_error_keeps_the_first_problem_and_lists_all(tmp_path):
    with pytest.raises(ConfigError) as info:
        parse_config(THREE_MISTAKES, tmp_path / "c.yaml")
    err = info.value
    assert (err.line, err.key) == (3, "environments.production.base_url")
    assert [(e.line, e.key) for e in err.errors] == [
        (3, "environments.production.base_url"),
        (5, "refresh_seconds"),
        (7, "tail.buffer"),
    ]
    assert str(err).count("\n") == 2


def test_every_kind_of_config_mistake_in_one_file(tmp_path):
    text = textwrap.dedent("""\
        environments:
          p:
            base_url: https://edge.example
            zone_id: "xyz"
            queues: {batch: "123"}
            tools: {wrangler: []}
        thresholds:
          latency: {warning: 1}
          error_rate: {warning: 2, critical: 1}
        limits: {max_body_bytes: 10}
        alerts: {hold_scrapes: 0, hysteresis_percent: 120}
        contacts:
          boss: {name: Lee, email: lee.example.org}
        escalation: [boss, nobody]
        notify: {pager: [page-me]}
        """)
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "c.yaml")
    got = [(e.line, e.key, e.detail) for e in info.value.errors]
    assert got == [
        (4, "environments.p.zone_id", "must be 32 hexadecimal characters, got 'xyz'"),
        (5, "environments.p.queues.batch", "must be 32 hexadecimal characters, got '123'"),
        (6, "environments.p.tools.wrangler", "must not be empty"),
        (
            8,
            "thresholds.latency",
            "unknown metric (known: request_rate, error_rate, p95_latency_ms, "
            "cache_hit_rate, cpu_time_ms, memory_bytes, queue_backlog)",
        ),
        (10, "limits.max_body_bytes", "must be between 1,024 and 1,073,741,824, got 10"),
        (11, "alerts.hold_scrapes", "expected a whole number of scrapes >= 1, got 0"),
        (11, "alerts.hysteresis_percent", "expected a percentage 0-99, got 120"),
        (13, "contacts.boss.email", "'lee.example.org' is not an email address"),
        (15, "notify.pager", "names no channel (known: edge-alerts, edge-oncall, incidents, status-page, war-room)"),
    ], got
    # a rule across sections waits only for the sections it reads: with the contacts fixed, escalation
    # is judged; with the thresholds' unknown metric gone, their order is
    fixed = text.replace("lee.example.org", "lee@example.org").replace("latency: {warning: 1}\n  ", "")
    with pytest.raises(ConfigError) as info:
        parse_config(fixed, tmp_path / "c.yaml")
    got = [(e.line, e.key, e.detail) for e in info.value.errors]
    assert (8, "thresholds.error_rate", "critical (1.0) must not be below warning (2.0)") in got, got
    assert (13, "escalation[1]", "'nobody' names no contact (known: boss)") in got, got
    assert len(got) == 9, got


@pytest.mark.parametrize(
    "where, body, key, advice",
    [
        ("environment", "    api_token: abc123\n", "environments.p.api_token", "use api_token_env or api_token_file"),
        (
            "environment",
            "    admin_token: abc123\n",
            "environments.p.admin_token",
            "use admin_token_env or admin_token_file",
        ),
        (
            "top level",
            "webhook_url: https://hooks.example/x\n",
            "webhook_url",
            "use webhook_url_env or webhook_url_file",
        ),
        ("top level", "routing_key: abc\n", "routing_key", "use routing_key_env or routing_key_file"),
    ],
)
def test_an_inline_secret_gets_a_pointed_message(tmp_path, where, body, key, advice):
    text = "environments:\n  p:\n    base_url: https://edge.example\n"
    text = text + body if where == "environment" else text + body
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "c.yaml")
    assert info.value.key == key
    assert info.value.line == 4
    assert str(info.value).endswith(f"{key}: secrets are not stored in the config: {advice}")
    assert "abc123" not in str(info.value)  # the secret itself is never echoed


def test_a_runbook_reports_every_structural_problem_at_once(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text(
        textwrap.dedent("""\
        flows:
          - id: Mine
            title: Mine
            section: Ours
            steps:
              - kind: sudo
                title: x
              - kind: check
                title: y
                tail: {seconds: 90000}
          - id: other
            title: Other
            section: Ours
            responds_to: [latency]
            steps:
              - {kind: note, title: n, colour: red}
        """)
    )
    assert main(["runbook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    for fragment in (
        f"{path}:2: flows[0].id: is not a kebab-case id",
        f"{path}:6: flows[0].steps[0].kind: unknown step kind 'sudo'",
        f"{path}:10: flows[0].steps[1].tail.seconds: must be at most 86400 (one day)",
        f"{path}:14: flows[1].responds_to: expected a list of metric keys",
        f"{path}:16: flows[1].steps[0].colour: unknown key",
    ):
        assert fragment in err, err


def test_the_rules_across_fields_report_every_flow(tmp_path):
    text = textwrap.dedent("""\
        flows:
          - {id: a, title: t, section: s, steps: [{kind: verify, title: v}]}
          - {id: b, title: t, section: s, steps: [{kind: manual, title: m, command: {tool: gh, args: [x]}}]}
        """)
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "two.yaml")
    assert [(e.line, e.where) for e in info.value.errors] == [(2, "flows[0].steps[0].expect"), (3, "flows[1].steps[0]")]


def test_the_rules_across_fields_report_every_input_and_step_of_a_flow():
    """Three steps of one flow break a rule each, and an input is declared twice: four problems, one run.
    A step that breaks a rule does not make the later steps that use its capture wrong too."""
    text = textwrap.dedent("""\
        flows:
          - id: a
            title: t
            section: s
            inputs:
              - {name: zone, type: string}
              - {name: zone, type: string}
            steps:
              - {id: one, kind: verify, title: v}
              - {id: two, kind: check, title: c, http: {method: GET, url: "http://h/{nope}"}, capture: {got: "a"}}
              - {id: three, kind: check, title: c2, http: {method: GET, url: "http://h/{capture.got}"}}
              - {id: four, kind: action, title: a, retry: {attempts: 2, interval: 1}, http: {method: POST, url: "http://h/z"}}
        """)
    with pytest.raises(RunbookError) as info:
        parse_runbook(text, "many.yaml")
    where = [e.where for e in info.value.errors]
    assert "flows[0].inputs[1].name" in where, where
    assert "flows[0].steps[0].expect" in where or "flows[0].steps[0]" in where, where
    assert any(w.startswith("flows[0].steps[1]") for w in where), where
    assert any(w.startswith("flows[0].steps[3]") for w in where), where
    assert not any(w.startswith("flows[0].steps[2]") for w in where), where  # {capture.got} is still known
    assert len(where) == 4, where


def _fields_without_doc(model: type) -> list[str]:
    missing: list[str] = []
    seen: set[type] = set()

    def visit(t) -> None:
        if isinstance(t, mi.Metadata):
            visit(t.type)
        elif isinstance(t, mi.StructType):
            if t.cls in seen:
                return
            seen.add(t.cls)
            if not (t.cls.__doc__ or "").strip():
                missing.append(t.cls.__name__)
            for f in t.fields:
                described = isinstance(f.type, mi.Metadata) and (f.type.extra_json_schema or {}).get("description")
                if not described:
                    missing.append(f"{t.cls.__name__}.{f.name}")
                visit(f.type)
        elif isinstance(t, (mi.UnionType,)):
            for member in t.types:
                visit(member)
        elif isinstance(t, mi.ListType):
            visit(t.item_type)
        elif isinstance(t, mi.DictType):
            visit(t.value_type)

    visit(mi.type_info(model))
    return missing


@pytest.mark.parametrize("model", [ConfigFile, RunbookFile], ids=lambda m: m.__name__)
def test_every_field_has_a_one_line_doc(model):
    assert _fields_without_doc(model) == []
    schema = msgspec.json.schema(model)
    for name, definition in schema["$defs"].items():
        for field_name, prop in definition.get("properties", {}).items():
            assert "\n" not in prop.get("description", ""), (name, field_name)


def test_declared_defaults_match_the_code_that_uses_them():
    from console.incident.contacts import runbook_defaults
    from console.schema.config_model import RUNBOOK_CHANNEL_KEYS, RUNBOOK_CONTACT_KEYS, TAIL_BUFFER_DEFAULT
    from console.tail.store import DEFAULT_CAPACITY

    assert TAIL_BUFFER_DEFAULT == DEFAULT_CAPACITY
    defaults = runbook_defaults()
    assert tuple(defaults.contacts) == RUNBOOK_CONTACT_KEYS
    assert tuple(defaults.channels) == RUNBOOK_CHANNEL_KEYS


def test_the_example_config_names_the_shipped_schema_for_editors():
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (EXAMPLE.parent / first.split("$schema=", 1)[1]).resolve()
    assert target == shipped_path("config").resolve() and target.is_file()


def test_the_example_config_shows_every_key():
    """examples/config.yaml names every top-level and per-environment key (set or commented out)."""
    import re
    from pathlib import Path

    from console.schema.config_model import ENV_KEYS, KNOWN_TOP_LEVEL

    text = (Path(__file__).resolve().parents[1] / "examples" / "config.yaml").read_text()
    missing = [k for k in sorted(KNOWN_TOP_LEVEL) if not re.search(rf"^#?\s*{k}:", text, re.M)]
    missing += [f"environments.*.{k}" for k in sorted(ENV_KEYS) if not re.search(rf"^\s*#?\s*{k}:", text, re.M)]
    assert missing == []


def test_runbook_validate_takes_several_files_and_reports_every_file_s_problems(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("flows:\n  - {id: mine, title: Mine, section: Ours, steps: [{kind: note, title: n}]}\n")
    bad1 = tmp_path / "bad1.yaml"
    bad1.write_text("flows:\n  - {id: Bad, title: B, section: Ours, steps: [{kind: note, title: n}]}\n")
    bad2 = tmp_path / "bad2.yaml"
    bad2.write_text("flows:\n  - {id: two, title: T, section: Ours, steps: [{kind: sudo, title: n}]}\n")
    assert main(["runbook", "validate", str(good), str(bad1), str(bad2)]) == 2
    err = capsys.readouterr().err
    assert f"{bad1}:2: flows[0].id: is not a kebab-case id" in err, err
    assert f"{bad2}:2: flows[0].steps[0].kind: unknown step kind 'sudo'" in err, err
    shipped = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "console" / "runbooks").glob("*.yaml"))
    assert main(["runbook", "validate", str(good), *shipped]) == 0
    out = capsys.readouterr().out
    assert f"{good}: OK, 1 flow (mine)" in out
    assert all(f"{p}: OK" in out for p in shipped), out
