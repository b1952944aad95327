"""The ``grafana:``, ``pagerduty:`` and ``slack:`` config sections.

Secrets (the Grafana token, the PagerDuty routing key, the Slack webhook URL, which is a secret
because anyone holding it can post) come from an environment variable or a 0600 file, never from
the config itself, never argv, never the audit trail or the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.secrets import SecretError, read_secret

#: PagerDuty's Events API v2 enqueue endpoint (developer.pagerduty.com, "Send an Alert Event")
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


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
        for value in (
            getattr(self.grafana, "token_env", None),
            getattr(self.pagerduty, "routing_key_env", None),
            getattr(self.slack, "webhook_url_env", None),
        ):
            if value:
                names.add(value)
        return names


def from_config(config: Any) -> Integrations:
    """The three sections of ``config``, as checked by the config schema
    (:mod:`console.schema.config_model`: GrafanaSection, PagerDutySection, SlackSection)."""
    checked = getattr(config, "model", None)
    if checked is None:
        return Integrations()
    grafana, pagerduty, slack = checked.grafana, checked.pagerduty, checked.slack
    return Integrations(
        grafana=GrafanaSettings(
            url=grafana.url.rstrip("/"),
            token_env=grafana.token_env,
            token_file=grafana.token_file,
            dashboard_uid=grafana.dashboard_uid,
        )
        if grafana
        else None,
        pagerduty=PagerDutySettings(
            routing_key_env=pagerduty.routing_key_env,
            routing_key_file=pagerduty.routing_key_file,
            events_url=pagerduty.events_url,
            source=pagerduty.source,
        )
        if pagerduty
        else None,
        slack=SlackSettings(webhook_url_env=slack.webhook_url_env, webhook_url_file=slack.webhook_url_file)
        if slack
        else None,
    )


__all__ = [
    "GrafanaSettings",
    "Integrations",
    "PagerDutySettings",
    "SlackSettings",
    "SecretError",
    "from_config",
    "PAGERDUTY_EVENTS_URL",
]
