"""The edge's ``/health`` endpoint: fetch it and decide healthy / degraded / down (no Textual).

A 2xx answer whose JSON ``status`` is ``ok``, ``healthy`` or ``pass`` (any case) is healthy;
``degraded`` or ``warn`` is healthy but shown as degraded; anything else, a non-2xx answer,
a body that is not JSON, or no answer at all is down, with the reason in ``Health.error``.
Components are read from ``components`` (or ``checks``): a mapping of name -> status string or
``{"status": ...}``, or a list of ``{"name": ..., "status": ...}``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from console import safejson
from console.limits import MAX_HEALTH_COMPONENTS
from console.metrics.model import Health
from console.metrics.thresholds import State
from console.sanitize import clean_line
from console.sources.bounded import BadAnswer, capped_headers, read_capped
from console.sources.http import HttpSettings, describe_error

HEALTHY = frozenset({"ok", "healthy", "pass"})
#: component statuses that count as fine (components often say "up")
COMPONENT_OK = HEALTHY | {"up"}
DEGRADED = frozenset({"degraded", "warn", "warning"})
MAX_HEALTH_BYTES = 1024 * 1024
#: Health.status of an answer that is too large or nested too deep: the source is down with that error
INVALID = "invalid answer"


def interpret(status_code: int, body: bytes | str) -> Health:
    """A Health from an HTTP answer (pure: the tests feed it bodies directly)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    data: Any
    try:
        data = safejson.loads(text) if text.strip() else None
    except safejson.JsonTooDeep as exc:
        return invalid(str(exc), status_code)
    except ValueError:
        data = None
    ok_http = 200 <= status_code < 300
    if not isinstance(data, dict):
        what = "empty" if not text.strip() else ("HTML, not JSON" if text.lstrip().startswith("<") else "not JSON")
        error = f"HTTP {status_code}" if not ok_http else f"health answer is {what}"
        return Health(
            healthy=False, status="down" if ok_http else f"HTTP {status_code}", error=error, http_status=status_code
        )
    raw_status = data.get("status", data.get("state"))
    status = clean_line(str(raw_status).strip()) if raw_status is not None else ""  # outside text
    components = _components(data.get("components", data.get("checks")))
    version = data.get("version")
    version = clean_line(version) if version is not None else None
    lowered = status.lower()
    if not ok_http:
        return Health(
            healthy=False,
            status=status or f"HTTP {status_code}",
            components=components,
            version=version,
            error=f"HTTP {status_code}",
            http_status=status_code,
        )
    if lowered in HEALTHY or lowered in DEGRADED:
        return Health(healthy=True, status=lowered, components=components, version=version, http_status=status_code)
    error = f"status {status!r}" if status else "no status in the health answer"
    return Health(
        healthy=False,
        status=lowered or "unknown",
        components=components,
        version=version,
        error=error,
        http_status=status_code,
    )


def invalid(why: str, status_code: int | None = None) -> Health:
    """The verdict on an answer the console will not read (too large, nested too deep)."""
    return Health(healthy=False, status=INVALID, error=f"{INVALID}: {why}", http_status=status_code)


def _components(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    more: dict[str, str] = {}
    if isinstance(value, dict):
        if len(value) > MAX_HEALTH_COMPONENTS:  # the first ones, then one line for the rest
            rest = list(value.values())[MAX_HEALTH_COMPONENTS:]
            value = dict(list(value.items())[:MAX_HEALTH_COMPONENTS])
            more = _more(rest)
        for name, body in value.items():
            out[clean_line(name)] = _status_of(body)
    elif isinstance(value, list):
        if len(value) > MAX_HEALTH_COMPONENTS:
            more = _more([i for i in value[MAX_HEALTH_COMPONENTS:] if isinstance(i, dict) and "name" in i])
            value = value[:MAX_HEALTH_COMPONENTS]
        for item in value:
            if isinstance(item, dict) and "name" in item:
                out[clean_line(item["name"])] = _status_of(item)
    out.update(more)  # last: after the components shown
    return out


def _more(rest: list[Any]) -> dict[str, str]:
    """One entry for the components past MAX_HEALTH_COMPONENTS: ok when all of them are, else the
    first status that is not (so a long list cannot hide a component that is down)."""
    bad = next((status for status in map(_status_of, rest) if not component_ok(status)), None)
    return {f"(+{len(rest)} more)": bad or "ok"}


def _status_of(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("status", body.get("state", "unknown"))
    if isinstance(body, bool):
        return "ok" if body else "down"
    return clean_line(body).lower() if body is not None else "unknown"


def component_ok(status: str) -> bool:
    return status.lower() in COMPONENT_OK


def health_state(health: Health | None) -> State:
    """normal when healthy, warning when degraded, critical when down, unknown when not checked."""
    if health is None:
        return State.UNKNOWN
    if not health.healthy:
        return State.CRITICAL
    if health.status in DEGRADED or any(not component_ok(s) for s in health.components.values()):
        return State.WARNING
    return State.NORMAL


async def check_health(client: httpx.AsyncClient, url: str, settings: HttpSettings) -> tuple[Health, bool]:
    """GET the health URL: ``(health, answered)``; never raises (except cancellation).

    ``answered`` is False when no HTTP answer came back (refused, timed out): the endpoint is
    unreachable rather than reporting itself down.
    """
    try:
        status, body = await asyncio.wait_for(_get(client, url), settings.total_timeout)
    except BadAnswer as exc:  # too large, or a stacked/unknown compression
        return invalid(str(exc)), False
    except (httpx.HTTPError, OSError, asyncio.TimeoutError, ValueError) as exc:
        reason = describe_error(exc, settings)
        return Health(healthy=False, status="unreachable", error=reason), False
    health = interpret(status, body)
    return health, health.status != INVALID  # an invalid answer: the source is down with that error


async def _get(client: httpx.AsyncClient, url: str) -> tuple[int, bytes]:
    async with client.stream("GET", url, headers=capped_headers({"Accept": "application/json"})) as response:
        return response.status_code, await read_capped(response, MAX_HEALTH_BYTES)
