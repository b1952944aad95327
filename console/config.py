"""Configuration: YAML from --config, $EDGE_CONSOLE_CONFIG or the XDG config dir.

The file is declared in :mod:`console.schema.config_model` (every key, its bounds, a one-line doc) and
checked in one pass that reports every problem at once, each naming the file, the line and the dotted key,
so an operator can fix them without reading a traceback or rerunning per mistake. Subsystems read their
checked section from ``Config.model`` (tail, alerts, contacts); ``Config.raw``/:meth:`Config.error_at` stay
for code that reads a raw section and phrases its own file/line/key message.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.metrics.thresholds import DEFAULT_THRESHOLDS, ThresholdSpec
from console.paths import default_config_path
from console.sanitize import clean_line
from console.sim.names import SIM_ACCOUNT_ID, SIM_GITHUB_REPO, SIM_KV_NAMESPACE_ID, SIM_QUEUE_IDS, SIM_ZONE_ID
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.schema import config_model as model
from console.schema.config_model import (  # noqa: F401  (public names other modules import from here)
    DEFAULT_CLOUDFLARE_API_URL,
    DEFAULT_METRIC_NAMES,
    DEFAULT_STATUS_URL,
    DEFAULT_WORKER_ROLE,
    ENV_KEYS,
    KNOWN_TOP_LEVEL,
    WORKER_ROLES,
    ConfigFile,
)
from console.monitoring_config import monitoring_values
from console.schema.validate import BAD, check
from console.yamlpaths import KeyPath, YamlLimitError, compose_and_load, dotted, line_map, read_yaml_file

DEFAULT_TOOLS: dict[str, list[str]] = {
    "wrangler": ["wrangler"],
    "gh": ["gh"],
    "terraform": ["terraform"],
    "git": ["git"],
    "npm": ["npm"],
    # the console's own helper: terraform values into a *.auto.tfvars pull request (console/runbook/tfvars_pr.py)
    "tfvars-pr": [sys.executable, "-m", "console.runbook.tfvars_pr"],
}


class ConfigError(Exception):
    """A configuration problem, already phrased for the operator: ``file:line: key: what``.

    A file with several problems raises one ConfigError holding them all in ``errors`` (in line order);
    its ``path``/``line``/``key``/``detail`` are the first one's and ``str()`` is one line per problem."""

    def __init__(
        self, message: str, *, path: Path | None = None, line: int | None = None, key: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.detail = message
        self.errors: list[ConfigError] = [self]
        where = clean_line(str(path)) if path else "<config>"  # a path from argv or the environment: shown
        if line is not None:
            where += f":{line}"
        prefix = f"{where}: "
        if key:
            prefix += f"{key}: "
        super().__init__(prefix + message)

    @classmethod
    def of(cls, errors: list["ConfigError"]) -> "ConfigError":
        """One error standing for ``errors`` (at least one)."""
        first = errors[0]
        if len(errors) == 1:
            return first
        combined = cls(first.detail, path=first.path, line=first.line, key=first.key)
        combined.errors = list(errors)
        combined.args = ("\n".join(str(e) for e in errors),)
        return combined


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
    #: label matchers added to every PromQL query (canonical ``{env="production",job="edge"}``, or "")
    prometheus_selector: str = ""
    #: env var holding a bearer token for Prometheus; ``X-Scope-OrgID`` for Mimir/Cortex
    prometheus_token_env: str | None = None
    prometheus_tenant: str | None = None
    #: Alertmanager (API v2) and its optional bearer token (env var or 0600 file)
    alertmanager_url: str | None = None
    alertmanager_token_env: str | None = None
    alertmanager_token_file: str | None = None
    #: the edge's alerts as Alertmanager matchers (``env=production,job=edge``), for maintenance silences
    alertmanager_matchers: str = ""
    #: role -> deployed script name; the default role is ``worker`` when it is set
    workers: dict[str, str] = field(default_factory=dict)
    #: ``owner/name`` of the repository holding the edge's workflows; every gh call gets ``-R`` with it
    github_repo: str = ""

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
    #: the checked file (declared in console/schema/config_model.py); the defaults without a file
    model: ConfigFile = field(default_factory=ConfigFile)

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
    """Read a config file's text; raises ConfigError naming every problem (``file:line: key: what``)."""
    import yaml  # here, not at import: a start-up without a config file parses no YAML (console/yamlpaths.py)

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
    cfg = Config(
        path=path, default_environment="", environments={}, raw=data if isinstance(data, dict) else {}, lines=lines
    )
    if not isinstance(data, dict):
        raise ConfigError("the top level must be a mapping of keys", path=path, line=1)
    checked, problems = check(ConfigFile, data, secrets=True)
    if problems:
        errors = [cfg.error_at(key, message) for key, message in problems]
        errors.sort(key=lambda e: (e.line is None, e.line or 0))  # stable; a missing key (no line) last
        raise ConfigError.of(errors)
    assert checked is not BAD
    _build(cfg, checked)
    return cfg


_ENV_FIELDS = frozenset(Environment.__dataclass_fields__)


def _build(cfg: Config, checked: ConfigFile) -> None:
    """Fill ``cfg`` from the checked file (defaults and inheritance: an environment's URLs, tools)."""
    cfg.model = checked
    cfg.refresh_seconds = checked.refresh_seconds
    cfg.read_only = checked.read_only
    top_tools = {name: model.argv_list(argv) for name, argv in checked.tools.items()}
    for name, spec in checked.environments.items():
        base = spec.base_url.rstrip("/")
        # a declared key with the same name on Environment is copied as it is; these ones are derived
        values: dict[str, Any] = {f: getattr(spec, f) for f in spec.__struct_fields__ if f in _ENV_FIELDS}
        values.update(
            name=name,
            base_url=base,
            metrics_url=spec.metrics_url or base + "/metrics",
            health_url=spec.health_url or base + "/health",
            read_only=spec.read_only or checked.read_only,
            cloudflare_api_url=(spec.cloudflare_api_url or checked.cloudflare_api_url).rstrip("/"),
            status_url=spec.status_url or checked.status_url,
            tools={**top_tools, **{n: model.argv_list(a) for n, a in spec.tools.items()}},
            tool_env={k: str(v) for k, v in spec.tool_env.items()},
            queues=dict(spec.queues),
            paths={k: str(v) for k, v in spec.paths.items()},
        )
        values.update(monitoring_values(spec, name))
        values["workers"] = dict(spec.workers)
        if not values.get("worker") and spec.workers.get(DEFAULT_WORKER_ROLE):
            values["worker"] = spec.workers[DEFAULT_WORKER_ROLE]
        cfg.environments[name] = Environment(**values)
    cfg.default_environment = checked.default_environment or next(iter(cfg.environments))
    cfg.simulated = all(env.simulated for env in cfg.environments.values())
    for metric, override in checked.thresholds.items():
        cfg.thresholds[metric] = model.threshold_spec(metric, override)
    cfg.metric_names.update(checked.metric_names)
    if checked.limits is not None:
        cfg.max_body_bytes = checked.limits.max_body_bytes
    base_dir = cfg.path.parent if cfg.path else Path.cwd()
    for item in checked.runbooks:
        p = Path(os.path.expanduser(item))
        cfg.runbooks.append(p if p.is_absolute() else base_dir / p)


def simulated_config(
    base_url: str,
    *,
    tool_env: dict[str, str] | None = None,
    tools: dict[str, list[str]] | None = None,
    refresh_seconds: float = 2.0,
    paths: dict[str, str] | None = None,
) -> Config:
    """The configuration used when there is no config file: one environment on the simulated edge."""
    env = Environment(
        name="production",
        base_url=base_url,
        metrics_url=base_url + "/metrics",
        health_url=base_url + "/health",
        worker="vau-processor-production",
        workers={role: f"{role}-production" for role in WORKER_ROLES},
        github_repo=SIM_GITHUB_REPO,
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
    return Config(
        path=None,
        default_environment="production",
        environments={"production": env},
        refresh_seconds=refresh_seconds,
        simulated=True,
    )
