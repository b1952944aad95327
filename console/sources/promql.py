"""Fleet-wide numbers from a Prometheus server's HTTP API (``GET /api/v1/query``), never raising.

Configured per environment with ``prometheus_url``; the range window with the top-level
``prometheus: {window: 1m}``. Each key metric is one instant query (see console.metrics.fleet);
answers become the same MetricValue/State the per-endpoint metrics use.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from console import safejson
from console.config import Config, Environment
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.sanitize import clean_line
from console.metrics.fleet import fleet_queries, targets_query, valid_window
from console.metrics.model import KEY_METRICS, MetricValue, SourceStatus
from console.metrics.thresholds import evaluate
from console.sources.bounded import BadAnswer, request_capped
from console.sources.http import HttpSettings, describe_error, make_client


class PromQLError(Exception):
    pass


#: a Prometheus error message longer than this is cut (it is shown in a border)
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class FleetResult:
    metrics: dict[str, MetricValue]
    source: SourceStatus
    targets: int | None = None
    queries: dict[str, str] = field(default_factory=dict)


def fleet_window(config: Config) -> str:
    section = config.section("prometheus") or {}
    if not isinstance(section, dict):
        raise config.error_at(("prometheus",), "expected a mapping such as {window: 1m}")
    window = str(section.get("window", "1m"))
    if not valid_window(window):
        raise config.error_at(("prometheus", "window"), f"not a PromQL range: {window!r} (e.g. 30s, 1m, 5m)")
    return window


def parse_vector(payload: Any) -> list[tuple[dict[str, str], float]]:
    """The samples of a Prometheus instant-query answer; raises PromQLError naming what is wrong."""
    if not isinstance(payload, dict):
        raise PromQLError("not a Prometheus API answer (expected a JSON object)")
    if payload.get("status") != "success":
        kind = payload.get("errorType") or "error"
        # the server's own words: shown escaped and cut, never obeyed by the terminal or parsed as markup
        raise PromQLError(clean_line(f"{kind}: {payload.get('error') or 'query failed'}")[:MAX_ERROR_CHARS])
    data = payload.get("data") or {}
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return [({}, float(result[1]))]
    if kind != "vector" or not isinstance(result, list):
        raise PromQLError(f"unexpected result type {kind!r}")
    out = []
    for item in result:
        try:
            out.append((dict(item.get("metric") or {}), float(item["value"][1])))
        except (KeyError, IndexError, TypeError, ValueError):
            raise PromQLError("malformed sample in the answer") from None
    return out


class PromQLClient:
    def __init__(self, base_url: str, client: httpx.AsyncClient | None = None,
                 settings: HttpSettings | None = None, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings(read_timeout=5.0)
        self.max_body_bytes = max_body_bytes
        self._own = client is None
        self.client = client or make_client(self.settings)

    async def query(self, expr: str) -> list[tuple[dict[str, str], float]]:
        try:  # one total deadline (connect + read) for the whole answer, and a size cap
            response, body = await request_capped(
                self.client, "GET", f"{self.base_url}/api/v1/query", params={"query": expr},
                timeout=self.settings.timeout(), limit=self.max_body_bytes, deadline=self.settings.total_timeout)
        except (httpx.HTTPError, TimeoutError) as exc:
            raise PromQLError(describe_error(exc, self.settings)) from None
        except BadAnswer as exc:
            raise PromQLError(str(exc)) from None
        try:
            payload = safejson.loads(body)
        except safejson.JsonTooDeep as exc:
            raise PromQLError(f"HTTP {response.status_code}: invalid answer: {exc}") from None
        except ValueError:
            raise PromQLError(f"HTTP {response.status_code}: not a Prometheus API answer") from None
        if response.status_code >= 400 and (not isinstance(payload, dict) or payload.get("status") != "error"):
            raise PromQLError(f"HTTP {response.status_code}")
        return parse_vector(payload)

    async def aclose(self) -> None:
        if self._own:
            await self.client.aclose()


class FleetPoller:
    """Runs the fleet queries concurrently; keeps the last good values when Prometheus fails."""

    def __init__(self, config: Config, env: Environment, client: httpx.AsyncClient | None = None) -> None:
        if not env.prometheus_url:
            raise ValueError(f"environment {env.name!r} has no prometheus_url")
        self.config = config
        self.queries = fleet_queries(config.metric_names, fleet_window(config))
        self.targets_query = targets_query(config.metric_names)
        self.promql = PromQLClient(env.prometheus_url, client,
                                   max_body_bytes=getattr(config, "max_body_bytes", DEFAULT_MAX_BODY_BYTES))
        self.last_ok: float | None = None
        self.last_metrics: dict[str, MetricValue] = {}
        self.last_targets: int | None = None

    async def poll(self) -> FleetResult:
        now = time.time()
        keys = list(self.queries)
        answers = await asyncio.gather(*(self.promql.query(self.queries[k]) for k in keys),
                                       self.promql.query(self.targets_query), return_exceptions=True)
        errors = [a for a in answers if isinstance(a, BaseException)]
        if errors and len(errors) == len(answers):
            state = "down" if self.last_ok is None else "stale"
            return FleetResult(self.last_metrics, SourceStatus("prometheus", state, self.last_ok, str(errors[0])),
                               self.last_targets, self.queries)
        metrics: dict[str, MetricValue] = {}
        for key, answer in zip(keys, answers[:-1]):
            label, unit = KEY_METRICS[key]
            if isinstance(answer, BaseException):
                metrics[key] = MetricValue(key, label, unit, None, evaluate(None, None), note=clean_line(answer)[:60])
                continue
            value = answer[0][1] if answer else None
            note = ""
            if value is None:
                note = "no data"
            elif math.isnan(value) or math.isinf(value):
                value, note = None, "no traffic"
            metrics[key] = MetricValue(key, label, unit, value, evaluate(value, self.config.thresholds.get(key)),
                                       note=note, as_of=now)
        targets_answer = answers[-1]
        targets = None
        if not isinstance(targets_answer, BaseException) and targets_answer:
            targets = int(targets_answer[0][1])
        self.last_ok, self.last_metrics, self.last_targets = now, metrics, targets
        error = str(errors[0]) if errors else None
        return FleetResult(metrics, SourceStatus("prometheus", "live", now, error), targets, self.queries)

    async def aclose(self) -> None:
        await self.promql.aclose()
