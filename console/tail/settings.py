"""The ``tail:`` config section, validated with file:line:key messages.

```yaml
tail:
  buffer: 10000            # events kept for scrollback, breakdown and save (100..1,000,000)
  filter: "!healthz"       # initial view filter (same syntax as the view's "/")
  batch_ms: 250            # how often parsed events are handed to the screen (20..1000)
  reconnect_max_seconds: 30
  workers: [vau-processor, rate-limiter]   # roles of environments.*.workers the log view tails at start, merged
  server:                  # wrangler-side filters (restart the stream when changed)
    status: [error]        # ok, error, canceled
    method: [POST]
    search: "salt rotation"
    ip: [203.0.113.7]
    sampling_rate: 0.5
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.config import Config
from console.tail.filters import Filter, FilterError
from console.tail.store import DEFAULT_CAPACITY

WRANGLER_STATUSES = ("ok", "error", "canceled")


@dataclass
class ServerFilters:
    """Filters applied by wrangler itself (``--status``, ``--method``, ``--search``, ``--ip``,
    ``--sampling-rate``)."""

    status: list[str] = field(default_factory=list)
    method: list[str] = field(default_factory=list)
    search: str | None = None
    ip: list[str] = field(default_factory=list)
    sampling_rate: float | None = None

    def args(self) -> list[str]:
        out: list[str] = []
        for value in self.status:
            out += ["--status", value]
        for value in self.method:
            out += ["--method", value]
        if self.search:
            out += ["--search", self.search]
        for value in self.ip:
            out += ["--ip", value]
        if self.sampling_rate is not None:
            out += ["--sampling-rate", _num(self.sampling_rate)]
        return out

    def describe(self) -> str:
        parts = [f"status:{','.join(self.status)}"] if self.status else []
        if self.method:
            parts.append(f"method:{','.join(self.method)}")
        if self.search:
            parts.append(f'search:"{self.search}"' if " " in self.search else f"search:{self.search}")
        if self.ip:
            parts.append(f"ip:{','.join(self.ip)}")
        if self.sampling_rate is not None:
            parts.append(f"sampling:{_num(self.sampling_rate)}")
        return " ".join(parts)

    @property
    def active(self) -> bool:
        return bool(self.args())

    @classmethod
    def parse(cls, text: str) -> "ServerFilters":
        """Parse ``status:error method:POST search:"salt rotation" ip:1.2.3.4 sampling:0.5``."""
        import shlex

        try:
            tokens = shlex.split(text)
        except ValueError as exc:
            raise ValueError(f"server filter: {exc}") from None
        out = cls()
        for token in tokens:
            name, sep, value = token.partition(":")
            name = name.lower()
            if not sep or not value:
                raise ValueError(f"server filter {token!r}: expected name:value "
                                 "(status, method, search, ip, sampling)")
            values = [v for v in value.split(",") if v]
            if name == "status":
                bad = [v for v in values if v not in WRANGLER_STATUSES]
                if bad:
                    raise ValueError(f"server filter status:{bad[0]}: wrangler accepts "
                                     + ", ".join(WRANGLER_STATUSES))
                out.status += values
            elif name == "method":
                out.method += [v.upper() for v in values]
            elif name == "search":
                out.search = value
            elif name == "ip":
                out.ip += values
            elif name in ("sampling", "sampling_rate", "sampling-rate"):
                try:
                    rate = float(value)
                except ValueError:
                    rate = -1.0
                if not 0 < rate <= 1:
                    raise ValueError(f"server filter sampling:{value}: expected a rate between 0 and 1")
                out.sampling_rate = rate
            else:
                raise ValueError(f"server filter {token!r}: unknown name {name!r} "
                                 "(status, method, search, ip, sampling)")
        return out


def _num(value: float) -> str:
    return f"{value:g}"


@dataclass
class TailSettings:
    buffer: int = DEFAULT_CAPACITY
    filter: str = ""
    batch_ms: int = 250
    reconnect_max_seconds: float = 30.0
    server: ServerFilters = field(default_factory=ServerFilters)
    #: worker roles (environments.*.workers) the log view tails at start, merged; empty: the default worker
    workers: list[str] = field(default_factory=list)


def tail_settings(config: Config | None) -> TailSettings:
    """Read and validate ``tail:``; raises ConfigError naming the file, line and key."""
    settings = TailSettings()
    if config is None:
        return settings
    raw = config.section("tail")
    if raw is None:
        return settings
    if not isinstance(raw, dict):
        raise config.error_at(("tail",), "expected a mapping such as {buffer: 10000}")
    known = {"buffer", "filter", "batch_ms", "reconnect_max_seconds", "server", "workers"}
    for key in raw:
        if key not in known:
            raise config.error_at(("tail", str(key)), "unknown key (known: " + ", ".join(sorted(known)) + ")")
    settings.buffer = _int(config, raw, "buffer", settings.buffer, 100, 1_000_000)
    settings.batch_ms = _int(config, raw, "batch_ms", settings.batch_ms, 20, 1000)
    if raw.get("reconnect_max_seconds") is not None:
        value = raw["reconnect_max_seconds"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 3600:
            raise config.error_at(("tail", "reconnect_max_seconds"), f"expected seconds between 1 and 3600, got {value!r}")
        settings.reconnect_max_seconds = float(value)
    if raw.get("filter") is not None:
        text = raw["filter"]
        if not isinstance(text, str):
            raise config.error_at(("tail", "filter"), f"expected a filter expression string, got {text!r}")
        try:
            Filter(text)
        except FilterError as exc:
            raise config.error_at(("tail", "filter"), str(exc)) from None
        settings.filter = text
    server = raw.get("server")
    if server is not None:
        settings.server = _server(config, server)
    if raw.get("workers") is not None:
        settings.workers = _workers(config, raw["workers"])
    return settings


def _workers(config: Config, raw: Any) -> list[str]:
    from console.config import WORKER_ROLES

    items = raw if isinstance(raw, list) else [raw]
    for item in items:
        if not isinstance(item, str) or item not in WORKER_ROLES:
            raise config.error_at(("tail", "workers"),
                                  f"{item!r} is not a worker role (known: {', '.join(WORKER_ROLES)})")
    return list(dict.fromkeys(items))


def _int(config: Config, raw: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise config.error_at(("tail", key), f"expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise config.error_at(("tail", key), f"must be between {low:,} and {high:,}, got {value:,}")
    return value


def _server(config: Config, raw: Any) -> ServerFilters:
    if not isinstance(raw, dict):
        raise config.error_at(("tail", "server"), "expected a mapping with status, method, search, ip, sampling_rate")
    out = ServerFilters()

    def strings(key: str) -> list[str]:
        value = raw.get(key)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in items):
            raise config.error_at(("tail", "server", key), "expected a string or a list of strings")
        return [str(v) for v in items]

    for key in raw:
        if key not in ("status", "method", "search", "ip", "sampling_rate"):
            raise config.error_at(("tail", "server", str(key)),
                                  "unknown key (known: ip, method, sampling_rate, search, status)")
    out.status = strings("status")
    for value in out.status:
        if value not in WRANGLER_STATUSES:
            raise config.error_at(("tail", "server", "status"),
                                  f"{value!r} is not a wrangler status (known: {', '.join(WRANGLER_STATUSES)})")
    out.method = [m.upper() for m in strings("method")]
    out.ip = strings("ip")
    search = raw.get("search")
    if search is not None:
        if not isinstance(search, str):
            raise config.error_at(("tail", "server", "search"), "expected a string")
        out.search = search
    rate = raw.get("sampling_rate")
    if rate is not None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
            raise config.error_at(("tail", "server", "sampling_rate"), f"expected a rate between 0 and 1, got {rate!r}")
        out.sampling_rate = float(rate)
    return out
