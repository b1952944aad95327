"""``EdgePoller`` on an injected clock: the rate window, the timestamps and the backoff are the clock's, so a
rate taken after a skipped (virtual) wait is exactly what the counters moved by over that wait.

The edge is an in-memory transport (no socket) whose counters the test sets; the clock is the tests' virtual
clock (``tests/virtual_time.py``), which moves only when the test moves it.
"""

from __future__ import annotations

import time

import httpx

from console.config import simulated_config
from console.sources.http import HttpSettings
from console.sources.poller import EdgePoller
from tests.virtual_time import VirtualClock

SETTINGS = HttpSettings(connect_timeout=3.0, read_timeout=3.0, retries=0, backoff_s=0.01, backoff_max_s=0.02)


class CounterEdge:
    """An edge whose ``/metrics`` counters are whatever the test sets (``requests``, ``errors``);
    ``fail`` makes ``/metrics`` answer 500."""

    def __init__(self) -> None:
        self.requests = 1000
        self.errors = 0
        self.fail = False
        self.metrics_hits = 0

    def page(self) -> str:
        return (
            "# TYPE edge_requests_total counter\n"
            f'edge_requests_total{{worker="w1",status="200"}} {self.requests}\n'
            "# TYPE edge_errors_total counter\n"
            f'edge_errors_total{{worker="w1",type="timeout"}} {self.errors}\n'
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "healthy", "components": {}})
        self.metrics_hits += 1
        if self.fail:
            return httpx.Response(500, text="internal error\n")
        return httpx.Response(200, text=self.page(), headers={"Content-Type": "text/plain; version=0.0.4"})


def make_poller(edge: CounterEdge, clock: VirtualClock, **kw) -> tuple[EdgePoller, httpx.AsyncClient]:
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=2.0)
    client = httpx.AsyncClient(transport=httpx.MockTransport(edge.handle), timeout=SETTINGS.timeout())
    return EdgePoller(cfg, cfg.environment(), client, settings=SETTINGS, clock=clock, **kw), client


async def test_the_rate_after_a_virtual_wait_is_the_counters_increase_over_that_wait():
    clock = VirtualClock()
    edge = CounterEdge()
    poller, client = make_poller(edge, clock)
    async with client:
        first = await poller.poll()
        assert first.at == clock.time()
        assert first.derived is not None and first.derived.metrics["request_rate"].value is None  # warming up

        await clock.sleep(30.0)  # a verify interval skipped at once: no wall time passes
        edge.requests += 1500  # what a real edge served in those 30 s: 50 req/s
        edge.errors += 30  # 2 % of them failed
        second = await poller.poll()
        rate = second.derived.metrics["request_rate"]
        assert rate.value == 50.0, rate  # over the virtual 30 s, not the few real milliseconds between the polls
        assert second.derived.metrics["error_rate"].value == 2.0
        assert second.at == clock.time() and rate.as_of == clock.time()
        assert second.metrics.last_ok == clock.time()
        assert second.health_source.last_ok == clock.time()

        clock.advance(4.0)
        edge.requests += 100
        third = await poller.poll()
        assert third.derived.metrics["request_rate"].value == 25.0


async def test_a_window_longer_than_max_window_on_the_clock_starts_over():
    clock = VirtualClock()
    edge = CounterEdge()
    poller, client = make_poller(edge, clock, max_window_s=60.0)
    async with client:
        await poller.poll()
        clock.advance(61.0)  # too long ago, on the virtual clock, for a meaningful rate
        edge.requests += 6100
        result = await poller.poll()
        assert result.derived.metrics["request_rate"].value is None
        clock.advance(60.0)
        edge.requests += 600
        result = await poller.poll()
        assert result.derived.metrics["request_rate"].value == 10.0


async def test_the_backoff_after_failures_waits_on_the_clock():
    clock = VirtualClock()
    edge = CounterEdge()
    poller, client = make_poller(edge, clock, backoff_max_s=5.0)
    async with client:
        await poller.poll()
        edge.fail = True
        await poller.poll()  # 1st failure: no backoff (2**0 - 1 = 0)
        await poller.poll()  # 2nd failure: retried after 2 s x (2**1 - 1) = 2 s
        hits = edge.metrics_hits
        held = await poller.poll()  # the clock has not moved: still backing off, no request
        assert edge.metrics_hits == hits
        assert held.metrics.state == "stale" and "500" in (held.metrics.error or ""), held.metrics
        clock.advance(1.9)
        await poller.poll()
        assert edge.metrics_hits == hits  # 1.9 s of the 2 s
        clock.advance(0.1)
        edge.fail = False
        result = await poller.poll()
        assert edge.metrics_hits == hits + 1
        assert result.metrics.state == "live" and result.metrics.last_ok == clock.time()


async def test_the_default_clock_is_the_real_one():
    edge = CounterEdge()
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=2.0)
    async with httpx.AsyncClient(transport=httpx.MockTransport(edge.handle)) as client:
        poller = EdgePoller(cfg, cfg.environment(), client, settings=SETTINGS)
        before = time.time()
        result = await poller.poll()
        assert before <= result.at <= time.time()
        assert before <= result.metrics.last_ok <= time.time()


def prometheus(request: httpx.Request) -> httpx.Response:
    """A Prometheus API that answers every instant query with one sample (and a 15 s scrape interval)."""
    if request.url.path == "/api/v1/status/config":
        return httpx.Response(200, json={"status": "success", "data": {"yaml": "global:\n  scrape_interval: 15s\n"}})
    vector = {"resultType": "vector", "result": [{"metric": {"job": "edge"}, "value": [0, "2"]}]}
    return httpx.Response(200, json={"status": "success", "data": vector})


async def test_the_fleet_pollers_timestamps_are_the_clocks():
    from console.config import parse_config
    from console.sources.promql import FleetPoller

    cfg = parse_config(
        "environments:\n  p:\n    base_url: 'http://127.0.0.1:9'\n    prometheus_url: 'http://127.0.0.1:9090'\n"
    )
    clock = VirtualClock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(prometheus)) as client:
        poller = FleetPoller(cfg, cfg.environment(), client, clock=clock)
        first = await poller.poll()
        assert first.source.state == "live" and first.source.last_ok == clock.time()
        assert first.metrics["request_rate"].value == 2.0 and first.metrics["request_rate"].as_of == clock.time()
        clock.advance(45.0)
        second = await poller.poll()
        assert second.source.last_ok == first.source.last_ok + 45.0
        assert second.metrics["request_rate"].as_of == clock.time()
