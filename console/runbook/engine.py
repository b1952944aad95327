"""The flow execution engine: idempotent run state, confirmation, cancellation, audit and events.

One :class:`FlowRunner` per run of a flow. It validates inputs on construction (raising
:class:`InputError`), checks every template and secret before anything runs (raising
:class:`PreflightError`), and then runs steps one at a time, in order, either driven by a UI
(:meth:`FlowRunner.preview`, :meth:`FlowRunner.run_step`, :meth:`FlowRunner.tick`,
:meth:`FlowRunner.cancel`) or headless (:meth:`FlowRunner.run_all`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Awaitable, Callable, Mapping, NamedTuple

import yaml

from console.limits import DEFAULT_MAX_BODY_BYTES
from console.runbook import policy
from console.runbook.audit import AuditLog, iso, mark_simulated, user_at_host
from console.runbook.executors import (
    ExecResult,
    PreparedCommand,
    PreparedHttp,
    envelope_text,
    excerpt,
    run_command,
    run_http,
)
from console.runbook.expr import compare, evaluate, is_template, lookup, path_refs
from console.runbook.inputs import check_inputs, default_for
from console.runbook.memory import Memory
from console.runbook.model import Expr, Flow, InputError, Step
from console.runbook.policy import Confirmation
from console.runbook.readonly import git_check_argv
from console.runbook.summaries import SUMMARIES, Summary
from console.runbook.queue_lookup import PLACEHOLDER_ITEM as QUEUE_PLACEHOLDER
from console.runbook.queue_lookup import SOURCE as QUEUE_SOURCE
from console.runbook.queue_lookup import run_each_queue
from console.runbook.toolhints import failure_hint
from console.runbook.template import (
    Context,
    DotSegment,
    ListValueError,
    OptionInjection,
    TemplateError,
    refs,
    render,
    render_argv,
    render_url,
    render_value,
)
from console.childenv import secret_env_names
from console.secrets import SecretError, mask as mask_secrets, read_secret
from console.sanitize import clean, clean_line
from console.yamlpaths import YamlLimitError, load_literal

#: Tools that talk to the Cloudflare API and read ``CLOUDFLARE_API_TOKEN`` from their environment.
CLOUDFLARE_TOOLS = ("wrangler", "terraform")
#: The console's own helper that keeps terraform values (tfvars override + pull request): it runs the
#: environment's configured git and gh, handed over as argv prefixes in its environment.
TFVARS_PR_TOOL = "tfvars-pr"
#: A ``when`` over ``capture.NAME`` is decided when the step is reached (the value comes from a step before).
RUNTIME_WHEN_PREFIX = "capture."

MetricGetter = Callable[[str], "float | None | Awaitable[float | None]"]
AuditListener = Callable[[dict[str, Any]], None]
EventSink = Callable[["RunEvent"], None]


class StepState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"  # check/action/verify succeeded
    FAILED = "failed"
    TIMEOUT = "timeout"  # a verify whose condition never held in time
    DONE = "done"  # a manual item ticked / a note read
    SKIPPED = "skipped"  # condition not met, operator skipped, or dry run
    REFUSED = "refused"  # read-only
    CANCELLED = "cancelled"
    NOT_RUN = "not_run"  # after a cancel or a stopping failure

    @property
    def final(self) -> bool:
        return self not in (StepState.PENDING, StepState.RUNNING)

    @property
    def bad(self) -> bool:
        return self in (StepState.FAILED, StepState.TIMEOUT)


class PreflightError(Exception):
    """The flow cannot run in this environment (missing config value or secret); nothing ran."""

    def __init__(self, step_id: str, message: str) -> None:
        self.step_id = step_id
        self.message = message
        super().__init__(f"step {step_id!r}: {message}")


class RunnerError(Exception):
    """The caller used the runner out of order (a step before the previous one finished)."""


class ConfirmationRequired(Exception):
    """A mutating step was started without the confirmation text; nothing ran."""

    def __init__(self, confirmation: Confirmation) -> None:
        self.confirmation = confirmation
        super().__init__(confirmation.prompt)


@dataclass
class StepResult:
    state: StepState
    message: str = ""
    started: float | None = None
    ended: float | None = None
    exit_code: int | None = None
    http_status: int | None = None
    envelope: dict[str, Any] | None = None
    #: masked output excerpt (bounded)
    output: str = ""
    #: summary / display lines (masked)
    lines: list[str] = field(default_factory=list)
    #: verify: the last value; metrics check: name -> value
    value: Any = None
    captures: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] | None = None


@dataclass
class Preview:
    """What a step will do, secrets masked: shown before it runs (and before confirmation)."""

    index: int
    step_id: str
    kind: str
    title: str
    text: str
    mutating: bool
    executor: str
    #: ``{"argv": [...], "stdin": "****", "cwd": ...}`` for commands
    command: dict[str, Any] | None = None
    #: ``{"method", "url", "headers", "json"}`` for HTTP
    request: dict[str, Any] | None = None
    #: one human-readable block: the argv line, or the request line, headers and body
    display: str = ""
    confirmation: Confirmation | None = None
    refusal: str | None = None
    #: a verify step: ``error_rate < 1 within 60s``
    condition: str | None = None


@dataclass
class RunEvent:
    """Progress for a UI. ``type``: step_started, output, sample, step_finished, flow_finished."""

    type: str
    index: int | None = None
    line: str | None = None
    value: float | None = None
    elapsed: float | None = None
    result: StepResult | None = None
    summary: "RunSummary | None" = None


@dataclass
class StepRun:
    index: int
    step: Step
    item: dict[str, Any] = field(default_factory=dict)
    state: StepState = StepState.PENDING
    result: StepResult | None = None
    task: "asyncio.Future[StepResult] | None" = None
    #: why the step was settled before the run started (condition not met, no queues ...)
    pre_state: StepState | None = None
    pre_message: str = ""
    #: the ``step_started`` audit record, once it is on disk (steps that change something)
    audit_started: dict[str, Any] | None = None


class StepOutcome(NamedTuple):
    """One line of a run summary."""

    id: str
    title: str
    state: StepState
    kind: str


@dataclass
class RunSummary:
    """What ran and what did not; ``lines()`` is the text shown at the end of a flow (and after a cancel)."""

    flow: str
    title: str
    environment: str
    run_id: str
    steps: list[StepOutcome]
    cancelled: bool = False
    refused: str | None = None
    reverse: str | None = None
    dry_run: bool = False

    @property
    def ran(self) -> list[StepOutcome]:
        return [
            s
            for s in self.steps
            if s.state in (StepState.PASSED, StepState.FAILED, StepState.TIMEOUT, StepState.DONE, StepState.CANCELLED)
        ]

    @property
    def not_run(self) -> list[StepOutcome]:
        """Steps that did not run (cancelled or stopped flows, refusals); open checklist items are not here."""
        return [
            s
            for s in self.steps
            if s.state in (StepState.NOT_RUN, StepState.REFUSED)
            or (s.state == StepState.PENDING and s.kind != "manual")
        ]

    @property
    def pending_manual(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.state == StepState.PENDING and s.kind == "manual"]

    @property
    def failed(self) -> list[StepOutcome]:
        return [s for s in self.steps if s.state.bad]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled and not self.refused

    def lines(self) -> list[str]:
        out = []
        if self.refused:
            out.append(self.refused)
        head = "cancelled" if self.cancelled else ("dry run" if self.dry_run else ("failed" if self.failed else "done"))
        out.append(f"flow {self.flow} on {self.environment}: {head}")
        for step in self.steps:
            out.append(f"  [{step.state.value:>9}] {step.title}")
        if self.cancelled and self.not_run:
            out.append("not run: " + ", ".join(s.id for s in self.not_run))
        if (
            self.reverse
            and not self.refused
            and not self.dry_run
            and any(s.state == StepState.PASSED and s.kind == "action" for s in self.steps)
        ):
            out.append(f"to undo: run flow {self.reverse!r} (edge-console run {self.reverse})")
        return out


#: secrets a step's ``auth`` sends only when the environment configures them (Alertmanager often has none)
OPTIONAL_SECRETS = ("alertmanager_token",)


def _now_builtins(now: float, env: Any = None) -> dict[str, str]:
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    export_dir = (getattr(env, "paths", None) or {}).get("export_dir")
    if not export_dir:
        from console.paths import state_dir

        export_dir = str(state_dir() / "exports")
    from console.runbook.openincident import LazyBuiltins

    return LazyBuiltins(
        {
            "today": moment.strftime("%Y%m%d"),
            "yesterday": (moment - timedelta(days=1)).strftime("%Y%m%d"),
            "now": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "export_dir": export_dir,
        }
    )


class FlowRunner:
    """Runs one flow on one environment.

    ``inputs`` are the raw strings the operator typed (``--set k=v`` or a form); missing ones take their
    defaults. ``get_metric(name)`` returns a live value (or an awaitable of one) for verify and metrics
    steps. ``tail_events()`` returns recent ``wrangler tail`` events (dicts) when a UI already streams
    them; otherwise tail steps run ``wrangler tail WORKER --format json`` briefly. ``listeners`` receive
    each audit record after it is durably written; ``on_event`` receives :class:`RunEvent` progress.
    """

    def __init__(
        self,
        flow: Flow,
        env: Any,
        inputs: Mapping[str, Any] | None = None,
        *,
        config: Any = None,
        read_only: bool = False,
        dry_run: bool = False,
        get_metric: MetricGetter | None = None,
        tail_events: Callable[[], list[dict[str, Any]]] | None = None,
        listeners: list[AuditListener] | tuple[AuditListener, ...] = (),
        on_event: EventSink | None = None,
        audit: AuditLog | None = None,
        memory: Memory | None = None,
        http_transport: Any = None,
        user: str | None = None,
        tail_seconds: float | None = None,
    ) -> None:
        self.flow = flow
        self.env = env
        self.config = config
        self.read_only = bool(read_only or getattr(env, "read_only", False))
        self.dry_run = dry_run
        self.get_metric = get_metric
        self.tail_events = tail_events
        self.listeners: list[AuditListener] = list(listeners)
        self.on_event = on_event
        self.audit_log = audit if audit is not None else AuditLog()
        self.memory = memory if memory is not None else Memory()
        self.http_transport = http_transport
        #: caps how long tail steps collect events (tests, impatient operators)
        self.tail_seconds = tail_seconds
        self.user = user or user_at_host()
        self.run_id = uuid.uuid4().hex[:12]
        self.captures: dict[str, Any] = {}
        self.cancelled = False
        self._finished = False
        #: why the audit trail could not be written (a step that changes something is then refused)
        self.audit_error: str | None = None
        #: dry run: what would stop a real run (missing secret or config value)
        self.problems: list[str] = []
        self._secrets: dict[str, str] = {}
        self._known_secret_values: list[str] = []
        self._memory_values = self.memory.values(env.name)
        self._builtins = _now_builtins(time.time(), env)
        self._builtins["plan_file"] = self._plan_file()

        ctx = self._context({})
        values, errors = check_inputs(flow, dict(inputs or {}), ctx)
        if errors:
            name = next(iter(errors))
            raise InputError(name, errors[name])
        self.inputs: dict[str, Any] = values
        self._preload_secrets()
        self.steps: list[StepRun] = self._expand()
        would_change = [r for r in self.steps if r.step.mutating and r.pre_state is None]
        self.refusal = (
            policy.read_only_refusal(flow, self.read_only, [self.title_of(r.index) for r in would_change], env.name)
            if would_change
            else None
        )
        if self.refusal is None:
            self._preflight()

    # -- construction helpers -------------------------------------------------------------------
    def _plan_file(self) -> str:
        """This run's saved terraform plan: a private file under the state dir (made when a step uses it)."""
        from console.paths import state_dir

        return str(state_dir() / "terraform-plans" / f"{self.flow.id}-{self.run_id}.tfplan")

    def _ensure_plan_dir(self, argv: list[str]) -> None:
        plan = self._builtins.get("plan_file", "")
        if plan and any(plan in arg for arg in argv):
            from pathlib import Path

            from console.safefile import ensure_private_dir

            ensure_private_dir(Path(plan).parent)

    @staticmethod
    def defaults(flow: Flow, env: Any, memory: Memory | None = None) -> dict[str, str | None]:
        """Form defaults for each input (templates over the environment/memory resolved)."""
        mem = (memory or Memory()).values(env.name)
        ctx = Context(env=env, memory=mem, builtins=_now_builtins(time.time(), env))
        return {spec.name: default_for(spec, ctx) for spec in flow.inputs}

    @staticmethod
    def check(
        flow: Flow, env: Any, raw: Mapping[str, Any], memory: Memory | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Validate a form without building a runner: ``(values, errors by field)``."""
        mem = (memory or Memory()).values(env.name)
        return check_inputs(flow, raw, Context(env=env, memory=mem, builtins=_now_builtins(time.time(), env)))

    def _context(self, item: Mapping[str, Any], *, placeholders: bool = False) -> Context:
        return Context(
            inputs=getattr(self, "inputs", {}),
            env=self.env,
            secret=self._secret,
            captures=self.captures,
            memory=self._memory_values,
            item=item,
            builtins=self._builtins,
            placeholder_captures=placeholders,
        )

    def _secret_source(self, name: str) -> tuple[str | None, str | None]:
        return getattr(self.env, f"{name}_env", None), getattr(self.env, f"{name}_file", None)

    def _preload_secrets(self) -> None:
        for name in ("api_token", "admin_token"):
            env_var, file = self._secret_source(name)
            with contextlib.suppress(SecretError, OSError):
                value = read_secret(env_var, file)
                if value:
                    self._secrets[name] = value
                    self._known_secret_values.append(value)

    def _secret(self, name: str) -> str:
        if name in self._secrets:
            return self._secrets[name]
        env_var, file = self._secret_source(name)
        try:
            value = read_secret(env_var, file)
        except SecretError as exc:
            raise TemplateError(str(exc)) from None
        if not value:
            label = {"api_token": "Cloudflare API token", "alertmanager_token": "Alertmanager token"}.get(
                name, "admin token"
            )
            where = f"${env_var}" if env_var else "an environment variable"
            raise TemplateError(f"no {label}: set {where} or environments.{self.env.name}.{name}_file (mode 0600)")
        self._secrets[name] = value
        self._known_secret_values.append(value)
        return value

    def mask(self, text: str) -> str:
        return mask_secrets(text, list(self._known_secret_values))

    def _when_data(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.inputs)
        data["env"] = {
            k: getattr(self.env, k, None)
            for k in (
                "name",
                "worker",
                "zone_id",
                "account_id",
                "kv_namespace_id",
                "simulated",
                "paths",
                "queues",
                "alertmanager_url",
            )
        }
        data["config"] = dict(getattr(self.config, "raw", {}) or {})
        return data

    def _expand(self) -> list[StepRun]:
        runs: list[StepRun] = []
        when_data = self._when_data()
        for step in self.flow.steps:
            pre_state, pre_message = None, ""
            if step.when is not None and not step.when.path.startswith(RUNTIME_WHEN_PREFIX):
                holds, _ = evaluate(step.when, when_data)
                if not holds:
                    pre_state, pre_message = StepState.SKIPPED, f"condition not met: {step.when.text}"
            if step.foreach == QUEUE_SOURCE:  # one run; the queues are looked up when it runs
                concrete = copy.copy(step)
                concrete.title = render(step.title, self._context(dict(QUEUE_PLACEHOLDER)))
                runs.append(
                    StepRun(len(runs), concrete, dict(QUEUE_PLACEHOLDER), pre_state=pre_state, pre_message=pre_message)
                )
            elif step.foreach:
                mapping = getattr(self.env, step.foreach.split(".", 1)[1], None) or {}
                if not mapping:
                    runs.append(
                        StepRun(
                            len(runs),
                            step,
                            {},
                            pre_state=StepState.SKIPPED,
                            pre_message=pre_message or f"nothing in {step.foreach} for {self.env.name}",
                        )
                    )
                    continue
                for key, value in sorted(mapping.items()):
                    concrete = copy.copy(step)
                    concrete.id = f"{step.id}-{key}"
                    concrete.title = render(step.title, self._context({"key": key, "value": value}))
                    runs.append(
                        StepRun(
                            len(runs),
                            concrete,
                            {"key": key, "value": value},
                            pre_state=pre_state,
                            pre_message=pre_message,
                        )
                    )
            else:
                runs.append(StepRun(len(runs), step, pre_state=pre_state, pre_message=pre_message))
        for run in runs:
            if run.pre_state is not None:
                run.state = run.pre_state
                run.result = StepResult(run.pre_state, run.pre_message)
        return runs

    def _preflight(self) -> None:
        """Render everything that will run (captures as placeholders, secrets for real) so a missing
        config value or secret stops the flow before its first step."""
        for run in self.steps:
            if run.pre_state is not None:
                continue
            try:
                self._prepare(run, masked=False, placeholders=True)
            except TemplateError as exc:
                if not self.dry_run:
                    from console.runbook.amconvert import BadValue

                    if (
                        isinstance(exc, (OptionInjection, DotSegment, BadValue, ListValueError))
                        and exc.ref.scope == "input"
                    ):
                        raise InputError(exc.ref.name, exc.detail) from None
                    raise PreflightError(run.step.id, str(exc)) from None
                # a dry run still shows every step; the problem is reported instead
                self.problems.append(f"step {run.step.id!r}: {exc}")

    # -- state ------------------------------------------------------------------------------------
    @property
    def current_index(self) -> int | None:
        """The next step to run (manual items left open do not block), or None when finished."""
        for run in self.steps:
            if run.state == StepState.PENDING and run.step.kind != "manual":
                return run.index
            if run.state == StepState.RUNNING:
                return run.index
        return None

    @property
    def finished(self) -> bool:
        return self._finished

    def states(self) -> list[StepState]:
        return [run.state for run in self.steps]

    def _emit(self, event: RunEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a UI callback must not break a run
                pass

    def _write_audit(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Append ``record`` (durable on return) and hand it to the listeners; None when the trail cannot
        be written (the reason is kept in :attr:`audit_error`; never raises)."""
        mark_simulated(record, self.env)
        try:
            written = self.audit_log.append(record, secrets=list(self._known_secret_values))
        except (OSError, ValueError) as exc:
            self.audit_error = self.audit_error or self._audit_problem(exc)
            return None
        return self._audit_written(written)

    async def _write_audit_off_loop(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """:meth:`_write_audit` with the append and its fsync in a worker thread: a slow or blocked audit
        path never stalls the event loop (the TUI's), and the caller still waits until it is on disk."""
        mark_simulated(record, self.env)
        try:
            written = await asyncio.to_thread(self.audit_log.append, record, secrets=list(self._known_secret_values))
        except (OSError, ValueError) as exc:
            self.audit_error = self.audit_error or self._audit_problem(exc)
            return None
        return self._audit_written(written)

    def _audit_written(self, written: dict[str, Any]) -> dict[str, Any]:
        """Hand a record that is on disk to the listeners (on the caller's thread: the event loop's)."""
        for listener in list(self.listeners):
            try:
                listener(written)
            except Exception:  # noqa: BLE001
                pass
        return written

    # -- preview ----------------------------------------------------------------------------------
    def _prepare(
        self, run: StepRun, *, masked: bool, placeholders: bool = False
    ) -> PreparedHttp | PreparedCommand | None:
        step = run.step
        ctx = self._context(run.item, placeholders=placeholders)
        if step.http is not None:
            spec = step.http
            headers_t = dict(spec.headers)
            if spec.auth and not (spec.auth in OPTIONAL_SECRETS and not any(self._secret_source(spec.auth))):
                # an optional token (Alertmanager's) is sent only when the environment configures one
                headers_t.setdefault("Authorization", f"Bearer {{secret:{spec.auth}}}")
            if spec.json is not None:
                headers_t.setdefault("Content-Type", "application/json")
            headers = {k: render(v, ctx) for k, v in headers_t.items()} if not masked else {}
            shown = {k: render(v, ctx, masked=True) for k, v in headers_t.items()}
            return PreparedHttp(
                method=spec.method,
                url=render_url(spec.url, ctx),
                headers=headers,
                headers_display=shown,
                json=render_value(spec.json, ctx) if spec.json is not None else None,
                params={k: render(v, ctx) for k, v in spec.params.items()},
                timeout=spec.timeout,
                filter=spec.filter,
                save_to=render(spec.save_to, ctx) if spec.save_to else None,
                accept_status=spec.accept_status,
                max_body_bytes=getattr(self.config, "max_body_bytes", None) or DEFAULT_MAX_BODY_BYTES,
            )
        if step.command is not None or step.tail_seconds is not None:
            if step.command is None:
                argv = self.env.tool("wrangler") + ["tail", render("{env.worker}", ctx), "--format", "json"]
                env_real, env_shown = self._tool_env("wrangler", masked)
                seconds = min(step.tail_seconds, self.tail_seconds) if self.tail_seconds else step.tail_seconds
                return PreparedCommand(
                    argv=argv,
                    env=env_real,
                    env_display=env_shown,
                    timeout=seconds + 30,
                    collect_seconds=seconds,
                    strip_env=secret_env_names(self.config, self.env),
                )
            spec = step.command
            if spec.argv_from:
                template = self._config_argv(spec.argv_from)
                argv = render_argv(template, ctx)
            else:
                prefix = self.env.tool(spec.tool)
                argv = prefix + render_argv(spec.args, ctx, first_position=len(prefix))
            env_real, env_shown = self._tool_env(spec.tool, masked)
            if not masked:
                env_real.update({k: render(v, ctx) for k, v in spec.env.items()})
            env_shown.update({k: render(v, ctx, masked=True) for k, v in spec.env.items()})
            stdin_real = render(spec.stdin, ctx) if spec.stdin is not None and not masked else None
            stdin_shown = render(spec.stdin, ctx, masked=True) if spec.stdin is not None else None
            cwd = render(spec.cwd, ctx) if spec.cwd else None
            return PreparedCommand(
                argv=argv,
                stdin=stdin_real if not masked else None,
                stdin_display=stdin_shown,
                env=env_real,
                env_display=env_shown,
                cwd=cwd or None,
                timeout=spec.timeout,
                collect_seconds=spec.collect_seconds,
                strip_env=secret_env_names(self.config, self.env),
            )
        return None

    def _as_run(self, step: Step, argv: list[str]) -> list[str]:
        """The argv a step runs with: a git check gets options that keep the repository's config from
        running a program (:func:`console.runbook.readonly.git_check_argv`)."""
        if step.command is None or step.command.tool != "git" or step.mutating:
            return argv
        prefix = self.env.tool("git")
        return prefix + git_check_argv(argv[len(prefix) :])

    def _tool_env(self, tool: str | None, masked: bool) -> tuple[dict[str, str], dict[str, str]]:
        """The child's extra environment: the config's ``tool_env``, plus for Cloudflare tools the API token
        as ``CLOUDFLARE_API_TOKEN`` and the account as ``CLOUDFLARE_ACCOUNT_ID`` (never in argv)."""
        real = dict(getattr(self.env, "tool_env", {}) or {})
        shown: dict[str, str] = {}
        if tool == TFVARS_PR_TOOL:
            import json

            for name in ("git", "gh"):
                value = json.dumps(self.env.tool(name))
                real[f"EDGE_CONSOLE_{name.upper()}_ARGV"] = shown[f"EDGE_CONSOLE_{name.upper()}_ARGV"] = value
        if tool in CLOUDFLARE_TOOLS:
            token = self._secrets.get("api_token")
            if token:
                shown["CLOUDFLARE_API_TOKEN"] = "****"
                if not masked:
                    real["CLOUDFLARE_API_TOKEN"] = token
            account = getattr(self.env, "account_id", "")
            if account:
                real["CLOUDFLARE_ACCOUNT_ID"] = account
                shown["CLOUDFLARE_ACCOUNT_ID"] = account
        return real, shown

    def _config_argv(self, key: str) -> list[str]:
        raw: Any = getattr(self.config, "raw", {}) or {}
        value = lookup(raw, key)
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int, float)) for v in value):
            raise TemplateError(f"config key {key} must be an argv list such as [aws, s3, cp, '{{file}}', ...]")
        for part in value:
            for ref in refs(str(part)):
                if ref.scope == "secret":
                    raise TemplateError(f"config key {key}: secrets are never passed in argv")
        return [str(v) for v in value]

    def preview(self, index: int) -> Preview:
        run = self.steps[index]
        step = run.step
        ctx = self._context(run.item, placeholders=True)
        title = self.title_of(index)
        try:
            text = render(step.text, ctx, masked=True) if step.text else ""
        except TemplateError:
            text = step.text
        out = Preview(
            index=index,
            step_id=step.id,
            kind=step.kind,
            title=title,
            text=text,
            mutating=step.mutating,
            executor=step.executor,
            confirmation=policy.confirmation_for(step, self.env.name),
            refusal=policy.step_refusal(step, self.read_only, self.env.name)
            or (self.refusal if step.mutating else None),
        )
        try:
            prepared = self._prepare(run, masked=True, placeholders=True)
        except TemplateError as exc:
            prepared = None
            out.display = f"cannot prepare: {exc}"
        if isinstance(prepared, PreparedCommand):
            out.command = prepared.display()
            out.display = prepared.display_text()
        elif isinstance(prepared, PreparedHttp):
            out.request = prepared.display()
            out.display = prepared.display_text()
        elif step.verify is not None:
            out.condition = f"{step.verify.expr.text} within {step.verify.timeout:g}s"
            out.display = f"watch {out.condition}"
        elif step.metrics:
            out.display = "current values: " + ", ".join(step.metrics)
        out.display, out.text = clean(self.mask(out.display)), clean(out.text)
        return out

    def title_of(self, index: int) -> str:
        """A step's title with its references filled in (secrets masked)."""
        run = self.steps[index]
        try:
            return clean_line(render(run.step.title, self._context(run.item, placeholders=True), masked=True))
        except TemplateError:
            return run.step.title

    def confirmation(self, index: int) -> Confirmation | None:
        return policy.confirmation_for(self.steps[index].step, self.env.name)

    # -- running ----------------------------------------------------------------------------------
    def _check_order(self, index: int) -> None:
        if self._finished:
            raise RunnerError(f"flow {self.flow.id} has finished")
        for run in self.steps[:index]:
            if run.state in (StepState.PENDING, StepState.RUNNING) and run.step.kind != "manual":
                raise RunnerError(f"step {run.step.id!r} has not finished yet")

    async def run_step(self, index: int, *, confirmation: str | None = None) -> StepResult:
        """Run step ``index`` once. A second call (a double key press) returns the same result without
        running it again, awaiting the first if it is still running."""
        run = self.steps[index]
        if run.task is not None:
            return await asyncio.shield(run.task)
        if run.state != StepState.PENDING:
            assert run.result is not None
            return run.result
        if self.refusal:
            self._refuse_all()
            assert run.result is not None
            return run.result
        step = run.step
        if step.kind == "manual":
            raise RunnerError(f"step {step.id!r} is a manual item: tick it")
        self._check_order(index)
        if step.when is not None and step.when.path.startswith(RUNTIME_WHEN_PREFIX):
            holds, _ = evaluate(step.when, {"capture": dict(self.captures)})
            if not holds:
                now = time.time()
                return self._settle(
                    run,
                    StepResult(StepState.SKIPPED, f"condition not met: {step.when.text}", started=now, ended=now),
                    audit=True,
                )
        refusal = policy.step_refusal(step, self.read_only, self.env.name)
        if refusal:
            return self._settle(run, StepResult(StepState.REFUSED, refusal), audit=True)
        if step.mutating and not self.dry_run:
            needed = policy.confirmation_for(step, self.env.name)
            if needed is not None and not needed.accepts(confirmation):
                raise ConfirmationRequired(needed)
        run.state = StepState.RUNNING
        run.task = asyncio.ensure_future(self._execute(run))
        return await asyncio.shield(run.task)

    def tick(self, index: int, done: bool = True, note: str = "") -> StepResult:
        """Tick (or, with ``done=False``, skip) a manual checklist item; recorded in the audit trail."""
        run = self.steps[index]
        if run.step.kind != "manual":
            raise RunnerError(f"step {run.step.id!r} is not a manual item")
        if run.state != StepState.PENDING:
            assert run.result is not None
            return run.result
        now = time.time()
        state = StepState.DONE if done else StepState.SKIPPED
        result = StepResult(state, note or ("ticked" if done else "skipped by operator"), started=now, ended=now)
        return self._settle(run, result, audit=True)

    def skip(self, index: int, reason: str = "skipped by operator") -> StepResult:
        """Skip a pending step on purpose without running it (recorded)."""
        run = self.steps[index]
        if run.task is not None and not run.task.done():
            raise RunnerError(f"step {run.step.id!r} is running: cancel the flow to stop it")
        if run.state != StepState.PENDING:
            return run.result if run.result is not None else StepResult(run.state)
        now = time.time()
        return self._settle(run, StepResult(StepState.SKIPPED, reason, started=now, ended=now), audit=True)

    def leave_pending(self, index: int) -> None:
        """Headless: a manual item is listed as pending and recorded so; the flow moves on."""
        run = self.steps[index]
        if run.step.kind == "manual" and run.state == StepState.PENDING:
            now = time.time()
            self._write_audit(
                self._record(run, StepResult(StepState.PENDING, "left for the operator", started=now, ended=now))
            )

    async def _settle_off_loop(self, run: StepRun, result: StepResult) -> StepResult:
        """:meth:`_settle` with ``audit=True``, its record written off the event loop."""
        if self.dry_run or run.step.kind == "note":
            return self._settle(run, result, audit=False)
        self._clean_result(result)
        written = await self._write_audit_off_loop(self._record(run, result))
        return self._settle(run, result, audit=False, written=(written,))

    @staticmethod
    def _clean_result(result: StepResult) -> None:
        # what a step says comes from outside (child output, HTTP answers): shown and recorded escaped
        result.message, result.output = clean_line(result.message), clean(result.output)
        result.lines = [clean_line(line) for line in result.lines]

    def _settle(
        self, run: StepRun, result: StepResult, *, audit: bool, written: tuple[dict[str, Any] | None] | None = None
    ) -> StepResult:
        """``written``: the record :meth:`_settle_off_loop` already wrote (or None in it: it could not)."""
        self._clean_result(result)
        if audit and not self.dry_run and run.step.kind != "note":
            written = (self._write_audit(self._record(run, result)),)
        if written is not None:
            result.audit = written[0]
            if result.audit is None and run.audit_started is not None:
                result.message = (
                    f"{result.message}; its outcome is not in the audit trail: {self.audit_error}"
                ).lstrip("; ")
        run.result = result
        run.state = result.state
        self._emit(RunEvent("step_finished", run.index, result=result))
        if result.state.bad and run.step.on_fail == "stop":
            self._stop_rest(run.index, f"not run: step {run.step.id!r} {result.state.value}")
        if all(r.state.final for r in self.steps):
            self._finish()
        return result

    def _stop_rest(self, after: int, message: str) -> None:
        for other in self.steps[after + 1 :]:
            if other.state == StepState.PENDING and other.step.kind != "manual":
                other.state = StepState.NOT_RUN
                other.result = StepResult(StepState.NOT_RUN, message)

    def refuse(self) -> RunSummary:
        """Read-only: record the refusal of every mutating step (nothing runs) and close the run."""
        self._refuse_all()
        return self.summary()

    def _refuse_all(self) -> None:
        if self._finished:
            return
        for run in self.steps:
            if run.state == StepState.PENDING:
                state = StepState.REFUSED if run.step.mutating else StepState.NOT_RUN
                run.state = state
                run.result = StepResult(state, self.refusal or "")
                if state == StepState.REFUSED:
                    now = time.time()
                    self._write_audit(self._record(run, StepResult(state, self.refusal or "", started=now, ended=now)))
        self._finish()

    async def _metric(self, name: str) -> float | None:
        if self.get_metric is None:
            return None
        try:
            value = self.get_metric(name)
            if inspect.isawaitable(value):
                value = await value
        except Exception:  # noqa: BLE001 - a value source failure is a missing value
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    async def _execute(self, run: StepRun) -> StepResult:
        step = run.step
        started = time.time()
        self._emit(RunEvent("step_started", run.index))
        if step.mutating and not self.dry_run:
            refused = await self._audit_started(run, started)
            if refused is not None:
                return refused
        result = StepResult(StepState.RUNNING, started=started)
        lines: list[str] = []

        def on_line(line: str) -> None:
            line = clean_line(self.mask(line))
            lines.append(line)
            if len(lines) > 2000:
                del lines[:1000]
            self._emit(RunEvent("output", run.index, line=line))

        try:
            if self.dry_run:
                result.state, result.message = StepState.SKIPPED, "dry run: not run"
                result.ended = time.time()
                return self._settle(run, result, audit=False)
            if step.kind == "note":
                result.state, result.message = StepState.DONE, ""
            elif step.verify is not None:
                await self._run_verify(run, result, on_line)
            elif step.metrics:
                await self._run_metrics(run, result, on_line)
            elif step.foreach == QUEUE_SOURCE:
                await run_each_queue(self, run, result, on_line)
            else:
                attempts = max(1, run.step.retry_attempts)
                for attempt in range(1, attempts + 1):
                    await self._run_executor(run, result, on_line)
                    if result.state == StepState.PASSED or attempt == attempts:
                        break
                    on_line(f"attempt {attempt}/{attempts}: {result.message}; again in {run.step.retry_interval:g}s")
                    await asyncio.sleep(run.step.retry_interval)
        except asyncio.CancelledError:
            result.state, result.message = StepState.CANCELLED, "cancelled by operator"
        except TemplateError as exc:
            result.state, result.message = StepState.FAILED, str(exc)
        except Exception as exc:  # noqa: BLE001 - never a traceback in front of an operator
            result.state, result.message = StepState.FAILED, self.mask(f"internal error: {type(exc).__name__}: {exc}")
        result.ended = time.time()
        if step.mutating and result.state == StepState.PASSED:
            # later metrics steps measure the effect: their rates must not reach back before the change
            changed = getattr(self.get_metric, "changed", None)
            if callable(changed):
                changed()
        if not result.output and lines:
            result.output = excerpt("\n".join(lines))
        return await self._settle_off_loop(run, result)

    async def _run_executor(self, run: StepRun, result: StepResult, on_line: Callable[[str], None]) -> None:
        step = run.step
        data: Any
        exec_result: ExecResult
        # With a summary, the raw output (JSON, tail events) is kept in the record but not streamed:
        # the summary lines are what the operator reads.
        sink = (lambda line: None) if step.summary else on_line
        if step.tail_seconds is not None and self.tail_events is not None:
            events = list(self.tail_events() or [])
            exec_result = ExecResult(True, text=f"{len(events)} events from the live tail", data=events)
        else:
            prepared = self._prepare(run, masked=False)
            if isinstance(prepared, PreparedHttp):
                exec_result = await run_http(prepared, on_line=sink, mask=self.mask, transport=self.http_transport)
            elif isinstance(prepared, PreparedCommand):
                tool = step.command.tool if step.command is not None else None
                prefix = self.env.tool(tool) if tool else []
                refused = (
                    policy.rendered_command_problem(
                        step, prepared.argv[len(prefix) :], getattr(self.env, "paths", None)
                    )
                    if tool
                    else None
                )
                if refused:  # nothing runs
                    exec_result = ExecResult(False, error=refused)
                else:
                    prepared.argv = self._as_run(step, prepared.argv)
                    self._ensure_plan_dir(prepared.argv)
                    if prepared.collect_seconds is not None:
                        on_line(f"collecting {prepared.collect_seconds:g}s of events: {' '.join(prepared.argv[-4:])}")
                    exec_result = await run_command(prepared, on_line=sink, mask=self.mask)
            else:  # pragma: no cover - the loader guarantees an executor
                raise TemplateError("step has nothing to run")
        data = exec_result.data
        result.exit_code = exec_result.exit_code
        result.http_status = exec_result.http_status
        result.envelope = exec_result.envelope
        result.output = self.mask(exec_result.text)
        ok = exec_result.ok
        message = exec_result.error or ""
        if exec_result.collected:
            message = f"collected {len(data or [])} events"
        if not ok and step.command is not None:
            prefix_len = len(self.env.tool(step.command.tool)) if step.command.tool else 0
            args = (self._prepare(run, masked=True, placeholders=True) or PreparedCommand(argv=[])).argv[prefix_len:]
            hint = failure_hint(step.command.tool, args, f"{exec_result.text}\n{exec_result.raw or ''}", self.env.name)
            if hint:
                on_line(hint)
                message = f"{message}: {hint}" if message else hint
        summary_data: Any = None
        if ok and step.summary:
            summary: Summary = SUMMARIES[step.summary](data, exec_result.raw or exec_result.text, step.summary_args)
            summary_data = summary.data
            for line in summary.lines:
                on_line(line)
            result.lines = [self.mask(line) for line in summary.lines]
            if not summary.ok:
                ok = False
                message = "; ".join(summary.notes) or (summary.lines[0] if summary.lines else "summary shows a problem")
        if ok and step.expect is not None:
            expect = self._bound(step.expect, run)
            probe = data
            if expect.path in ("http_status", "exit_code"):
                probe = {"http_status": result.http_status, "exit_code": result.exit_code}
            holds, actual = evaluate(expect, probe)
            if not holds:
                ok = False
                message = f"expected {expect.text}, got {actual!r}"
            else:
                message = f"{expect.text} (is {actual!r})"
        if ok and step.capture:
            for name, spec in step.capture.items():
                path, _, fallback = spec.partition("|")
                if path.startswith("summary."):  # a value the step's summary worked out
                    value = lookup(summary_data, path[len("summary.") :])
                else:
                    path = self._bound_path(path, run)
                    value = lookup(data, path)
                if value is None and fallback:
                    try:  # checked at load: no aliases, finite numbers, at most 4 KiB
                        value = load_literal(fallback)
                    except (YamlLimitError, yaml.YAMLError):
                        value = None
                if value is None:
                    ok = False
                    message = f"could not read {name} from {path} in the output"
                    break
                self.captures[name] = value
                result.captures[name] = value
            if ok and step.remember:
                remember = True
                if step.remember_if is not None:
                    remember, _ = evaluate(step.remember_if, dict(self.captures))
                if remember:
                    for name in step.remember:
                        self.memory.remember(self.env.name, name, self.captures[name], flow=self.flow.id)
                        self._memory_values[name] = self.captures[name]
                    on_line(
                        "recorded "
                        + ", ".join(f"{n}={self.captures[n]!r}" for n in step.remember)
                        + " for the reverse flow"
                    )
                else:
                    on_line(f"not recorded ({step.remember_if.text if step.remember_if else ''} does not hold)")
        if ok and not message:
            if step.http is not None and result.http_status in step.http.accept_status:
                # an accepted 4xx ("there is none yet"): say so, not "FAILED", on a step that passed
                detail = (
                    envelope_text(result.envelope).removeprefix("Cloudflare API: FAILED ")
                    if result.envelope is not None
                    else ""
                )
                message = f"HTTP {result.http_status}, accepted as an answer {detail}".rstrip()
            elif result.envelope is not None:
                message = envelope_text(result.envelope)
            elif result.http_status is not None:
                message = f"HTTP {result.http_status}"
            elif result.exit_code is not None:
                message = f"exit status {result.exit_code}"
        result.state = StepState.PASSED if ok else StepState.FAILED
        result.message = self.mask(message)

    def _bound(self, expr: Expr, run: StepRun) -> Expr:
        """``expr`` with a template comparison value (``{capture.previous_run_id}``) filled in."""
        path = self._bound_path(expr.path, run)
        if path != expr.path:
            expr = Expr(text=expr.text.replace(expr.path, path), path=path, op=expr.op, value=expr.value)
        if not is_template(expr.value):
            return expr
        value = render(expr.value, self._context(run.item))
        return Expr(text=expr.text.replace(expr.value, value), path=expr.path, op=expr.op, value=value)

    def _bound_path(self, path: str, run: StepRun) -> str:
        """A path whose ``[KEY={REF}]`` selectors name a template reference, with its value filled in."""
        for ref in path_refs(path):
            path = path.replace(ref, render(ref, self._context(run.item)).replace("]", ""), 1)
        return path

    async def _run_metrics(self, run: StepRun, result: StepResult, on_line: Callable[[str], None]) -> None:
        from console.metrics.thresholds import evaluate as threshold_state
        from console.runbook import metricfmt

        thresholds = getattr(self.config, "thresholds", {}) or {}
        values: dict[str, float | None] = {}
        if self.get_metric is None:
            result.state, result.message = StepState.SKIPPED, "no live metrics source here"
            return
        history_of = getattr(self.get_metric, "history", None) if run.step.trend else None
        collect = getattr(self.get_metric, "collect", None) if run.step.trend else None
        if collect is not None:
            on_line(f"sampling {run.step.trend} scrapes for the trends ...")
            try:
                await collect(run.step.trend)
            except Exception as exc:  # noqa: BLE001 - a failed scrape shows as missing values below
                on_line(f"sampling stopped: {exc}")
        for note in (getattr(self.get_metric, "history_note", None) or []) if history_of else []:
            on_line(note)  # where the trends come from (Prometheus history and its window)
        for name in run.step.metrics:
            value = await self._metric(name)
            values[name] = value
            spec = thresholds.get(name)
            mark = metricfmt.state_mark(value, spec, threshold_state(value, spec))
            on_line(metricfmt.metric_line(name, value, mark, history_of(name) if history_of else None))
        result.value = values
        result.lines = [f"{n}={v}" for n, v in values.items()]
        missing = [n for n, v in values.items() if v is None]
        if run.step.expect is not None:
            holds, actual = evaluate(run.step.expect, values)
            result.state = StepState.PASSED if holds else StepState.FAILED
            result.message = (
                f"{run.step.expect.text} (is {actual!r})"
                if holds
                else f"expected {run.step.expect.text}, got {actual!r}"
            )
        elif missing and len(missing) == len(values):
            result.state, result.message = StepState.FAILED, "no live values (is the metrics endpoint reachable?)"
        else:
            result.state = StepState.PASSED
            result.message = f"no value for {', '.join(missing)}" if missing else "current values shown"

    async def _run_verify(self, run: StepRun, result: StepResult, on_line: Callable[[str], None]) -> None:
        spec = run.step.verify
        assert spec is not None
        start = time.monotonic()
        deadline = start + spec.timeout
        last: float | None = None
        seen = False
        while True:
            value = await self._metric(spec.metric)
            elapsed = time.monotonic() - start
            self._emit(RunEvent("sample", run.index, value=value, elapsed=elapsed))
            on_line(f"{elapsed:5.1f}s  {spec.metric} = {'no value' if value is None else f'{value:.3f}'}")
            if value is not None:
                seen = True
                last = value
                if compare(value, spec.expr.op, spec.expr.value):
                    result.state, result.value = StepState.PASSED, value
                    result.message = f"{spec.expr.text} holds (is {value:.3f}) after {elapsed:.0f}s"
                    return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result.value = last
                if seen:
                    result.state = StepState.TIMEOUT
                    result.message = f"{spec.expr.text} did not hold within {spec.timeout:g}s (last {last:.3f})"
                else:
                    result.state = StepState.FAILED
                    result.message = f"no value for {spec.metric} within {spec.timeout:g}s"
                return
            await asyncio.sleep(min(spec.interval, remaining))

    # -- cancel / finish ----------------------------------------------------------------------------
    async def cancel(self, reason: str = "cancelled by operator") -> RunSummary:
        """Stop the running step (its process group is killed), leave the rest not run, and say so."""
        if self._finished:
            return self.summary()
        self.cancelled = True
        for run in self.steps:
            if run.task is not None and not run.task.done():
                run.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await run.task
        for run in self.steps:
            if run.state == StepState.PENDING:
                run.state = StepState.NOT_RUN
                run.result = StepResult(StepState.NOT_RUN, reason)
                if not self.dry_run and self._declined_item(run, StepState.NOT_RUN):
                    now = time.time()
                    self._write_audit(self._record(run, StepResult(StepState.NOT_RUN, reason, started=now, ended=now)))
        self._finish()
        return self.summary()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        summary = self.summary()
        if not self.dry_run:
            now = time.time()
            self._write_audit(
                {
                    "event": "flow_end",
                    "ts": now,
                    "time": iso(now),
                    "run_id": self.run_id,
                    "flow": self.flow.id,
                    "flow_title": self.flow.title,
                    "environment": self.env.name,
                    "user": self.user,
                    "status": "refused"
                    if self.refusal
                    else ("cancelled" if self.cancelled else ("failed" if summary.failed else "done")),
                    "ran": [s.id for s in summary.ran],
                    "not_run": [s.id for s in summary.not_run],
                    "failed": [s.id for s in summary.failed],
                    "pending_manual": [s.id for s in summary.pending_manual],
                    "reverse": self.flow.reverse,
                    "read_only": self.read_only,
                }
            )
        self._emit(RunEvent("flow_finished", summary=summary))

    def finish(self) -> RunSummary:
        """Close the run (remaining manual items stay pending) and return the summary."""
        self._finish()
        return self.summary()

    def summary(self) -> RunSummary:
        return RunSummary(
            flow=self.flow.id,
            title=self.flow.title,
            environment=self.env.name,
            run_id=self.run_id,
            steps=[StepOutcome(r.step.id, self.title_of(r.index), r.state, r.step.kind) for r in self.steps],
            cancelled=self.cancelled,
            refused=self.refusal,
            reverse=self.flow.reverse,
            dry_run=self.dry_run,
        )

    def _step_run_id(self, run: StepRun) -> str:
        """Pairs a step's ``started`` and ``finished`` records."""
        return f"{self.run_id}.{run.index}"

    def _audit_problem(self, exc: BaseException) -> str:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return f"cannot write the audit trail {self.audit_log.path}: {reason}"

    async def _audit_started(self, run: StepRun, started: float) -> StepResult | None:
        """Write and fsync the ``started`` record of a step that changes something, before it runs (in a
        worker thread: the event loop keeps going while the step waits for it).
        If that fails the step is refused (returned settled; nothing ran) and the rest is not run."""
        from console.runbook.unfinished import STARTED, process_identity

        record = self._record(run, StepResult(StepState.RUNNING, started=started))
        for key in ("end", "output", "message"):
            record.pop(key, None)
        record.update(
            {"event": STARTED, "phase": "started", "status": "started", "time": iso(started), **process_identity()}
        )
        mark_simulated(record, self.env)
        try:
            run.audit_started = await asyncio.to_thread(
                self.audit_log.append, record, secrets=list(self._known_secret_values)
            )
            return None
        except (OSError, ValueError) as exc:
            self.audit_error = self._audit_problem(exc)
        message = f"{self.audit_error}: step refused, nothing ran"
        self._stop_rest(run.index, "not run: the audit trail cannot be written")
        return await self._settle_off_loop(
            run, StepResult(StepState.REFUSED, message, started=started, ended=time.time())
        )

    def _record(self, run: StepRun, result: StepResult) -> dict[str, Any]:
        step = run.step
        record: dict[str, Any] = {
            "event": "step",
            "ts": result.started or time.time(),
            "run_id": self.run_id,
            "flow": self.flow.id,
            "step": step.id,
            "step_title": self.title_of(run.index),
            "kind": step.kind,
            "mutating": step.mutating,
            "status": result.state.value,
            "message": result.message,
            "inputs": {k: (self.mask(str(v)) if isinstance(v, str) else v) for k, v in self.inputs.items()},
            "start": iso(result.started) if result.started else None,
            "end": iso(result.ended) if result.ended else None,
            "user": self.user,
            "environment": self.env.name,
            "read_only": self.read_only,
            "step_run": self._step_run_id(run),
        }
        if run.audit_started is not None:
            record["phase"] = "finished"
        try:
            prepared = self._prepare(run, masked=True, placeholders=True)
        except TemplateError:
            prepared = None
        if isinstance(prepared, PreparedCommand):
            record["argv"] = self._as_run(step, prepared.argv)
            if prepared.stdin_display is not None:
                record["stdin"] = prepared.stdin_display
            if prepared.cwd:
                record["cwd"] = prepared.cwd
        elif isinstance(prepared, PreparedHttp):
            record["request"] = prepared.display()
        if result.exit_code is not None:
            record["exit_code"] = result.exit_code
        if result.http_status is not None:
            record["http_status"] = result.http_status
        if result.envelope is not None:
            record["envelope"] = result.envelope
        if result.value is not None:
            record["value"] = result.value
        if result.captures:
            record["captures"] = result.captures
        record["output"] = self.mask(excerpt(result.output or "", 1000))
        item = self._declined_item(run, result.state)
        if item:
            record["action_item"] = item
        return record

    def _declined_item(self, run: StepRun, state: StepState) -> str | None:
        """The ``if_declined`` text of a step that did not make an earlier change last, or None."""
        step = run.step
        if not step.if_declined or state in (StepState.PASSED, StepState.RUNNING, StepState.PENDING):
            return None
        if not any(r.step.mutating and r.state == StepState.PASSED for r in self.steps[: run.index]):
            return None
        try:
            return clean_line(render(step.if_declined, self._context(run.item, placeholders=True), masked=True))
        except TemplateError:
            return step.if_declined

    # -- headless -------------------------------------------------------------------------------------
    async def run_all(
        self, confirm: Callable[[Preview], "str | None | Awaitable[str | None]"] | None = None
    ) -> RunSummary:
        """Run every step in order. ``confirm(preview)`` returns the confirmation text for a mutating step
        (None declines, which cancels the flow). Manual items are left pending and recorded as such."""
        if self.refusal:
            self._refuse_all()
            return self.summary()
        for run in self.steps:
            if self._finished:
                break
            if run.state != StepState.PENDING:
                continue
            if run.step.kind == "manual":
                if not self.dry_run:
                    self.leave_pending(run.index)
                continue
            typed: str | None = None
            if run.step.mutating and not self.dry_run:
                answer = confirm(self.preview(run.index)) if confirm is not None else None
                typed = await answer if inspect.isawaitable(answer) else answer
                conf = policy.confirmation_for(run.step, self.env.name)
                if conf is not None and not conf.accepts(typed):
                    if run.step.if_declined:  # declining it is a choice, recorded; the flow goes on
                        self.skip(run.index, "declined by operator")
                        continue
                    await self.cancel(f"not confirmed: {run.step.title}")
                    break
            await self.run_step(run.index, confirmation=typed)
        return self.finish()
