"""The runbook as data: flows, typed inputs and steps (plain dataclasses, no I/O).

A :class:`Flow` is what an operator runs; its :class:`Step` list is executed in order by
:class:`console.runbook.engine.FlowRunner`. Whether a flow changes production is decided from this
data alone (:attr:`Step.mutating`, :attr:`Flow.mutating`) by :mod:`console.runbook.policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.sanitize import clean_line

#: What a step does. ``check`` reads, ``action`` changes something, ``verify`` watches a live value,
#: ``manual`` is a checklist item the operator ticks, ``note`` is guidance text.
STEP_KINDS = ("check", "action", "verify", "manual", "note")

#: Input types an operator can be asked for.
INPUT_TYPES = ("string", "choice", "int", "number", "duration", "bool", "ip", "cidr", "url", "timestamp", "edge_ip")

#: Secrets a template may reference as ``{secret:NAME}``; each maps to the environment's
#: ``<NAME>_env`` / ``<NAME>_file`` settings.
SECRET_NAMES = ("api_token", "admin_token", "alertmanager_token")


class RunbookError(Exception):
    """A problem in a runbook file, phrased for its author: ``file:line: where: what``."""

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, where: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.where = where
        self.detail = message
        prefix = clean_line(file) if file else "<runbook>"  # a path from argv or a config: shown
        if line is not None:
            prefix += f":{line}"
        prefix += ": "
        if where:
            prefix += f"{where}: "
        self.errors: list[RunbookError] = [self]
        super().__init__(prefix + message)

    @classmethod
    def of(cls, errors: list["RunbookError"]) -> "RunbookError":
        """One error standing for ``errors`` (at least one): the first one's fields, one line per problem."""
        first = errors[0]
        if len(errors) == 1:
            return first
        combined = cls(first.detail, file=first.file, line=first.line, where=first.where)
        combined.errors = list(errors)
        combined.args = ("\n".join(str(e) for e in errors),)
        return combined


class InputError(Exception):
    """Bad operator input for one field; ``field`` names it so a form can put the message there."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Expr:
    """A parsed condition ``PATH [OP VALUE]``: ``status == "healthy"``, ``error_rate < 1``,
    ``config.export.upload`` (truthiness). See :mod:`console.runbook.expr`."""

    text: str
    path: str
    op: str | None = None
    value: Any = None


@dataclass
class InputSpec:
    name: str
    type: str = "string"
    label: str = ""
    required: bool = True
    #: A literal or a template such as ``"{env.worker}"`` / ``"{memory.previous_security_level|medium}"``.
    default: Any = None
    choices: list[str] = field(default_factory=list)
    #: ``workers``: a choice among the worker roles (``choices`` lists them all; the environment's
    #: configured ones are offered and accepted, see :meth:`options`)
    choices_from: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    line: int | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ")

    def options(self, env: Any = None) -> list[str]:
        """The choices to offer in ``env``: for ``choices_from: workers`` the roles it names a script for."""
        if self.choices_from == "workers" and env is not None and callable(getattr(env, "worker_roles", None)):
            return [c for c in self.choices if c in env.worker_roles()]
        return list(self.choices)


@dataclass
class HttpSpec:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    #: ``api_token`` or ``admin_token``: adds ``Authorization: Bearer {secret:NAME}``.
    auth: str | None = None
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    timeout: float = 15.0
    #: Only show response lines matching this regex (``curl ... | grep`` in the paper runbook).
    filter: str | None = None
    #: Write the response body to this (templated) path.
    save_to: str | None = None
    #: 4xx statuses that are an answer rather than a failure (404 of "no entry point ruleset yet").
    accept_status: tuple[int, ...] = ()


@dataclass
class CommandSpec:
    #: ``tools.<name>`` argv prefix from the config (``wrangler``, ``gh``, ``terraform``, ``git``, ...).
    tool: str | None
    args: list[str] = field(default_factory=list)
    #: Take the whole argv from a config key instead (``export.upload``), each element templated.
    argv_from: str | None = None
    stdin: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    timeout: float = 120.0
    #: Stream for this many seconds and then stop (``wrangler tail``); stopping is success.
    collect_seconds: float | None = None


@dataclass
class VerifySpec:
    expr: Expr
    timeout: float = 60.0
    interval: float = 2.0

    @property
    def metric(self) -> str:
        return self.expr.path


@dataclass
class Step:
    id: str
    kind: str
    title: str
    text: str = ""
    http: HttpSpec | None = None
    command: CommandSpec | None = None
    #: ``tail`` step: summarise recent ``wrangler tail`` events (the TUI's buffer, or a short tail).
    tail_seconds: float | None = None
    #: Live metric keys to show (``error_rate``, ``queue_backlog``, ...): a check over current values.
    metrics: list[str] = field(default_factory=list)
    #: ``metrics`` step: show each value's recent history as a sparkline; a headless source scrapes until it
    #: has this many points (the TUI has the dashboard's history already).
    trend: int | None = None
    #: Named pure summary over the output (see :mod:`console.runbook.summaries`).
    summary: str | None = None
    summary_args: dict[str, Any] = field(default_factory=dict)
    expect: Expr | None = None
    verify: VerifySpec | None = None
    #: name -> path into the result (``result.value``, ``[0].databaseId``, ``[0].databaseId|0`` with a
    #: default when absent); usable as ``{capture.NAME}``.
    capture: dict[str, str] = field(default_factory=dict)
    #: captured names persisted per environment for later flows (``{memory.NAME}``).
    remember: list[str] = field(default_factory=list)
    remember_if: Expr | None = None
    when: Expr | None = None
    #: a check that fails is tried again this many times in all, ``retry_interval`` seconds apart
    retry_attempts: int = 1
    retry_interval: float = 2.0
    #: ``stop``: a failure ends the flow; ``continue``: go on with the next step.
    on_fail: str = "stop"
    #: Expand into one step per entry of an environment mapping (``env.queues``): ``{item.key}``, ``{item.value}``.
    foreach: str | None = None
    #: an action that makes an earlier change last (terraform values into a pull request): when it does not
    #: pass (declined, skipped, failed, cancelled) after an action of the flow ran, this text goes on the
    #: incident timeline and becomes an action item (the audit record's ``action_item``)
    if_declined: str = ""
    line: int | None = None

    @property
    def mutating(self) -> bool:
        """The single rule: an ``action`` changes something; nothing else may."""
        return self.kind == "action"

    @property
    def executor(self) -> str:
        if self.http is not None:
            return "http"
        if self.command is not None:
            return "command"
        if self.tail_seconds is not None:
            return "tail"
        if self.metrics:
            return "metrics"
        if self.verify is not None:
            return "verify"
        return "none"


@dataclass
class Flow:
    id: str
    title: str
    section: str
    steps: list[Step]
    key: str | None = None
    description: str = ""
    inputs: list[InputSpec] = field(default_factory=list)
    #: The flow that undoes this one (``enable-circuit-breaker`` -> ``disable-circuit-breaker``).
    reverse: str | None = None
    #: Key metrics (``error_rate``, ``cache_hit_rate``, ...) whose warning/critical state this flow responds to;
    #: the dashboard offers it when one of them is not normal.
    responds_to: list[str] = field(default_factory=list)
    #: A user runbook's flow that takes the place of a built-in flow (same id) or its key says so:
    #: ``replaces: <built-in id>``; the loader refuses a silent clash.
    replaces: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def mutating(self) -> bool:
        return any(step.mutating for step in self.steps)

    @property
    def override_text(self) -> str:
        """``overrides built-in`` (same id), ``overrides built-in <id>`` (took its key), or empty."""
        if not self.replaces:
            return ""
        return "overrides built-in" if self.replaces == self.id else f"overrides built-in {self.replaces}"

    def input(self, name: str) -> InputSpec | None:
        return next((spec for spec in self.inputs if spec.name == name), None)

    def describe(self) -> dict[str, Any]:
        """The headless ``flows --json`` shape."""
        return {
            "id": self.id,
            "title": self.title,
            "section": self.section,
            "key": self.key,
            "mutating": self.mutating,
            "reverse": self.reverse,
            "overrides": self.replaces,
            "responds_to": list(self.responds_to),
            "inputs": [{"name": i.name, "type": i.type, "required": i.required} for i in self.inputs],
        }


@dataclass
class Runbook:
    flows: dict[str, Flow]
    #: the files merged, in order (built-in first; a user flow replaces a built-in only with ``replaces:``)
    files: list[str] = field(default_factory=list)

    def get(self, flow_id: str) -> Flow | None:
        return self.flows.get(flow_id)

    def sections(self) -> dict[str, list[Flow]]:
        out: dict[str, list[Flow]] = {}
        for flow in self.flows.values():
            out.setdefault(flow.section, []).append(flow)
        return out

    def by_key(self) -> dict[str, Flow]:
        return {flow.key: flow for flow in self.flows.values() if flow.key}

    def responses_for(self, metric: str) -> list[Flow]:
        """Flows that respond to ``metric`` being in warning/critical: diagnosis (read-only) first, then
        the flows that change something, each group in runbook order."""
        found = [flow for flow in self.flows.values() if metric in flow.responds_to]
        return sorted(found, key=lambda flow: flow.mutating)
