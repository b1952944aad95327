"""The runbook flow modal on the simulated edge: input errors at their fields, production confirmation,
read-only refusal, double presses, cancel, checklists, verify, and secrets on no screen.

Helpers here are shared by the other tests/test_flow_ui_*.py modules."""

from __future__ import annotations

import dataclasses
from typing import Any

from console.app.events import AuditRecorded
from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.flow_modal import FlowModal
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.util import press_now, type_in, wait_for
from screens.textual_compat import notifications, render_update

KV = "5100000000000000000000000000c001"


def sim_app(
    sim: Any, *, read_only: bool = False, poller: Any = None, refresh: float = 1.0, tools: dict | None = None
) -> EdgeConsoleApp:
    """The app on the simulated edge, using the fake tools on PATH (``tools={}``; the dashboard's log
    tail then stays off) or the simulator's own (``tools=sim.tools()``; the tail streams)."""
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools=tools or {}, refresh_seconds=refresh)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=read_only), poller=poller)


def changes(fake_tools: Any) -> list[list[str]]:
    """Every recorded tool argv except the dashboard's own ``wrangler tail`` stream."""
    return [argv for argv in fake_tools.argvs() if "tail" not in argv[:1]]


async def ready(app: EdgeConsoleApp) -> None:
    """The dashboard is up with its flow keys, and the incident chrome has installed itself (so a short
    test does not exit while it is still subscribing)."""
    await wait_for(
        lambda: (
            type(app.screen).__name__ == "DashboardScreen"
            and app.screen.is_mounted
            and getattr(app, "flow_keys_bound", False)
            and type(app.screen.focused).__name__ == "FlowKeys"
            and "r" in app.screen.active_bindings
            and (not hasattr(app, "incident_response") or app.screen.query("AlertBanner"))
        ),
        message="dashboard with flow keys",
    )


async def open_by_key(app: EdgeConsoleApp, pilot: Any, key: str, flow_id: str) -> FlowModal:
    await ready(app)
    await press_now(pilot, key)  # as a terminal sends it: Pilot's press waits for an idle app (rarely, polling)
    await wait_for(
        lambda: (
            isinstance(app.screen, FlowModal)
            and app.screen.is_mounted
            and (app.screen.phase != "form" or app.screen.focused is not None)  # a form focuses a field
        ),
        message=f"flow modal after {key}",
    )
    modal = app.screen
    assert isinstance(modal, FlowModal) and modal.flow.id == flow_id
    return modal


async def settled(modal: FlowModal, timeout: float = 20.0) -> None:
    """Wait until no step is running."""
    await wait_for(
        lambda: (
            not modal.busy and (modal.runner is None or all(r.state.value != "running" for r in modal.runner.steps))
        ),
        timeout=timeout,
        message="step settled",
    )


async def run_every_step(modal: FlowModal, pilot: Any) -> None:
    """Enter on each step in turn (each waited on until it settled), then wait for the summary."""
    for index in range(len(modal.runner.steps)):
        await press_now(pilot, "enter")
        await wait_for(
            lambda i=index: modal.runner.steps[i].state.value != "pending", timeout=20, message=f"step {index + 1}"
        )
        await settled(modal)
    await wait_for(lambda: modal.phase == "summary", timeout=20, message="summary")


async def start_breaker(modal: FlowModal, pilot: Any) -> None:
    """enable-circuit-breaker asks which worker (a select, default vau-processor): continue with it, then run
    its first step, the check that the worker exists."""
    assert modal.phase == "form" and str(modal.query_one("#input-worker").value) == "vau-processor"
    assert modal.app.focused is modal.query_one("#flow-continue")  # the only field is chosen: Enter continues
    await press_now(pilot, "enter")
    await wait_for(lambda: modal.phase == "run", message="run phase")
    await press_now(pilot, "enter")  # the worker exists (wrangler deployments status)
    await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="worker exists")
    await settled(modal)


async def type_confirmation(modal: FlowModal, pilot: Any, word: str) -> None:
    """Put ``word`` in the confirmation box and press enter. Each key Pilot presses waits for an idle app,
    which the simulated edge in this process rarely is (1-2.5 s a key): tests that are not about typing the
    name fill the box and press one key; test_production_needs_the_environment_name_and_runs_once types it."""
    field = modal.query_one("#flow-confirm")
    await wait_for(lambda: field.display and modal.app.focused is field, message="the confirmation box focused")
    field.value = word
    await press_now(pilot, "enter")  # the caller waits for its effect


async def close_flow_modals(app: EdgeConsoleApp, pilot: Any) -> None:
    """Escape until no flow modal is on top (a running step is stopped first, the summary then closes), one
    escape at a time: each waits until the modal answered it (its phase changed or it closed), so no extra
    escape reaches the screen below. Keys go in at once (``press_now``): a busy app is rarely idle."""
    while isinstance(app.screen, FlowModal):
        modal = app.screen
        phase = modal.phase
        await press_now(pilot, "escape")
        await wait_for(lambda m=modal, p=phase: app.screen is not m or m.phase != p, message=f"escape in phase {phase}")


def msg(modal: FlowModal, name: str) -> str:
    return str(modal.query_one(f"#msg-{name}").render())


def screen_text(app: EdgeConsoleApp) -> str:
    """The modal's text and the full frame the terminal is sent (the screens under the modal included), as
    plain rows: a screenshot (SVG, ~40 ms of CPU each) splits its text into styled spans."""
    modal = app.screen
    text = modal.visible_text() if isinstance(modal, FlowModal) else ""
    frame = render_update(app)
    return text + "\n" + "\n".join("".join(segment.text for segment in strip) for strip in frame.strips)


# -- bad input ----------------------------------------------------------------------------------
async def test_bad_input_stops_at_the_field_and_runs_nothing(sim, fake_tools, state_dir):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        assert modal.phase == "form"
        ip = modal.query_one("#input-ip")
        assert app.focused is ip  # keyboard first: the first field has focus
        ip.value = "1.2.3.4; rm -rf /"
        await pilot.press("enter")
        await wait_for(lambda: "not an IP address" in msg(modal, "ip"), message="ip error at its field")
        assert "1.2.3.4; rm -rf /" in msg(modal, "ip")
        assert "reason is required" in msg(modal, "reason")
        assert modal.query_one("#msg-ip").has_class("error") and modal.query_one("#input-ip").has_class("error")
        assert "nothing ran" in str(modal.query_one("#flow-banner").render())
        assert modal.phase == "form" and modal.runner is None

        ip.value = "999.1.1.1"
        modal.query_one("#input-reason").value = "abuse"
        ip.focus()
        await pilot.press("enter")
        await wait_for(lambda: "999.1.1.1" in msg(modal, "ip") and "valid" in msg(modal, "ip"), message="bad octet")
        assert not modal.query_one("#msg-reason").has_class("error")  # the fixed field shows its help again
        assert modal.phase == "form" and modal.runner is None

        ip.value = "[b]10.0.0.1[/i]"  # shown as typed, never read as markup
        await pilot.press("enter")
        await wait_for(lambda: "[b]10.0.0.1[/i]" in msg(modal, "ip"), message="literal input in the message")
        assert modal.runner is None

        await pilot.press("escape")  # nothing ran: escape just closes
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed")

        app.open_flow("scale-workers")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="scale-workers")
        modal = app.screen
        await pilot.pause()
        count = modal.query_one("#input-worker_count")
        assert count.value == "20"  # prefilled from FlowRunner.defaults
        count.value = "-5"
        count.focus()
        await pilot.press("enter")
        await wait_for(lambda: "at least 1" in msg(modal, "worker_count"), message="negative number refused")
        assert modal.runner is None
    assert changes(fake_tools) == []
    assert not (state_dir / "audit.jsonl").exists()


# -- production confirmation, double press ---------------------------------------------------------
async def test_production_needs_the_environment_name_and_runs_once(sim, fake_tools, state_dir):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-ip").value = "203.0.113.9"
        modal.query_one("#input-reason").value = "credential stuffing"
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "run", message="run phase")
        await pilot.pause()
        text = modal.visible_text()
        assert "This changes PRODUCTION" in text and "Type production to run" in text
        assert (
            f"wrangler kv key put --namespace-id {KV} --remote -- blocked:ip:203.0.113.9 'credential stuffing'"
        ) in text  # the exact argv (shell-quoted), before anything runs
        assert app.focused is modal.query_one("#flow-confirm")

        await type_confirmation(modal, pilot, "prod")
        await wait_for(
            lambda: "is not 'production'" in str(modal.query_one("#flow-confirm-msg").render()),
            message="wrong name refused at the field",
        )
        assert changes(fake_tools) == []
        assert modal.runner.steps[0].state.value == "pending"

        field = modal.query_one("#flow-confirm")
        field.value = ""
        await type_in(pilot, app, "#flow-confirm", "production")  # typed, key by key
        await pilot.press("enter", "enter")  # confirm, then an impatient second press while it runs
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="put passed")
        puts = [a for a in changes(fake_tools) if a[:3] == ["kv", "key", "put"]]
        assert puts == [
            [
                "kv",
                "key",
                "put",
                "--namespace-id",
                KV,
                "--remote",
                "--",
                "blocked:ip:203.0.113.9",
                "credential stuffing",
            ]
        ]
        assert sim.state.kv[KV]["blocked:ip:203.0.113.9"]["value"] == "credential stuffing"
        await settled(modal)
        await wait_for(
            lambda: modal.phase == "summary" or modal.runner.steps[1].state.value == "pending", message="second step"
        )
        if modal.phase != "summary":
            await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", timeout=20, message="summary")
        text = modal.visible_text()
        assert "DONE" in text and "undo with: Unblock an IP" in text
        assert "✓ PASSED  exit 0" in text
        # u offers the reverse flow, prefilled from nothing: the form asks for the IP
        await pilot.press("u")
        await wait_for(
            lambda: isinstance(app.screen, FlowModal) and app.screen.flow.id == "unblock-ip", message="undo flow opened"
        )
    assert len([a for a in changes(fake_tools) if a[:3] == ["kv", "key", "put"]]) == 1


async def test_a_running_step_ignores_the_run_key_and_escape_stops_it(sim, fake_tools):
    # the error rate stays at 5%: the circuit breaker's verify step keeps watching (up to 90 s)
    poller = StaticPoller(dict(NORMAL_VALUES, error_rate=5.0))
    app = sim_app(sim, poller=poller)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        modal = await open_by_key(app, pilot, "B", "enable-circuit-breaker")
        await start_breaker(modal, pilot)
        await pilot.press("enter")  # step 2: the error rate now (a check)
        await wait_for(lambda: modal.query_one("#flow-confirm").display, timeout=20, message="confirmation")
        await type_confirmation(modal, pilot, "production")
        await wait_for(lambda: modal.runner.steps[2].state.value == "passed", timeout=20, message="secret put")
        await settled(modal)
        assert modal.check_action("run", ()) is True
        await pilot.press("enter")  # step 4: verify error_rate < 1
        await wait_for(lambda: "now 5 %" in str(modal.query_one("#flow-verify").render()), message="a sample")
        verify = modal.runner.steps[3]
        assert modal.busy and verify.state.value == "running"
        assert modal.check_action("run", ()) is None  # greyed out in the footer
        task = verify.task
        await pilot.press("enter", "enter", "q")
        assert verify.task is task and modal.busy  # the extra presses started nothing, q did not quit
        await wait_for(
            lambda: any("A step is running" in str(n.message) for n in notifications(app)),
            message="q is held while a step runs",
        )
        assert app.is_running and isinstance(app.screen, FlowModal)
        assert "watching error rate < 1 % within 90s" in str(modal.query_one("#flow-verify").render())
        poller.values["error_rate"] = 3.0  # the value moves: the next sample shows it, with a sparkline
        await wait_for(
            lambda: "now 3 % (from 5 %)" in str(modal.query_one("#flow-verify").render()),
            timeout=10,
            message="the next sample",
        )
        assert modal.query_one("#flow-spark").display and list(modal.query_one("#flow-spark").data) == [5.0, 3.0]
        assert verify.task is task  # still the one run
        await pilot.press("escape")  # cancel while it runs
        await wait_for(lambda: modal.phase == "summary", timeout=10, message="cancelled summary")
        assert verify.state.value == "cancelled"
        text = modal.visible_text()
        assert "CANCELLED" in text and "undo with: Disable circuit breaker" in text
    puts = [a for a in changes(fake_tools) if a[:2] == ["secret", "put"]]
    assert puts == [["secret", "put", "CIRCUIT_BREAKER_ENABLED", "--name", "vau-processor-production"]]
    stdin = [c.get("stdin") for c in fake_tools.calls() if c["argv"][:2] == ["secret", "put"]]
    assert stdin and "true" not in str(stdin)  # the value went on stdin, recorded only as its size


# -- read-only ----------------------------------------------------------------------------------------
async def test_read_only_refuses_a_mutating_flow(sim, fake_tools, state_dir):
    app = sim_app(sim, read_only=True)
    level_before = sim.state.zone_settings["5100000000000000000000000000f001"]["security_level"]["value"]
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        await pilot.press("U")  # read-only at assembly: the mutating flow's key is not bound
        await pilot.pause(0.2)
        assert not isinstance(app.screen, FlowModal) and "U" not in app.screen.active_bindings
        app.open_flow("under-attack-mode")  # reached another way (a response section): the engine refuses
        modal = await wait_for(lambda: isinstance(app.screen, FlowModal) and app.screen, message="flow modal")
        await pilot.pause()
        banner = str(modal.query_one("#flow-banner").render())
        assert "read-only" in banner and "under-attack-mode" in banner
        assert not modal.query_one("#flow-confirm").display  # no confirmation is even asked
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", message="refused summary")
        text = modal.visible_text()
        assert "REFUSED" in text and "refused" in text
        assert all(r.state.value in ("refused", "not_run") for r in modal.runner.steps)
        assert modal.flow.reverse and "u" not in modal.active_bindings  # the undo flow is not offered read-only
    assert sim.state.zone_settings["5100000000000000000000000000f001"]["security_level"]["value"] == level_before
    records = [line for line in (state_dir / "audit.jsonl").read_text().splitlines() if '"step"' in line]
    assert any('"refused"' in line for line in records)


# -- cancel -------------------------------------------------------------------------------------------
async def test_cancel_shows_what_ran_and_what_did_not(sim, fake_tools):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        # the first step is a check: no confirmation, it runs on enter
        assert not modal.query_one("#flow-confirm").display
        await pilot.press("enter")
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="check ran")
        await settled(modal)
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="asks before the PATCH")
        await pilot.press("escape")
        await wait_for(lambda: modal.phase == "summary", message="cancel summary")
        text = modal.visible_text()
        assert "CANCELLED" in text and "Ran (1): Read the current security level" in text
        assert "Not run (2)" in text and "PATCH security_level = under_attack" in text
        assert sim.state.zone_settings["5100000000000000000000000000f001"]["security_level"]["value"] == "medium"
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed after summary")


# -- checklist ----------------------------------------------------------------------------------------
async def test_checklist_items_are_ticked_with_a_key(sim, fake_tools, state_dir):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "C", "p0-communication")
        assert "checklist item" in modal.visible_text()
        await pilot.press("space")
        await wait_for(lambda: modal.runner.steps[0].state.value == "done", message="first ticked")
        await pilot.press("enter")
        await wait_for(lambda: modal.runner.steps[1].state.value == "done", message="second ticked")
        await pilot.press("s")  # leave the last one open on purpose
        await wait_for(lambda: modal.phase == "summary", message="summary")
        states = [r.state.value for r in modal.runner.steps]
        assert states == ["done", "done", "skipped"]
    lines = (state_dir / "audit.jsonl").read_text()
    assert '"status-page"' in lines and '"slack"' in lines and '"channel"' in lines


# -- verify and secrets --------------------------------------------------------------------------------
async def test_api_token_appears_on_no_screen_and_verify_shows_the_value(sim, fake_tools, state_dir):
    token = sim.api_token
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        assert "Authorization: Bearer ****" in modal.visible_text()
        await pilot.press("enter")
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="GET passed")
        await settled(modal)
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="confirmation")
        assert token not in screen_text(app)
        await type_confirmation(modal, pilot, "production")
        await wait_for(lambda: modal.runner.steps[1].state.value == "passed", timeout=20, message="PATCH passed")
        await settled(modal)
        text = modal.visible_text()
        assert "HTTP 200" in text and "Cloudflare v4: success=true errors=[]" in text
        assert sim.state.zone_settings["5100000000000000000000000000f001"]["security_level"]["value"] == "under_attack"
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", timeout=20, message="summary")
        assert "undo with: Restore the security level" in modal.visible_text()
        assert token not in screen_text(app)
        await pilot.press("escape")

        # the circuit breaker's verify step watches the live error rate from the app's polls
        await wait_for(lambda: app.flow_metric("error_rate") is not None, timeout=15, message="a live error rate")
        modal = await open_by_key(app, pilot, "B", "enable-circuit-breaker")
        await start_breaker(modal, pilot)
        await pilot.press("enter")
        await wait_for(lambda: modal.query_one("#flow-confirm").display, timeout=20, message="confirmation")
        await type_confirmation(modal, pilot, "production")
        await wait_for(lambda: modal.runner.steps[2].state.value == "passed", timeout=20, message="secret put")
        await settled(modal)
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", timeout=30, message="summary")
        assert modal.runner.steps[3].state.value == "passed"
        verify_line = str(modal.query_one("#flow-verify").render())
        assert "watching error rate < 1 % within 90s" in verify_line and "now " in verify_line
        assert ["secret", "put", "CIRCUIT_BREAKER_ENABLED", "--name", "vau-processor-production"] in changes(fake_tools)
        assert token not in screen_text(app)
        # nor in the audit view
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed")
        app.action_audit_view()
        await wait_for(lambda: type(app.screen).__name__ == "AuditScreen" and app.screen.loads, message="audit")
        assert token not in app.screen.table_text() and token not in screen_text(app)
    assert token not in (state_dir / "audit.jsonl").read_text()
    for call in fake_tools.calls():
        assert token not in " ".join(call["argv"])


# -- cannot run here ----------------------------------------------------------------------------------------
async def test_a_missing_token_blocks_the_flow_before_anything_runs(sim, fake_tools, monkeypatch, state_dir):
    monkeypatch.delenv("EDGE_SIM_API_TOKEN")
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        assert modal.phase == "blocked"
        banner = str(modal.query_one("#flow-banner").render())
        assert "cannot run on production" in banner and "EDGE_SIM_API_TOKEN" in banner and "Nothing ran" in banner
        assert modal.check_action("run", ()) is False
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed")
    assert not (state_dir / "audit.jsonl").exists()


# -- elsewhere than production; who hears about each step ------------------------------------------------
async def test_staging_confirms_with_yes_and_records_reach_listeners_and_the_incident(sim, fake_tools):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=1.0)
    env = dataclasses.replace(cfg.environment(), name="staging")
    app = EdgeConsoleApp(Session(config=cfg, env=env, read_only=False))
    seen: list[dict] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        app.events.subscribe(AuditRecorded, lambda event: seen.append(event.record))
        incident = app.incident_response.manager.start("P2", "Abuse from one address", "login failures")
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-ip").value = "2001:db8::7"
        modal.query_one("#input-reason").value = "abuse"
        modal.query_one("#input-ip").focus()
        await pilot.press("enter")
        await wait_for(lambda: modal.query_one("#flow-confirm").display, message="confirmation")
        prompt = str(modal.query_one("#flow-confirm-prompt").render())
        assert "Run on staging?" in prompt and "Type yes" in prompt and "PRODUCTION" not in prompt
        await type_confirmation(modal, pilot, "yes")
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="put")
        await wait_for(lambda: any(r.get("step") == "put" for r in seen), message="listener got the record")
        record = next(r for r in seen if r.get("step") == "put")
        assert record["environment"] == "staging" and record["status"] == "passed"
        assert record["argv"][-4:] == ["--remote", "--", "blocked:ip:2001:db8::7", "abuse"]

        def texts() -> list[str]:
            return [e.text for e in app.incident_response.manager.get(incident.id).entries]

        # the incident's writer thread writes it: waited for, not read at once
        await wait_for(
            lambda: any("Flow block-ip step put" in t and "passed" in t for t in texts()),
            message="the step on the timeline",
        )
    assert ["kv", "key", "put", "--namespace-id", KV, "--remote", "--", "blocked:ip:2001:db8::7", "abuse"] in changes(
        fake_tools
    )
