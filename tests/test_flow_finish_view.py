"""When a flow finishes, its output follows to the end: at 80x24 the verify step's values and the
result are on screen without scrolling."""

from __future__ import annotations

import pytest

from widgets.flow_output import FlowOutput
from tests.fakes import NORMAL_VALUES, StaticPoller
from screens.flow_modal import FlowModal
from tests.test_flow_ui_modal import open_by_key, run_every_step, settled, sim_app, start_breaker, type_confirmation
from tests.util import press_now, wait_for
from screens.textual_compat import screen_text_lines


def screen_lines(app) -> list[str]:
    """The terminal's rows as drawn (the composed screen, plain text)."""
    return screen_text_lines(app)


@pytest.mark.usefixtures("unseen_frames_skipped")  # it reads the screen at the end
async def test_verify_values_visible_at_80x24_when_the_flow_finishes(sim, fake_tools, state_dir):
    poller = StaticPoller(dict(NORMAL_VALUES, error_rate=0.4))
    app = sim_app(sim, poller=poller)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        await wait_for(lambda: app._incident_response is not None, message="incident chrome")
        # an open incident puts its one-line strip on top of the modal: one row less for the flow
        app.incident_response.manager.start("P1", "Checkout errors", "5xx for EU users")
        modal = await open_by_key(app, pilot, "B", "enable-circuit-breaker")
        await start_breaker(modal, pilot)  # the worker form, then step 1: the worker exists
        await pilot.press("enter")  # step 2: the error rate now (a check)
        await wait_for(lambda: modal.query_one("#flow-confirm").display, timeout=20, message="confirmation")
        await type_confirmation(modal, pilot, "production")  # the name in the box, then enter
        await wait_for(lambda: modal.runner.steps[2].state.value == "passed", timeout=20, message="secret put")
        await settled(modal)
        styled: list[str] = []  # the widgets styled from here on (the stylesheet's apply, once per widget)
        apply = app.stylesheet.apply
        app.stylesheet.apply = lambda node, *a, **k: (styled.append(type(node).__name__), apply(node, *a, **k))[1]
        await pilot.press("enter")  # step 4: verify error_rate < 1
        await wait_for(lambda: modal.phase == "summary", timeout=30, message="summary")
        await pilot.pause()
        await pilot.pause()
        # the finish restyles the widgets it resizes (the step list, the log) and the footer's changed keys,
        # not the whole modal (61 widget stylings when the modal took the class, 12 now)
        assert len(styled) < 30 and "FlowForm" not in styled, styled
        text = "\n".join(screen_lines(app))
        assert "watching error rate < 1 % within 90s" in text and "now 0.400 %" in text  # the verify values
        assert "PASSED  error rate < 1 % holds (is 0.400 %)" in text and "DONE" in text
        # the output follows to its end: the last step's heading and the log's last line are on screen
        assert "── 4. Error rate below 1%" in text
        last = [line for line in modal.query_one(FlowOutput).log_text().splitlines() if line.strip()][-1]
        assert last.strip()[:60] in text


@pytest.mark.usefixtures("unseen_frames_skipped")
async def test_finished_output_scrolls_with_the_keys_at_once_at_60x20(sim, fake_tools, state_dir):
    """A finished flow's output scrolls back with up/pageup at once (it scrolled only after Tab put the focus
    on it: nothing had focus), and enter still closes the flow."""
    app = sim_app(sim)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        modal = await open_by_key(app, pilot, "A", "check-all-systems")
        await run_every_step(modal, pilot)
        log = modal.query_one(FlowOutput).query_one("#flow-log")
        await wait_for(lambda: log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y, message="at the end")
        assert app.focused is log  # the keys scroll it
        # the summary's layout settled (the same size and end over two pauses): a resize landing as the page
        # up starts puts the end back in view, as a log that was showing its end does (FollowLog)
        last = None
        for _ in range(100):
            await pilot.pause()
            now = (log.size, log.max_scroll_y, log.scroll_y)
            if now == last and log.scroll_y == log.max_scroll_y:
                break
            last = now
        await press_now(pilot, "pageup")
        # back from the end, wherever the end is by then: under load the summary's layout could still take
        # the log's last rows (its end moved from 56 to 59), and a page (3 rows here) from there read as no move
        await wait_for(lambda: log.scroll_y < log.max_scroll_y, message="pageup scrolled the output back")
        await press_now(pilot, "enter")
        await wait_for(lambda: not isinstance(app.screen, FlowModal), message="enter closed the finished flow")
