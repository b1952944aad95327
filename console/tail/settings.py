"""The ``tail:`` config section (declared in console/schema/config_model.py, checked at load).

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

from console.config import Config
from console.schema.config_model import WRANGLER_STATUSES, TailSection
from console.tail.store import DEFAULT_CAPACITY


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
            # one word: wrangler (yargs) would take a value starting with '-' for a flag of its own
            out.append(f"--search={self.search}")
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
                raise ValueError(f"server filter {token!r}: expected name:value (status, method, search, ip, sampling)")
            values = [v for v in value.split(",") if v]
            if name == "status":
                bad = [v for v in values if v not in WRANGLER_STATUSES]
                if bad:
                    raise ValueError(f"server filter status:{bad[0]}: wrangler accepts " + ", ".join(WRANGLER_STATUSES))
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
                raise ValueError(
                    f"server filter {token!r}: unknown name {name!r} (status, method, search, ip, sampling)"
                )
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
    """The ``tail:`` section as checked when the config was loaded (declared in
    :class:`console.schema.config_model.TailSection`; a bad value is a ConfigError at load)."""
    model = getattr(config, "model", None)
    section: TailSection | None = getattr(model, "tail", None)
    if section is None:
        return TailSettings()
    server = ServerFilters()
    if section.server is not None:
        spec = section.server
        server = ServerFilters(
            status=_strings(spec.status),
            method=[m.upper() for m in _strings(spec.method)],
            search=spec.search,
            ip=_strings(spec.ip),
            sampling_rate=spec.sampling_rate,
        )
    return TailSettings(
        buffer=section.buffer,
        filter=section.filter,
        batch_ms=section.batch_ms,
        reconnect_max_seconds=section.reconnect_max_seconds,
        server=server,
        workers=list(dict.fromkeys(section.workers)),
    )


def _strings(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
