"""Record objects <-> JSON: one poll (derived values, raw health, source states), alerts, tail events,
incident entries and flow steps. Decoding checks every type (a recording is outside input) and raises
:class:`RecordError` naming what is wrong."""

from __future__ import annotations

import math
from typing import Any

from console.metrics.model import Derived, Health, MetricValue, QueueInfo, SecurityRule, SourceStatus
from console.metrics.thresholds import State
from console.limits import MAX_HEALTH_COMPONENTS
from console.sanitize import clean_line

#: record kinds, in the ``k`` field of each line
HEADER, POLL, ALERTS, TAIL, INCIDENT, FLOW, END = "header", "poll", "alerts", "tail", "incident", "flow", "end"
KINDS = (HEADER, POLL, ALERTS, TAIL, INCIDENT, FLOW, END)
FORMAT_VERSION = 1


class RecordError(ValueError):
    """A record that does not decode; the message says what (the reader adds ``file:line:``)."""


# -- encoding ----------------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None  # JSON has no NaN/inf: a recording stays parseable


def _rel(value: float | None, at: float) -> float | None:
    """A wall-clock time as seconds relative to the poll's own time (replay adds the record's ``t``)."""
    return None if value is None else round(float(value) - at, 3)


def _metric(m: MetricValue, at: float) -> dict[str, Any]:
    out: dict[str, Any] = {"label": m.label, "unit": m.unit, "value": _num(m.value), "state": m.state.value}
    if m.note:
        out["note"] = m.note
    if m.as_of is not None:
        out["as_of"] = _rel(m.as_of, at)
    if m.stale:
        out["stale"] = True
    return out


def _source(s: SourceStatus, at: float) -> dict[str, Any]:
    return {"name": s.name, "state": s.state, "last_ok": _rel(s.last_ok, at), "error": s.error}


def derived_to_json(d: Derived, at: float) -> dict[str, Any]:
    return {
        "at": _rel(d.at, at),
        "window_s": d.window_s,
        "has_window": d.has_window,
        "metrics": {key: _metric(m, at) for key, m in d.metrics.items()},
        "queues": [
            {
                "name": q.name,
                "backlog": _num(q.backlog),
                "state": q.state.value,
                "trend": _num(q.trend_per_s),
                "eta": _num(q.drain_eta_s),
                "p95": _num(q.processing_p95_ms),
                "invalid": q.invalid,
            }
            for q in d.queues
        ],
        "queues_more": d.queues_more,
        "security": [
            {
                "rule": r.rule,
                "total": _num(r.total),
                "per_s": _num(r.per_second),
                "spike": r.spike,
                "base": _num(r.baseline_per_s),
            }
            for r in d.security
        ],
        "security_more": d.security_more,
        "queues_unread": d.queues_unread,
        "security_unread": d.security_unread,
        "security_per_s": _num(d.security_per_s),
        "security_total": _num(d.security_total),
        "rl_per_s": _num(d.rate_limit_violations_per_s),
        "warnings": list(d.warnings),
        "missing": list(d.missing),
    }


def health_to_json(h: Health) -> dict[str, Any]:
    return {
        "healthy": h.healthy,
        "status": h.status,
        "components": dict(h.components),
        "version": h.version,
        "error": h.error,
        "http_status": h.http_status,
    }


def poll_to_json(result: Any, t: float | None = None) -> dict[str, Any]:
    """One poll as the console saw it (``console.sources.poller.PollResult``), at ``t`` (default: the
    poll's own time). Every other time in it is stored relative to the poll, so a replay shows the same
    ages and windows at the recorded moment whatever clock stamped the record."""
    at = result.at
    return {
        "k": POLL,
        "t": at if t is None else t,
        "env": result.environment,
        "derived": derived_to_json(result.derived, at) if result.derived is not None else None,
        "metrics": _source(result.metrics, at),
        "health": health_to_json(result.health) if result.health else None,
        "health_source": _source(result.health_source, at),
        "scrape_ms": result.scrape_ms,
        "warnings": list(result.warnings),
    }


def alerts_to_json(alerts: list[Any], at: float) -> dict[str, Any]:
    """The active alerts (``console.incident.alerts.Alert``) after a poll, worst first."""
    return {
        "k": ALERTS,
        "t": at,
        "alerts": [
            {
                "key": a.key,
                "level": a.level.value,
                "value": _num(a.value),
                "text": a.describe(),
                "flow": a.flow_id,
                "severity": a.severity,
                "since": a.since,
            }
            for a in alerts
        ],
    }


def tail_to_json(event: Any, at: float) -> dict[str, Any]:
    """A tail event: its original JSON text (every field survives), when the console received it."""
    return {"k": TAIL, "t": at, "text": event.text}


def incident_to_json(incident_id: str, entry: Any, at: float) -> dict[str, Any]:
    return {"k": INCIDENT, "t": at, "entry": entry.to_json(incident_id)}


def flow_to_json(record: dict[str, Any], at: float) -> dict[str, Any]:
    return {"k": FLOW, "t": at, "record": dict(record)}


# -- decoding (hostile input) -------------------------------------------------------------------
def _need(obj: Any, key: str, types: Any, where: str, *, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise RecordError(f"{where}: expected an object")
    value = obj.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) and types in ((int, float), float, int):
        raise RecordError(f"{where}.{key}: expected a number")
    if not isinstance(value, types):
        raise RecordError(f"{where}.{key}: expected {_type_name(types)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RecordError(f"{where}.{key}: must be a finite number")
    if type(value) is str:  # a recording is a file from outside: its text reaches the screen cleaned
        return clean_line(value)
    return value


def _texts(values: list[Any]) -> list[str]:
    return [clean_line(x) for x in values]


def _type_name(types: Any) -> str:
    names = {str: "a string", dict: "an object", list: "a list", bool: "true/false", int: "an integer"}
    if isinstance(types, tuple):
        return "a number" if set(types) == {int, float} else " or ".join(names.get(t, t.__name__) for t in types)
    return names.get(types, types.__name__)


NUM = (int, float)


def _state(value: Any, where: str) -> State:
    try:
        return State(value)
    except ValueError:
        raise RecordError(f"{where}: unknown state {str(value)[:20]!r}") from None


def _opt_num(obj: dict, key: str, where: str) -> float | None:
    value = _need(obj, key, NUM, where, optional=True)
    return None if value is None else float(value)


def _opt_str(obj: dict, key: str, where: str) -> str | None:
    return _need(obj, key, str, where, optional=True)


def _abs(value: float | None, t: float) -> float | None:
    return None if value is None else t + value


def source_from_json(obj: Any, where: str, t: float) -> SourceStatus:
    return SourceStatus(
        name=_need(obj, "name", str, where),
        state=_need(obj, "state", str, where),
        last_ok=_abs(_opt_num(obj, "last_ok", where), t),
        error=_opt_str(obj, "error", where),
    )


def health_from_json(obj: Any, where: str) -> Health:
    comps = _need(obj, "components", dict, where)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in comps.items()):
        raise RecordError(f"{where}.components: expected names and states as strings")
    status = _need(obj, "http_status", int, where, optional=True)
    # the console records at most MAX_HEALTH_COMPONENTS and one line for the rest (console/sources/health.py)
    shown = list(comps.items())[: MAX_HEALTH_COMPONENTS + 1]
    return Health(
        healthy=_need(obj, "healthy", bool, where),
        status=_need(obj, "status", str, where),
        components={clean_line(name): clean_line(state) for name, state in shown},
        version=_opt_str(obj, "version", where),
        error=_opt_str(obj, "error", where),
        http_status=status,
    )


def derived_from_json(obj: Any, where: str, t: float) -> Derived:
    metrics: dict[str, MetricValue] = {}
    for key, m in _need(obj, "metrics", dict, where).items():
        w = f"{where}.metrics.{key[:40]}"
        metrics[key] = MetricValue(
            key=key,
            label=_need(m, "label", str, w),
            unit=_need(m, "unit", str, w),
            value=_opt_num(m, "value", w),
            state=_state(m.get("state"), w + ".state"),
            note=_opt_str(m, "note", w) or "",
            as_of=_abs(_opt_num(m, "as_of", w), t),
            stale=bool(m.get("stale", False)),
        )
    queues = []
    for i, q in enumerate(_need(obj, "queues", list, where)):
        w = f"{where}.queues[{i}]"
        queues.append(
            QueueInfo(
                name=_need(q, "name", str, w),
                backlog=_opt_num(q, "backlog", w) or 0.0,
                state=_state(q.get("state"), w + ".state"),
                trend_per_s=_opt_num(q, "trend", w),
                drain_eta_s=_opt_num(q, "eta", w),
                processing_p95_ms=_opt_num(q, "p95", w),
                invalid=_opt_str(q, "invalid", w) or "",
            )
        )
    security = []
    for i, r in enumerate(_need(obj, "security", list, where)):
        w = f"{where}.security[{i}]"
        security.append(
            SecurityRule(
                rule=_need(r, "rule", str, w),
                total=_opt_num(r, "total", w) or 0.0,
                per_second=_opt_num(r, "per_s", w),
                spike=bool(r.get("spike", False)),
                baseline_per_s=_opt_num(r, "base", w),
            )
        )
    return Derived(
        at=t + float(_need(obj, "at", NUM, where)),
        window_s=float(_need(obj, "window_s", NUM, where)),
        metrics=metrics,
        queues=queues,
        queues_more=int(_need(obj, "queues_more", int, where)),
        security=security,
        security_more=int(_need(obj, "security_more", int, where)),
        queues_unread=int(_need(obj, "queues_unread", int, where, optional=True) or 0),
        security_unread=int(_need(obj, "security_unread", int, where, optional=True) or 0),
        security_per_s=_opt_num(obj, "security_per_s", where),
        security_total=_opt_num(obj, "security_total", where) or 0.0,
        rate_limit_violations_per_s=_opt_num(obj, "rl_per_s", where),
        warnings=_texts(_need(obj, "warnings", list, where)),
        missing=_texts(_need(obj, "missing", list, where)),
        has_window=bool(obj.get("has_window", True)),
    )


def poll_from_json(obj: dict[str, Any]) -> Any:
    """A ``console.sources.poller.PollResult`` (imported here: the module loads the HTTP client)."""
    from console.sources.poller import PollResult

    derived = obj.get("derived")
    health = obj.get("health")
    t = float(_need(obj, "t", NUM, "poll"))
    return PollResult(
        derived=derived_from_json(derived, "derived", t) if derived is not None else None,
        metrics=source_from_json(obj.get("metrics"), "metrics", t),
        health=health_from_json(health, "health") if health is not None else None,
        health_source=source_from_json(obj.get("health_source"), "health_source", t),
        at=t,
        environment=_opt_str(obj, "env", "poll") or "",
        scrape_ms=_opt_num(obj, "scrape_ms", "poll"),
        warnings=_texts(_need(obj, "warnings", list, "poll", optional=True) or []),
    )


def check_record(obj: Any) -> dict[str, Any]:
    """The common shape of every line: an object with a known ``k`` and a finite time ``t``; a poll
    is decoded here too (so a damaged poll is reported at its line, not in the middle of a replay)."""
    if not isinstance(obj, dict):
        raise RecordError("expected a JSON object")
    kind = obj.get("k")
    if kind not in KINDS:
        raise RecordError(f"unknown record kind {str(kind)[:20]!r}")
    _need(obj, "t", NUM, kind)
    if kind == POLL:
        obj["_poll"] = poll_from_json(obj)
    elif kind == TAIL:
        _need(obj, "text", str, "tail")
    elif kind == ALERTS:
        for i, alert in enumerate(_need(obj, "alerts", list, "alerts")):
            _need(alert, "text", str, f"alerts[{i}]")
            _state(alert.get("level"), f"alerts[{i}].level")
    elif kind == INCIDENT:
        _need(obj, "entry", dict, "incident")
    elif kind == FLOW:
        _need(obj, "record", dict, "flow")
    return obj
