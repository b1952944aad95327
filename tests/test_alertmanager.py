"""Alertmanager (API v2) against a real ``prometheus-alertmanager`` on loopback: firing alerts in
``edge-console alerts --json``, alert -> flow mapping, silences created and expired by runbook flows
(audited, refused read-only), and the pure parsers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from console.alertmanager.mapping import flow_for_alert, metric_for_alert, respond_target
from console.alertmanager.matchers import MatcherError, format_matchers, parse_matchers
from console.alertmanager.merge import ConsoleAlert, merge_alerts
from console.alertmanager.model import AmAlert, parse_alerts, parse_time
from console.config import parse_config
from console.runbook import FlowRunner, InputError
from console.runbook.engine import StepState
from console.runbook.loader import load_for_config
from console.sources.tls import shared_ssl_context
from tests.monitoring_servers import post_alerts, running_alertmanager
from tests.util import wait_for_sync


def _iso(delta_s: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=delta_s)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


FIRING = [
    {
        "labels": {"alertname": "EdgeHighErrorRate", "env": "production", "severity": "critical"},
        "annotations": {"summary": "error rate above 5%"},
        "startsAt": _iso(-120),
    },
    {
        "labels": {"alertname": "EdgeWorkerOdd", "env": "production", "severity": "warning"},
        "annotations": {"runbook_flow": "worker-health"},
        "startsAt": _iso(-60),
    },
    {"labels": {"alertname": "EdgeHighErrorRate", "env": "staging", "severity": "warning"}, "startsAt": _iso(-60)},
]


@pytest.fixture
def alertmanager(tmp_path):
    with running_alertmanager(tmp_path) as url:
        yield url


def _config(tmp_path: Path, sim, am_url: str, extra: str = "", read_only: bool = False) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "environments:\n"
        "  production:\n"
        f"    base_url: '{sim.base_url}'\n"
        f"    alertmanager_url: '{am_url}'\n"
        f"    read_only: {'true' if read_only else 'false'}\n" + extra
    )
    return path


def _silences(url: str) -> list[dict]:
    return httpx.get(f"{url}/api/v2/silences", timeout=5, verify=shared_ssl_context()).json()


# -- pure parts -------------------------------------------------------------------------------------------
def test_matchers_parse_and_format():
    assert parse_matchers("alertname=EdgeHighErrorRate,env=production") == [
        {"name": "alertname", "value": "EdgeHighErrorRate", "isRegex": False, "isEqual": True},
        {"name": "env", "value": "production", "isRegex": False, "isEqual": True},
    ]
    assert format_matchers(parse_matchers('job=~"edge|api", env!=staging')) == "job=~edge|api,env!=staging"
    for bad in ("", "alertname", "=x", "a=~(", "a="):
        with pytest.raises(MatcherError):
            parse_matchers(bad)


def test_alerts_answer_is_parsed_defensively():
    alerts = parse_alerts(
        [
            {
                "labels": {"alertname": "X\x1b[31m", "env": "p"},
                "annotations": {},
                "startsAt": "2026-12-03T10:00:00.123456789Z",
                "fingerprint": "ab",
                "status": {"state": "suppressed", "silencedBy": ["s1"], "inhibitedBy": []},
            }
        ]
    )
    assert alerts[0].alertname == "X\\x1b[31m"  # shown escaped, never obeyed by a terminal
    assert alerts[0].silenced and alerts[0].status_text == "silenced"
    assert alerts[0].starts_at == pytest.approx(parse_time("2026-12-03T10:00:00.123456Z"))
    with pytest.raises(ValueError):
        parse_alerts({"not": "a list"})


def test_alert_maps_to_metric_and_flow():
    config = parse_config("environments:\n  production: {base_url: 'http://127.0.0.1:9'}\n")
    runbook = load_for_config(config)

    def alert(name, **annotations):
        return AmAlert("f", {"alertname": name}, annotations, None, "active")

    assert metric_for_alert(alert("EdgeHighErrorRate")) == "error_rate"
    assert metric_for_alert(alert("EdgeP95LatencyHigh")) == "p95_latency_ms"
    assert metric_for_alert(alert("EdgeQueueBacklogGrowing")) == "queue_backlog"
    assert metric_for_alert(alert("Watchdog")) is None
    assert flow_for_alert(alert("EdgeHighErrorRate"), runbook).target == runbook.responses_for("error_rate")[0].id
    assert flow_for_alert(alert("Anything", runbook_flow="worker-health"), runbook).target == "worker-health"
    assert flow_for_alert(alert("Watchdog"), runbook) is None
    silenced = AmAlert("g", {"alertname": "EdgeHighErrorRate"}, {}, None, "suppressed", silenced_by=("s",))
    assert respond_target([silenced], runbook) is None  # a silenced alert is not what r responds to


def test_console_and_alertmanager_rows_are_merged_by_metric():
    am = [
        AmAlert("a", {"alertname": "EdgeHighErrorRate"}, {}, 1.0, "active"),
        AmAlert("b", {"alertname": "EdgeCacheHitRateLow"}, {}, 2.0, "active"),
    ]
    rows = merge_alerts([ConsoleAlert("error_rate", "CRITICAL", "Error rate critical")], am)
    assert [(r.source, r.metric) for r in rows] == [("both", "error_rate"), ("alertmanager", "cache_hit_rate")]
    assert rows[0].alertmanager[0].alertname == "EdgeHighErrorRate"


def test_responds_to_accepts_alert_names(tmp_path):
    from console.runbook.loader import parse_runbook

    rb = parse_runbook(
        "version: 1\nflows:\n  - id: x\n    title: X\n    section: S\n"
        "    responds_to: [error_rate, EdgeHighErrorRate]\n"
        "    steps: [{id: a, kind: manual, title: t}]\n"
    )
    (flow,) = rb
    assert flow.responds_to == ["error_rate", "EdgeHighErrorRate"]


# -- against the real Alertmanager ----------------------------------------------------------------------
def test_alerts_cli_lists_posted_alerts_with_flows(alertmanager, sim, tmp_path, capsys):
    from console.cli import main

    post_alerts(alertmanager, FIRING)
    silence = httpx.post(
        f"{alertmanager}/api/v2/silences",
        json={
            "matchers": [{"name": "env", "value": "staging", "isRegex": False, "isEqual": True}],
            "startsAt": _iso(),
            "endsAt": _iso(3600),
            "createdBy": "test",
            "comment": "staging",
        },
        timeout=5,
        verify=shared_ssl_context(),
    )
    silence.raise_for_status()

    def listed():
        alerts = httpx.get(f"{alertmanager}/api/v2/alerts", timeout=5, verify=shared_ssl_context()).json()
        return len(alerts) == 3 and all(a["status"]["state"] != "unprocessed" for a in alerts)

    wait_for_sync(listed, timeout=20, interval=0.2, message="three processed alerts")  # ~1 s: 5 reads, not 20
    config = _config(tmp_path, sim, alertmanager)
    code = main(["--config", str(config), "alerts", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1, report
    assert report["problems"] == []
    by_name = {
        (r["alertmanager"][0]["alertname"], r["alertmanager"][0]["labels"]["env"]): r
        for r in report["alerts"]
        if r["alertmanager"]
    }
    error_rate = by_name[("EdgeHighErrorRate", "production")]
    assert error_rate["metric"] == "error_rate" and error_rate["status"] == "firing"
    assert error_rate["flow"] == load_for_config(parse_config(config.read_text())).responses_for("error_rate")[0].id
    assert error_rate["alertmanager"][0]["starts_at"] == pytest.approx(
        datetime.fromisoformat(FIRING[0]["startsAt"].replace("Z", "+00:00")).timestamp(), abs=1
    )
    assert by_name[("EdgeWorkerOdd", "production")]["flow"] == "worker-health"
    staging = by_name[("EdgeHighErrorRate", "staging")]
    assert staging["status"] == "silenced"
    assert staging["alertmanager"][0]["silenced_by"] == [silence.json()["silenceID"]]


def _runner(config_path: Path, flow_id: str, inputs: dict, read_only: bool = False) -> FlowRunner:
    config = parse_config(config_path.read_text(), config_path)
    runbook = load_for_config(config)
    return FlowRunner(runbook.flows[flow_id], config.environment(), inputs, config=config, read_only=read_only)


async def test_silence_flow_creates_a_silence_and_its_reverse_expires_it(alertmanager, sim, tmp_path, state_dir):
    from console.incident.manager import IncidentManager

    incident = IncidentManager().start("P1", "Error rate high")
    config = _config(tmp_path, sim, alertmanager)
    runner = _runner(
        config, "alertmanager-silence", {"matchers": "alertname=EdgeHighErrorRate,env=production", "duration": "1h30m"}
    )
    preview = runner.preview(0)
    assert preview.confirmation is not None and preview.confirmation.production  # production: name typed
    await runner.run_all(confirm=lambda p: p.confirmation.expected)
    assert [r.state for r in runner.steps] == [StepState.PASSED, StepState.PASSED], [
        r.result.message for r in runner.steps
    ]
    silence_id = runner.captures["silence_id"]
    (silence,) = [s for s in _silences(alertmanager) if s["id"] == silence_id]
    assert silence["status"]["state"] == "active"
    assert silence["comment"] == incident.id  # the comment defaults to the open incident
    assert {(m["name"], m["value"]) for m in silence["matchers"]} == {
        ("alertname", "EdgeHighErrorRate"),
        ("env", "production"),
    }
    ends = datetime.fromisoformat(silence["endsAt"].replace("Z", "+00:00")).timestamp()
    starts = datetime.fromisoformat(silence["startsAt"].replace("Z", "+00:00")).timestamp()
    assert ends - starts == pytest.approx(5400, abs=60)
    # audited: the change's started record is on disk before its finished one
    records = [json.loads(line) for line in (state_dir / "audit.jsonl").read_text().splitlines()]
    phases = [(r.get("phase"), r.get("step")) for r in records if r.get("flow") == "alertmanager-silence"]
    assert phases.index(("started", "create")) < phases.index(("finished", "create"))

    reverse = _runner(config, "alertmanager-expire-silence", {})  # the id defaults to the remembered one
    assert reverse.inputs["silence_id"] == silence_id
    await reverse.run_all(confirm=lambda p: p.confirmation.expected)
    assert [r.state for r in reverse.steps] == [StepState.PASSED, StepState.PASSED], [
        r.result.message for r in reverse.steps
    ]
    (silence,) = [s for s in _silences(alertmanager) if s["id"] == silence_id]
    assert silence["status"]["state"] == "expired"


async def test_read_only_refuses_creating_and_expiring_silences(alertmanager, sim, tmp_path, state_dir):
    config = _config(tmp_path, sim, alertmanager, read_only=True)
    create = _runner(config, "alertmanager-silence", {"matchers": "alertname=EdgeHighErrorRate", "duration": "1h"})
    assert create.refusal and "read-only" in create.refusal
    create.refuse()
    expire = _runner(config, "alertmanager-expire-silence", {"silence_id": "0b9c3f9e-0000-4000-8000-000000000000"})
    assert expire.refusal and "read-only" in expire.refusal
    await expire.run_all(confirm=lambda p: p.confirmation.expected)
    assert all(r.state != StepState.PASSED for r in expire.steps)
    assert _silences(alertmanager) == []  # nothing reached Alertmanager
    listing = _runner(config, "alertmanager-silences", {})  # reading is allowed
    assert listing.refusal is None


async def test_bad_matchers_are_an_input_error(alertmanager, sim, tmp_path):
    config = _config(tmp_path, sim, alertmanager)
    with pytest.raises(InputError) as info:
        _runner(config, "alertmanager-silence", {"matchers": "alertname", "duration": "1h"})
    assert info.value.field == "matchers"


def test_alerts_cli_says_when_alertmanager_cannot_be_read(sim, tmp_path, capsys):
    from console.cli import main
    from tests.monitoring_servers import free_port

    config = _config(tmp_path, sim, f"http://127.0.0.1:{free_port()}")  # nobody listens there
    code = main(["--config", str(config), "alerts", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2 and report["problems"] == ["alertmanager: connection refused"]
