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

from dataclasses import dataclass
from typing import Any, Mapping

from console.metrics.promduration import parse_duration


#: the history windows the runbook names: last hour, overnight, a day (security blocks)
HISTORY_WINDOWS = ("1h", "12h", "24h")


def monitoring_values(spec: Any, name: str) -> dict[str, Any]:
    """An environment's monitoring keys, checked by the config schema, in the form the console uses:
    the selector re-quoted, the Alertmanager URL without a trailing slash, the default matchers."""
    from console.metrics.promselector import canonical, equality_labels

    selector = canonical(spec.prometheus_selector or "")
    matchers = spec.alertmanager_matchers
    if matchers is None:
        labels = equality_labels(selector) or {"env": name}
        matchers = ",".join(f"{k}={v}" for k, v in labels.items())
    return {
        "prometheus_selector": selector,
        "prometheus_token_env": spec.prometheus_token_env,
        "prometheus_tenant": spec.prometheus_tenant,
        "alertmanager_url": spec.alertmanager_url.rstrip("/") if spec.alertmanager_url else None,
        "alertmanager_token_env": spec.alertmanager_token_env,
        "alertmanager_token_file": spec.alertmanager_token_file,
        "alertmanager_matchers": matchers,
    }


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
