"""Cumulative histogram fed from a log-normal distribution (pure computation, no I/O).

Instead of drawing millions of samples, each batch of ``n`` observations adds its expected share
to every bucket: ``n * CDF(bound)``. Buckets stay cumulative and monotonic because every batch
adds a non-decreasing sequence, and the exposed integer counts (floors) keep both properties.
"""

from __future__ import annotations

import math

Z95 = 1.6448536269514722


def lognormal_sigma(median: float, p95: float) -> float:
    """Shape of the log-normal whose median and 95th percentile are given."""
    median = max(median, 1e-9)
    p95 = max(p95, median * 1.0001)
    return math.log(p95 / median) / Z95


def lognormal_cdf(x: float, median: float, sigma: float) -> float:
    if x <= 0:
        return 0.0
    z = (math.log(x) - math.log(max(median, 1e-12))) / (sigma * math.sqrt(2.0))
    return 0.5 * (1.0 + math.erf(z))


def lognormal_mean(median: float, sigma: float) -> float:
    return median * math.exp(sigma * sigma / 2.0)


class Histogram:
    """Bucket counts (cumulative, last one is +Inf), running sum and count."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = tuple(float(b) for b in bounds)
        self.counts = [0.0] * (len(self.bounds) + 1)
        self.sum = 0.0

    @property
    def count(self) -> float:
        return self.counts[-1]

    def observe_batch(self, n: float, median: float, p95: float) -> None:
        """Add ``n`` observations drawn (in expectation) from a log-normal with this median/P95."""
        if n <= 0:
            return
        sigma = lognormal_sigma(median, p95)
        for i, bound in enumerate(self.bounds):
            self.counts[i] += n * lognormal_cdf(bound, median, sigma)
        self.counts[-1] += n
        self.sum += n * lognormal_mean(median, sigma)

    def exposed(self) -> tuple[list[tuple[str, int]], float]:
        """(``[(le, cumulative int count)...]`` ending with ``+Inf``, sum) for the exposition."""
        out: list[tuple[str, int]] = []
        previous = 0
        for bound, value in zip((*self.bounds, math.inf), self.counts):
            count = max(previous, int(math.floor(value + 1e-6)))
            previous = count
            out.append(("+Inf" if math.isinf(bound) else _fmt(bound), count))
        return out, self.sum


def _fmt(bound: float) -> str:
    return repr(float(bound))
