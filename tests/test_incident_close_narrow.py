"""The close checklist at 60x20: every recovery row is read whole (wrapped), never cut at the box's edge."""

from __future__ import annotations

from console.incident.recovery import RecoveryCheck
from screens.incident_close import IncidentCloseScreen
from screens.textual_compat import screen_text_lines
from tests.look_views import look_app, open_view
from tests.util import wait_for


def shown_text(app, widget) -> str:
    """What the screen shows in ``widget``'s region, its rows joined with single spaces."""
    region = widget.region
    lines = screen_text_lines(app)[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right] for line in lines).split())


async def test_close_checklist_rows_wrap_at_60_columns():
    app = look_app("incident-close")
    async with app.run_test(size=(60, 20)) as pilot:
        await open_view(pilot, "incident-close")
        close = app.screen
        assert isinstance(close, IncidentCloseScreen)
        # a failing worker check names every component that is not healthy: the longest row
        long_detail = "security-waf degraded, rate-limiter degraded, queue-processor unhealthy"
        close.checks[0] = RecoveryCheck("workers", close.checks[0].text, "fail", long_detail)
        close.query_one("#recovery-workers").update(close._check_text(close.checks[0], app))
        close.recheck = lambda: None  # keep the row as set here
        await pilot.pause()
        for check in close.checks:
            row = close.query_one(f"#recovery-{check.key}")
            row.scroll_visible(animate=False, immediate=True)
            await pilot.pause()
            await wait_for(lambda row=row: row.region.height > 0, message=f"{check.key} row laid out")
            text = shown_text(app, row)
            assert check.text in text, (check.key, text)
            if check.detail:
                assert check.detail in text, (check.key, text)  # was cut at the box's edge
        # the failing row says FAIL in words, not by colour alone
        assert "[FAIL] Verify all workers are responding" in shown_text(app, close.query_one("#recovery-workers"))
