"""The simulated account's Workers KV: the remote namespaces (the Cloudflare API's) and wrangler's local store.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock.
"""

from __future__ import annotations

import base64
import datetime as _dt
import random
from typing import Any

from console.sim.errors import SimError

BLOCKED_IP_PREFIX = "blocked:ip:"


class KvStore:
    def __init__(self, namespace_id: str) -> None:
        self.namespace_id = namespace_id
        #: namespace id -> key -> {"value", "metadata", "expiration"}
        self.kv: dict[str, dict[str, dict[str, Any]]] = {namespace_id: {}}
        #: wrangler's local (Miniflare) store: namespace id -> key -> value
        self.local_kv: dict[str, dict[str, str]] = {}

    def seed(self, rng: random.Random, now: float) -> None:
        """Five weekly salts, a blocked scanner IP, the rate limits and the consistency probe."""
        ns = self.kv[self.namespace_id]
        today = _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).date()
        for back in range(4, -1, -1):
            week = (today - _dt.timedelta(weeks=back)).isocalendar()[1]
            ns[f"salt:week:{week}"] = {
                "value": "%032x" % rng.getrandbits(128),
                "metadata": {"rotated_by": "cron"},
                "expiration": None,
            }
        ns["blocked:ip:192.0.2.66"] = {"value": "scanner", "metadata": None, "expiration": None}
        ns["config:rate-limits"] = {"value": '{"api": 100, "vau": 1000}', "metadata": None, "expiration": None}
        ns["test-key"] = {"value": "kv-consistency-probe", "metadata": None, "expiration": None}

    def blocked_ips(self) -> list[str]:
        """The IPs the Worker blocks (``blocked:ip:<ip>`` keys of the namespace)."""
        ns = self.kv.get(self.namespace_id, {})
        return sorted(k[len(BLOCKED_IP_PREFIX) :] for k in ns if k.startswith(BLOCKED_IP_PREFIX))

    def namespace(self, ns: str) -> dict[str, dict[str, Any]]:
        if ns not in self.kv:
            raise KeyError(ns)
        return self.kv[ns]

    def list(self, ns: str, prefix: str = "", cursor: str | None = None, limit: int = 1000) -> tuple[list[Any], str]:
        """One page of key names (with expiration and metadata) and the next page's cursor ("" at the end)."""
        keys = sorted(k for k in self.namespace(ns) if k.startswith(prefix or ""))
        start = 0
        if cursor:
            try:
                after = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
            except (ValueError, UnicodeDecodeError):
                raise SimError("invalid cursor") from None
            start = next((i for i, k in enumerate(keys) if k > after), len(keys))
        page = keys[start : start + limit]
        more = start + limit < len(keys)
        next_cursor = base64.urlsafe_b64encode(page[-1].encode()).decode().rstrip("=") if more and page else ""
        out = []
        for key in page:
            entry = self.kv[ns][key]
            item: dict[str, Any] = {"name": key}
            if entry.get("expiration"):
                item["expiration"] = entry["expiration"]
            if entry.get("metadata") is not None:
                item["metadata"] = entry["metadata"]
            out.append(item)
        return out, next_cursor

    def get(self, ns: str, key: str) -> str | None:
        entry = self.namespace(ns).get(key)
        return None if entry is None else entry["value"]

    def put(self, ns: str, key: str, value: str, metadata: Any = None, expiration: float | None = None) -> None:
        self.namespace(ns)[key] = {"value": value, "metadata": metadata, "expiration": expiration}

    def delete(self, ns: str, key: str) -> bool:
        return self.namespace(ns).pop(key, None) is not None

    def local_op(self, op: str, ns: str, key: str | None = None, value: str | None = None) -> Any:
        """wrangler's local store (used when a KV command lacks --remote); never the remote state."""
        store = self.local_kv.setdefault(ns, {})
        if op == "list":
            return sorted(store)
        if op == "get":
            return store.get(key or "")
        if op == "put":
            store[key or ""] = value or ""
            return True
        if op == "delete":
            return store.pop(key or "", None) is not None
        raise SimError(f"unknown local kv op {op!r}")

    def snapshot(self) -> dict[str, Any]:
        return {
            "kv": {ns: {k: e["value"] for k, e in keys.items()} for ns, keys in self.kv.items()},
            "wrangler_local_kv": {ns: dict(keys) for ns, keys in self.local_kv.items()},
        }
