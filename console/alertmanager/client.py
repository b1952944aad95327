"""Reads from an Alertmanager's API v2: ``GET /api/v2/alerts`` and ``GET /api/v2/silences`` (bounded).

Every request has one total deadline and a body cap (``console.sources.bounded.request_capped``) and
JSON depth limits (``console.safejson``). The bearer token (``alertmanager_token_env`` /
``alertmanager_token_file``) goes only into the ``Authorization`` header. Changes (creating and
expiring silences) are runbook flows, audited like every change: see ``09-alertmanager.yaml``.
"""

from __future__ import annotations

from typing import Any

import httpx

from console import safejson
from console.alertmanager.model import AmAlert, AnswerError, Silence, parse_alerts, parse_silences
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.sources.bounded import BadAnswer, request_capped
from console.sources.http import HttpSettings, describe_error, make_client


class AlertmanagerError(Exception):
    pass


def token_for(env: Any) -> str | None:
    from console.secrets import SecretError, read_secret

    try:
        return read_secret(getattr(env, "alertmanager_token_env", None), getattr(env, "alertmanager_token_file", None))
    except SecretError as exc:
        raise AlertmanagerError(str(exc)) from None


class AlertmanagerClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        client: httpx.AsyncClient | None = None,
        settings: HttpSettings | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings(read_timeout=5.0)
        self.max_body_bytes = max_body_bytes
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._own = client is None
        self.client = client or make_client(self.settings)

    @classmethod
    def for_env(cls, config: Any, env: Any) -> "AlertmanagerClient":
        if not getattr(env, "alertmanager_url", None):
            raise AlertmanagerError(f"environment {env.name!r} has no alertmanager_url")
        return cls(
            env.alertmanager_url,
            token=token_for(env),
            max_body_bytes=getattr(config, "max_body_bytes", DEFAULT_MAX_BODY_BYTES),
        )

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:
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
            raise AlertmanagerError(describe_error(exc, self.settings)) from None
        except BadAnswer as exc:
            raise AlertmanagerError(str(exc)) from None
        if response.status_code >= 400:
            raise AlertmanagerError(f"HTTP {response.status_code} from {path}")
        try:
            return safejson.loads(body)
        except safejson.JsonTooDeep as exc:
            raise AlertmanagerError(f"invalid answer: {exc}") from None
        except ValueError:
            raise AlertmanagerError("not an Alertmanager API answer (not JSON)") from None

    async def alerts(self) -> list[AmAlert]:
        """Firing alerts, including silenced and inhibited ones (their state says so)."""
        payload = await self._get("/api/v2/alerts", {"active": "true", "silenced": "true", "inhibited": "true"})
        try:
            return parse_alerts(payload)
        except AnswerError as exc:
            raise AlertmanagerError(str(exc)) from None

    async def silences(self) -> list[Silence]:
        payload = await self._get("/api/v2/silences")
        try:
            return parse_silences(payload)
        except AnswerError as exc:
            raise AlertmanagerError(str(exc)) from None

    async def aclose(self) -> None:
        if self._own:
            await self.client.aclose()
