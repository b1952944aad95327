"""The simulated Workers' secrets: values per script (never shown) and the history of changes.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock (and makes the new
deployment a secret change causes, and follows the circuit breaker flag).
"""

from __future__ import annotations

import re
import secrets as _secrets
from typing import Any, Iterable

from console.sim.errors import SimError

SEEDED = ("ADMIN_TOKEN", "SALT_SECRET", "JWT_SIGNING_KEY")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_secret_name(name: str) -> None:
    if not _NAME.fullmatch(name or ""):
        raise SimError(f"invalid secret name {name!r}")


class WorkerSecrets:
    def __init__(self, scripts: Iterable[str]) -> None:
        #: script -> secret name -> value
        self.secrets: dict[str, dict[str, str]] = {s: {} for s in scripts}
        self.history: list[dict[str, Any]] = []

    def seed(self) -> None:
        for script in self.secrets:
            for name in SEEDED:
                self.secrets[script][name] = _secrets.token_hex(16)

    def value(self, script: str, name: str) -> str | None:
        return self.secrets.get(script, {}).get(name)

    def require(self, script: str) -> None:
        if script not in self.secrets:
            raise KeyError(script)

    def put(self, script: str, name: str, value: str, now: float, stamp: str) -> None:
        self.secrets[script][name] = value
        self.history.append({"at": stamp, "script": script, "name": name, "ts": now})

    def delete(self, script: str, name: str) -> bool:
        return self.secrets[script].pop(name, None) is not None

    def changed_since(self, script: str, since: float) -> list[str]:
        """Names of the script's secrets put after ``since`` (epoch seconds), sorted."""
        return sorted({h["name"] for h in self.history if h["script"] == script and h.get("ts", 0) > since})

    def revert(self, script: str, names: Iterable[str]) -> None:
        """A rollback brings back the target version's secrets: the later ones are gone."""
        for name in names:
            self.secrets[script].pop(name, None)

    def snapshot(self) -> dict[str, Any]:
        """Names only: secret values are never shown."""
        return {
            "secrets": {script: sorted(names) for script, names in self.secrets.items()},
            "secret_history": list(self.history),
        }
