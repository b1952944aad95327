"""Pilot tests of the log view: a fake wrangler with recorded events (filter, pause/resume counts,
breakdown, save, detail), and the simulated edge (the pane fills; error-spike brings ranked exceptions)."""

from __future__ import annotations

import json


import httpx

from console.config import simulated_config
from console.session import Session
from console.tail.model import TailEvent
from screens.app import EdgeConsoleApp
from screens.log_view import LogDetailScreen, LogViewScreen, tail_controller
from screens.typing_guard import TYPING_GRACE_S
from tests.fakes import StaticPoller
from tests.test_tail_core import RECORDED, pretty_stream
from tests.test_tail_source import FakeWrangler, chunks, environment
from tests.util import type_ending, wait_for
from widgets.log_breakdown import LogBreakdown
from widgets.log_detail import LogDetail
from widgets.log_list import LogList
from widgets.log_pane import LogPane, LogStatusLine

import pytest


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


def app_for(env) -> EdgeConsoleApp:
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=3600.0)  # one poll: static data, tests of the tail
    cfg.environments = {env.name: env}
    cfg.default_environment = env.name
    return EdgeConsoleApp(Session(config=cfg, env=env, read_only=False), poller=StaticPoller())


def rendered(log_list: LogList) -> list[str]:
    return ["".join(seg.text for seg in log_list.render_line(y)) for y in range(log_list.size.height)]


def status_text(pane: LogPane) -> str:
    return str(pane.query_one(LogStatusLine).content)


async def test_view_filter_pause_breakdown_save_detail(fake, tmp_path, state_dir):
    go = tmp_path / "go"
    more = pretty_stream(RECORDED[:2]).split(b"waiting for logs...\n", 1)[1]
    fake.set_runs(
        {"steps": chunks(pretty_stream(RECORDED), 53) + [{"wait": str(go)}] + chunks(more, 40) + [{"sleep": 30}]}
    )
    app = app_for(environment())
    async with app.run_test(size=(150, 40)) as pilot:
        await app.push_screen(LogViewScreen())
        controller = tail_controller(app)
        store = controller.store
        await wait_for(lambda: len(store.events) == len(RECORDED), message="recorded events in the store")
        pane = app.screen.query_one("#log-main", LogPane)
        log_list = pane.log_list
        await wait_for(lambda: any("TypeError" in line for line in rendered(log_list)), message="rows drawn")
        lines = [line for line in rendered(log_list) if line.strip()]
        assert len(lines) == len(RECORDED)
        assert "EXCEPTION" in lines[1] and "/api/v1/vau/process" in lines[1] and "31.5ms" in lines[1]
        assert "CPU-LIMIT" in lines[3] and "LHR" in lines[3]
        await wait_for(lambda: "streaming" in status_text(pane), timeout=5, message="streaming status")
        now = [1000.0]  # the typing guard's clock: stepped past the grace period instead of waiting it out
        app.screen.typing_guard.clock = lambda: now[0]

        # A bad filter says where and what, and keeps the old one.
        await pilot.press("slash")
        await type_ending(pilot, app.screen.query_one("#log-input"), "cpu>x")
        await pilot.press("enter")
        assert "cpu needs a number" in str(app.screen.query_one("#log-input-error").content)
        await pilot.press("escape")
        assert not store.filter.active
        now[0] += TYPING_GRACE_S + 0.01  # keys right after the box closed are not commands: a pause

        await pilot.press("slash")
        await type_ending(pilot, app.screen.query_one("#log-input"), "level:error")
        await pilot.press("enter")
        assert [e.raw for e in store.view] == [RECORDED[1], RECORDED[2]]
        await wait_for(lambda: "filter: level:error" in status_text(pane), message="filter shown")
        assert "2 of 7" in status_text(pane)
        now[0] += TYPING_GRACE_S + 0.01

        # Pause: new events are counted, not shown, until resumed.
        await pilot.press("space")
        assert store.paused
        go.write_text("go")
        await wait_for(lambda: store.paused_new == 2, message="two events while paused")
        assert len(store.view) == 2
        await wait_for(lambda: "PAUSED +2 new" in status_text(pane), message="paused count shown")
        await pilot.press("space")
        assert not store.paused
        assert [e.raw for e in store.view] == [RECORDED[1], RECORDED[2], RECORDED[1]]

        # Breakdown ranks the error messages over the buffer.
        await pilot.press("b")
        breakdown = app.screen.query_one(LogBreakdown)
        assert breakdown.display
        ranked = [(row.message, row.count) for row in breakdown.rows]
        assert ranked[:2] == [
            ("TypeError: Cannot read properties of undefined (reading 'salt')", 2),
            ("unhandled exception in vau handler", 2),
        ]
        assert ("upstream fetch failed: 502", 1) in ranked
        assert breakdown.cpu is not None and breakdown.cpu.over_25 == 3

        # Save the filtered view as JSON lines; the path is shown.
        await pilot.press("s")
        await wait_for(lambda: list((state_dir / "tail").glob("*.jsonl")), message="saved file")
        saved = next((state_dir / "tail").glob("*.jsonl"))
        assert [json.loads(line) for line in saved.read_text().splitlines()] == [RECORDED[1], RECORDED[2], RECORDED[1]]
        await wait_for(lambda: str(saved) in controller.note, message="path in the pane")

        # Enter expands the event under the cursor.
        log_list.focus()
        await pilot.press("up", "enter")
        await wait_for(lambda: isinstance(app.screen, LogDetailScreen), message="detail screen")
        detail = app.screen.query_one(LogDetail)
        text = str(detail.content)
        assert "upstream fetch failed: 502" in text and "retrying" in text and "cf-connecting-ip" in text
        await pilot.press("escape")
        assert isinstance(app.screen, LogViewScreen)


async def test_server_filters_restart_the_stream(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED[:1]), 400) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(LogViewScreen())
        await wait_for(lambda: len(fake.calls()) == 1, message="first wrangler")
        await pilot.press("f")
        await type_ending(pilot, app.screen.query_one("#log-input"), "status:fatal")
        await pilot.press("enter")
        assert "wrangler accepts ok, error, canceled" in str(app.screen.query_one("#log-input-error").content)
        field = app.screen.query_one("#log-input")
        field.value = "status:error method:POST"
        await pilot.press("enter")
        await wait_for(lambda: len(fake.calls()) == 2, message="restarted wrangler")
        assert fake.calls()[1]["argv"][-4:] == ["--status", "error", "--method", "POST"]
        pane = app.screen.query_one("#log-main", LogPane)
        await wait_for(lambda: "wrangler: status:error method:POST" in status_text(pane), message="shown")


async def test_pane_fills_on_simulated_edge_and_error_spike_ranks_exceptions(sim, fake_tools):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={"wrangler": ["wrangler"]})
    session = Session(config=cfg, env=cfg.environment(), read_only=False, sim=None)
    app = EdgeConsoleApp(session, poller=StaticPoller())
    async with app.run_test(size=(150, 40)) as pilot:
        await app.push_screen(LogViewScreen())
        store = tail_controller(app).store
        await wait_for(lambda: len(store.events) >= 10, timeout=15, message="simulated events")
        pane = app.screen.query_one("#log-main", LogPane)
        await wait_for(
            lambda: sum(1 for line in rendered(pane.log_list) if "api.twist.io" not in line and "/api/" in line) >= 5,
            message="rows drawn",
        )
        argv = fake_tools.argvs("wrangler")[0]
        assert argv[:4] == ["tail", "vau-processor-production", "--format", "json"]

        marker = store.received
        response = httpx.post(sim.base_url + "/admin/scenario", json={"name": "error-spike"}, timeout=5)
        assert response.status_code == 200

        def exceptions_after_switch() -> int:
            recent = list(store.events)[-(store.received - marker) :] if store.received > marker else []
            return sum(1 for e in recent if e.n_exceptions)

        await wait_for(lambda: exceptions_after_switch() >= 8, timeout=20, message="exceptions after error-spike")
        await pilot.press("b")
        breakdown = app.screen.query_one(LogBreakdown)
        exception_names = ("TypeError", "unhandled exception", "Error", "RangeError", "SyntaxError")
        # the table is live (redrawn every second): the error-spike's exceptions climb to the top as they
        # arrive (at first an error log of the normal traffic before the switch may still lead)
        await wait_for(
            lambda: (
                bool(breakdown.rows)
                and breakdown.rows[0].count >= 3
                and breakdown.rows[0].message.startswith(exception_names)
            ),
            timeout=20,
            message="an exception at the top of the breakdown",
        )
        counts = [row.count for row in breakdown.rows]
        assert counts == sorted(counts, reverse=True)
        await pilot.press("slash")
        await type_ending(pilot, app.screen.query_one("#log-input"), "exceptions")
        await pilot.press("enter")
        assert store.view and all(isinstance(e, TailEvent) and e.n_exceptions for e in store.view)
        await wait_for(lambda: any("EXCEPTION" in line for line in rendered(pane.log_list)), message="shown")


async def test_dashboard_pane_fills_and_l_opens_the_log_view(sim, fake_tools):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={"wrangler": ["wrangler"]})
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller())
    async with app.run_test(size=(120, 40)) as pilot:
        # the pane's list is mounted after the pane itself (its compose): wait for both, not just the pane
        await wait_for(lambda: app.screen.query("#log-pane LogList"), message="dashboard pane mounted")
        pane = app.screen.query_one("#log-pane", LogPane)
        await wait_for(
            lambda: sum(1 for line in rendered(pane.log_list) if "/api/" in line) >= 3,
            timeout=15,
            message="dashboard pane rows",
        )
        # the status line follows on the next frame (frames are coalesced to at most 4/s on a calm stream)
        await wait_for(lambda: "streaming" in status_text(pane), timeout=5, message="streaming status")
        await pilot.press("l")
        await wait_for(lambda: isinstance(app.screen, LogViewScreen), message="full-screen log view")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, LogViewScreen), message="back on the dashboard")
        # leaving the full view does not stop the dashboard's tail
        before = tail_controller(app).store.received
        await wait_for(lambda: tail_controller(app).store.received > before, message="still streaming")
