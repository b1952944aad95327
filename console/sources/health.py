"""The edge's ``/health`` endpoint: fetch it and decide healthy / degraded / down (no Textual).

A 2xx answer whose JSON ``status`` is ``ok``, ``healthy`` or ``pass`` (any case) is healthy;
``degraded`` or ``warn`` is healthy but shown as degraded; anything else, a non-2xx answer,
a body that is not JSON, or no answer at all is down, with the reason in ``Health.error``.
Components are read from ``components`` (or ``checks``): a mapping of name -> status string or
``{"status": ...}``, or a list of ``{"name": ..., "status": ...}``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from console.metrics.model import Health
from console.metrics.thresholds import State
from console.sources.http import HttpSettings, describe_error

HEALTHY = frozenset({"ok", "healthy", "pass"})
#: component statuses that count as fine (components often say "up")
COMPONENT_OK = HEALTHY | {"up"}
DEGRADED = frozenset({"degraded", "warn", "warning"})
MAX_HEALTH_BYTES = 1024 * 1024


def interpret(status_code: int, body: bytes | str) -> Health:
    """A Health from an HTTP answer (pure: the tests feed it bodies directly)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    data: Any
    try:
        data = json.loads(text) if text.strip() else None
    except ValueError:
        data = None
    ok_http = 200 <= status_code < 300
    if not isinstance(data, dict):
        what = "empty" if not text.strip() else ("HTML, not JSON" if text.lstrip().startswith("<")
                                                            else "not JSON")
        error = f"HTTP {status_code}" if not ok_http else f"health answer is {what}"
        return Health(healthy=False, status="down" if ok_http else f"HTTP {status_code}", error=error,
                      http_status=status_code)
    raw_status = data.get("status", data.get("state"))
    status = str(raw_status).strip() if raw_status is not None else ""
    components = _components(data.get("components", data.get("checks")))
    version = data.get("version")
    version = str(version) if version is not None else None
    lowered = status.lower()
    if not ok_http:
        return Health(healthy=False, status=status or f"HTTP {status_code}", components=components,
                      version=version, error=f"HTTP {status_code}", http_status=status_code)
    if lowered in HEALTHY or lowered in DEGRADED:
        return Health(healthy=True, status=lowered, components=components, version=version,
                      http_status=status_code)
    error = f"status {status!r}" if status else "no status in the health answer"
    return Health(healthy=False, status=lowered or "unknown", components=components, version=version,
                  error=error, http_status=status_code)


def _components(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for name, body in value.items():
            out[str(name)] = _status_of(body)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and "name" in item:
                out[str(item["name"])] = _status_of(item)
    return out


def _status_of(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("status", body.get("state", "unknown"))
    if isinstance(body, bool):
        return "ok" if body else "down"
    return str(body).lower() if body is not None else "unknown"


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
    except (httpx.HTTPError, OSError, asyncio.TimeoutError, ValueError) as exc:
        reason = describe_error(exc, settings)
        return Health(healthy=False, status="unreachable", error=reason), False
    return interpret(status, body), True


async def _get(client: httpx.AsyncClient, url: str) -> tuple[int, bytes]:
    async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_HEALTH_BYTES:
                raise ValueError("health answer too large")
            chunks.append(chunk)
        return response.status_code, b"".join(chunks)
