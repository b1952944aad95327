"""Outside text in places Textual reads as markup: a scrape or Prometheus error with `[`...`]` or `[/]`
(a MarkupError closed the console on its first poll) and terminal controls is shown as text."""

from __future__ import annotations

import time

import pytest
from textual.content import Content

from console.metrics.model import SourceStatus
from console.sources.promql import FleetResult, PromQLError, parse_vector
from screens.dashboard import DashboardScreen
from tests.fakes import NORMAL_VALUES, StaticPoller, make_derived
from tests.test_incident_tui import make_app
from tests.util import wait_for
from widgets.metrics_pane import MetricsPane

HOSTILE = "[/] [b]BOLD[/b] [@click=app.quit]Q[/] [link=https://evil.example/]L[/link] \x1b]0;pwned\x07 \x9b \u202e"


class FailingScrapePoller(StaticPoller):
    """Has had one good scrape, then the endpoint answers something that is not a metrics page."""

    async def poll(self):
        result = await super().poll()
        result.metrics = SourceStatus(
            "metrics",
            "stale",
            last_ok=time.time() - 5,
            error=f"not a metrics page (line 1: invalid metric name {HOSTILE!r})",
        )
        return result


def border_text(pane) -> str:
    """The text the border shows: the getter answers markup (escaped), parsed back here."""
    return Content.from_markup(pane.border_subtitle or "").plain


def assert_shown_as_text(text: str) -> None:
    assert "[/]" in text and "[b]BOLD[/b]" in text and "[@click=app.quit]" in text
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\\x1b]0;pwned" in text and "\\u202e" in text


async def test_a_scrape_error_with_markup_and_controls_is_shown_as_text(state_dir):
    app = make_app(FailingScrapePoller(dict(NORMAL_VALUES)), hold=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            lambda: (
                isinstance(app.screen, DashboardScreen)
                and "not a metrics page" in border_text(app.screen.query_one(MetricsPane))
            ),
            message="the scrape error in the metrics border",
        )
        await pilot.pause()
        assert app.is_running
        assert_shown_as_text(border_text(app.screen.query_one(MetricsPane)))


async def test_a_prometheus_error_with_markup_and_controls_is_shown_as_text(state_dir):
    with pytest.raises(PromQLError) as caught:
        parse_vector({"status": "error", "errorType": "bad_data", "error": HOSTILE})
    assert_shown_as_text(str(caught.value))
    app = make_app(StaticPoller(dict(NORMAL_VALUES)), hold=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            lambda: isinstance(app.screen, DashboardScreen) and app.last_result is not None, message="dashboard"
        )
        screen = app.screen
        screen.fleet_view = True
        # what the fleet poller keeps when Prometheus answers an error: the raw server text, on purpose
        app.fleet_result = FleetResult(
            make_derived(NORMAL_VALUES).metrics,
            SourceStatus("prometheus", "down", last_ok=None, error=f"bad_data: {HOSTILE}"),
        )
        screen.show_fleet()
        await pilot.pause()
        assert app.is_running
        assert_shown_as_text(border_text(screen.query_one(MetricsPane)))
