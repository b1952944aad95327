"""Fleet-wide numbers from a Prometheus server's HTTP API (``GET /api/v1/query``), never raising.

Configured per environment with ``prometheus_url``, ``prometheus_selector`` (label matchers added to
every query), ``prometheus_token_env`` (a bearer token) and ``prometheus_tenant`` (``X-Scope-OrgID``);
the range window with the top-level ``prometheus: {window: 1m, scrape_interval: 15s}``. Each key metric
is one instant query (see console.metrics.fleet); answers become the same MetricValue/State the
per-endpoint metrics use. Each poll also lists the environment's down targets (``up == 0``), and the
first one checks the rate window against the scrape interval (the config's, else Prometheus's own
``/api/v1/status/config``).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

import httpx

from console import safejson
from console.config import Config, Environment
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.sanitize import clean_line
from console.metrics.fleet import down_targets_query, fleet_queries, targets_query, window_problem
from console.metrics.model import KEY_METRICS, MetricValue, SourceStatus
from console.metrics.thresholds import evaluate
from console.runbook.clock import SYSTEM_CLOCK, RunClock
from console.sources.bounded import BadAnswer, request_capped
from console.sources.http import HttpSettings, describe_error, make_client


class PromQLError(Exception):
    pass


#: a Prometheus error message longer than this is cut (it is shown in a border)
MAX_ERROR_CHARS = 300
#: series kept from one answer (a selector that matches a whole cluster must not flood the console)
MAX_SERIES = 500
#: points kept per series of a range answer
MAX_POINTS = 2000
#: down targets named on screen
MAX_DOWN_SHOWN = 20


@dataclass(frozen=True)
class FleetResult:
    metrics: dict[str, MetricValue]
    source: SourceStatus
    targets: int | None = None
    queries: dict[str, str] = field(default_factory=dict)
    #: ``instance`` (or job) of each target whose ``up`` is 0, sanitised
    down_targets: tuple[str, ...] = ()
    #: the rate window is too short for the scrape interval, and similar advice
    warnings: tuple[str, ...] = ()
    #: values that are not dashboard rows (security blocks, rate-limit violations per second)
    extra: dict[str, float | None] = field(default_factory=dict)


def fleet_window(config: Config) -> str:
    from console.monitoring_config import prometheus_settings

    return prometheus_settings(config).window


def _api_error(payload: Any) -> None:
    if not isinstance(payload, dict):
        raise PromQLError("not a Prometheus API answer (expected a JSON object)")
    if payload.get("status") != "success":
        kind = payload.get("errorType") or "error"
        # the server's own words: shown escaped and cut, never obeyed by the terminal or parsed as markup
        raise PromQLError(clean_line(f"{kind}: {payload.get('error') or 'query failed'}")[:MAX_ERROR_CHARS])


def _labels(item: Any) -> dict[str, str]:
    metric = item.get("metric") if isinstance(item, dict) else None
    if not isinstance(metric, dict):
        return {}
    return {clean_line(str(k))[:100]: clean_line(str(v))[:200] for k, v in list(metric.items())[:64]}


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data") or {}
    if not isinstance(data, dict):
        raise PromQLError("not a Prometheus API answer (data is not an object)")
    return data


def _sample(pair: Any) -> float:
    """The value of a ``[time, "value"]`` pair (a string, as Prometheus sends it, or a number); raises
    ValueError for anything else (``"x7"[1]`` must not become 7)."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        raise ValueError("not a [time, value] pair")
    value = pair[1]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("not a sample value")
    return float(value)


def parse_vector(payload: Any) -> list[tuple[dict[str, str], float]]:
    """The samples of a Prometheus instant-query answer; raises PromQLError naming what is wrong."""
    _api_error(payload)
    data = _data(payload)
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        try:
            return [({}, _sample(result))]
        except ValueError:
            raise PromQLError("malformed scalar in the answer") from None
    if kind != "vector" or not isinstance(result, list):
        raise PromQLError(f"unexpected result type {str(kind)[:40]!r}")
    out = []
    for item in result[:MAX_SERIES]:
        try:
            out.append((_labels(item), _sample(item["value"])))
        except (KeyError, IndexError, TypeError, ValueError):
            raise PromQLError("malformed sample in the answer") from None
    return out


def parse_matrix(payload: Any) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
    """The series of a ``query_range`` answer: (labels, [(unix time, value), ...])."""
    _api_error(payload)
    data = _data(payload)
    kind = data.get("resultType")
    result = data.get("result")
    if kind != "matrix" or not isinstance(result, list):
        raise PromQLError(f"unexpected result type {str(kind)[:40]!r} (expected a matrix)")
    out = []
    for item in result[:MAX_SERIES]:
        try:
            values = [(float(p[0]), _sample(p)) for p in (item.get("values") or [])[:MAX_POINTS]]
        except (TypeError, ValueError, AttributeError):
            raise PromQLError("malformed sample in the answer") from None
        out.append((_labels(item), values))
    return out


def auth_headers(env: Environment) -> dict[str, str]:
    """``Authorization: Bearer`` from ``prometheus_token_env`` and ``X-Scope-OrgID`` from
    ``prometheus_tenant``, when configured (the token only ever in this header)."""
    from console.secrets import read_secret

    headers = {}
    token = read_secret(getattr(env, "prometheus_token_env", None), None)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    tenant = getattr(env, "prometheus_tenant", None)
    if tenant:
        headers["X-Scope-OrgID"] = tenant
    return headers


class PromQLClient:
    def __init__(
        self,
        base_url: str,
        client: httpx.AsyncClient | None = None,
        settings: HttpSettings | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings(read_timeout=5.0)
        self.max_body_bytes = max_body_bytes
        self.headers = dict(headers or {})
        self._own = client is None
        self.client = client or make_client(self.settings)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:  # one total deadline (connect + read) for the whole answer, and a size cap
            response, body = await request_capped(
                self.client,
                "GET",
                f"{self.base_url}{path}",
                params=params or {},
                headers=self.headers,
                timeout=self.settings.timeout(),
                limit=self.max_body_bytes,
                deadline=self.settings.total_timeout,
            )
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
        return payload

    async def query(self, expr: str) -> list[tuple[dict[str, str], float]]:
        return parse_vector(await self._get("/api/v1/query", {"query": expr}))

    async def query_range(
        self, expr: str, start: float, end: float, step_s: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float]]]]:
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{max(step_s, 1.0):g}"}
        return parse_matrix(await self._get("/api/v1/query_range", params))

    async def scrape_interval(self, job: str | None = None) -> float | None:
        """The scrape interval Prometheus uses (``job``'s when it sets one, else the global one), from
        ``/api/v1/status/config`` (its YAML, read with the console's bounded loader)."""
        from console.metrics.promduration import parse_duration
        from console.yamlpaths import compose_and_load

        payload = await self._get("/api/v1/status/config")
        _api_error(payload)
        text = (payload.get("data") or {}).get("yaml")
        if not isinstance(text, str):
            raise PromQLError("status/config answer without yaml")
        try:
            _, data = compose_and_load(text)
        except Exception as exc:  # noqa: BLE001 - a config we cannot read is "unknown", said once
            raise PromQLError(f"cannot read Prometheus's config: {type(exc).__name__}") from None
        data = data if isinstance(data, dict) else {}
        interval = (data.get("global") or {}).get("scrape_interval", "1m")
        for scrape in data.get("scrape_configs") or []:
            if isinstance(scrape, dict) and job is not None and scrape.get("job_name") == job:
                interval = scrape.get("scrape_interval", interval)
        try:
            return parse_duration(str(interval))
        except ValueError:
            return None

    async def aclose(self) -> None:
        if self._own:
            await self.client.aclose()


def client_for(config: Config, env: Environment, client: httpx.AsyncClient | None = None) -> PromQLClient:
    if not env.prometheus_url:
        raise ValueError(f"environment {env.name!r} has no prometheus_url")
    return PromQLClient(
        env.prometheus_url,
        client,
        headers=auth_headers(env),
        max_body_bytes=getattr(config, "max_body_bytes", DEFAULT_MAX_BODY_BYTES),
    )


class FleetPoller:
    """Runs the fleet queries concurrently; keeps the last good values when Prometheus fails. Its timestamps
    (``as_of``, ``last_ok``) are ``clock.time()`` (:mod:`console.runbook.clock`, the real one by default); the
    rates are Prometheus's own, over its window."""

    def __init__(
        self,
        config: Config,
        env: Environment,
        client: httpx.AsyncClient | None = None,
        *,
        clock: RunClock | None = None,
    ) -> None:
        from console.metrics.promselector import equality_labels
        from console.monitoring_config import prometheus_settings

        if not env.prometheus_url:
            raise ValueError(f"environment {env.name!r} has no prometheus_url")
        self.config = config
        self.clock: RunClock = clock if clock is not None else SYSTEM_CLOCK
        self.settings = prometheus_settings(config)
        selector = getattr(env, "prometheus_selector", "") or ""
        self.job = equality_labels(selector).get("job")
        self.queries = fleet_queries(config.metric_names, self.settings.window, selector)
        self.targets_query = targets_query(config.metric_names, selector)
        self.down_query = down_targets_query(selector)
        self.promql = client_for(config, env, client)
        self.last_ok: float | None = None
        self.last_metrics: dict[str, MetricValue] = {}
        self.last_targets: int | None = None
        self.last_down: tuple[str, ...] = ()
        self.warnings: tuple[str, ...] = ()
        self._interval_checked = False

    async def check_window(self) -> tuple[str, ...]:
        """The rate window against the scrape interval (config value, else Prometheus's config)."""
        interval = self.settings.scrape_interval_s
        if interval is None:
            try:
                interval = await self.promql.scrape_interval(self.job)
            except PromQLError:
                return ()  # unknown: said nothing rather than guessing; the fleet numbers still show
        problem = window_problem(self.settings.window_s, interval)
        return (problem,) if problem else ()

    async def poll(self) -> FleetResult:
        now = self.clock.time()
        if not self._interval_checked:
            self.warnings = await self.check_window()
            self._interval_checked = True
        keys = list(self.queries)
        answers = await asyncio.gather(
            *(self.promql.query(self.queries[k]) for k in keys),
            self.promql.query(self.targets_query),
            self.promql.query(self.down_query),
            return_exceptions=True,
        )
        errors = [a for a in answers if isinstance(a, BaseException)]
        if errors and len(errors) == len(answers):
            state = "down" if self.last_ok is None else "stale"
            return FleetResult(
                self.last_metrics,
                SourceStatus("prometheus", state, self.last_ok, str(errors[0])),
                self.last_targets,
                self.queries,
                self.last_down,
                self.warnings,
            )
        metrics: dict[str, MetricValue] = {}
        extra: dict[str, float | None] = {}
        for key, answer in zip(keys, answers[:-2]):
            if key not in KEY_METRICS:
                extra[key] = None if isinstance(answer, BaseException) or not answer else answer[0][1]
                continue
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
            metrics[key] = MetricValue(
                key, label, unit, value, evaluate(value, self.config.thresholds.get(key)), note=note, as_of=now
            )
        targets_answer, down_answer = answers[-2], answers[-1]
        targets = None
        if not isinstance(targets_answer, BaseException) and targets_answer:
            count = targets_answer[0][1]
            targets = int(count) if math.isfinite(count) else None  # NaN/Inf from outside: unknown, not a crash
        down = self.last_down
        if not isinstance(down_answer, BaseException):
            down = tuple(sorted(labels.get("instance") or labels.get("job") or "?" for labels, _ in down_answer))
        self.last_ok, self.last_metrics, self.last_targets, self.last_down = now, metrics, targets, down
        error = str(errors[0]) if errors else None
        return FleetResult(
            metrics, SourceStatus("prometheus", "live", now, error), targets, self.queries, down, self.warnings, extra
        )

    async def aclose(self) -> None:
        await self.promql.aclose()
