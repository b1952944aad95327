"""Review 4: ``fetch_history`` promises never to raise (a failed query is an empty series and a reason),
so a runbook ``metrics`` step and the sparklines fall back to the console's own scrapes. A Prometheus
(or a proxy in front of it) answering a sample whose timestamp is not finite (``"NaN"``, ``1e999``)
made it raise (``round(nan)``, ``round(inf)``) instead: the history was lost and the runbook step broke."""

from __future__ import annotations

import asyncio
import json
import math
import textwrap

from console.config import parse_config
from console.sources.promhistory import HISTORY_POINTS, fetch_history
from console.sources.promql import PromQLClient
from tests.security.bounds_util import HostileServer

NOW = 1_800_000_000.0


def _matrix(values: list) -> bytes:
    return (
        json.dumps(
            {
                "status": "success",
                "data": {"resultType": "matrix", "result": [{"metric": {"job": "edge"}, "values": values}]},
            }
        )
        .replace('"__INF__"', "1e999")
        .encode()
    )


def test_non_finite_sample_times_are_skipped_not_fatal(tmp_path):
    good = [NOW - 60, "5"]
    with HostileServer() as server:
        server.page(
            "/api/v1/query_range", _matrix([[NOW - 120, "1"], ["NaN", "2"], ["__INF__", "3"], good]), "application/json"
        )
        server.page(
            "/api/v1/query",
            json.dumps(
                {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [NOW, "7"]}]}}
            ).encode(),
            "application/json",
        )
        config = parse_config(
            textwrap.dedent(f"""\
            environments:
              production: {{base_url: https://edge.example.com, prometheus_url: "{server.url}"}}
            """),
            tmp_path / "c.yaml",
        )
        env = config.environment("production")

        async def go():
            client = PromQLClient(server.url)
            try:
                return await fetch_history(config, env, "1h", now=NOW, client=client)
            finally:
                await client.aclose()

        history = asyncio.run(go())
    series = history.history("request_rate")
    assert len(series) == HISTORY_POINTS
    values = [v for v in series if v is not None]
    assert values and all(math.isfinite(v) for v in values)
    assert history.security_blocks_24h == 7.0
