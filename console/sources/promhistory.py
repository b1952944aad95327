"""Key-metric history from Prometheus (``GET /api/v1/query_range``), for sparklines and the overnight review.

The runbook's windows: the last hour, overnight (12 h) and a day (24 h; security blocks as
``increase(...[24h])``). :func:`fetch_history` returns, per key metric, ``points`` values evenly spaced
over the window (None where Prometheus has no sample), and the 24 h security-block total. Never raises:
a failed query is an empty series and a reason in ``errors``.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

from console.metrics.fleet import history_queries, increase_query
from console.metrics.promduration import parse_duration
from console.monitoring_config import HISTORY_WINDOWS, prometheus_settings
from console.sources.promql import PromQLClient, PromQLError, client_for

#: sparkline points over any window
HISTORY_POINTS = 60


@dataclass(frozen=True)
class PromHistory:
    window: str
    start: float
    end: float
    step_s: float
    series: dict[str, list[float | None]]
    #: total security blocks over the last 24 h (``increase(...[24h])``), None when unknown
    security_blocks_24h: float | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def history(self, name: str) -> list[float | None]:
        return list(self.series.get(name, ()))


def next_window(window: str) -> str:
    """The window after ``window`` in the runbook's order (1h -> 12h -> 24h -> 1h)."""
    index = HISTORY_WINDOWS.index(window) if window in HISTORY_WINDOWS else -1
    return HISTORY_WINDOWS[(index + 1) % len(HISTORY_WINDOWS)]


def squeeze(series: list[float | None], points: int) -> list[float | None]:
    """``series`` as ``points`` averages of consecutive equal parts (None where a part has no value)."""
    out: list[float | None] = []
    for i in range(points):
        part = [v for v in series[i * len(series) // points : (i + 1) * len(series) // points] if v is not None]
        out.append(sum(part) / len(part) if part else None)
    return out


def _resample(values: list[tuple[float, float]], start: float, step_s: float, points: int) -> list[float | None]:
    out: list[float | None] = [None] * points
    for at, value in values:
        if not math.isfinite(at):
            continue  # a sample time from outside that is no time (NaN, 1e999): round() would raise
        index = int(round((at - start) / step_s))
        if 0 <= index < points and not (math.isnan(value) or math.isinf(value)):
            out[index] = value
    return out


async def fetch_history(
    config: Any,
    env: Any,
    window: str | None = None,
    *,
    now: float | None = None,
    points: int = HISTORY_POINTS,
    client: PromQLClient | None = None,
) -> PromHistory:
    settings = prometheus_settings(config)
    window = window or settings.history_window
    span = parse_duration(window)
    end = time.time() if now is None else now
    step = span / (points - 1)
    start = end - span
    selector = getattr(env, "prometheus_selector", "") or ""
    queries = history_queries(config.metric_names, settings.window, step, selector)
    own = client is None
    promql = client or client_for(config, env)
    try:
        keys = list(queries)
        answers = await asyncio.gather(
            *(promql.query_range(queries[k], start, end, step) for k in keys),
            promql.query(increase_query(config.metric_names["security_blocks"], "24h", selector)),
            return_exceptions=True,
        )
    finally:
        if own:
            await promql.aclose()
    series: dict[str, list[float | None]] = {}
    errors: dict[str, str] = {}
    for key, answer in zip(keys, answers[:-1]):
        if isinstance(answer, BaseException):
            errors[key] = str(answer) if isinstance(answer, PromQLError) else type(answer).__name__
            series[key] = []
            continue
        series[key] = _resample(answer[0][1], start, step, points) if answer else [None] * points
    blocks_answer = answers[-1]
    blocks = None
    if isinstance(blocks_answer, BaseException):
        errors["security_blocks_24h"] = str(blocks_answer)
    elif blocks_answer:
        blocks = blocks_answer[0][1]
    return PromHistory(window, start, end, step, series, blocks, errors)
