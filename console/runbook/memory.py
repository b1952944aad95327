"""Values one run records for a later one (``Under Attack Mode`` records the previous security level
so ``restore-security-level`` can put it back). Stored per environment in ``state_dir()/runbook-memory.json``,
replaced atomically.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from console import safejson
from console.limits import MAX_FILE_BYTES
from console.paths import state_dir
from console.safefile import ensure_private_dir, open_read, write_replace

MEMORY_FILE = "runbook-memory.json"


class Memory:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else state_dir() / MEMORY_FILE

    def _load(self) -> dict[str, Any]:
        try:
            with open_read(self.path) as handle:
                data = safejson.loads(handle.read(MAX_FILE_BYTES + 1).decode("utf-8"))  # a bad file: nothing kept
        except (ValueError, OSError):  # JSON errors, JsonTooDeep and UnicodeDecodeError are ValueErrors
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
        ensure_private_dir(self.path.parent, "memory directory")
        write_replace(self.path, json.dumps(data, indent=2, sort_keys=True))  # 0600, atomic, no symlink
