"""Issue 14 §1: hostile bytes from the edge, from child processes and from files never reach the terminal.

Every test runs the real ``edge-console`` (headless commands, and the TUI) on a real pseudo-terminal
against a hostile edge on 127.0.0.1 (metric label values, health JSON and Cloudflare API errors carrying
OSC 0, OSC 52, ``ESC[2J``, U+009B and U+202E) and a fake ``wrangler`` whose tail events and output carry
them, then scans every byte written to the terminal: no OSC/CSI/C1/bidi sequence from the payloads, and
(for the headless commands) each payload visible as an escape such as ``\\x1b]0;pwned-title``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.security.inject_util import (
    PAYLOAD,
    HostileEdge,
    PtyProcess,
    assert_no_injection,
    console_env,
    forbidden,
    run_on_pty,
    write_config,
    write_fake_wrangler,
)


_CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def edge():
    server = HostileEdge().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def hostile(tmp_path: Path, edge: HostileEdge, state_dir: Path):
    wrangler = write_fake_wrangler(tmp_path / "bin", seconds=45)
    config = write_config(tmp_path, edge, wrangler)
    return config, console_env(state_dir)


@pytest.fixture
def hostile_tui(tmp_path: Path, edge: HostileEdge, state_dir: Path):
    """The hostile edge and wrangler for the TUI: a burst of 10 tail events then a quiet tail, and a
    scrape every 3 s. Every pane shows the payloads as before; an event every 0.2 s and a scrape every
    second for the whole run redrew the panes ~6 times a second (most of the child's CPU, and of this
    process's: each redraw is fed through the VT emulator)."""
    wrangler = write_fake_wrangler(tmp_path / "bin", seconds=45, events=10)
    config = write_config(tmp_path, edge, wrangler, refresh_seconds=3)
    return config, console_env(state_dir)


def _json_objects(data: bytes) -> list[dict]:
    out = []
    for line in data.replace(b"\r\n", b"\n").split(b"\n"):
        if line.startswith(b"{"):
            out.append(json.loads(line.decode("utf-8")))
    return out


def test_inject_tail_human_output(hostile):
    config, env = hostile
    code, out = run_on_pty(["tail", "--config", str(config), "--count", "3", "--once"], env)
    assert code == 0, out[-2000:]
    assert b"pwned" in out
    assert_no_injection(out, where="edge-console tail")


def test_inject_tail_json_output(hostile):
    config, env = hostile
    code, out = run_on_pty(["tail", "--config", str(config), "--json", "--count", "3", "--once"], env)
    assert code == 0, out[-2000:]
    assert_no_injection(out, visible=False, where="edge-console tail --json")
    events = _json_objects(out)
    assert len(events) == 3
    # the JSON is unchanged for a parser: the payload comes back exactly
    assert events[0]["exceptions"][0]["message"] == "boom " + PAYLOAD
    assert b"\\u009b2Jpwned-c1" in out and b"\\u202epwned-bidi" in out and b"\\u001b]0;pwned-title" in out


def test_inject_check_human_output(hostile):
    config, env = hostile
    code, out = run_on_pty(["check", "--config", str(config), "--window", "0.5"], env, cols=600)
    assert code in (1, 2), out[-2000:]
    assert_no_injection(out, where="edge-console check")


def test_inject_check_json_output(hostile):
    config, env = hostile
    code, out = run_on_pty(["check", "--config", str(config), "--window", "0.5", "--json"], env)
    assert code in (1, 2), out[-2000:]
    assert_no_injection(out, visible=False, where="edge-console check --json")
    (report,) = _json_objects(out)
    assert any("pwned-bidi" in q["name"] for q in report["queues"]), report["queues"]
    assert any("pwned-c1" in r["rule"] for r in report["security"]["rules"])
    assert "pwned-title" in (report["health"]["version"] or "")
    assert b"\\u009b" in out or b"\\\\x9b" in out  # escaped, as a \u sequence or as the shown escape
    assert b"\\u202e" in out or b"\\\\u202e" in out


def test_inject_run_child_output_and_runbook_text(hostile, tmp_path):
    config, env = hostile
    code, out = run_on_pty(["run", "--config", str(config), "hostile-flow"], env)
    assert code == 0, out[-3000:]
    assert b"child stdout" in out and b"child stderr" in out
    assert_no_injection(out, where="edge-console run (child output, runbook title)")


def test_inject_run_cloudflare_api_error(hostile, edge):
    config, env = hostile
    code, out = run_on_pty(["run", "--config", str(config), "under-attack-mode", "--yes"], env)
    assert code == 1, out[-3000:]
    assert any(path.startswith("/client/v4/zones/") for path in edge.requests), edge.requests
    assert b"Authentication error" in out
    assert_no_injection(out, where="edge-console run (Cloudflare API error)")


def _hostile_audit(state_dir: Path) -> None:
    """An audit record with the payloads in its fields (a trail written before this fix, or by anything)."""
    record = {
        "ts": datetime.now(timezone.utc).timestamp(),
        "start": "2026-01-01T00:00:00Z",
        "flow": "block-ip",
        "step": "put" + PAYLOAD,
        "status": "passed",
        "user": PAYLOAD,
        "environment": "production",
        "argv": ["wrangler", "kv", PAYLOAD],
        "message": PAYLOAD,
        "output": PAYLOAD,
    }
    (state_dir / "audit.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def test_inject_audit_output(hostile, state_dir):
    _, env = hostile
    _hostile_audit(state_dir)
    code, out = run_on_pty(["audit"], env)
    assert code == 0, out[-2000:]
    assert_no_injection(out, where="edge-console audit")
    code, out = run_on_pty(["audit", "--json"], env)
    assert code == 0, out[-2000:]
    assert_no_injection(out, visible=False, where="edge-console audit --json")
    (back,) = _json_objects(out)
    assert back["user"] == PAYLOAD


def _hostile_incident(state_dir: Path) -> str:
    """An incident record written by something other than this console (or before input checks):
    its title, impact, notes and authors carry the payloads."""
    incident_id = "INC-2026-01-02-001"
    folder = state_dir / "incidents"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        {
            "incident": incident_id,
            "seq": 1,
            "ts": "2026-01-02T10:00:00Z",
            "kind": "start",
            "text": "started " + PAYLOAD,
            "by": "ops" + PAYLOAD,
            "data": {"title": "Outage " + PAYLOAD, "severity": "P1", "impact": "users " + PAYLOAD},
        },
        {
            "incident": incident_id,
            "seq": 2,
            "ts": "2026-01-02T10:01:00Z",
            "kind": "note",
            "text": "note " + PAYLOAD,
            "by": "ops",
            "data": {},
        },
    ]
    (folder / f"{incident_id}.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    return incident_id


def test_inject_incident_show_list_report(hostile, state_dir):
    _, env = hostile
    incident_id = _hostile_incident(state_dir)
    for args in (
        ["incident", "show", incident_id],
        ["incident", "list"],
        ["incident", "report", incident_id, "--out", "-"],
    ):
        code, out = run_on_pty(args, env)
        assert code == 0, (args, out[-2000:])
        assert_no_injection(out, where="edge-console " + " ".join(args[:2]))


def test_inject_tui(hostile_tui, state_dir):
    """The real TUI for a bounded time: dashboard (health, queues, security, log pane), the incident
    bar of a hostile record, the full log view with an event's detail, the command palette with the
    hostile runbook's flow, that flow's modal running a child whose output carries the payloads, and a
    built-in flow failing on a Cloudflare API error carrying them. Textual writes its own CSI/OSC; the
    scan looks for the payloads'."""
    config, env = hostile_tui
    _hostile_incident(state_dir)
    _hostile_audit(state_dir)
    app = PtyProcess(["--config", str(config)], env, cols=160, rows=48)
    try:
        # the payloads reached the screen (escaped) from the health pane and the log pane
        shown = (b"\\x9b2Jpwned-c1", b"\\u202epwned-bidi", b"\\x1b]0;pwned-title")
        app.wait_for(lambda out: all(v in out for v in shown) or bool(forbidden(out)), timeout=60)
        found = forbidden(bytes(app.output))
        assert not found, f"raw control sequences from the payloads reached the terminal: {found[:5]}"
        assert all(v in app.output for v in shown), bytes(app.output)[-3000:]

        def step(keys: bytes, marker: bytes, timeout: float = 20, attempts: int = 1) -> None:
            """Send ``keys`` (again, up to ``attempts`` times, while focus settles) until ``marker`` shows."""
            start = len(app.output)
            plain = lambda out: _CSI.sub(b"", out[start:])  # noqa: E731 - text without Textual's styling
            for _ in range(attempts):
                app.send(keys)
                if app.wait_for(lambda out: marker in plain(out), timeout=timeout / attempts):
                    return
            raise AssertionError(f"{marker!r} not shown after {keys!r}: {bytes(app.output)[start:][-2000:]!r}")

        assert app.wait_for(lambda out: b"Resume" in _CSI.sub(b"", out), timeout=20)  # the hostile record

        def back_to(footer: str, timeout: float = 30) -> None:
            """Wait until the screen's bottom row (its footer) names ``footer``: the key that follows
            goes to that screen, however slowly a loaded machine closed the one before."""
            if not app.wait_screen(lambda text: footer in text.rsplit("\n", 1)[-1], timeout=timeout):
                raise AssertionError(f"footer {footer!r} not shown: {app.screen_text()}")

        def palette(query: bytes, marker: bytes) -> None:
            """Open the command palette (wait until its search box shows), then type ``query``."""
            app.send(b":")
            if not app.wait_screen(lambda text: "🔎" in text, timeout=30):
                raise AssertionError(f"the command palette did not open: {app.screen_text()}")
            step(query, marker)

        dashboard, log_view = "r Respond", "⏎ Details"
        step(b"y", b"INC-2026-01-02-001")  # resume it: the incident bar shows its title
        step(b"l", b"events")  # the full log view
        step(b"\r", b"Exceptions (", attempts=3)  # the selected event's detail
        app.send(b"\x1b")
        back_to(log_view)
        app.send(b"\x1b")
        back_to(dashboard)
        palette(b"Deploys", b"hostile-flow")  # the hostile runbook's flow (title, section, id)
        step(b"\r", b"from a user file")  # its modal: title and description from the file
        step(b"\r", b"child stdout")  # run the step: the child's output streams
        # escape while the step runs would stop it and show what ran: wait for its result first
        assert app.wait_screen(lambda text: "PASSED" in text, timeout=30), app.screen_text()
        app.send(b"\x1b")
        back_to(dashboard)
        palette(b"Under Attack", b"under-attack-mode")  # a built-in flow that reads the Cloudflare API
        step(b"\r", b"security level")
        step(b"\r", b"Authentication error")  # the API's error message
        assert app.wait_screen(lambda text: "FAILED" in text, timeout=30), app.screen_text()
        app.send(b"\x1b")
        back_to(dashboard)
        palette(b"Audit trail", b"Audit trail")
        step(b"\r", b"records, newest first")  # the audit view, with the hostile record
        # its footer painted before the escape: a dashboard footer still on the last row passed back_to below
        # before the escape was read, and the escape and the next key then arrived together as alt+i
        back_to("esc Back")
        app.send(b"\x1b")
        back_to(dashboard)
        step(b"i", b"note \\x9b2Jpwned-c1", attempts=2)  # the incident's timeline: its notes
        back_to("esc Back")
        app.send(b"\x1b")
        back_to(dashboard)
        step(b"q", b"Quit Edge Console?")  # an incident is open: q asks, naming it (its hostile title too)
        app.send(b"y")
        app.finish(30)
    finally:
        app.close()
    out = bytes(app.output)
    found = forbidden(out)
    assert not found, f"raw control sequences from the payloads reached the terminal: {found[:5]}"
    assert b"pwned" in out
