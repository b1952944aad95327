"""The ``grafana:``, ``pagerduty:`` and ``slack:`` config sections.

Secrets (the Grafana token, the PagerDuty routing key, the Slack webhook URL, which is a secret
because anyone holding it can post) come from an environment variable or a 0600 file, never from
the config itself, never argv, never the audit trail or the timeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from console.secrets import SecretError, read_secret

#: PagerDuty's Events API v2 enqueue endpoint (developer.pagerduty.com, "Send an Alert Event")
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_UID = re.compile(r"[A-Za-z0-9_-]{1,40}")

#: section -> {key: one-line doc}
KEYS: dict[str, dict[str, str]] = {
    "grafana": {
        "url": "Grafana's base URL (https://grafana.example.com)",
        "token_env": "environment variable holding a Grafana service-account token (Editor, for annotations)",
        "token_file": "or a 0600 file holding that token",
        "dashboard_uid": "UID of the edge dashboard: incident reports link it for the incident's time range",
    },
    "pagerduty": {
        "routing_key_env": "environment variable holding the Events API v2 integration (routing) key",
        "routing_key_file": "or a 0600 file holding that key",
        "events_url": f"Events API v2 endpoint (default {PAGERDUTY_EVENTS_URL})",
        "source": "payload.source of the events (default: the environment's base URL host)",
    },
    "slack": {
        "webhook_url_env": "environment variable holding the channel's incoming-webhook URL (a secret)",
        "webhook_url_file": "or a 0600 file holding that URL",
    },
}

#: a secret written into the config instead of named: a pointed message, never the value
INLINE_SECRETS = {"token": "token_env or token_file", "routing_key": "routing_key_env or routing_key_file",
                  "webhook_url": "webhook_url_env or webhook_url_file"}


@dataclass(frozen=True)
class GrafanaSettings:
    url: str
    token_env: str | None = None
    token_file: str | None = None
    dashboard_uid: str | None = None

    def token(self) -> str | None:
        return read_secret(self.token_env, self.token_file)

    def dashboard_link(self, start_ms: int, end_ms: int | None) -> str | None:
        """The dashboard for a time range (Grafana's ``/d/<uid>?from=<ms>&to=<ms>``)."""
        if not self.dashboard_uid:
            return None
        return f"{self.url}/d/{self.dashboard_uid}?from={start_ms}&to={end_ms if end_ms is not None else 'now'}"


@dataclass(frozen=True)
class PagerDutySettings:
    routing_key_env: str | None = None
    routing_key_file: str | None = None
    events_url: str = PAGERDUTY_EVENTS_URL
    source: str | None = None

    def routing_key(self) -> str | None:
        return read_secret(self.routing_key_env, self.routing_key_file)


@dataclass(frozen=True)
class SlackSettings:
    webhook_url_env: str | None = None
    webhook_url_file: str | None = None

    def webhook_url(self) -> str | None:
        return read_secret(self.webhook_url_env, self.webhook_url_file)


@dataclass(frozen=True)
class Integrations:
    grafana: GrafanaSettings | None = None
    pagerduty: PagerDutySettings | None = None
    slack: SlackSettings | None = None

    @property
    def any(self) -> bool:
        return bool(self.grafana or self.pagerduty or self.slack)

    def secret_env_names(self) -> set[str]:
        names = set()
        for value in (getattr(self.grafana, "token_env", None), getattr(self.pagerduty, "routing_key_env", None),
                      getattr(self.slack, "webhook_url_env", None)):
            if value:
                names.add(value)
        return names


def _http_url(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"https?://[^\s/?#@]+(/[^\s?#]*)?", value) is not None


def from_config(config: Any) -> Integrations:
    """The three sections of ``config`` (none configured: an empty :class:`Integrations`).
    Raises the config's ``file:line: key: what`` error for the first problem."""
    if config is None or not hasattr(config, "section"):
        return Integrations()
    found: dict[str, dict[str, Any]] = {}
    for section, keys in KEYS.items():
        body = config.section(section)
        if body is None:
            continue
        if not isinstance(body, dict):
            raise config.error_at((section,), "expected a mapping (" + ", ".join(keys) + ")")
        for key, value in body.items():
            if key in INLINE_SECRETS:
                raise config.error_at((section, str(key)), "secrets are not stored in the config: use "
                                      + INLINE_SECRETS[key])
            if key not in keys:
                raise config.error_at((section, str(key)), "unknown key (known: " + ", ".join(keys) + ")")
            if not isinstance(value, str) or not value:
                raise config.error_at((section, str(key)), "expected a non-empty string")
            if key.endswith("_env") and not _ENV_NAME.fullmatch(value):
                raise config.error_at((section, str(key)), "expected an environment variable name")
            if key.endswith("url") and not _http_url(value):
                raise config.error_at((section, str(key)), "expected an http(s) URL without credentials")
            if key == "dashboard_uid" and not _UID.fullmatch(value):
                raise config.error_at((section, str(key)), "expected a Grafana dashboard UID")
        secret_keys = [k for k in keys if k.endswith("_env") or k.endswith("_file")]
        if section != "grafana" and not any(body.get(k) for k in secret_keys):
            raise config.error_at((section,), "name where the secret comes from: " + " or ".join(secret_keys))
        found[section] = dict(body)
    grafana = found.get("grafana")
    if grafana is not None and not grafana.get("url"):
        raise config.error_at(("grafana",), "url is required")
    return Integrations(
        grafana=GrafanaSettings(url=grafana["url"].rstrip("/"), token_env=grafana.get("token_env"),
                                token_file=grafana.get("token_file"), dashboard_uid=grafana.get("dashboard_uid"))
        if grafana else None,
        pagerduty=PagerDutySettings(**found["pagerduty"]) if "pagerduty" in found else None,
        slack=SlackSettings(**found["slack"]) if "slack" in found else None,
    )


__all__ = ["GrafanaSettings", "Integrations", "PagerDutySettings", "SlackSettings", "SecretError", "from_config",
           "KEYS", "PAGERDUTY_EVENTS_URL"]
