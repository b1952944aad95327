"""The TUI on a page with 100k queue series and 100k rule series: the dashboard's queue and security
panes show the capped view (50 rows, "+N more") and the app still quits promptly on ``q``."""

from __future__ import annotations

import time

from console.config import load_config
from console.limits import MAX_SERIES_RANKED
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.quit_confirm import QuitConfirmScreen
from tests.security.bounds_util import HostileServer, write_config
from tests.security.test_bounds_cardinality import SERIES, SHOWN, _Pages
from tests.util import wait_for


def pane_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def test_bounds_tui_panes_are_capped_with_100k_series(tmp_path):
    with HostileServer() as server:
        server.page("/metrics", _Pages())
        server.page("/health", b'{"status": "ok"}', "application/json")
        cfg = load_config(write_config(tmp_path, server.url, "refresh_seconds: 1\n"))
        app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(
                lambda: (
                    app.last_result is not None
                    and app.last_result.derived is not None
                    and app.last_result.derived.has_window
                ),
                timeout=60,
                message="a derived window",
            )
            await pilot.pause()
            queues = pane_text(app, "#queue-pane")
            rules = pane_text(app, "#security-pane")
            # the panes list what fits on the screen (the worst first) and count the rest
            queue_rows = queues.count("\n")
            rule_rows = rules.count("\n") - 1  # less the "all" line
            assert f"+{SERIES - queue_rows:,} more queues" in queues, queues[-500:]
            assert f"+{SERIES - rule_rows:,} more rules" in rules, rules[-500:]
            assert queue_rows <= SHOWN and rule_rows <= SHOWN
            # series over the parser's cap are said to be not read, and the rules' total line is "read"
            unread = f"({SERIES - MAX_SERIES_RANKED:,} not read)"
            assert unread in queues and unread in rules, (queues[-300:], rules[-300:])
            assert rules.splitlines()[-1].startswith("read"), rules[-300:]
            started = time.monotonic()
            await pilot.press("q")
            # 100k queues put the backlog past its threshold: once that alert is held, q asks first
            await wait_for(
                lambda: not app.is_running or isinstance(app.screen, QuitConfirmScreen),
                timeout=20,
                message="the app to quit or ask",
            )
            if app.is_running:
                await pilot.press("y")
            await wait_for(lambda: not app.is_running, timeout=20, message="the app to quit")
            assert time.monotonic() - started < 10
