"""Configuration of the monitoring stack teams already run: Prometheus and Alertmanager keys (core).

Per environment (``environments.NAME``):

- ``prometheus_selector``: label matchers added to every PromQL query (``{env="production",job="edge"}``);
  validated and re-quoted (:mod:`console.metrics.promselector`).
- ``prometheus_token_env``: the environment variable holding a bearer token for Prometheus;
  ``prometheus_tenant``: the ``X-Scope-OrgID`` header for Mimir/Cortex.
- ``alertmanager_url``; ``alertmanager_token_env`` / ``alertmanager_token_file`` (0600): a bearer token;
  ``alertmanager_matchers``: the edge's alerts as Alertmanager matchers (default: the selector's
  ``name="value"`` matchers, else ``env=<environment name>``), silenced during maintenance windows.

Top level: ``prometheus: {window, scrape_interval, history_window}`` and
``alertmanager: {ack_silence, poll_seconds}`` (:func:`prometheus_settings`, :func:`alertmanager_settings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from console.metrics.promduration import parse_duration
from console.metrics.promselector import SelectorError, canonical, equality_labels

_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a tenant id goes into a header: printable ASCII without separators that would end it
_TENANT = re.compile(r"[A-Za-z0-9_.|-]{1,150}")

#: the history windows the runbook names: last hour, overnight, a day (security blocks)
HISTORY_WINDOWS = ("1h", "12h", "24h")


def environment_monitoring(parser: Any, body: Mapping[str, Any], key: tuple, name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    selector = parser.string(body, (*key, "prometheus_selector"), "") or ""
    try:
        out["prometheus_selector"] = canonical(selector)
    except SelectorError as exc:
        raise parser.err((*key, "prometheus_selector"), f"not a PromQL label selector: {exc}") from None
    for var in ("prometheus_token_env", "alertmanager_token_env"):
        value = parser.string(body, (*key, var))
        if value is not None and not _ENV_VAR.fullmatch(value):
            raise parser.err((*key, var), f"expected an environment variable name, got {value!r}")
        out[var] = value
    tenant = parser.string(body, (*key, "prometheus_tenant"))
    if tenant is not None and not _TENANT.fullmatch(tenant):
        raise parser.err((*key, "prometheus_tenant"), "expected a tenant id of letters, digits, '_', '-', '.', '|'")
    out["prometheus_tenant"] = tenant
    out["alertmanager_url"] = parser.url(body, (*key, "alertmanager_url"))
    if out["alertmanager_url"]:
        out["alertmanager_url"] = out["alertmanager_url"].rstrip("/")
    out["alertmanager_token_file"] = parser.string(body, (*key, "alertmanager_token_file"))
    matchers = parser.string(body, (*key, "alertmanager_matchers"))
    if matchers is None:
        labels = equality_labels(out["prometheus_selector"]) or {"env": name}
        matchers = ",".join(f"{k}={v}" for k, v in labels.items())
    else:
        from console.alertmanager.matchers import MatcherError, parse_matchers

        try:
            parse_matchers(matchers)
        except MatcherError as exc:
            raise parser.err((*key, "alertmanager_matchers"), str(exc)) from None
    out["alertmanager_matchers"] = matchers
    return out


@dataclass(frozen=True)
class PrometheusSettings:
    window: str = "1m"
    window_s: float = 60.0
    #: from the config; None: read from Prometheus's /api/v1/status/config
    scrape_interval_s: float | None = None
    history_window: str = "1h"


def _section(config: Any, name: str, known: tuple[str, ...]) -> dict[str, Any]:
    section = config.section(name) or {}
    if not isinstance(section, dict):
        raise config.error_at((name,), f"expected a mapping with {', '.join(known)}")
    for sub in section:
        if sub not in known:
            raise config.error_at((name, str(sub)), f"unknown key (known: {', '.join(known)})")
    return section


def _duration(config: Any, section: Mapping[str, Any], key: tuple, default: str) -> tuple[str, float]:
    text = str(section.get(key[-1], default))
    try:
        return text, parse_duration(text)
    except ValueError:
        raise config.error_at(key, f"not a PromQL range: {text!r} (a Prometheus duration: 30s, 5m, 1h30m)") from None


def prometheus_settings(config: Any) -> PrometheusSettings:
    section = _section(config, "prometheus", ("window", "scrape_interval", "history_window"))
    window, window_s = _duration(config, section, ("prometheus", "window"), "1m")
    scrape = None
    if section.get("scrape_interval") is not None:
        scrape = _duration(config, section, ("prometheus", "scrape_interval"), "15s")[1]
    history = str(section.get("history_window", "1h"))
    if history not in HISTORY_WINDOWS:
        raise config.error_at(("prometheus", "history_window"), f"expected one of {', '.join(HISTORY_WINDOWS)}")
    return PrometheusSettings(window, window_s, scrape, history)


@dataclass(frozen=True)
class AlertmanagerSettings:
    #: acknowledging an alert in the console also silences it in Alertmanager for this long ("" = off)
    ack_silence: str = ""
    ack_silence_s: float = 0.0
    poll_seconds: float = 10.0


def alertmanager_settings(config: Any) -> AlertmanagerSettings:
    section = _section(config, "alertmanager", ("ack_silence", "poll_seconds"))
    ack, ack_s = "", 0.0
    if section.get("ack_silence") not in (None, "", False, 0):
        ack, ack_s = _duration(config, section, ("alertmanager", "ack_silence"), "15m")
    poll = section.get("poll_seconds", 10.0)
    if isinstance(poll, bool) or not isinstance(poll, (int, float)) or not 1 <= poll <= 3600:
        raise config.error_at(("alertmanager", "poll_seconds"), "expected a number of seconds from 1 to 3600")
    return AlertmanagerSettings(ack, ack_s, float(poll))
