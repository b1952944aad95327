"""Alerts and silences as Alertmanager's API v2 answers them, parsed defensively (pure).

Every label, annotation and id comes from outside: cleaned with :mod:`console.sanitize`, cut to a
length, and counted (at most :data:`MAX_ALERTS` alerts, :data:`MAX_LABELS` labels each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.sanitize import clean_line

MAX_ALERTS = 500
MAX_SILENCES = 500
MAX_LABELS = 64
MAX_KEY = 100
MAX_VALUE = 300


class AnswerError(ValueError):
    pass


def _text(value: Any, limit: int = MAX_VALUE) -> str:
    return clean_line(str(value))[:limit] if value is not None else ""


def _mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {_text(k, MAX_KEY): _text(v) for k, v in list(value.items())[:MAX_LABELS]}


def parse_time(text: Any) -> float | None:
    """Unix seconds of an RFC 3339 time (``2026-12-03T10:00:00.123Z``), None when unreadable."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    if "." in value:  # Go writes nanoseconds; Python takes at most microseconds
        head, _, rest = value.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        value = f"{head}.{digits[:6]}{zone}"
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class AmAlert:
    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: float | None
    #: ``active``, ``suppressed`` or ``unprocessed``
    state: str
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def silenced(self) -> bool:
        return bool(self.silenced_by)

    @property
    def inhibited(self) -> bool:
        return bool(self.inhibited_by)

    @property
    def status_text(self) -> str:
        if self.silenced:
            return "silenced"
        if self.inhibited:
            return "inhibited"
        return self.state or "active"

    def describe(self) -> str:
        others = ",".join(f"{k}={v}" for k, v in sorted(self.labels.items()) if k != "alertname")
        return f"{self.alertname or '?'}{{{others}}}" if others else (self.alertname or "?")

    def as_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "alertname": self.alertname,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "starts_at": self.starts_at,
            "state": self.state,
            "silenced_by": list(self.silenced_by),
            "inhibited_by": list(self.inhibited_by),
            "silenced": self.silenced,
            "inhibited": self.inhibited,
        }


@dataclass(frozen=True)
class Silence:
    id: str
    state: str
    matchers: list[dict[str, Any]] = field(default_factory=list)
    starts_at: float | None = None
    ends_at: float | None = None
    created_by: str = ""
    comment: str = ""


def parse_alerts(payload: Any) -> list[AmAlert]:
    """``GET /api/v2/alerts``: a JSON list of gettableAlert objects."""
    if not isinstance(payload, list):
        raise AnswerError("not an Alertmanager alerts answer (expected a JSON list)")
    out = []
    for item in payload[:MAX_ALERTS]:
        if not isinstance(item, dict):
            raise AnswerError("malformed alert in the answer (expected an object)")
        status = item.get("status") if isinstance(item.get("status"), dict) else {}
        silenced = status.get("silencedBy") if isinstance(status.get("silencedBy"), list) else []
        inhibited = status.get("inhibitedBy") if isinstance(status.get("inhibitedBy"), list) else []
        out.append(
            AmAlert(
                fingerprint=_text(item.get("fingerprint"), 64),
                labels=_mapping(item.get("labels")),
                annotations=_mapping(item.get("annotations")),
                starts_at=parse_time(item.get("startsAt")),
                state=_text(status.get("state") or "active", 20),
                silenced_by=tuple(_text(s, 64) for s in silenced[:20]),
                inhibited_by=tuple(_text(s, 64) for s in inhibited[:20]),
            )
        )
    return out


def parse_silences(payload: Any) -> list[Silence]:
    """``GET /api/v2/silences``: a JSON list of gettableSilence objects."""
    if not isinstance(payload, list):
        raise AnswerError("not an Alertmanager silences answer (expected a JSON list)")
    out = []
    for item in payload[:MAX_SILENCES]:
        if not isinstance(item, dict):
            raise AnswerError("malformed silence in the answer (expected an object)")
        status = item.get("status") if isinstance(item.get("status"), dict) else {}
        matchers = []
        for m in (item.get("matchers") if isinstance(item.get("matchers"), list) else [])[:MAX_LABELS]:
            if isinstance(m, dict):
                matchers.append(
                    {
                        "name": _text(m.get("name"), MAX_KEY),
                        "value": _text(m.get("value")),
                        "isRegex": bool(m.get("isRegex")),
                        "isEqual": m.get("isEqual", True) is not False,
                    }
                )
        out.append(
            Silence(
                id=_text(item.get("id"), 64),
                state=_text(status.get("state"), 20),
                matchers=matchers,
                starts_at=parse_time(item.get("startsAt")),
                ends_at=parse_time(item.get("endsAt")),
                created_by=_text(item.get("createdBy"), 100),
                comment=_text(item.get("comment")),
            )
        )
    return out


def silence_lines(payload: Any, *, states: tuple[str, ...] = ("active", "pending")) -> list[str]:
    """One line per silence (id, state, matchers, end, comment), active and pending ones first."""
    from datetime import datetime, timezone

    from console.alertmanager.matchers import format_matchers

    silences = [s for s in parse_silences(payload) if not states or s.state in states]
    lines = [f"{len(silences)} silence(s) {'/'.join(states)}" if states else f"{len(silences)} silence(s)"]
    for s in silences[:50]:
        try:
            ends = (
                datetime.fromtimestamp(s.ends_at, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if s.ends_at else "?"
            )
        except (OverflowError, ValueError, OSError):  # a valid RFC 3339 time beyond year 9999 in UTC
            ends = "?"
        lines.append(
            f"  {s.id} {s.state} {format_matchers(s.matchers)} until {ends}" + (f" ({s.comment})" if s.comment else "")
        )
    if len(silences) > 50:
        lines.append(f"  ... {len(silences) - 50} more")
    return lines
