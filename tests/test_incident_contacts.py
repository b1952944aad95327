"""Escalation contacts and notify commands from config; the outcome goes on the timeline."""

from __future__ import annotations

import json
import sys

import pytest

from console.config import ConfigError, parse_config
from console.incident.contacts import load_contacts
from console.incident.manager import IncidentManager
from console.incident.notify import run_notify

BASE = "environments:\n  production:\n    base_url: http://127.0.0.1:1\n"


def cfg(text: str, tmp_path):
    return parse_config(BASE + text, tmp_path / "config.yaml")


def test_runbook_defaults_without_config(tmp_path):
    contacts = load_contacts(cfg("", tmp_path))
    assert [c.name for c in contacts.path()] == ["On-Call Engineer", "Team Lead", "Platform Lead", "CTO"]
    assert contacts.contacts["team-lead"].email == "infrastructure-lead@twist.io"
    assert {c.email for c in contacts.external()} == {"enterprise-support@cloudflare.com", "support@pagerduty.com"}
    assert contacts.war_room().url == "zoom.twist.io/warroom"
    assert "#incidents" in [c.name for c in contacts.channels.values()]
    assert contacts.notifiable() == []


def test_config_sections(tmp_path):
    contacts = load_contacts(
        cfg(
            "contacts:\n"
            "  primary: {name: Dana (on call), phone: '+1 555 0100', how: PagerDuty}\n"
            "  boss: {name: Lee, email: lee@example.org}\n"
            "escalation: [primary, boss]\n"
            "channels:\n"
            "  incidents: {name: '#incidents', kind: slack}\n"
            "  war-room: {name: War Room, kind: war-room, url: 'https://meet.example.org/war'}\n"
            "notify:\n"
            "  incidents: [slack-notify, --channel, incidents]\n",
            tmp_path,
        )
    )
    assert [c.key for c in contacts.path()] == ["primary", "boss"]
    assert contacts.contacts["primary"].reach() == "PagerDuty, +1 555 0100"
    assert contacts.channels["incidents"].notify == ("slack-notify", "--channel", "incidents")
    assert contacts.war_room().url == "https://meet.example.org/war"


@pytest.mark.parametrize(
    "text, where",
    [
        ("contacts:\n  boss: {email: lee@example.org}\n", "config.yaml:5: contacts.boss.name: is required"),
        ("contacts:\n  boss: {name: Lee, mail: x}\n", "config.yaml:5: contacts.boss.mail: unknown key"),
        ("contacts:\n  boss: {name: Lee, email: not-an-email}\n", "config.yaml:5: contacts.boss.email: 'not-an-email'"),
        ("escalation: [on-call, nobody]\n", "config.yaml:4: escalation[1]: 'nobody' names no contact"),
        (
            "notify:\n  incidents: 'slack-notify --channel x'\n",
            "config.yaml:5: notify.incidents: expected an argv list",
        ),
        ("notify:\n  pager: [x]\n", "config.yaml:5: notify.pager: names no channel"),
        ("channels: [a, b]\n", "config.yaml:4: channels: expected a mapping"),
    ],
)
def test_bad_sections_name_file_line_and_key(tmp_path, text, where):
    with pytest.raises(ConfigError) as info:
        load_contacts(cfg(text, tmp_path))
    assert str(info.value).startswith(str(tmp_path / where))


#: a notify command is an action: not read-only, confirmed (issue 14 §2)
CONFIRMED = {"read_only": False, "env_name": "staging", "confirmation": "yes"}

NOTIFIER = """
import json, sys
record = {"argv": sys.argv[1:], "stdin": sys.stdin.read()}
with open(sys.argv[1], "a") as fh:
    fh.write(json.dumps(record) + "\\n")
if "--fail" in sys.argv:
    print("webhook said 403", file=sys.stderr)
    sys.exit(3)
"""


@pytest.mark.integration
async def test_notify_runs_argv_with_message_on_stdin_and_records_outcome(tmp_path, state_dir):
    script = tmp_path / "notifier.py"
    script.write_text(NOTIFIER)
    log = tmp_path / "calls.jsonl"
    m = IncidentManager(state_dir=state_dir, user="op")
    inc = m.start("P1", "Errors")
    message = f"{inc.id} P1 Errors: rollback started; war room zoom.twist.io/warroom"
    outcome = await run_notify(
        "incidents", [sys.executable, str(script), str(log), "--channel", "x"], message, **CONFIRMED
    )
    assert outcome.ok and outcome.exit_code == 0
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call == {"argv": [str(log), "--channel", "x"], "stdin": message}  # message never in argv
    m.record_notify(outcome)
    failed = await run_notify("incidents", [sys.executable, str(script), str(log), "--fail"], message, **CONFIRMED)
    assert not failed.ok and failed.exit_code == 3 and "webhook said 403" in failed.detail
    m.record_notify(failed)
    missing = await run_notify("incidents", [str(tmp_path / "no-such-notifier")], message, **CONFIRMED)
    assert not missing.ok and "cannot run" in missing.detail
    m.record_notify(missing)
    texts = [e.text for e in m.current.entries if e.kind == "notify"]
    assert texts[0] == "Notified incidents: exit 0"
    assert texts[1] == "Notify incidents FAILED: exit 3: webhook said 403"
    assert texts[2].startswith("Notify incidents FAILED: no exit code: cannot run")


@pytest.mark.integration
async def test_notify_times_out(tmp_path):
    outcome = await run_notify(
        "slow", [sys.executable, "-c", "import time; time.sleep(30)"], "m", timeout=0.5, **CONFIRMED
    )
    assert not outcome.ok and outcome.detail == "timed out after 0.5s"


def test_escalation_is_recorded_with_who_was_called(tmp_path, state_dir):
    contacts = load_contacts(cfg("", tmp_path))
    m = IncidentManager(state_dir=state_dir, user="op")
    m.start("P0", "Down")
    m.record_escalation(contacts.contacts["cto"], "P0 over 15 min")
    entry = m.current.entries[-1]
    assert entry.kind == "escalation" and entry.data == {"contact": "cto", "name": "CTO"}
    assert entry.text == "Escalated to CTO (cto@twist.io): P0 over 15 min"


def test_escalation_lines_for_the_p0_flow(tmp_path):
    from console.incident.contacts import escalation_lines

    lines = escalation_lines(load_contacts(cfg("", tmp_path)))
    assert lines[:4] == [
        "1. On-Call Engineer: Check PagerDuty",
        "2. Team Lead: infrastructure-lead@twist.io",
        "3. Platform Lead: platform-lead@twist.io",
        "4. CTO: cto@twist.io",
    ]
    assert "War room: zoom.twist.io/warroom" in lines and "Channels: #edge-alerts, #edge-oncall, #incidents" in lines
