"""Histogram quantiles with Prometheus ``histogram_quantile`` semantics (pure functions).

Buckets are ``(upper_bound, cumulative_count)`` pairs. The rules, as in Prometheus:

* the buckets are sorted by upper bound and the top one must be ``+Inf`` (otherwise: None);
* fewer than two buckets, or no observations, give None ("no traffic"), never NaN;
* the rank is ``q * total``; the answer lies in the first bucket whose cumulative count
  reaches the rank, interpolated linearly between the bucket's lower and upper bound;
* the first bucket's lower bound is 0 (unless its upper bound is <= 0: then that bound);
* a rank that falls in the ``+Inf`` bucket returns the highest finite upper bound;
* cumulative counts that dip (a scrape racing an update) are made monotonic first.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping

Bucket = tuple[float, float]


def histogram_quantile(q: float, buckets: Iterable[Bucket]) -> float | None:
    """The ``q``-quantile (0 <= q <= 1) of a histogram, or None when it has no answer."""
    if not 0.0 <= q <= 1.0 or math.isnan(q):
        raise ValueError(f"quantile must be between 0 and 1, got {q}")
    pairs = sorted((float(ub), float(c)) for ub, c in buckets if not math.isnan(float(ub)))
    if len(pairs) < 2 or not math.isinf(pairs[-1][0]) or pairs[-1][0] < 0:
        return None
    # make cumulative counts monotonic (and ignore NaN counts by carrying the previous count)
    fixed: list[Bucket] = []
    running = 0.0
    for ub, count in pairs:
        if math.isnan(count) or count < running:
            count = running
        running = count
        fixed.append((ub, count))
    total = fixed[-1][1]
    if not total > 0 or math.isinf(total):
        return None
    rank = q * total
    index = next(i for i, (_, count) in enumerate(fixed) if count >= rank)
    if index == len(fixed) - 1:
        return fixed[-2][0]
    upper, count = fixed[index]
    if index == 0:
        if upper <= 0:
            return upper
        lower, below = 0.0, 0.0
    else:
        lower, below = fixed[index - 1]
    in_bucket = count - below
    if in_bucket <= 0:
        return lower
    return lower + (upper - lower) * ((rank - below) / in_bucket)


def bucket_deltas(prev: Mapping[float, float] | None, cur: Mapping[float, float]) -> dict[float, float] | None:
    """Per-bucket increase of one histogram series between two scrapes.

    ``prev``/``cur`` map upper bound -> cumulative count. A reset (any bucket going down, or a
    changed bucket layout) counts the current counts as the increase. None when there is no
    previous scrape of this series (its increase is unknown, as in Prometheus ``increase``).
    """
    if prev is None:
        return None
    if prev.keys() != cur.keys():
        return dict(cur)
    out: dict[float, float] = {}
    for ub, count in cur.items():
        delta = count - prev[ub]
        if delta < 0:
            return dict(cur)
        out[ub] = delta
    return out


def merge(histograms: Iterable[Mapping[float, float]]) -> list[Bucket]:
    """Sum several histograms bucket by bucket (``sum by (le)``), sorted by upper bound."""
    total: dict[float, float] = {}
    for hist in histograms:
        for ub, count in hist.items():
            total[ub] = total.get(ub, 0.0) + count
    return sorted(total.items())
