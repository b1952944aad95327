"""Template converters for Alertmanager silences (``{matchers!matchers}``, ``{duration!until}``), pure.

- ``!matchers``: ``alertname=EdgeHighErrorRate,env=production`` -> the API v2 matcher objects
  (``{name, value, isRegex, isEqual}``), only as a whole JSON body leaf.
- ``!until``: a duration (``1h``, ``1h30m``: Prometheus's syntax) -> the ISO 8601 UTC time that long from
  now, a silence's ``endsAt``.

A value that does not convert raises :class:`BadValue` (a TemplateError with the reference), which the
runner reports at the input's field when the value came from an input.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from console.runbook.template import Context, Ref, TemplateError


class BadValue(TemplateError):
    def __init__(self, ref: Ref, detail: str) -> None:
        self.ref = ref
        self.detail = detail
        what = f"input {ref.name}" if ref.scope == "input" else "{" + f"{ref.scope}.{ref.name}" + "}"
        super().__init__(f"{what}: {detail}")


def iso_after(seconds: float, now: float | None = None) -> str:
    moment = datetime.fromtimestamp((time.time() if now is None else now) + seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def convert(ref: Ref, value: Any, ctx: Context) -> Any:
    if ref.converter == "matchers":
        from console.alertmanager.matchers import MatcherError, parse_matchers

        if isinstance(value, list):
            return value
        try:
            return parse_matchers(str(value))
        except MatcherError as exc:
            raise BadValue(ref, str(exc)) from None
    if ref.converter == "until":
        from console.metrics.promduration import parse_duration

        try:
            seconds = parse_duration(str(value))
        except ValueError as exc:
            raise BadValue(ref, str(exc)) from None
        return iso_after(seconds)
    raise TemplateError(f"unknown converter !{ref.converter}")
