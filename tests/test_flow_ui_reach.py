"""Reaching flows: the command palette by title, single keys on the dashboard (footer and `?` help),
the respond key for the worst metric, and the audit view; plus the pure helpers behind them."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from rich.text import Text
from textual.command import CommandInput, CommandPalette

from console.app.events import AuditRecorded
from console.config import simulated_config
from console.metrics.thresholds import State
from console.runbook import load_for_config
from console.runbook.engine import StepResult, StepState
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.audit_view import AuditScreen
from screens.flow_modal import FlowModal
from screens.flow_picker import FlowPickerScreen
from screens.flow_reach import resolve_target, section_slug, worst_metric
from screens.help import HelpScreen
from tests.fakes import NORMAL_VALUES, StaticPoller, make_derived
from tests.test_flow_ui_modal import open_by_key, ready, settled, sim_app
from tests.util import wait_for
from widgets.flow_output import envelope_text, result_text
from widgets.flow_steps import StepRow, window
from screens.textual_compat import notifications, screen_text_lines


def static_app(values: dict | None = None) -> EdgeConsoleApp:
    # constant data (StaticPoller): one poll a second shows the same and lets Pilot's keys find an idle app
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=1.0)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller(values))


@lru_cache(maxsize=1)
def runbook():
    return load_for_config(simulated_config("http://127.0.0.1:9"))


# -- palette --------------------------------------------------------------------------------------------
async def test_palette_finds_every_flow_by_title_and_opens_it():
    from screens.commands import FlowCommands

    app = static_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        flows = FlowCommands(app.screen)
        every = {hit.text async for hit in flows.search("flow")}
        assert every == {f"Flow: {f.title}" for f in runbook().flows.values()}  # every flow is there
        for title in ("Roll back the edge", "Enable Under Attack Mode", "Verify salt rotation"):
            hits = [hit async for hit in flows.search(title)]
            assert max(hits, key=lambda h: h.score).text == f"Flow: {title}"  # and found by its title
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Audit trail: runbook steps that ran" in titles  # the catalogue's palette entries

        await pilot.press("colon")
        await wait_for(lambda: isinstance(app.screen, CommandPalette), message="palette")
        # the palette searches as keys arrive: the query but its last letter goes in at once, the last is a key
        app.screen.query_one(CommandInput).value = "block an i"
        await pilot.press("p")
        results = app.screen.query_one("CommandList")
        await wait_for(
            lambda: results.option_count > 0 and "Flow: Block an IP" in str(results.get_option_at_index(0).prompt),
            message="the flow as the first hit",
        )
        await pilot.press("enter")  # the first hit is highlighted
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="flow modal")
        assert app.screen.flow.id == "block-ip"


# -- single keys, footer, help -----------------------------------------------------------------------------
async def test_urgent_flows_have_single_keys_in_footer_and_help():
    app = static_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        dashboard = app.screen
        active = dashboard.active_bindings
        code_keys = {k for a in app.actions if a.scope in ("app", "dashboard") and a.group != "Flows" for k in a.keys}
        for key, flow in runbook().by_key().items():
            if key in code_keys:  # bound by the app already (incident keys): palette only, and said so
                assert any(repr(key) in p and flow.id in p for p in app.flow_key_problems)
                continue
            assert active[key].binding.action == f"app.run_flow({flow.id!r})", key
            assert active[key].binding.description == flow.title
            assert active[key].binding.id == f"flow.{flow.id}"
        # the footer groups the flow keys in one entry: its label first (cheap to poll), then on the screen
        footer = dashboard.query_one("Footer")
        await wait_for(
            lambda: any("Flows" in str(getattr(w, "content", "")) for w in footer.query("FooterLabel")),
            message="the Flows group in the footer",
        )
        await wait_for(lambda: "Flows" in screen_text_lines(app)[-1], interval=0.2, message="one grouped footer entry")
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        rows = dict(app.screen.rows)
        assert all(problem in app.screen.notes for problem in app.flow_key_problems)  # said, not silent
        assert rows["K"] == "Block an IP" and rows["U"] == "Enable Under Attack Mode"
        assert rows["r"].startswith("Respond")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="help closed")
        await wait_for(lambda: app.last_result is not None, message="a poll")
        await pilot.press("r")  # every metric is normal: nothing to respond to
        await wait_for(
            lambda: any("nothing to respond to" in str(n.message) for n in notifications(app)),
            message="nothing to respond to",
        )
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("L")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="flow by key")
        assert app.screen.flow.id == "high-latency"


# -- respond --------------------------------------------------------------------------------------------------
async def test_respond_opens_the_flow_for_the_worst_metric():
    app = static_app(dict(NORMAL_VALUES, p95_latency_ms=1400.0, cache_hit_rate=75.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        await wait_for(lambda: app.last_result is not None, message="a poll")
        await pilot.press("r")  # latency is critical, cache hit rate only a warning
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="response flow")
        assert app.screen.flow.id == "high-latency"


async def test_respond_to_error_rate_and_a_section_target_offers_its_flows():
    app = static_app(dict(NORMAL_VALUES, error_rate=2.5))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        await wait_for(lambda: app.last_result is not None, message="a poll")
        await pilot.press("r")  # error rate -> p1-high-error-rate (looked up in the runbook data)
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="response flow")
        assert app.screen.flow.id == "p1-high-error-rate"
        modal = app.screen
        assert modal.phase == "form"  # which worker (the configured roles; vau-processor by default)
        modal.query_one("#flow-continue").focus()
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "run", message="run phase")
        await pilot.press("escape")  # cancel: the summary says nothing ran
        await wait_for(lambda: modal.phase == "summary", message="summary")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed")
        # a response that names a section (no flow has that id) offers the section's flows
        app.open_flow("security", why="Security blocks spiking")
        await wait_for(lambda: isinstance(app.screen, FlowPickerScreen), message="picker")
        picker = app.screen
        assert [f.id for f in picker.flows] == [f.id for f in runbook().sections()["Security"]]
        await pilot.press("down", "enter")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="chosen flow")
        assert app.screen.flow.id == picker.flows[1].id


# -- audit view -------------------------------------------------------------------------------------------------
async def test_audit_view_shows_the_steps_of_a_run_newest_first(sim, fake_tools):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "S", "cloudflare-status")
        while modal.phase == "run":
            await pilot.press("enter")
            await settled(modal)
        await wait_for(lambda: modal.phase == "summary", message="summary")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="closed")
        audit_key = next(k for k, b in app.screen.active_bindings.items() if b.binding.action == "app.audit_view")
        await pilot.press(audit_key)
        await wait_for(lambda: isinstance(app.screen, AuditScreen) and app.screen.loads, message="audit view")
        screen = app.screen
        steps = [r for r in screen.records if r.get("event") == "step"]
        assert [r["step"] for r in steps] == [
            run.step.id for run in reversed(modal.runner.steps) if run.state.value not in ("skipped", "not_run")
        ]
        assert screen.records[0].get("event") == "flow_end"  # newest first
        text = screen.table_text()
        assert "cloudflare-status/" in text and "passed" in text and "HTTP 200" in text
        assert "/status/api/v2/status.json" in text
        # refreshed when shown: a record appended while it is open shows up
        loads = screen.loads
        assert screen._on_record in app.events.handlers(AuditRecorded)
        app.flow_audit_record({"event": "step", "flow": "x"})  # what a running flow does after each write
        await wait_for(lambda: screen.loads > loads, message="reload on a new record")


# -- pure helpers ---------------------------------------------------------------------------------------------
def test_flow_keys_skip_keys_bound_elsewhere():
    from console.actions import build_catalogue

    catalogue = build_catalogue(runbook())
    assert catalogue.get("flow.block-ip").key == "K" and catalogue.get("flow.rollback").key == "R"
    flows = {a.id: a for a in catalogue.flows()}
    assert set(flows) == {f"flow.{f}" for f in runbook().flows}
    code_keys = {k for a in catalogue if a.scope in ("app", "dashboard") and a.group != "Flows" for k in a.keys}
    assert not code_keys & {k for a in flows.values() for k in a.keys}  # no flow key shadows a code key


def test_worst_metric_prefers_critical_then_health_then_error_rate():
    derived = make_derived(dict(NORMAL_VALUES, p95_latency_ms=700.0, error_rate=0.7))  # both warnings
    result = SimpleNamespace(derived=derived, health=SimpleNamespace(healthy=True))
    choice = worst_metric(result)
    assert choice.metric == "error_rate" and choice.state == State.WARNING
    result.health = SimpleNamespace(healthy=False)
    assert worst_metric(result).target == "p0-service-down"
    assert worst_metric(SimpleNamespace(derived=make_derived(NORMAL_VALUES), health=None)) is None


def test_response_targets_resolve_to_a_flow_or_a_section():
    rb = runbook()
    for target in (
        "high-latency",
        "low-cache-hit-rate",
        "queue-processing-delays",
        "p0-service-down",
        "p1-high-error-rate",
    ):
        assert resolve_target(rb, target), target
    assert [f.id for f in resolve_target(rb, "high-latency")] == ["high-latency"]
    assert section_slug("P1 high error rate") == "p1-high-error-rate"
    assert resolve_target(rb, "no-such-thing") == []


def test_step_window_keeps_the_current_step_in_view():
    rows = [StepRow(i + 1, "check", f"s{i}", "pending", current=(i == 8)) for i in range(12)]
    shown, above, below = window(rows, 5)
    assert [r.number for r in shown] == [7, 8, 9, 10, 11] and (above, below) == (6, 1)


def test_result_text_shows_status_and_cloudflare_errors():
    result = StepResult(
        StepState.FAILED,
        "Cloudflare API: failed",
        http_status=403,
        envelope={"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]},
    )
    text = result_text(result).plain
    assert "FAILED" in text and "HTTP 403" in text
    assert "success=false" in text and "[10000] Authentication error" in text
    assert isinstance(envelope_text({"success": True, "errors": []}), Text)


# -- wiring: the live tail buffer -------------------------------------------------------------------------------
async def test_tail_steps_read_the_dashboard_tail_buffer(sim, fake_tools):
    app = sim_app(sim, tools=sim.tools())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app)
        await wait_for(
            lambda: getattr(app, "tail", None) is not None and app.tail.store.received > 0,
            timeout=15,
            message="the log pane streams",
        )
        tails_before = len([a for a in fake_tools.argvs() if a[:1] == ["tail"]])
        assert tails_before >= 1  # the dashboard's own stream
        app.open_flow("error-breakdown")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="flow")
        modal = app.screen
        await pilot.press("enter")
        await wait_for(lambda: modal.phase == "summary", timeout=20, message="summary")
        result = modal.runner.steps[0].result
        assert "events from the live tail" in result.output
        assert len([a for a in fake_tools.argvs() if a[:1] == ["tail"]]) == tails_before  # no second tail
