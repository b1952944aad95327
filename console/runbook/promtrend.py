"""Trends for a runbook ``metrics`` step from Prometheus history (``query_range``), with a note saying so.

Used by :class:`console.runbook.values.PollerMetrics` (headless) and the TUI's metric source when the
environment has ``prometheus_url``: the overnight review then sees overnight, not the last few scrapes.
"""

from __future__ import annotations

from typing import Any


def history_lines(history: Any) -> list[str]:
    """What a metrics step prints above its values: the source and window, the 24 h security blocks,
    and any query that failed."""
    lines = [
        f"trends: Prometheus history, last {history.window} ({len(next(iter(history.series.values()), []))} "
        f"points, one per {_short(history.step_s)})"
    ]
    if history.security_blocks_24h is not None:
        lines.append(f"security blocks in the last 24h: {history.security_blocks_24h:.0f} (increase over 24h)")
    for key, error in sorted(history.errors.items()):
        lines.append(f"prometheus: {key}: {error}")
    return lines


def _short(seconds: float) -> str:
    from console.metrics.promduration import format_duration

    return format_duration(round(seconds))


async def prometheus_trend(config: Any, env: Any, window: str, points: int) -> tuple[Any, list[str]]:
    """``(PromHistory | None, note lines)``; None (and the reason) when Prometheus did not answer, so
    the caller falls back to its own scrapes."""
    from console.sources.promhistory import fetch_history

    history = await fetch_history(config, env, window, points=max(2, points))
    if history.errors and all(not series for series in history.series.values()):
        reason = next(iter(history.errors.values()))
        return None, [f"trends: Prometheus history unavailable ({reason}); sampling the edge instead"]
    return history, history_lines(history)
