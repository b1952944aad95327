"""The dashboard's layout at 80x24 with fixed data (snapshot), and the help screen."""

from __future__ import annotations

import pytest

from console.config import simulated_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.help import HelpScreen
from tests.fakes import StaticPoller
from tests.util import metric_row, wait_for

FIXED_NOW = 1_764_000_000.0


def static_app(values=None, read_only=False) -> EdgeConsoleApp:
    cfg = simulated_config("http://127.0.0.1:9")
    session = Session(config=cfg, env=cfg.environment(), read_only=read_only)
    app = EdgeConsoleApp(session, poller=StaticPoller(values, now=FIXED_NOW))
    app.clock = lambda: FIXED_NOW + 2
    return app


async def _filled(pilot) -> None:
    await wait_for(lambda: pilot.app.poll_count >= 2, message="two polls")
    await pilot.pause()


@pytest.mark.usefixtures("unseen_frames_skipped")  # the snapshot reads the screen
def test_dashboard_80x24(snap_compare):
    assert snap_compare(static_app(read_only=True), terminal_size=(80, 24), run_before=_filled)


@pytest.mark.usefixtures("unseen_frames_skipped")
def test_dashboard_critical_values_show_words_not_only_colour(snap_compare):
    values = {
        "request_rate": 21000.0,
        "error_rate": 2.5,
        "p95_latency_ms": 1400.0,
        "cache_hit_rate": 75.0,
        "cpu_time_ms": 30.0,
        "memory_bytes": 50e6,
        "queue_backlog": None,
    }
    assert snap_compare(static_app(values), terminal_size=(80, 24), run_before=_filled)


async def test_help_lists_keys_and_closes():
    app = static_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help screen")
        rows = dict(app.screen.rows)
        assert rows["q"].startswith("Quit") and rows["question_mark"].startswith("Help")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="help closed")


async def test_states_in_rows():
    values = {"p95_latency_ms": 1400.0, "cache_hit_rate": 75.0, "error_rate": 0.7}
    app = static_app(values)
    async with app.run_test(size=(80, 24)) as pilot:
        await _filled(pilot)
        row = metric_row(app, "p95_latency_ms")
        assert "CRIT" in str(row.render()) and "1,400 ms" in str(row.render())
        assert row.has_class("state-critical")
        assert metric_row(app, "cache_hit_rate").has_class("state-warning")
        assert metric_row(app, "error_rate").has_class("state-warning")
        assert "no traffic" in str(metric_row(app, "request_rate").render())


async def test_the_dashboard_is_the_first_screen_and_a_screen_over_it_has_all_the_css():
    """The dashboard is the app's default screen (no empty screen under it was composed, styled and
    resumed before the first frame); a screen pushed over it gets the CSS loaded after the first frame."""
    from textual.screen import Screen

    from screens.dashboard import DashboardScreen
    from themes import later_css_paths

    app = static_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [type(screen) for screen in app.screen_stack] == [DashboardScreen]
        app.push_screen(Screen())
        await pilot.pause()
        assert all(app.stylesheet.has_source(str(p), "") for p in later_css_paths())
        app.pop_screen()
        await wait_for(lambda: isinstance(app.screen, DashboardScreen), message="back on the dashboard")


async def test_apps_share_the_parsed_css_and_the_footer_styles_each_key_once():
    """screens/textual_compat.py: the console's CSS is parsed once per process and theme (the next app
    reuses the rule sets), and the dashboard's footer is the one whose keys are styled once."""
    from screens.textual_compat import Footer, SharedRulesStylesheet

    rules = []
    for _ in range(2):
        app = static_app()
        assert isinstance(app.stylesheet, SharedRulesStylesheet)
        async with app.run_test(size=(80, 24)) as pilot:
            await _filled(pilot)
            assert type(app.screen.query_one("Footer")) is Footer
            rules.append({id(rule) for rule in app.stylesheet.rules})
    assert rules[0] == rules[1], "the second app parsed its CSS again"
