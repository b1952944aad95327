"""histogram_quantile with Prometheus semantics, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from console.metrics.quantile import bucket_deltas, histogram_quantile, merge

INF = math.inf


def test_interpolates_linearly_within_the_bucket():
    # rank 95 of 100 falls in (0.5, 1]: 90 below, 10 inside -> 0.5 + 0.5 * 5/10
    assert histogram_quantile(0.95, [(0.1, 50), (0.5, 90), (1.0, 100), (INF, 100)]) == pytest.approx(0.75)


def test_median_in_a_middle_bucket():
    # rank 30 of 60: bucket (0.1, 0.5] holds 40 (10..50) -> 0.1 + 0.4 * (30-10)/40 = 0.3
    assert histogram_quantile(0.5, [(0.1, 10), (0.5, 50), (INF, 60)]) == pytest.approx(0.3)
    # rank 6 of 60 lies in the first bucket: 0 + 0.1 * 6/10
    assert histogram_quantile(0.1, [(0.1, 10), (0.5, 50), (INF, 60)]) == pytest.approx(0.06)


def test_rank_in_the_inf_bucket_returns_the_highest_finite_bound():
    assert histogram_quantile(0.95, [(0.1, 10), (0.5, 20), (INF, 100)]) == 0.5


def test_first_bucket_has_lower_bound_zero():
    # rank 50 of 100 in (0, 0.2] -> 0.2 * 50/100
    assert histogram_quantile(0.5, [(0.2, 100), (INF, 100)]) == pytest.approx(0.1)


def test_first_bucket_with_non_positive_bound_returns_that_bound():
    assert histogram_quantile(0.5, [(-1.0, 10), (INF, 10)]) == -1.0
    assert histogram_quantile(0.5, [(0.0, 10), (INF, 10)]) == 0.0


@pytest.mark.parametrize(
    "buckets",
    [
        [],  # nothing
        [(INF, 5)],  # a single bucket
        [(0.1, 0), (0.5, 0), (INF, 0)],  # an empty window: no traffic
        [(0.1, 1), (0.5, 2)],  # no +Inf bucket
    ],
)
def test_no_answer_is_none_never_nan(buckets):
    assert histogram_quantile(0.95, buckets) is None


def test_q_zero_with_an_empty_first_bucket_is_not_nan():
    value = histogram_quantile(0.0, [(1.0, 0), (2.0, 5), (INF, 5)])
    assert value == 0.0 and not math.isnan(value)


def test_unsorted_and_non_monotonic_buckets_are_fixed_like_prometheus():
    # sorted first; the dip at 2.0 (8 < 10) is raised to 10
    assert histogram_quantile(0.5, [(INF, 10), (2.0, 8), (1.0, 10)]) == pytest.approx(0.5)


def test_invalid_quantile_is_a_programming_error():
    with pytest.raises(ValueError):
        histogram_quantile(1.5, [(1.0, 1), (INF, 1)])


def test_bucket_deltas_and_reset():
    prev = {0.1: 10.0, 1.0: 20.0, INF: 25.0}
    cur = {0.1: 15.0, 1.0: 30.0, INF: 40.0}
    assert bucket_deltas(prev, cur) == {0.1: 5.0, 1.0: 10.0, INF: 15.0}
    # a reset: a bucket went down -> the current counts are the increase
    reset = {0.1: 1.0, 1.0: 2.0, INF: 2.0}
    assert bucket_deltas(prev, reset) == reset
    # a changed layout counts as a reset; no previous scrape -> unknown
    assert bucket_deltas({0.5: 1.0, INF: 1.0}, cur) == cur
    assert bucket_deltas(None, cur) is None


def test_merge_sums_by_bound():
    assert merge([{0.1: 1.0, INF: 2.0}, {0.1: 3.0, INF: 5.0}]) == [(0.1, 4.0), (INF, 7.0)]
