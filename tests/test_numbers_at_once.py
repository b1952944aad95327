"""Numbers at once: on the simulated edge, the first result the dashboard draws already has every key
metric numeric (the early scrapes' short window, marked as such), well before a refresh interval; the
mark goes once a full window is available. The bench (bench/bench_dashboard.py) measures the real
time from launch on a terminal; the deadline here is generous for a loaded test machine."""

from __future__ import annotations

import time

from console.app.events import PollCompleted
from console.config import simulated_config
from console.metrics.model import KEY_METRICS
from console.session import Session
from screens.app import EdgeConsoleApp
from tests.util import wait_for
from widgets.metrics_pane import MetricsPane

#: generous: a quiet machine shows every number within ~1 s of launch (the bench's figure)
DEADLINE_S = 5.0
REFRESH_S = 2.0


def numeric(result) -> bool:
    derived = getattr(result, "derived", None)
    return derived is not None and all(
        derived.metrics.get(key) is not None and derived.metrics[key].value is not None for key in KEY_METRICS
    )


async def test_every_key_metric_numeric_in_the_first_result_drawn(sim, state_dir):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=REFRESH_S)
    started = time.monotonic()
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
    seen: list[tuple[float, bool, float]] = []
    app.events.subscribe(
        PollCompleted,
        lambda e: seen.append(
            (time.monotonic() - started, numeric(e.result), e.result.derived.window_s if e.result.derived else 0.0)
        ),
    )
    async with app.run_test(size=(120, 40)):
        await wait_for(lambda: seen, timeout=DEADLINE_S + 5, message="a first result")
        at, all_numeric, window = seen[0]
        assert all_numeric, "the first result drawn has a metric without a number"
        assert at < DEADLINE_S and at < REFRESH_S * 2
        assert 0 < window < REFRESH_S * 0.75  # a short window, so it is marked
        rows = {row.key: row for row in app.screen.query_one(MetricsPane).rows}
        await wait_for(
            lambda: all(row.metric is not None and row.metric.value is not None for row in rows.values()),
            message="rows drawn with numbers",
        )
        rendered = [str(row.render()) for row in rows.values()]
        assert not any("warming" in text or "waiting" in text for text in rendered), rendered
        pane = app.screen.query_one(MetricsPane)
        await wait_for(lambda: "SHORT WINDOW" in str(pane.border_subtitle or ""), message="short window marked")
        # the poller continues the window: later results are full and the mark goes
        await wait_for(
            lambda: any(w >= REFRESH_S * 0.75 for _, _, w in seen[1:]), timeout=REFRESH_S * 4, message="a full window"
        )
        await wait_for(lambda: "SHORT WINDOW" not in str(pane.border_subtitle or ""), message="mark gone")
        assert all(ok for _, ok, _ in seen)  # never back to "warming up"
