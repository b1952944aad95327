"""Values one run records for a later one (``Under Attack Mode`` records the previous security level
so ``restore-security-level`` can put it back). Stored per environment in ``state_dir()/runbook-memory.json``,
replaced atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from console.paths import state_dir

MEMORY_FILE = "runbook-memory.json"


class Memory:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else state_dir() / MEMORY_FILE

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, OSError):
            return {}
        return data if isinstance(data, dict) else {}

    def values(self, environment: str) -> dict[str, Any]:
        """name -> value for ``environment``."""
        entries = self._load().get(environment) or {}
        return {k: v.get("value") for k, v in entries.items() if isinstance(v, dict)}

    def entry(self, environment: str, name: str) -> dict[str, Any] | None:
        return (self._load().get(environment) or {}).get(name)

    def remember(self, environment: str, name: str, value: Any, *, flow: str) -> None:
        data = self._load()
        data.setdefault(environment, {})[name] = {"value": value, "at": time.time(), "flow": flow}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".memory-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
