"""PagerDuty, Slack and Grafana against loopback fakes that check the documented payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main as cli_main
from console.config import load_config
from tests.integration_fakes import Fakes

ROUTING_KEY = "R0UTINGKEY-canary-7f3a9c"
SLACK_PATH = "/services/T000/B000/canarywebhooksecret42"
GRAFANA_TOKEN = "glsa_canary_token_91b2"


@pytest.fixture
def fakes(monkeypatch):
    with Fakes(routing_key=ROUTING_KEY, slack_path=SLACK_PATH, grafana_token=GRAFANA_TOKEN) as f:
        monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", f.url + SLACK_PATH)
        monkeypatch.setenv("GRAFANA_TOKEN", GRAFANA_TOKEN)
        yield f


def write_config(tmp_path: Path, fakes: Fakes) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"""environments:
  production:
    base_url: https://api.edge.example
pagerduty:
  routing_key_env: PD_ROUTING_KEY
  events_url: {fakes.url}/v2/enqueue
slack:
  webhook_url_env: SLACK_WEBHOOK_URL
grafana:
  url: {fakes.url}
  token_env: GRAFANA_TOKEN
  dashboard_uid: edge-overview
""")
    return path


def timeline(state_dir: Path, incident_id: str) -> list[dict]:
    files = [p for p in state_dir.rglob(f"{incident_id}*") if p.is_file() and p.suffix == ".jsonl"]
    assert files, f"no timeline file for {incident_id} under {state_dir}"
    return [json.loads(line) for line in files[0].read_text().splitlines() if line.strip()]


def incident_id_from(out: str) -> str:
    return next(word.strip(":,") for word in out.split() if word.startswith(("INC-", "DRILL-")))


def test_started_acked_closed_incident_triggers_acks_and_resolves_with_one_dedup_key(
    tmp_path, fakes, capsys, state_dir
):
    config = write_config(tmp_path, fakes)
    assert (
        cli_main(
            [
                "incident",
                "start",
                "--config",
                str(config),
                "--severity",
                "P1",
                "--title",
                "Error rate 12% <script>",
                "--impact",
                "EU users",
            ]
        )
        == 0
    )
    incident = incident_id_from(capsys.readouterr().out)
    assert cli_main(["incident", "phase", "--config", str(config), incident, "acknowledged"]) == 0
    assert (
        cli_main(
            [
                "incident",
                "close",
                "--config",
                str(config),
                incident,
                "--root-cause",
                "bad deploy",
                "--resolution",
                "rolled back",
            ]
        )
        == 0
    )
    assert fakes.refused == []
    assert [e["event_action"] for e in fakes.pagerduty] == ["trigger", "acknowledge", "resolve"]
    assert {e["dedup_key"] for e in fakes.pagerduty} == {incident}
    trigger = fakes.pagerduty[0]["payload"]
    assert trigger["severity"] == "error" and trigger["source"] == "api.edge.example"
    assert incident in trigger["summary"] and "P1" in trigger["summary"]
    texts = [m["text"] for m in fakes.slack]
    assert len(texts) == 3, texts  # started, acknowledged, closed
    assert all(incident in t and "P1" in t and "response clock" in t for t in texts)
    assert "&lt;script&gt;" in texts[0] and "<script>" not in texts[0]  # Slack mrkdwn escaped
    assert fakes.grafana == []  # no mitigation yet
    # nothing about the deliveries went to the timeline: they all worked
    assert not [e for e in timeline(state_dir, incident) if e["kind"] == "notify"]


def test_a_mitigation_step_posts_one_annotation_and_a_slack_message(tmp_path, fakes, state_dir):
    from console.incident.manager import IncidentManager
    from console.integrations.dispatch import attach

    config = load_config(write_config(tmp_path, fakes))
    manager = IncidentManager()
    failures: list = []
    dispatcher = attach(manager, config, config.environment(), lambda i, o: failures.append((i, o)))
    incident = manager.start("P2", "Latency")
    manager.record_flow_step(
        {
            "event": "step",
            "flow": "enable-circuit-breaker",
            "step": "check",
            "kind": "check",
            "mutating": False,
            "status": "passed",
            "environment": "production",
        }
    )
    manager.record_flow_step(
        {
            "event": "step",
            "flow": "enable-circuit-breaker",
            "step": "enable",
            "kind": "action",
            "mutating": True,
            "status": "passed",
            "environment": "production",
        }
    )
    manager.record_flow_step(
        {
            "event": "step",
            "flow": "enable-circuit-breaker",
            "step": "again",
            "kind": "action",
            "mutating": True,
            "status": "failed",
            "environment": "production",
        }
    )
    assert dispatcher.flush(10)
    assert failures == [] and fakes.refused == []
    assert len(fakes.grafana) == 1
    note = fakes.grafana[0]
    assert set(note["tags"]) == {"edge-console", f"incident:{incident.id}", "flow:enable-circuit-breaker"}
    assert note["dashboardUID"] == "edge-overview" and "enable" in note["text"]
    assert [m["text"] for m in fakes.slack if "mitigation" in m["text"]] != []
    link = config and __import__("console.integrations.settings", fromlist=["x"]).from_config(config).grafana
    assert link.dashboard_link(1000, None) == f"{fakes.url}/d/edge-overview?from=1000&to=now"
    dispatcher.close()


def test_a_failing_webhook_is_a_timeline_entry_without_the_secret_and_no_crash(tmp_path, fakes, capsys, state_dir):
    fakes.slack_status = 500
    config = write_config(tmp_path, fakes)
    assert cli_main(["incident", "start", "--config", str(config), "--severity", "P2", "--title", "Slow"]) == 0
    captured = capsys.readouterr()
    incident = incident_id_from(captured.out)
    assert "Slack: start refused: HTTP 500 from 127.0.0.1" in captured.err
    entries = timeline(state_dir, incident)
    notify = [e for e in entries if e["kind"] == "notify"]
    assert len(notify) == 1 and "Slack" in notify[0]["text"] and "HTTP 500" in notify[0]["text"]
    assert [e["event_action"] for e in fakes.pagerduty] == ["trigger"]  # the others still went out
    everything = "".join(p.read_text() for p in state_dir.rglob("*") if p.is_file()) + captured.out + captured.err
    for secret in (ROUTING_KEY, SLACK_PATH, "canarywebhooksecret42", GRAFANA_TOKEN):
        assert secret not in everything


def test_an_unreachable_pager_is_reported_and_does_not_hold_the_command(tmp_path, fakes, capsys, state_dir):
    config = write_config(tmp_path, fakes)
    text = config.read_text().replace(f"{fakes.url}/v2/enqueue", "http://127.0.0.1:9/v2/enqueue")
    config.write_text(text)
    assert cli_main(["incident", "start", "--config", str(config), "--severity", "P3", "--title", "Noise"]) == 0
    err = capsys.readouterr().err
    assert "PagerDuty: trigger failed: ConnectError (to 127.0.0.1)" in err


def test_drills_never_page(tmp_path, fakes):
    from console.incident.model import Entry, Incident
    from console.integrations.dispatch import Dispatcher
    from console.integrations.settings import from_config
    from datetime import datetime, timezone

    settings = from_config(load_config(write_config(tmp_path, fakes)))
    dispatcher = Dispatcher(settings, lambda i, o: None)
    now = datetime.now(timezone.utc)
    drill = Incident(id="DRILL-2026-12-03-001", title="DDoS drill", severity="P1", started=now)
    dispatcher.on_entry(drill, Entry(seq=1, ts=now, kind="start", text="started"))
    assert dispatcher.flush(10)
    assert fakes.pagerduty == []
    assert len(fakes.slack) == 1 and fakes.slack[0]["text"].startswith("[SIMULATED DRILL]")
    dispatcher.close()


@pytest.mark.parametrize(
    "section, body, message",
    [
        (
            "pagerduty",
            "routing_key: abc",
            "pagerduty.routing_key: secrets are not stored in the config: use routing_key_env or routing_key_file",
        ),
        ("slack", "webhook_url: https://hooks.slack.com/x", "slack.webhook_url: secrets are not stored in the config"),
        ("grafana", "token: abc\n  url: https://g.example", "grafana.token: secrets are not stored in the config"),
        ("pagerduty", "events_url: https://events.example/v2/enqueue", "pagerduty: name where the secret comes from"),
        ("grafana", "url: ftp://g.example", "grafana.url: expected an http(s) URL"),
        ("slack", "webhook_url_env: 'not a name'", "slack.webhook_url_env: expected an environment variable name"),
    ],
)
def test_bad_integration_config_says_file_line_key_what(tmp_path, section, body, message, capsys):
    path = tmp_path / "c.yaml"
    path.write_text(f"environments:\n  production:\n    base_url: https://e.example\n{section}:\n  {body}\n")
    rc = cli_main(["incident", "list", "--config", str(path)])
    err = capsys.readouterr().err
    assert rc == 2, err
    line = 4 if message.startswith(section + ":") else 5  # a section-level problem points at the section
    assert f"{path}:{line}: {message}" in err, err
    for secret in ("abc", "hooks.slack.com/x"):
        assert secret not in err.replace(str(path), "")


def test_integration_secret_variables_are_kept_from_children(tmp_path, fakes):
    from console.childenv import secret_env_names

    config = load_config(write_config(tmp_path, fakes))
    assert {"PD_ROUTING_KEY", "SLACK_WEBHOOK_URL", "GRAFANA_TOKEN"} <= secret_env_names(config)


def test_the_report_links_the_grafana_dashboard_for_the_incidents_time_range(tmp_path, fakes, capsys, state_dir):
    from markdown_it import MarkdownIt

    config = write_config(tmp_path, fakes)
    assert cli_main(["incident", "start", "--config", str(config), "--severity", "P2", "--title", "Slow"]) == 0
    incident = incident_id_from(capsys.readouterr().out)
    assert (
        cli_main(["incident", "close", "--config", str(config), incident, "--root-cause", "x", "--resolution", "y"])
        == 0
    )
    assert cli_main(["incident", "report", "--config", str(config), incident, "--out", "-"]) == 0
    report = capsys.readouterr().out
    tokens = MarkdownIt("commonmark").parse(report)
    hrefs = [
        child.attrs.get("href")
        for t in tokens
        if t.type == "inline"
        for child in (t.children or [])
        if child.type == "link_open"
    ]
    dashboard = [h for h in hrefs if h and h.startswith(f"{fakes.url}/d/edge-overview?from=")]
    assert len(dashboard) == 1, report
    start, end = dashboard[0].split("from=")[1].split("&to=")
    assert int(start) > 0 and int(end) >= int(start)  # a closed incident: a fixed range, not "now"
