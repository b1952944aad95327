"""HTTP answers are bounded: a runbook HTTP step (Cloudflare API, admin) and a Prometheus query stop
at a body cap ("answer larger than 8 MiB", configurable with ``limits: {max_body_bytes: N}``) and
hold one total deadline per request, body included, against real servers on 127.0.0.1 that send an
endless body or drip one byte per second."""

from __future__ import annotations

import asyncio
import time

import pytest

from console.config import load_config
from console.runbook import FlowRunner, StepState, parse_runbook
from console.sources.http import HttpSettings
from console.sources.promql import PromQLClient, PromQLError
from tests.security.bounds_util import ENDLESS_SAFETY_BYTES, HostileServer, write_config


def check_flow(path: str, timeout: float):
    text = (
        "version: 1\n"
        "flows:\n"
        "  - id: read-answer\n"
        "    title: Read an answer\n"
        "    section: Troubleshooting\n"
        "    steps:\n"
        "      - kind: check\n"
        "        title: Read it\n"
        f'        http: {{method: GET, url: "{{env.base_url}}{path}", timeout: {timeout:g}}}\n'
    )
    return parse_runbook(text, "bounds.yaml")[0]


async def run_first_step(flow, config) -> tuple[object, float]:
    runner = FlowRunner(flow, config.environment(), {}, config=config)
    started = time.monotonic()
    result = await asyncio.wait_for(runner.run_step(0), 60)
    return result, time.monotonic() - started


@pytest.mark.parametrize("limits,cap", [("", "8 MiB"), ("limits:\n  max_body_bytes: 1048576\n", "1 MiB")])
def test_bounds_http_step_endless_body_stops_at_the_cap(tmp_path, limits, cap):
    with HostileServer() as server:
        server.endless("/endless")
        config = load_config(write_config(tmp_path, server.url, limits))
        result, elapsed = asyncio.run(run_first_step(check_flow("/endless", 15), config))
        sent = server.sent.get("/endless", 0)
    assert result.state == StepState.FAILED, (result.state, result.message)
    assert f"answer larger than {cap}" in result.message, result.message
    assert sent < ENDLESS_SAFETY_BYTES, "the console read the whole 64 MiB instead of stopping at the cap"
    assert elapsed < 15, elapsed


def test_bounds_http_step_slow_drip_is_cut_at_the_step_timeout(tmp_path):
    with HostileServer() as server:
        server.drip("/drip")
        config = load_config(write_config(tmp_path, server.url))
        result, elapsed = asyncio.run(run_first_step(check_flow("/drip", 3), config))
        dripped = server.sent.get("/drip", 0)
    assert dripped >= 1, "the server answered (headers, then a byte per second)"
    assert result.state == StepState.FAILED, (result.state, result.message)
    assert "timed out after 3s" in result.message, result.message
    # one total deadline for the whole request: 3 s, with room for a loaded machine, far below the
    # 20 s the drip goes on for
    assert 2.5 <= elapsed < 8.0, elapsed


def test_bounds_prometheus_query_is_capped_and_has_a_total_deadline(tmp_path):
    with HostileServer() as server:
        server.endless("/big/api/v1/query")
        server.drip("/slow/api/v1/query")

        async def ask(base: str, settings: HttpSettings | None = None) -> tuple[str, float]:
            client = PromQLClient(server.url + base, settings=settings)
            started = time.monotonic()
            try:
                await asyncio.wait_for(client.query("up"), 60)
            except PromQLError as exc:
                return str(exc), time.monotonic() - started
            finally:
                await client.aclose()
            return "no error", time.monotonic() - started

        big, big_s = asyncio.run(ask("/big"))
        # connect 1 s + read 2.5 s (a byte a second never trips the read timeout): one total deadline of 3.5 s
        slow, slow_s = asyncio.run(ask("/slow", HttpSettings(connect_timeout=1.0, read_timeout=2.5)))
        sent = server.sent.get("/big/api/v1/query", 0)
    assert "answer larger than 8 MiB" in big and sent < ENDLESS_SAFETY_BYTES, (big, sent)
    assert big_s < 15, big_s
    assert "timed out" in slow, slow
    assert slow_s < 10.0, slow_s  # one total deadline (3.5 s), not 20 s of drip
