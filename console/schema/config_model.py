"""The config file, declared: every key, its type, its bounds and a one-line doc.

:func:`console.config.parse_config` checks a file against :class:`ConfigFile` with
:func:`console.schema.validate.check` (every problem at once, ``file:line: key: what``) and builds the
:class:`console.config.Config` the rest of the console reads. ``edge-console schema config`` prints the JSON
Schema generated from these classes (editor completion through yaml-language-server).

Adding a key is one declared field with a one-line doc, for example in :class:`ConfigFile`::

    workers: Annotated[dict[str, Text] | None, doc("worker name -> what it serves, for the workers view")] = None

A key of each environment is a field of :class:`EnvironmentSpec` plus an attribute of the same name on
``console.config.Environment`` (copied over by name). A section of its own is a Struct (``forbid_unknown_fields=True``) used as the field's type; a rule across
fields goes in the Struct's ``problems(invalid)`` (yield ``(subpath, what)``; skip fields named in ``invalid``). Subsystems read the checked value from
``Config.model.<key>`` (or ``Config.section("<key>")`` for the raw YAML).
"""

from typing import Annotated, Any, Iterable, Literal

import msgspec

from console.limits import DEFAULT_MAX_BODY_BYTES, MAX_BODY_BYTES, MAX_DURATION_S, MIN_BODY_BYTES
from console.metrics.fleet import valid_window
from console.metrics.thresholds import DEFAULT_THRESHOLDS, ThresholdSpec
from console.schema.validate import KeyPath, doc

DEFAULT_CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4"
DEFAULT_STATUS_URL = "https://www.cloudflarestatus.com/api/v2/status.json"

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

#: wrangler tail --status values
WRANGLER_STATUSES = ("ok", "error", "canceled")
#: the tail's default scrollback (console.tail.store.DEFAULT_CAPACITY; a test keeps them equal)
TAIL_BUFFER_DEFAULT = 10_000

Struct = msgspec.Struct
ThresholdKey = Literal[tuple(DEFAULT_THRESHOLDS)]  # type: ignore[valid-type]
FamilyKey = Literal[tuple(DEFAULT_METRIC_NAMES)]  # type: ignore[valid-type]

# -- value types ---------------------------------------------------------------------------------------
Text = Annotated[str, doc("text (a number is read as text)", text_ok=True)]
Url = Annotated[
    str, doc("an http(s) URL", text_ok=True, pattern="^https?://", pattern_message="expected an http(s) URL")
]
Hex32 = Annotated[
    str,
    doc(
        "a Cloudflare ID: 32 hexadecimal characters (quote it in YAML)",
        text_ok=True,
        pattern="^(?:[0-9a-fA-F]{32})?$",
        pattern_message="must be 32 hexadecimal characters",
    ),
]


def _argv_problem(value: Any) -> str | None:
    parts = value.split() if isinstance(value, str) else value
    return None if parts else "must not be empty"


Argv = Annotated[
    str | list[Text],
    doc(
        "an argv prefix: a list such as [npx, wrangler] (a string is split on spaces)",
        message="expected an argv list such as [npx, wrangler]",
        check=_argv_problem,
    ),
]


def argv_list(value: str | list[str]) -> list[str]:
    return value.split() if isinstance(value, str) else list(value)


#: The edge's workers by role (the runbook's four); ``worker:`` names the default role's script.
WORKER_ROLES: tuple[str, ...] = ("vau-processor", "security-waf", "rate-limiter", "queue-processor")
DEFAULT_WORKER_ROLE = "vau-processor"
WorkerRole = Literal[WORKER_ROLES]  # type: ignore[valid-type]
ScriptName = Annotated[
    str,
    doc(
        "a Worker script name",
        pattern="^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$",
        pattern_message="expected a Worker script name (letters, digits, '-' and '_', at most 63)",
    ),
]
EnvVarName = Annotated[
    str,
    doc(
        "an environment variable name",
        pattern="^[A-Za-z_][A-Za-z0-9_]{0,127}$",
        pattern_message="expected an environment variable name",
    ),
]
PlainUrl = Annotated[
    str,
    doc(
        "an http(s) URL without credentials",
        text_ok=True,
        pattern=r"^https?://[^\s/?#@]+(/[^\s?#]*)?$",
        pattern_message="expected an http(s) URL without credentials",
    ),
]


Tenant = Annotated[
    str,
    doc(
        "a tenant id",
        pattern="^[A-Za-z0-9_.|-]{1,150}$",
        pattern_message="expected a tenant id of letters, digits, '_', '-', '.', '|'",
    ),
]


def _selector_problem(value: str) -> str | None:
    from console.metrics.promselector import SelectorError, canonical

    try:
        canonical(value)
    except SelectorError as exc:
        return f"not a PromQL label selector: {exc}"
    return None


def _matchers_problem(value: str) -> str | None:
    from console.alertmanager.matchers import MatcherError, parse_matchers

    try:
        parse_matchers(value)
    except MatcherError as exc:
        return str(exc)
    return None


def _duration_problem(value: str) -> str | None:
    from console.metrics.promduration import parse_duration

    try:
        parse_duration(value)
    except ValueError:
        return f"not a PromQL range: {value!r} (a Prometheus duration: 30s, 5m, 1h30m)"
    return None


PromDuration = Annotated[str, doc("a Prometheus duration (30s, 5m, 1h30m)", text_ok=True, check=_duration_problem)]


def _github_repo_problem(value: str) -> str | None:
    import re

    if not value:
        return None
    ok = re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}", value)
    if not ok or value.split("/")[1] in (".", ".."):
        return f"expected owner/name (the repository gh -R takes), got {value!r}"
    return None


GithubRepo = Annotated[str, doc("owner/name", text_ok=True, check=_github_repo_problem)]


# -- sections --------------------------------------------------------------------------------------------
class EnvironmentSpec(Struct, forbid_unknown_fields=True):
    """One environment (production, staging, ...): where its edge answers and which secrets it uses."""

    base_url: Annotated[Url, doc("the edge's base URL; /health and /admin/... live here")]
    metrics_url: Annotated[Url | None, doc("Prometheus text endpoint (default base_url/metrics)")] = None
    health_url: Annotated[Url | None, doc("health endpoint (default base_url/health)")] = None
    worker: Annotated[Text, doc("the Worker's name (wrangler tail, deployments)")] = ""
    account_id: Annotated[Hex32, doc("Cloudflare account ID (32 hex characters)")] = ""
    zone_id: Annotated[Hex32, doc("Cloudflare zone ID (32 hex characters)")] = ""
    kv_namespace_id: Annotated[Hex32, doc("KV namespace ID of the edge's config store (32 hex characters)")] = ""
    api_token_env: Annotated[Text, doc("name of the env var holding the Cloudflare API token")] = "CLOUDFLARE_API_TOKEN"
    api_token_file: Annotated[Text | None, doc("path of a 0600 file holding the Cloudflare API token")] = None
    admin_token_env: Annotated[Text, doc("name of the env var holding the edge's admin token")] = "ADMIN_TOKEN"
    admin_token_file: Annotated[Text | None, doc("path of a 0600 file holding the edge's admin token")] = None
    read_only: Annotated[bool, doc("refuse every mutating step in this environment")] = False
    simulated: Annotated[bool, doc("this environment is the bundled simulator")] = False
    cloudflare_api_url: Annotated[Url | None, doc("Cloudflare API base for this environment")] = None
    status_url: Annotated[Url | None, doc("Cloudflare status page JSON for this environment")] = None
    tools: Annotated[dict[str, Argv], doc("tool name -> argv prefix, over the top-level tools")] = {}
    tool_env: Annotated[dict[str, Text | bool], doc("extra (non-secret) env vars given to the tools")] = {}
    queues: Annotated[dict[str, Hex32], doc("queue name -> Cloudflare queue ID (Queues API backlog)")] = {}
    paths: Annotated[dict[str, Text | bool], doc("named paths for flows ({env.paths.repo}, export_dir, ...)")] = {}
    prometheus_url: Annotated[PlainUrl | None, doc("Prometheus server for fleet-wide numbers (f key, check)")] = None
    prometheus_selector: Annotated[
        Text, doc('label matchers added to every PromQL query ({env="production",job="edge"})', check=_selector_problem)
    ] = ""
    prometheus_token_env: Annotated[EnvVarName | None, doc("env var holding a bearer token for Prometheus")] = None
    prometheus_tenant: Annotated[Tenant | None, doc("X-Scope-OrgID header for Mimir/Cortex")] = None
    alertmanager_url: Annotated[PlainUrl | None, doc("Alertmanager (API v2) for the alerts pane and silences")] = None
    alertmanager_token_env: Annotated[EnvVarName | None, doc("env var holding a bearer token for Alertmanager")] = None
    alertmanager_token_file: Annotated[Text | None, doc("or a 0600 file holding that token")] = None
    alertmanager_matchers: Annotated[
        Text | None,
        doc(
            "the edge's alerts as matchers (env=production,job=edge), silenced in maintenance windows",
            check=_matchers_problem,
        ),
    ] = None
    github_repo: Annotated[GithubRepo, doc("owner/name of the repository with the edge's workflows (gh -R)")] = ""
    workers: Annotated[
        dict[WorkerRole, ScriptName],
        doc(
            "worker role -> deployed script name (log view, tail --worker, flows)",
            key_word="worker role",
            known=WORKER_ROLES,
        ),
    ] = {}


class ThresholdOverride(Struct, forbid_unknown_fields=True):
    """New warning/critical levels of one key metric (the direction stays the runbook's)."""

    warning: Annotated[float | None, doc("the warning level")] = None
    critical: Annotated[float | None, doc("the critical level")] = None


class Limits(Struct, forbid_unknown_fields=True):
    """Bounds on what the console reads."""

    max_body_bytes: Annotated[
        int,
        doc("largest HTTP answer read (runbook HTTP steps, Prometheus), bytes", ge=MIN_BODY_BYTES, le=MAX_BODY_BYTES),
    ] = DEFAULT_MAX_BODY_BYTES


def _filter_problem(text: str) -> str | None:
    from console.tail.filters import Filter, FilterError

    try:
        Filter(text)
    except FilterError as exc:
        return str(exc)
    return None


def _statuses_problem(value: str | list[str]) -> str | None:
    for item in [value] if isinstance(value, str) else value:
        if item not in WRANGLER_STATUSES:
            return f"{item!r} is not a wrangler status (known: {', '.join(WRANGLER_STATUSES)})"
    return None


Strings = Annotated[
    Text | list[Text], doc("a string or a list of strings", message="expected a string or a list of strings")
]


class TailServer(Struct, forbid_unknown_fields=True):
    """Filters wrangler applies itself (the stream restarts when they change)."""

    status: Annotated[Strings | None, doc("wrangler --status: ok, error, canceled", check=_statuses_problem)] = None
    method: Annotated[Strings | None, doc("wrangler --method: HTTP methods")] = None
    search: Annotated[str | None, doc("wrangler --search: text in console.log messages")] = None
    ip: Annotated[Strings | None, doc("wrangler --ip: client IPs")] = None
    sampling_rate: Annotated[
        Annotated[float, msgspec.Meta(gt=0, le=1)] | None,
        doc("wrangler --sampling-rate: 0 < rate <= 1", message="expected a rate between 0 and 1"),
    ] = None


class TailSection(Struct, forbid_unknown_fields=True):
    """The log tail (wrangler tail --format json)."""

    buffer: Annotated[int, doc("events kept for scrollback, breakdown and save", ge=100, le=1_000_000)] = (
        TAIL_BUFFER_DEFAULT
    )
    filter: Annotated[
        str,
        doc(
            "initial view filter (the view's / syntax)",
            check=_filter_problem,
            message="expected a filter expression string",
        ),
    ] = ""
    batch_ms: Annotated[int, doc("how often parsed events reach the screen, ms", ge=20, le=1000)] = 250
    reconnect_max_seconds: Annotated[
        float, doc("longest wait between reconnects, s", ge=1, le=3600, message="expected seconds between 1 and 3600")
    ] = 30.0
    server: Annotated[TailServer | None, doc("wrangler-side filters")] = None
    workers: Annotated[
        list[WorkerRole],
        doc(
            "worker roles the log view tails at start, merged (default: the default worker)",
            key_word="worker role",
            known=WORKER_ROLES,
        ),
    ] = []


Scrapes = Annotated[int, doc("scrapes", ge=1, message="expected a whole number of scrapes >= 1")]


class AlertsSection(Struct, forbid_unknown_fields=True):
    """How alerts are held and cleared (no flapping at a threshold)."""

    hold_scrapes: Annotated[Scrapes, doc("scrapes a worse state must hold before it raises")] = 3
    clear_scrapes: Annotated[Scrapes, doc("scrapes a better state must hold before it clears")] = 3
    hysteresis_percent: Annotated[
        float, doc("margin past the threshold to clear, % of it", ge=0, lt=100, message="expected a percentage 0-99")
    ] = 5.0


def _email_problem(value: str) -> str | None:
    return None if not value or "@" in value else f"{value!r} is not an email address"


def _name_problem(value: str) -> str | None:
    return None if value.strip() else "is required (a non-empty string)"


class ContactSpec(Struct, forbid_unknown_fields=True):
    """A person or team on the escalation path."""

    name: Annotated[str, doc("who", check=_name_problem)]
    role: Annotated[Text, doc("their role")] = ""
    email: Annotated[Text, doc("email address", check=_email_problem)] = ""
    phone: Annotated[Text, doc("phone number (quote it)")] = ""
    how: Annotated[Text, doc("how to reach them (e.g. Check PagerDuty)")] = ""
    external: Annotated[bool, doc("outside the company (vendor support)")] = False


class ChannelSpec(Struct, forbid_unknown_fields=True):
    """A place incidents are talked about."""

    name: Annotated[str | None, doc("display name (default: the key)")] = None
    kind: Annotated[str, doc("slack, link, war-room, ...")] = ""
    purpose: Annotated[str, doc("what it is for")] = ""
    url: Annotated[str, doc("where it is")] = ""


NotifyArgv = Annotated[
    list[Text],
    doc(
        "argv run with the message on stdin (no shell)",
        min_length=1,
        message="expected an argv list such as [slack-notify, --channel, incidents] "
        "(the message is given on stdin; no shell)",
    ),
]


def _window_problem(value: str) -> str | None:
    return None if valid_window(value) else f"not a PromQL range: {value!r} (e.g. 30s, 1m, 5m)"


class PrometheusSection(Struct, forbid_unknown_fields=True):
    """Fleet-wide numbers from a Prometheus server (an environment's prometheus_url)."""

    window: Annotated[Text, doc("the PromQL rate() window (30s, 1m, 5m)", check=_window_problem)] = "1m"
    scrape_interval: Annotated[
        PromDuration | None,
        doc("Prometheus's scrape interval (default: read from /api/v1/status/config); the window must be 4x it"),
    ] = None
    history_window: Annotated[Literal["1h", "12h", "24h"], doc("history shown first: last hour, overnight, a day")] = (
        "1h"
    )


class AlertmanagerSection(Struct, forbid_unknown_fields=True):
    """Alertmanager settings shared by every environment's alertmanager_url."""

    ack_silence: Annotated[
        PromDuration | None, doc("acknowledging an alert also silences it for this long (off when unset)")
    ] = None
    poll_seconds: Annotated[float, doc("seconds between reads of the alerts", ge=1, le=3600)] = 10.0


DashboardUid = Annotated[
    str,
    doc("a Grafana dashboard UID", pattern="^[A-Za-z0-9_-]{1,40}$", pattern_message="expected a Grafana dashboard UID"),
]


class GrafanaSection(Struct, forbid_unknown_fields=True):
    """Grafana: an annotation per mitigation step, dashboard links in reports."""

    url: Annotated[PlainUrl, doc("Grafana's base URL (https://grafana.example.com)")]
    token_env: Annotated[EnvVarName | None, doc("env var holding a service-account token (Editor)")] = None
    token_file: Annotated[Text | None, doc("or a 0600 file holding that token")] = None
    dashboard_uid: Annotated[DashboardUid | None, doc("UID of the edge dashboard (reports link it)")] = None


class PagerDutySection(Struct, forbid_unknown_fields=True):
    """PagerDuty Events API v2: incidents trigger, acknowledge and resolve a PagerDuty incident."""

    routing_key_env: Annotated[EnvVarName | None, doc("env var holding the integration (routing) key")] = None
    routing_key_file: Annotated[Text | None, doc("or a 0600 file holding that key")] = None
    events_url: Annotated[PlainUrl, doc("Events API v2 endpoint")] = "https://events.pagerduty.com/v2/enqueue"
    source: Annotated[Text | None, doc("payload.source (default: the environment's host)")] = None

    def problems(self, invalid: frozenset[str]) -> Iterable[tuple[KeyPath, str]]:
        if not self.routing_key_env and not self.routing_key_file:
            yield (), "name where the secret comes from: routing_key_env or routing_key_file"


class SlackSection(Struct, forbid_unknown_fields=True):
    """Slack: incident start, severity, phase, mitigation and close posted to a channel's webhook."""

    webhook_url_env: Annotated[EnvVarName | None, doc("env var holding the incoming-webhook URL (a secret)")] = None
    webhook_url_file: Annotated[Text | None, doc("or a 0600 file holding that URL")] = None

    def problems(self, invalid: frozenset[str]) -> Iterable[tuple[KeyPath, str]]:
        if not self.webhook_url_env and not self.webhook_url_file:
            yield (), "name where the secret comes from: webhook_url_env or webhook_url_file"


class RecordSection(Struct, forbid_unknown_fields=True):
    """Recordings of what the console saw, for replay (console/record)."""

    auto_on_incident: Annotated[bool, doc("start recording when an incident opens")] = True


class ConfigFile(Struct, forbid_unknown_fields=True):
    """Edge Console configuration (--config, $EDGE_CONSOLE_CONFIG or ~/.config/edge-console/config.yaml)."""

    # required (at least one): problems() says so in the console's words; the JSON Schema marks it required
    environments: Annotated[
        dict[str, EnvironmentSpec],
        doc("environment name -> where its edge is (at least one)", extra_json_schema={"minProperties": 1}),
    ] = {}
    default_environment: Annotated[Text | None, doc("environment shown first (default: the first one)")] = None
    refresh_seconds: Annotated[float, doc("seconds between scrapes", ge=0.2, le=MAX_DURATION_S)] = 2.0
    read_only: Annotated[bool, doc("refuse every mutating step in every environment")] = False
    thresholds: Annotated[
        dict[ThresholdKey, ThresholdOverride],
        doc("key metric -> {warning, critical}", key_word="metric", known=tuple(DEFAULT_THRESHOLDS)),
    ] = {}
    metric_names: Annotated[
        dict[
            FamilyKey,
            Annotated[
                str,
                doc(
                    "metric family",
                    min_length=1,
                    message="expected a metric family name",
                    pattern="^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$",
                    pattern_message="expected a metric family name "
                    "(letters, digits, '_' and ':'): it goes into "
                    "every PromQL query",
                ),
            ],
        ],
        doc("metric family -> the name your edge exposes", key_word="metric family", known=tuple(DEFAULT_METRIC_NAMES)),
    ] = {}
    tools: Annotated[dict[str, Argv], doc("tool name -> argv prefix (wrangler: [npx, wrangler])")] = {}
    runbooks: Annotated[
        list[Text],
        doc(
            "runbook YAML files merged after the built-in one (relative to this file)",
            message="expected a list of runbook YAML paths",
        ),
    ] = []
    cloudflare_api_url: Annotated[Url, doc("Cloudflare API base")] = DEFAULT_CLOUDFLARE_API_URL
    status_url: Annotated[Url, doc("Cloudflare status page JSON")] = DEFAULT_STATUS_URL
    tail: Annotated[TailSection | None, doc("log tail settings")] = None
    alerts: Annotated[AlertsSection | None, doc("alert hold/clear settings")] = None
    contacts: Annotated[
        dict[str, ContactSpec | Annotated[str, doc("the contact's name")]] | None,
        doc(
            "contact key -> contact (default: the runbook's Emergency Contacts)",
            message="expected a mapping of contact key -> {name, email, phone, how}",
        ),
    ] = None
    escalation: Annotated[
        list[str] | None,
        doc("contact keys in escalation order", message="expected a list of contact keys, in escalation order"),
    ] = None
    channels: Annotated[
        dict[str, ChannelSpec | Annotated[str, doc("the channel's name")]] | None,
        doc("channel key -> channel", message="expected a mapping of channel key -> {name, kind, purpose, url}"),
    ] = None
    notify: Annotated[
        dict[str, NotifyArgv] | None,
        doc(
            "channel key -> argv that posts a message given on stdin",
            message="expected a mapping of channel key -> argv list",
        ),
    ] = None
    paths: Annotated[dict[str, Any] | None, doc("named paths shared by flows")] = None
    export: Annotated[
        dict[str, Any] | None, doc("commands flows take with argv_from (export.upload: [aws, s3, cp, ...])")
    ] = None
    prometheus: Annotated[PrometheusSection | None, doc("Prometheus query settings")] = None
    alertmanager: Annotated[AlertmanagerSection | None, doc("Alertmanager settings")] = None
    theme: Annotated[Text | None, doc("colour theme name")] = None
    limits: Annotated[Limits | None, doc("bounds on what the console reads")] = None
    record: Annotated[RecordSection | None, doc("recording what the console saw (edge-console replay)")] = None
    keys: Annotated[
        dict[str, Text] | None,
        doc("action id -> key, over the defaults (edge-console keys lists them; checked in console/keymap.py)"),
    ] = None
    grafana: Annotated[GrafanaSection | None, doc("Grafana annotations and dashboard links")] = None
    pagerduty: Annotated[PagerDutySection | None, doc("PagerDuty Events API v2")] = None
    slack: Annotated[SlackSection | None, doc("Slack incoming webhook for incident updates")] = None

    def problems(self, invalid: frozenset[str]) -> Iterable[tuple[KeyPath, str]]:
        """Rules across keys: an environment exists, the default names one, thresholds keep their order,
        escalation and notify name known contacts and channels (each skipped while a key it reads is
        itself wrong: ``invalid``)."""
        if "environments" not in invalid:
            if not self.environments:
                yield ("environments",), "at least one environment is required"
            elif self.default_environment is not None and self.default_environment not in self.environments:
                yield ("default_environment",), f"names no environment (known: {', '.join(self.environments)})"
        for metric, override in self.thresholds.items():
            problem = threshold_spec(metric, override).problem()
            if problem:
                yield ("thresholds", metric), problem
        if self.escalation is not None and "contacts" not in invalid:
            known = contact_keys(self)
            for index, key in enumerate(self.escalation):
                if key not in known:
                    yield ("escalation", index), f"{key!r} names no contact (known: {', '.join(known)})"
        if self.notify and "channels" not in invalid:
            channels = channel_keys(self)
            for key in self.notify:
                if key not in channels:
                    yield ("notify", key), f"names no channel (known: {', '.join(channels)})"


def threshold_spec(metric: str, override: ThresholdOverride) -> ThresholdSpec:
    base = DEFAULT_THRESHOLDS[metric]
    return ThresholdSpec(
        warning=base.warning if override.warning is None else override.warning,
        critical=base.critical if override.critical is None else override.critical,
        direction=base.direction,
    )


#: the runbook's Emergency Contacts and channels, used when the config has none (console.incident.contacts)
RUNBOOK_CONTACT_KEYS = ("on-call", "team-lead", "platform-lead", "cto", "cloudflare", "pagerduty")
RUNBOOK_CHANNEL_KEYS = ("edge-alerts", "edge-oncall", "incidents", "status-page", "war-room")


def contact_keys(model: ConfigFile) -> list[str]:
    return list(model.contacts) if model.contacts is not None else list(RUNBOOK_CONTACT_KEYS)


def channel_keys(model: ConfigFile) -> list[str]:
    return list(model.channels) if model.channels is not None else list(RUNBOOK_CHANNEL_KEYS)


#: top-level keys (for messages and other readers)
KNOWN_TOP_LEVEL = frozenset(f.encode_name for f in msgspec.structs.fields(ConfigFile))
ENV_KEYS = frozenset(f.encode_name for f in msgspec.structs.fields(EnvironmentSpec))
