"""The tail's parse thread (ParsePump), its idle gate on the UI loop, and the redraw rules that keep
a flood from repainting screens nobody sees."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from console.tail.pump import IdleGate, ParsePump
from console.tail.source import TailSource
from screens.log_view import LogViewScreen, tail_controller
from tests.test_tail_core import RECORDED, pretty_stream
from tests.test_tail_source import FakeWrangler, chunks, environment
from tests.test_tail_view import app_for
from tests.util import wait_for
from screens.textual_compat import background_screens


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


async def test_idle_gate_opens_only_while_the_loop_waits():
    loop = asyncio.get_running_loop()
    gate = IdleGate()
    assert gate.install(loop)
    seen: list[bool] = []
    try:

        def busy() -> None:
            # a callback on the loop: the loop is running code, not waiting
            seen.append(gate.idle.is_set())
            time.sleep(0.01)
            seen.append(gate.idle.is_set())

        loop.call_soon(busy)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        opened = await asyncio.to_thread(gate.idle.wait, 2.0)  # this task waits: the loop idles
    finally:
        gate.remove()
    assert seen == [False, False]
    assert opened
    assert "select" not in loop._selector.__dict__  # the selector is left as it was
    assert gate.idle.is_set()  # removed: never blocks a parser again


async def test_pump_parses_on_its_thread_and_the_ui_drains_in_order(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED * 3), 97) + [{"sleep": 30}]})
    source = TailSource(environment())
    pump = ParsePump(source, max_events=1000, loop=asyncio.get_running_loop())
    threads: set[str] = set()
    real_take = source.take

    def take(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_take(*args, **kwargs)

    source.take = take  # type: ignore[method-assign]
    pump.start()
    task = asyncio.ensure_future(source.run())
    got: list = []
    try:
        await wait_for(lambda: got.extend(pump.drain()) or len(got) >= len(RECORDED) * 3, message="all events")
    finally:
        source.stop()
        pump.stop()
        await asyncio.wait_for(task, timeout=5)
    assert threads == {"tail-parse"}
    assert [e.raw for e in got] == RECORDED * 3
    assert not pump.alive
    assert source.status.broken == 0 and source.status.noise == 4  # three banner lines, one warning


async def test_pump_stops_parsing_when_the_ui_does_not_drain(fake):
    fake.set_runs({"steps": chunks(pretty_stream([RECORDED[0]] * 400), 65536) + [{"sleep": 30}]})
    source = TailSource(environment())
    pump = ParsePump(source, max_events=50, loop=asyncio.get_running_loop())
    pump.start()
    task = asyncio.ensure_future(source.run())
    try:
        await wait_for(lambda: source.bytes_read > 0 and pump.pending >= 50, message="pending reaches the bound")
        await asyncio.sleep(0.2)  # the thread is waiting, not parsing on
        held = pump.pending
        assert 50 <= held < 100  # at most one take() (limit 50) beyond the bound
        assert source.backlog_bytes > 0  # the rest waits as bytes (bounded, dropped with a count)
        first = list(pump.drain())
        await wait_for(lambda: pump.pending > 0, message="parsing resumes after a drain")
    finally:
        source.stop()
        pump.stop()
        await asyncio.wait_for(task, timeout=5)
    assert len(first) == held


async def test_covered_dashboard_is_not_redrawn_under_the_log_view(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 200) + [{"sleep": 30}]})
    app = app_for(environment())
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.screen.query("#log-pane"), message="dashboard pane")
        dashboard = app.screen
        controller = tail_controller(app)
        pane = dashboard.query_one("#log-pane")
        assert controller.visible(pane) and dashboard.is_current
        await app.push_screen(LogViewScreen())
        await pilot.pause()
        # an opaque screen on top: the dashboard neither shows nor counts as current
        assert background_screens(app) == []
        assert not dashboard.is_current and not controller.visible(pane)
        main = app.screen.query_one("#log-main")
        assert controller.visible(main)
        await wait_for(lambda: len(controller.store.events) == len(RECORDED), message="events")
        synced = pane._last_version
        await wait_for(lambda: main._last_version == controller.store.version, message="view pane drawn")
        assert pane._last_version == synced  # the hidden pane was left alone
        await pilot.press("escape")
        await wait_for(lambda: pane._last_version == controller.store.version, message="redrawn once seen")
