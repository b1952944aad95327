"""Fault tests: EdgePoller against small loopback HTTP servers that misbehave on purpose.

Each fault shows what is wrong and the age of the last good value, the poller never raises,
and the values come back by themselves when the endpoint recovers.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from console.config import simulated_config
from console.metrics.thresholds import State
from console.sources.http import HttpSettings
from console.sources.poller import EdgePoller

#: for the slow-answer test: short enough to wait on, long enough that the healthy /health of the same
#: server still answers in time on a loaded CI machine (0.3 s did not: a CI run timed out its health check)
SHORT_READ = HttpSettings(connect_timeout=3.0, read_timeout=1.0, retries=0, backoff_s=0.01, backoff_max_s=0.02)
#: for tests that are not about timeouts: a loaded CI machine must not turn a good answer into a timeout
TOLERANT = HttpSettings(connect_timeout=3.0, read_timeout=3.0, retries=0, backoff_s=0.01, backoff_max_s=0.02)


def page(tick: int, *, cache: bool = True) -> str:
    """A small valid exposition whose counters advance with ``tick``."""
    lines = [
        "# TYPE edge_requests_total counter",
        f'edge_requests_total{{worker="w1",status="200"}} {1000 + 100 * tick}',
        f'edge_errors_total{{worker="w1",type="timeout"}} {tick}',
        f'edge_request_duration_seconds_bucket{{le="0.1"}} {90 * tick}',
        f'edge_request_duration_seconds_bucket{{le="+Inf"}} {100 * tick}',
        f'edge_cpu_time_ms_bucket{{le="5"}} {100 * tick}',
        f'edge_cpu_time_ms_bucket{{le="+Inf"}} {100 * tick}',
        'edge_memory_usage_bytes{worker="w1"} 52428800',
        'edge_queue_backlog{queue="vau-batch"} 40',
        f'edge_queue_processing_duration_seconds_bucket{{queue="vau-batch",le="0.5"}} {10 * tick}',
        f'edge_queue_processing_duration_seconds_bucket{{queue="vau-batch",le="+Inf"}} {10 * tick}',
        f'edge_security_blocks_total{{rule="waf"}} {10 * tick}',
        f"edge_rate_limit_violations_total {tick}",
    ]
    if cache:
        lines += [f"edge_cache_hits_total {95 * tick}", f"edge_cache_misses_total {5 * tick}"]
    return "\n".join(lines) + "\n"


class FaultServer:
    """A loopback HTTP server; ``mode``/``health_mode`` choose how it answers."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.health_mode = "ok"
        self.tick = 0
        self.metrics_hits = 0
        self.release = threading.Event()
        self.stopped = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def reply(self, code: int, body: str, ctype: str = "text/plain; version=0.0.4") -> None:
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/health":
                    return self.health()
                server.metrics_hits += 1
                mode = server.mode
                if mode == "flaky":  # every other request fails
                    mode = "500" if server.metrics_hits % 2 else "ok"
                if mode == "slow":
                    server.release.wait(5)
                    return self.reply(200, page(server.tick))
                if mode == "500":
                    return self.reply(500, "internal error\n")
                if mode == "html":
                    return self.reply(200, "<!DOCTYPE html><html><body>Sign in</body></html>\n", "text/html")
                if mode == "html-as-text":
                    return self.reply(200, "<html><body>Sign in</body></html>\n")
                if mode == "truncated":
                    return self.reply(200, page(server.tick)[:-30])
                if mode == "cut":  # Content-Length promises more than is sent
                    body = page(server.tick).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body) + 500))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                if mode == "garbage":
                    return self.reply(200, "\x89PNG\x00\x01 binary junk ###\n%%% more junk %%%\n")
                server.tick += 1
                return self.reply(200, page(server.tick, cache=(mode != "missing")))

            def health(self) -> None:
                mode = server.health_mode
                if mode == "ok":
                    return self.reply(
                        200,
                        json.dumps(
                            {
                                "status": "healthy",
                                "version": "1.2.3",
                                "components": {"cache": "ok", "queue-processor": "ok"},
                            }
                        ),
                        "application/json",
                    )
                if mode == "degraded":
                    return self.reply(
                        200, json.dumps({"status": "degraded", "components": {"cache": "degraded"}}), "application/json"
                    )
                if mode == "down":
                    return self.reply(
                        503, json.dumps({"status": "down", "components": {"cache": "down"}}), "application/json"
                    )
                return self.reply(200, "not json")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def edge():
    server = FaultServer()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poller_for(base_url: str, **kwargs) -> EdgePoller:
    config = simulated_config(base_url)
    kwargs.setdefault("settings", TOLERANT)
    kwargs.setdefault("backoff_max_s", 0.0)
    return EdgePoller(config, config.environment(), **kwargs)


async def test_good_polls_then_500_keeps_last_good_goes_down_and_recovers(edge):
    poller = poller_for(edge.base_url)
    try:
        first = await poller.poll()
        assert first.metrics.state == "live" and first.metrics.error is None
        assert first.derived is not None and first.derived.metrics["request_rate"].note == "warming up"
        assert first.health is not None and first.health.healthy and first.health.version == "1.2.3"
        good = await poller.poll()
        assert good.derived.metrics["request_rate"].value is not None
        assert good.derived.metrics["cache_hit_rate"].value == pytest.approx(95.0)

        edge.mode = "500"
        bad = await poller.poll()
        assert bad.metrics.state == "stale" and bad.metrics.error == "HTTP 500"
        assert bad.derived is good.derived  # the last good values stay on screen
        assert bad.metrics.last_ok == good.metrics.last_ok and bad.age() >= 0
        assert not bad.fresh
        await poller.poll()
        down = await poller.poll()
        assert down.metrics.state == "down" and down.metrics.error == "HTTP 500"
        assert down.derived is good.derived and down.age() == pytest.approx(down.at - good.metrics.last_ok)

        edge.mode = "ok"
        back = await poller.poll()
        assert back.metrics.state == "live" and back.metrics.error is None
        assert back.derived is not good.derived and back.derived.at > good.derived.at
        assert back.derived.metrics["request_rate"].value is not None
    finally:
        await poller.aclose()


@pytest.mark.parametrize(
    "mode, error",
    [
        ("500", "HTTP 500"),
        ("html", "not a metrics page (HTML)"),
        ("html-as-text", "not a metrics page (HTML)"),
        ("truncated", "truncated page (line 14 has no newline)"),
        ("cut", "truncated page (the connection closed before the end)"),
        ("garbage", "not a metrics page (line 1: invalid metric name"),
        ("slow", "timed out after 1.0 s"),
    ],
)
async def test_each_fault_is_named_and_recovers(edge, mode, error):
    poller = poller_for(edge.base_url, settings=SHORT_READ if mode == "slow" else TOLERANT)
    try:
        await poller.poll()
        good = await poller.poll()
        assert good.metrics.state == "live"
        edge.mode = mode
        bad = await poller.poll()
        assert bad.metrics.state == "stale"
        assert bad.metrics.error is not None and bad.metrics.error.startswith(error), bad.metrics.error
        assert bad.derived is good.derived and bad.metrics.last_ok == good.metrics.last_ok
        assert bad.health is not None and bad.health.healthy  # the health endpoint is fine
        edge.mode = "ok"
        edge.release.set()
        back = await poller.poll()
        assert back.metrics.state == "live" and back.metrics.error is None
        assert back.derived.at > good.derived.at
    finally:
        await poller.aclose()


async def test_refused_port_is_down_at_once_with_no_values():
    poller = poller_for(f"http://127.0.0.1:{free_port()}")
    try:
        result = await poller.poll()
        assert result.metrics.state == "down" and result.metrics.error == "connection refused"
        assert result.derived is None and result.metrics.last_ok is None and result.age() is None
        assert result.health is not None and not result.health.healthy
        assert result.health.status == "unreachable" and result.health.error == "connection refused"
        assert result.health_source.state == "down"
    finally:
        await poller.aclose()


async def test_refused_after_good_polls_is_down_and_keeps_the_last_values(edge):
    poller = poller_for(edge.base_url)
    try:
        await poller.poll()
        good = await poller.poll()
        edge.stop()
        result = await poller.poll()
        assert result.metrics.state == "down" and result.metrics.error == "connection refused"
        assert result.derived is good.derived and result.metrics.last_ok == good.metrics.last_ok
        assert result.health_source.state == "down" and result.health_source.error == "connection refused"
    finally:
        await poller.aclose()


async def test_missing_families_keep_last_good_values_marked_stale_and_recover(edge):
    poller = poller_for(edge.base_url)
    try:
        await poller.poll()
        good = await poller.poll()
        good_at = good.derived.metrics["cache_hit_rate"].as_of
        edge.mode = "missing"
        result = await poller.poll()
        assert result.metrics.state == "live"  # the rest of the page is fine
        assert result.metrics.error == "missing families: edge_cache_hits_total, edge_cache_misses_total"
        hit = result.derived.metrics["cache_hit_rate"]
        assert hit.stale and hit.value == pytest.approx(95.0) and hit.as_of == good_at
        assert hit.note == "missing edge_cache_hits_total"
        assert (
            result.derived.metrics["request_rate"].value is not None
            and not result.derived.metrics["request_rate"].stale
        )
        assert "missing families: edge_cache_hits_total, edge_cache_misses_total" in result.warnings
        edge.mode = "ok"
        await poller.poll()  # the family is back: its rate needs a second scrape
        back = await poller.poll()
        assert not back.derived.metrics["cache_hit_rate"].stale
        assert back.derived.metrics["cache_hit_rate"].as_of > good_at and back.metrics.error is None
    finally:
        await poller.aclose()


async def test_health_down_degraded_and_not_json(edge):
    poller = poller_for(edge.base_url)
    try:
        edge.health_mode = "down"
        result = await poller.poll()
        assert result.health is not None and not result.health.healthy
        assert result.health.error == "HTTP 503" and result.health.components == {"cache": "down"}
        assert result.health_source.state == "live"  # it answered; it says it is down
        assert result.metrics.state == "live"  # metrics are unaffected
        edge.health_mode = "degraded"
        result = await poller.poll()
        assert result.health.healthy and result.health.status == "degraded"
        edge.health_mode = "garbage"
        result = await poller.poll()
        assert not result.health.healthy and result.health.error == "health answer is not JSON"
        edge.health_mode = "ok"
        result = await poller.poll()
        assert result.health.healthy and result.health.status == "healthy"
    finally:
        await poller.aclose()


async def test_a_transient_failure_is_retried_within_the_poll(edge):
    settings = HttpSettings(connect_timeout=0.3, read_timeout=0.3, retries=1, backoff_s=0.01, backoff_max_s=0.02)
    poller = poller_for(edge.base_url, settings=settings)
    try:
        edge.mode = "flaky"  # request 1 fails with 500, request 2 succeeds
        result = await poller.poll()
        assert result.metrics.state == "live" and edge.metrics_hits == 2
    finally:
        await poller.aclose()


async def test_repeated_failures_back_off_between_polls(edge):
    poller = poller_for(edge.base_url, backoff_max_s=30.0)
    try:
        edge.mode = "500"
        await poller.poll()  # failure 1: the next poll tries again
        await poller.poll()  # failure 2: wait refresh x 1 before the next try
        hits = edge.metrics_hits
        skipped = await poller.poll()
        assert edge.metrics_hits == hits and skipped.scrape_ms is None
        assert skipped.metrics.state == "down" and skipped.metrics.error == "HTTP 500"
    finally:
        await poller.aclose()


async def test_poll_never_raises_on_an_internal_error(edge, monkeypatch):
    poller = poller_for(edge.base_url)
    try:
        import console.sources.poller as mod

        def boom(*args, **kwargs):
            raise RuntimeError("derive exploded")

        monkeypatch.setattr(mod, "derive", boom)
        result = await poller.poll()
        assert result.metrics.state == "down" and "derive exploded" in result.metrics.error
    finally:
        await poller.aclose()


async def test_states_reach_the_poll_result(edge):
    poller = poller_for(edge.base_url)
    try:
        await poller.poll()
        result = await poller.poll()
        m = result.derived.metrics
        # 100 requests and 1 error per scrape -> 1 % (a warning: not above 1 %)
        assert m["error_rate"].value == pytest.approx(1.0) and m["error_rate"].state is State.WARNING
        assert m["cache_hit_rate"].state is State.NORMAL
        assert result.derived.queues[0].name == "vau-batch"
    finally:
        await poller.aclose()


async def test_parsing_and_derivation_run_off_the_event_loop(edge, monkeypatch):
    import threading as th

    import console.sources.poller as poller_mod
    import console.sources.scrape as scrape_mod

    threads: dict[str, str] = {}
    real_parse, real_derive = scrape_mod._decode_and_parse, poller_mod.derive

    def parse(*args, **kwargs):
        threads["parse"] = th.current_thread().name
        return real_parse(*args, **kwargs)

    def derive(*args, **kwargs):
        threads["derive"] = th.current_thread().name
        return real_derive(*args, **kwargs)

    monkeypatch.setattr(scrape_mod, "_decode_and_parse", parse)
    monkeypatch.setattr(poller_mod, "derive", derive)
    poller = poller_for(edge.base_url)
    try:
        result = await poller.poll()
        assert result.metrics.state == "live"
        loop_thread = th.current_thread().name
        assert threads["parse"] != loop_thread and threads["derive"] != loop_thread
    finally:
        await poller.aclose()


async def test_a_timeout_is_not_retried_within_the_poll(edge):
    settings = HttpSettings(connect_timeout=0.3, read_timeout=0.3, retries=2, backoff_s=0.01, backoff_max_s=0.02)
    poller = poller_for(edge.base_url, settings=settings)
    try:
        edge.mode = "slow"
        started = asyncio.get_running_loop().time()
        result = await poller.poll()
        assert result.metrics.error == "timed out after 0.3 s" and edge.metrics_hits == 1
        assert asyncio.get_running_loop().time() - started < 2.0  # one timeout, not three
    finally:
        await poller.aclose()
