"""What a child process inherits: the console's environment without its secrets.

The console reads tokens from environment variables (each environment's ``api_token_env`` and
``admin_token_env``, by default ``CLOUDFLARE_API_TOKEN`` and ``ADMIN_TOKEN``; the simulated edge's
``EDGE_SIM_API_TOKEN``/``EDGE_SIM_ADMIN_TOKEN``). A child (``git log``, ``gh``, an upload command, a
notify hook) gets none of them by inheritance; a step that needs one names it (``env:`` with
``{secret:...}``), and Cloudflare tools get the API token as ``CLOUDFLARE_API_TOKEN``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

#: the default ``api_token_env``/``admin_token_env`` and the simulated edge's token variables
DEFAULT_SECRET_VARS = ("CLOUDFLARE_API_TOKEN", "ADMIN_TOKEN", "EDGE_SIM_API_TOKEN", "EDGE_SIM_ADMIN_TOKEN")


def secret_env_names(config: Any = None, env: Any = None) -> frozenset[str]:
    """Every variable the console reads a secret from: the defaults, and those named by ``env`` and by
    every environment of ``config``."""
    names = set(DEFAULT_SECRET_VARS)
    environments = list((getattr(config, "environments", None) or {}).values())
    if env is not None:
        environments.append(env)
    for environment in environments:
        for attr in ("api_token_env", "admin_token_env", "prometheus_token_env", "alertmanager_token_env"):
            value = getattr(environment, attr, None)
            if value:
                names.add(str(value))
    names |= _integration_secret_names(config)
    return frozenset(names)


def _integration_secret_names(config: Any) -> set[str]:
    """The PagerDuty key, Slack webhook and Grafana token variables (no child needs them)."""
    if config is None:
        return set()
    from console.integrations.settings import from_config

    return from_config(config).secret_env_names()


def child_environ(
    strip: Iterable[str], extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default ``os.environ``) without the ``strip`` variables, plus ``extra``."""
    drop = set(strip)
    out = {k: v for k, v in (os.environ if base is None else base).items() if k not in drop}
    out.update(extra or {})
    return out
