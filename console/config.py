"""Configuration: YAML from --config, $EDGE_CONSOLE_CONFIG or the XDG config dir.

Every validation error names the file, the line and the dotted key, so an operator can fix
it without reading a traceback. Subsystems (tail, runbook, incidents) keep their own keys in
``Config.raw`` sections and validate them with :meth:`Config.error_at`, which gives the same
file/line/key message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from console.metrics.thresholds import DEFAULT_THRESHOLDS, ThresholdSpec
from console.paths import default_config_path
from console.sim.names import SIM_ACCOUNT_ID, SIM_KV_NAMESPACE_ID, SIM_QUEUE_IDS, SIM_ZONE_ID
from console.limits import (
    DEFAULT_MAX_BODY_BYTES, MAX_BODY_BYTES, MAX_DURATION_S, MIN_BODY_BYTES, is_finite_number, size_text, too_long_text,
)
from console.yamlpaths import KeyPath, YamlLimitError, compose_and_load, dotted, line_map, read_yaml_file

#: a Cloudflare ID (account, zone, KV namespace, queue)
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
#: a Worker script name as Cloudflare accepts it
_SCRIPT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")

DEFAULT_CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4"
DEFAULT_STATUS_URL = "https://www.cloudflarestatus.com/api/v2/status.json"

DEFAULT_TOOLS: dict[str, list[str]] = {
    "wrangler": ["wrangler"],
    "gh": ["gh"],
    "terraform": ["terraform"],
    "git": ["git"],
    "npm": ["npm"],
}

#: Metric family names a real edge exposes; each one can be renamed under ``metric_names``.
DEFAULT_METRIC_NAMES: dict[str, str] = {
    "requests": "edge_requests_total",
    "errors": "edge_errors_total",
    "request_duration": "edge_request_duration_seconds",
    "cache_hits": "edge_cache_hits_total",
    "cache_misses": "edge_cache_misses_total",
    "cpu_time": "edge_cpu_time_ms",
    "memory": "edge_memory_usage_bytes",
    "queue_backlog": "edge_queue_backlog",
    "queue_processing": "edge_queue_processing_duration_seconds",
    "security_blocks": "edge_security_blocks_total",
    "rate_limit_violations": "edge_rate_limit_violations_total",
}

#: Top-level keys; anything else is reported as unknown (catches typos such as ``enviroments``).
KNOWN_TOP_LEVEL = {
    "default_environment",
    "refresh_seconds",
    "environments",
    "thresholds",
    "metric_names",
    "tools",
    "runbooks",
    "cloudflare_api_url",
    "status_url",
    "read_only",
    "tail",
    "alerts",
    "contacts",
    "escalation",
    "channels",
    "notify",
    "paths",
    "export",
    "prometheus",
    "theme",
    "limits",
    "record",  # console/record/settings.py
}

ENV_KEYS = {
    "base_url",
    "metrics_url",
    "health_url",
    "worker",
    "account_id",
    "zone_id",
    "kv_namespace_id",
    "api_token_env",
    "api_token_file",
    "admin_token_env",
    "admin_token_file",
    "read_only",
    "cloudflare_api_url",
    "status_url",
    "tools",
    "tool_env",
    "queues",
    "paths",
    "prometheus_url",
    "simulated",
    "workers",
}

#: The edge's workers by role (the runbook's four); ``worker:`` names the default role's script.
WORKER_ROLES: tuple[str, ...] = ("vau-processor", "security-waf", "rate-limiter", "queue-processor")
DEFAULT_WORKER_ROLE = "vau-processor"


class ConfigError(Exception):
    """A configuration problem, already phrased for the operator: ``file:line: key: what``."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None,
                 key: str | None = None) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.detail = message
        where = str(path) if path else "<config>"
        if line is not None:
            where += f":{line}"
        prefix = f"{where}: "
        if key:
            prefix += f"{key}: "
        super().__init__(prefix + message)


@dataclass
class Environment:
    name: str
    base_url: str
    metrics_url: str
    health_url: str
    worker: str = ""
    account_id: str = ""
    zone_id: str = ""
    kv_namespace_id: str = ""
    api_token_env: str = "CLOUDFLARE_API_TOKEN"
    api_token_file: str | None = None
    admin_token_env: str = "ADMIN_TOKEN"
    admin_token_file: str | None = None
    read_only: bool = False
    simulated: bool = False
    cloudflare_api_url: str = DEFAULT_CLOUDFLARE_API_URL
    status_url: str = DEFAULT_STATUS_URL
    tools: dict[str, list[str]] = field(default_factory=dict)
    tool_env: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    prometheus_url: str | None = None
    #: role -> deployed script name; the default role is ``worker`` when it is set
    workers: dict[str, str] = field(default_factory=dict)

    def worker_for(self, role: str | None = None) -> str:
        """The script name of a worker role (the default role when ``role`` is None); "" when unknown."""
        role = role or DEFAULT_WORKER_ROLE
        return self.workers.get(role) or (self.worker if role == DEFAULT_WORKER_ROLE else "")

    def worker_roles(self) -> list[str]:
        """The roles with a known script name, in the runbook's order."""
        return [role for role in WORKER_ROLES if self.worker_for(role)]

    def tool(self, name: str) -> list[str]:
        """The argv prefix for an external tool (``wrangler``, ``gh``, ...)."""
        return list(self.tools.get(name) or DEFAULT_TOOLS.get(name) or [name])


@dataclass
class Config:
    path: Path | None
    default_environment: str
    environments: dict[str, Environment]
    refresh_seconds: float = 2.0
    thresholds: dict[str, ThresholdSpec] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    metric_names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_METRIC_NAMES))
    runbooks: list[Path] = field(default_factory=list)
    read_only: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[KeyPath, int] = field(default_factory=dict)
    simulated: bool = False
    #: ``limits: {max_body_bytes: N}``: the largest HTTP answer read (runbook HTTP steps, Prometheus)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def environment(self, name: str | None = None) -> Environment:
        name = name or self.default_environment
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            raise ConfigError(f"unknown environment {name!r} (known: {known})", path=self.path) from None

    def section(self, name: str, default: Any = None) -> Any:
        """A raw top-level section for a subsystem to validate itself."""
        return self.raw.get(name, default)

    def line_of(self, key: KeyPath) -> int | None:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None

    def error_at(self, key: KeyPath, message: str) -> ConfigError:
        """A ConfigError pointing at ``key`` (a tuple path such as ``("tail", "buffer")``)."""
        return ConfigError(message, path=self.path, line=self.line_of(key), key=dotted(key))




def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """--config, else $EDGE_CONSOLE_CONFIG, else the XDG file if it exists, else None."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("EDGE_CONSOLE_CONFIG", "").strip()
    if env:
        return Path(env)
    candidate = default_config_path()
    return candidate if candidate.is_file() else None


def load_config(path: str | os.PathLike[str]) -> Config:
    path = Path(path)
    try:
        text = read_yaml_file(path)
    except YamlLimitError as exc:
        raise ConfigError(exc.message, path=path) from None
    except FileNotFoundError:
        raise ConfigError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Config:
    try:
        node, data = compose_and_load(text)
    except YamlLimitError as exc:
        raise ConfigError(exc.message, path=path, line=exc.line, key=exc.key) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=path) from None
    if data is None:
        data = {}
    lines = line_map(node)
    cfg = Config(path=path, default_environment="", environments={}, raw=data if isinstance(data, dict) else {},
                 lines=lines)
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping of keys", path=path, line=1)
    _Parser(cfg).parse(data)
    return cfg


class _Parser:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def err(self, key: KeyPath, message: str) -> ConfigError:
        return self.cfg.error_at(key, message)

    # -- typed getters -------------------------------------------------------------------
    def string(self, data: Mapping[str, Any], key: KeyPath, default: str | None = None, *,
               required: bool = False) -> str | None:
        name = key[-1]
        if name not in data or data[name] is None:
            if required:
                raise self.err(key, "is required")
            return default
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.err(key, f"expected a string, got {type(value).__name__}")
        return str(value)

    def ident(self, data: Mapping[str, Any], key: KeyPath) -> str:
        """A Cloudflare account/zone/namespace/queue ID: 32 hexadecimal characters (the simulated edge's
        IDs are too). It becomes a URL path segment and an argv value, so nothing else passes."""
        value = self.string(data, key, "") or ""
        if value and not _HEX32.fullmatch(value):
            raise self.err(key, "must be 32 hexadecimal characters")
        return value

    def url(self, data: Mapping[str, Any], key: KeyPath, default: str | None = None, *,
            required: bool = False) -> str | None:
        value = self.string(data, key, default, required=required)
        if value is not None and not value.startswith(("http://", "https://")):
            raise self.err(key, f"expected an http(s) URL, got {value!r}")
        return value.rstrip("/") if value and key[-1] == "base_url" else value

    def boolean(self, data: Mapping[str, Any], key: KeyPath, default: bool) -> bool:
        if key[-1] not in data or data[key[-1]] is None:
            return default
        value = data[key[-1]]
        if not isinstance(value, bool):
            raise self.err(key, f"expected true or false, got {value!r}")
        return value

    def number(self, data: Mapping[str, Any], key: KeyPath, default: float, *, minimum: float | None = None,
               maximum: float | None = None) -> float:
        if key[-1] not in data or data[key[-1]] is None:
            return default
        value = data[key[-1]]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.err(key, f"expected a number, got {value!r}")
        if not is_finite_number(value):
            raise self.err(key, "must be a finite number")
        if minimum is not None and value < minimum:
            raise self.err(key, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.err(key, f"{too_long_text(maximum)}, got {float(value):g}")
        return float(value)

    def mapping(self, data: Mapping[str, Any], key: KeyPath) -> dict[str, Any]:
        value = data.get(key[-1])
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.err(key, f"expected a mapping, got {type(value).__name__}")
        return value

    def argv(self, value: Any, key: KeyPath) -> list[str]:
        if isinstance(value, str):
            parts = value.split()
        elif isinstance(value, list) and all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in value):
            parts = [str(p) for p in value]
        else:
            raise self.err(key, "expected an argv list such as [npx, wrangler]")
        if not parts:
            raise self.err(key, "must not be empty")
        return parts

    def tools(self, data: Mapping[str, Any], key: KeyPath) -> dict[str, list[str]]:
        return {str(name): self.argv(value, (*key, str(name))) for name, value in self.mapping(data, key).items()}

    def str_map(self, data: Mapping[str, Any], key: KeyPath) -> dict[str, str]:
        out = {}
        for name, value in self.mapping(data, key).items():
            if isinstance(value, (dict, list)) or value is None:
                raise self.err((*key, str(name)), "expected a string")
            out[str(name)] = str(value)
        return out

    def workers(self, data: Mapping[str, Any], key: KeyPath) -> dict[str, str]:
        out = self.str_map(data, key)
        for role, script in out.items():
            if role not in WORKER_ROLES:
                raise self.err((*key, role), "unknown worker role (known: " + ", ".join(WORKER_ROLES) + ")")
            if not _SCRIPT_NAME.fullmatch(script):
                raise self.err((*key, role), "expected a Worker script name (letters, digits, '-' and '_', at most 63)")
        return out

    def id_map(self, data: Mapping[str, Any], key: KeyPath) -> dict[str, str]:
        out = self.str_map(data, key)
        for name in out:
            self.ident(out, (*key, name))
        return out

    # -- sections ------------------------------------------------------------------------
    def parse(self, data: dict[str, Any]) -> None:
        cfg = self.cfg
        for name in data:
            if name not in KNOWN_TOP_LEVEL:
                raise self.err((str(name),), "unknown key (known: " + ", ".join(sorted(KNOWN_TOP_LEVEL)) + ")")
        cfg.refresh_seconds = self.number(data, ("refresh_seconds",), 2.0, minimum=0.2, maximum=MAX_DURATION_S)
        cfg.read_only = self.boolean(data, ("read_only",), False)
        top_tools = self.tools(data, ("tools",))
        cf_url = self.url(data, ("cloudflare_api_url",), DEFAULT_CLOUDFLARE_API_URL)
        status_url = self.url(data, ("status_url",), DEFAULT_STATUS_URL)

        envs = self.mapping(data, ("environments",))
        if not envs:
            raise self.err(("environments",), "at least one environment is required")
        for name, body in envs.items():
            key: KeyPath = ("environments", str(name))
            if not isinstance(body, dict):
                raise self.err(key, "expected a mapping with base_url, metrics_url, ...")
            for sub in body:
                if sub not in ENV_KEYS:
                    raise self.err((*key, str(sub)), "unknown key (known: " + ", ".join(sorted(ENV_KEYS)) + ")")
            base = self.url(body, (*key, "base_url"), required=True)
            assert base is not None
            tools = dict(top_tools)
            tools.update(self.tools(body, (*key, "tools")))
            cfg.environments[str(name)] = Environment(
                name=str(name),
                base_url=base,
                metrics_url=self.url(body, (*key, "metrics_url"), base + "/metrics") or base + "/metrics",
                health_url=self.url(body, (*key, "health_url"), base + "/health") or base + "/health",
                worker=self.string(body, (*key, "worker"), "") or "",
                account_id=self.ident(body, (*key, "account_id")),
                zone_id=self.ident(body, (*key, "zone_id")),
                kv_namespace_id=self.ident(body, (*key, "kv_namespace_id")),
                api_token_env=self.string(body, (*key, "api_token_env"), "CLOUDFLARE_API_TOKEN") or "",
                api_token_file=self.string(body, (*key, "api_token_file")),
                admin_token_env=self.string(body, (*key, "admin_token_env"), "ADMIN_TOKEN") or "",
                admin_token_file=self.string(body, (*key, "admin_token_file")),
                read_only=self.boolean(body, (*key, "read_only"), False) or cfg.read_only,
                simulated=self.boolean(body, (*key, "simulated"), False),
                cloudflare_api_url=(self.url(body, (*key, "cloudflare_api_url"), cf_url) or cf_url or "").rstrip("/"),
                status_url=self.url(body, (*key, "status_url"), status_url) or status_url or "",
                tools=tools,
                tool_env=self.str_map(body, (*key, "tool_env")),
                queues=self.id_map(body, (*key, "queues")),
                paths=self.str_map(body, (*key, "paths")),
                prometheus_url=self.url(body, (*key, "prometheus_url")),
                workers=self.workers(body, (*key, "workers")),
            )
            env = cfg.environments[str(name)]
            if not env.worker and env.workers.get(DEFAULT_WORKER_ROLE):
                env.worker = env.workers[DEFAULT_WORKER_ROLE]
        default = self.string(data, ("default_environment",))
        if default is None:
            default = next(iter(cfg.environments))
        elif default not in cfg.environments:
            raise self.err(("default_environment",), f"names no environment (known: {', '.join(cfg.environments)})")
        cfg.default_environment = default
        cfg.simulated = all(env.simulated for env in cfg.environments.values())

        for metric, body in self.mapping(data, ("thresholds",)).items():
            key = ("thresholds", str(metric))
            if metric not in DEFAULT_THRESHOLDS:
                raise self.err(key, "unknown metric (known: " + ", ".join(DEFAULT_THRESHOLDS) + ")")
            if not isinstance(body, dict):
                raise self.err(key, "expected {warning: N, critical: N}")
            for sub in body:
                if sub not in ("warning", "critical"):
                    raise self.err((*key, str(sub)), "unknown key (known: warning, critical)")
            base = DEFAULT_THRESHOLDS[metric]
            warning = self.number(body, (*key, "warning"), base.warning)
            critical = self.number(body, (*key, "critical"), base.critical)
            spec = ThresholdSpec(warning=warning, critical=critical, direction=base.direction)
            problem = spec.problem()
            if problem:
                raise self.err(key, problem)
            cfg.thresholds[str(metric)] = spec

        for name, value in self.mapping(data, ("metric_names",)).items():
            key = ("metric_names", str(name))
            if name not in DEFAULT_METRIC_NAMES:
                raise self.err(key, "unknown metric family (known: " + ", ".join(DEFAULT_METRIC_NAMES) + ")")
            if not isinstance(value, str) or not value:
                raise self.err(key, "expected a metric family name")
            cfg.metric_names[str(name)] = value

        limits = self.mapping(data, ("limits",))
        for sub in limits:
            if sub != "max_body_bytes":
                raise self.err(("limits", str(sub)), "unknown key (known: max_body_bytes)")
        body_cap = self.number(limits, ("limits", "max_body_bytes"), DEFAULT_MAX_BODY_BYTES, minimum=MIN_BODY_BYTES)
        if body_cap > MAX_BODY_BYTES:
            raise self.err(("limits", "max_body_bytes"), f"must be at most {MAX_BODY_BYTES} ({size_text(MAX_BODY_BYTES)})")
        cfg.max_body_bytes = int(body_cap)

        runbooks = data.get("runbooks") or []
        if not isinstance(runbooks, list):
            raise self.err(("runbooks",), "expected a list of runbook YAML paths")
        base_dir = cfg.path.parent if cfg.path else Path.cwd()
        for index, item in enumerate(runbooks):
            if not isinstance(item, str):
                raise self.err(("runbooks", index), "expected a path")
            p = Path(os.path.expanduser(item))
            cfg.runbooks.append(p if p.is_absolute() else base_dir / p)


def simulated_config(base_url: str, *, tool_env: dict[str, str] | None = None,
                     tools: dict[str, list[str]] | None = None, refresh_seconds: float = 2.0,
                     paths: dict[str, str] | None = None) -> Config:
    """The configuration used when there is no config file: one environment on the simulated edge."""
    env = Environment(
        name="production",
        base_url=base_url,
        metrics_url=base_url + "/metrics",
        health_url=base_url + "/health",
        worker="vau-processor-production",
        workers={role: f"{role}-production" for role in WORKER_ROLES},
        account_id=SIM_ACCOUNT_ID,
        zone_id=SIM_ZONE_ID,
        kv_namespace_id=SIM_KV_NAMESPACE_ID,
        api_token_env="EDGE_SIM_API_TOKEN",
        admin_token_env="EDGE_SIM_ADMIN_TOKEN",
        simulated=True,
        cloudflare_api_url=base_url + "/client/v4",
        status_url=base_url + "/status/api/v2/status.json",
        tools=dict(tools or {}),
        tool_env=dict(tool_env or {}),
        queues=dict(SIM_QUEUE_IDS),
        paths=dict(paths or {}),
    )
    return Config(path=None, default_environment="production", environments={"production": env},
                  refresh_seconds=refresh_seconds, simulated=True)
