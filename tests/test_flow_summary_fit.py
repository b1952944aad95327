"""A finished flow's summary at 80x24 and 60x20: what matters first (the head, what the metrics checks found,
how to undo, the checklist left open), the step lists last; when it does not fit its rows, its last row says
how many more lines there are and ctrl+o shows it whole (it was cut silently: "undo with" fell off at 80x24
under the circuit breaker's findings, "Not run" at 60x20)."""

from __future__ import annotations

import pytest

from screens.flow_modal import FlowModal
from screens.full_text import FullTextScreen
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_flow_ui_modal import open_by_key, run_every_step, settled, sim_app, start_breaker, type_confirmation
from tests.util import press_now, wait_for
from widgets.flow_summary import FlowSummary


def summary_lines(modal: FlowModal) -> list[str]:
    return str(modal.query_one(FlowSummary).render()).splitlines()


@pytest.mark.usefixtures("unseen_frames_skipped")
async def test_the_undo_line_and_the_findings_fit_at_80x24(sim, fake_tools, state_dir):
    app = sim_app(sim, poller=StaticPoller(dict(NORMAL_VALUES, error_rate=0.4)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        modal = await open_by_key(app, pilot, "B", "enable-circuit-breaker")
        await start_breaker(modal, pilot)
        await press_now(pilot, "enter")  # the error rate now
        await wait_for(lambda: modal.query_one("#flow-confirm").display, timeout=20, message="confirmation")
        await type_confirmation(modal, pilot, "production")
        await wait_for(lambda: modal.runner.steps[2].state.value == "passed", timeout=20, message="secret put")
        await settled(modal)
        await press_now(pilot, "enter")  # verify
        await wait_for(lambda: modal.phase == "summary", timeout=30, message="summary")
        await pilot.pause()
        lines = summary_lines(modal)
        assert lines[0].startswith("DONE · Enable circuit breaker"), lines
        assert lines[1] == "Error rate now: all OK (2 metrics)", lines
        assert lines[2].startswith("undo with: Disable circuit breaker"), lines  # before the step lists
        assert any(line.startswith("Ran (4): ") for line in lines), lines


@pytest.mark.usefixtures("unseen_frames_skipped")
async def test_a_cut_summary_says_so_and_ctrl_o_shows_it_whole_at_60x20(sim, fake_tools, state_dir):
    bad = dict(NORMAL_VALUES, error_rate=4.0, p95_latency_ms=800.0, cache_hit_rate=60.0, queue_backlog=2000.0)
    app = sim_app(sim, poller=StaticPoller(bad))
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        modal = await open_by_key(app, pilot, "A", "check-all-systems")
        await run_every_step(modal, pilot)
        await pilot.pause()
        lines = summary_lines(modal)
        rows = " ".join(lines)  # the rows as wrapped
        assert lines[1].startswith("Key metrics now: 3 CRIT: error rate 4.00 %"), lines  # first, after the head
        assert "cache hit rate 60.0 %" in rows, lines
        assert lines[-1].startswith("… ") and lines[-1].endswith("more lines · ctrl+o shows all"), lines
        assert len(lines) == modal.query_one(FlowSummary).size.height  # every row it has, the marker last
        await press_now(pilot, "ctrl+o")
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="the whole summary")
        whole = app.screen.plain
        assert "1 WARN: P95 latency 800 ms" in whole and "Not run (0): none" in whole, whole
        await press_now(pilot, "escape")
        await wait_for(lambda: app.screen is modal, message="back to the summary")
