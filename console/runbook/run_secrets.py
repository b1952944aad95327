"""The secrets of one flow run: read from the environment's ``<name>_env`` variable or 0600 ``<name>_file``
(:func:`console.secrets.read_secret`) when a step needs them, kept for the run, and masked out of every text
the run shows or records (:meth:`RunSecrets.mask`)."""

from __future__ import annotations

import contextlib
from typing import Any

from console.runbook.template import TemplateError
from console.secrets import SecretError, mask as mask_secrets, read_secret

#: secrets read when the run starts, so their values are masked from the first line shown
PRELOADED = ("api_token", "admin_token")
#: secrets a step's ``auth`` sends only when the environment configures them (Alertmanager often has none)
OPTIONAL_SECRETS = ("alertmanager_token",)


class RunSecrets:
    """One run's secret values by name, and every value read so far (for masking)."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.values: dict[str, str] = {}
        #: every secret value read in this run: masked in output, previews and the audit trail
        self.known: list[str] = []

    def source(self, name: str) -> tuple[str | None, str | None]:
        """``(environment variable, file)`` the environment names for secret ``name``."""
        return getattr(self.env, f"{name}_env", None), getattr(self.env, f"{name}_file", None)

    def configured(self, name: str) -> bool:
        return any(self.source(name))

    def preload(self) -> None:
        for name in PRELOADED:
            env_var, file = self.source(name)
            with contextlib.suppress(SecretError, OSError):
                value = read_secret(env_var, file)
                if value:
                    self.values[name] = value
                    self.known.append(value)

    def get(self, name: str) -> str:
        """The value of secret ``name``; a :class:`TemplateError` saying where to set it when it is missing."""
        if name in self.values:
            return self.values[name]
        env_var, file = self.source(name)
        try:
            value = read_secret(env_var, file)
        except SecretError as exc:
            raise TemplateError(str(exc)) from None
        if not value:
            label = {"api_token": "Cloudflare API token", "alertmanager_token": "Alertmanager token"}.get(
                name, "admin token"
            )
            where = f"${env_var}" if env_var else "an environment variable"
            raise TemplateError(f"no {label}: set {where} or environments.{self.env.name}.{name}_file (mode 0600)")
        self.values[name] = value
        self.known.append(value)
        return value

    def loaded(self, name: str) -> str | None:
        """The value of ``name`` if it was read already (never reads)."""
        return self.values.get(name)

    def mask(self, text: str) -> str:
        return mask_secrets(text, list(self.known))
