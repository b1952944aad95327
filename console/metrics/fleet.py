"""Fleet-wide key metrics as PromQL: what one endpoint cannot tell (pure; no I/O).

A single /metrics endpoint is one isolate's or one colo's view. A Prometheus server that scrapes
every endpoint answers for the whole fleet; these queries mirror the per-endpoint derivation in
:mod:`console.metrics.derive` (same units, same thresholds).

Every series selector carries the environment's ``prometheus_selector`` matchers
(:mod:`console.metrics.promselector`), so one Prometheus scraping staging and production gives each its
own numbers. A counter that does not exist yet (no error since the edge started) counts as 0
(``or vector(0)``), not "no data"; the request counter does not: without it the edge is not scraped.
"""

from __future__ import annotations

from typing import Mapping

from console.metrics.promduration import format_duration, parse_duration, valid_duration
from console.metrics.promselector import series


def valid_window(window: str) -> bool:
    """A PromQL range in Prometheus's duration syntax (``30s``, ``5m``, ``1h30m``)."""
    return valid_duration(window)


def fleet_queries(names: Mapping[str, str], window: str = "1m", selector: str = "") -> dict[str, str]:
    """Key metric -> PromQL instant query. ``names`` are the configured family names; ``selector`` the
    environment's label matchers (``{env="production"}``)."""
    if not valid_window(window):
        raise ValueError(f"not a PromQL range: {window!r} (e.g. 30s, 1m, 1h30m)")
    n = dict(names)
    w = window

    def sel(family: str) -> str:
        return series(family, selector)

    def rate(family: str) -> str:
        return f"sum(rate({sel(family)}[{w}]))"

    def rate0(family: str) -> str:  # a counter that may not exist yet
        return f"({rate(family)} or vector(0))"

    hits, misses = rate0(n["cache_hits"]), rate0(n["cache_misses"])
    return {
        "request_rate": rate(n["requests"]),
        "error_rate": f"100 * {rate0(n['errors'])} / {rate(n['requests'])}",
        "p95_latency_ms": f"1000 * histogram_quantile(0.95, sum by (le) (rate({sel(n['request_duration'] + '_bucket')}[{w}])))",
        "cache_hit_rate": f"100 * {hits} / ({hits} + {misses})",
        "cpu_time_ms": f"histogram_quantile(0.95, sum by (le) (rate({sel(n['cpu_time'] + '_bucket')}[{w}])))",
        "memory_bytes": f"max({sel(n['memory'])})",
        "queue_backlog": f"sum({sel(n['queue_backlog'])})",
        "security_per_s": rate0(n["security_blocks"]),
        "rate_limit_violations_per_s": rate0(n["rate_limit_violations"]),
    }


def targets_query(names: Mapping[str, str], selector: str = "") -> str:
    """How many scrape targets report the request counter (the size of the fleet Prometheus sees)."""
    return f"count(count by (instance) ({series(names['requests'], selector)}))"


def down_targets_query(selector: str = "") -> str:
    """The environment's scrape targets that are down (``up == 0``)."""
    return f"{series('up', selector)} == 0"


def increase_query(family: str, window: str, selector: str = "") -> str:
    """Total increase of a counter over ``window`` (the runbook's 24 h security blocks), 0 when absent."""
    if not valid_window(window):
        raise ValueError(f"not a PromQL range: {window!r}")
    return f"sum(increase({series(family, selector)}[{window}])) or vector(0)"


def history_queries(names: Mapping[str, str], window: str, step_s: float, selector: str = "") -> dict[str, str]:
    """The key metric queries for ``query_range``: each rate covers at least one step, so a sparkline
    over 12 h (12 min steps) shows each step's average, not one minute's sample every 12 minutes."""
    rate_window = window
    if parse_duration(window) < step_s:
        rate_window = format_duration(step_s)
    return fleet_queries(names, rate_window, selector)


def window_problem(window_s: float, scrape_interval_s: float | None) -> str | None:
    """Why a rate window is too short for the scrape interval (Prometheus needs at least 4 scrapes in a
    rate window to be robust to one missed scrape), or None."""
    if scrape_interval_s is None or scrape_interval_s <= 0:
        return None
    if window_s < 4 * scrape_interval_s:
        return (
            f"rate window {format_duration(window_s)} is shorter than 4x the scrape interval "
            f"{format_duration(scrape_interval_s)}: set prometheus.window to at least "
            f"{format_duration(4 * scrape_interval_s)}"
        )
    return None
