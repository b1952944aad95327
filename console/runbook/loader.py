"""Load runbook YAML into :class:`Runbook` with file:line errors for its author.

The built-in runbook is ``console/runbooks/*.yaml`` (package data). A config's ``runbooks: [paths]``
are merged after it; a user flow with a built-in flow's id or key must say ``replaces: <built-in id>`` (a
silent clash is a load error) and is then shown as overriding it. ``edge-console runbook validate FILE``
checks a file. The format::

    version: 1
    flows:
      - id: block-ip                  # stable kebab-case
        title: Block an IP
        section: Security
        key: K                        # optional single key
        reverse: unblock-ip           # optional: the flow that undoes this one
        replaces: block-ip            # only in a user runbook taking a built-in flow's id or key
        responds_to: [error_rate]     # optional: metrics whose warning/critical state it answers
        inputs:                       # string choice int number duration bool ip cidr url timestamp
          - {name: ip, type: ip}
          - {name: reason, type: string}              # required unless required: false
          - {name: ns, type: string, default: "{env.kv_namespace_id}"}
          - {name: n, type: int, default: 20, min: 1, max: 1000}
        steps:
          - id: put                   # optional, default step-N
            kind: action              # check | action | verify | manual | note
            title: "Block {ip}"
            command:                  # argv list (never a shell): tools.<tool> prefix + args
              tool: wrangler
              args: [kv, key, put, "blocked:ip:{ip}", "{reason}", --namespace-id, "{ns}", --remote]
              stdin: "..."            # secrets only here, in env, or in HTTP headers
              env: {NAME: value}
              cwd: "{env.paths.repo}"   # a non-action step: only exactly one {env.paths.NAME}
              timeout: 60
          - kind: check
            title: Read the level
            http: {method: GET, url: "{env.cloudflare_api_url}/zones/{env.zone_id}/settings/security_level",
                   auth: api_token, timeout: 15}       # also: headers, json, params, filter (regex), save_to,
                                                       #   accept_status: [404] (a 4xx that is an answer)
            expect: 'result.value != "off"'            # PATH [== != < <= > >= in contains matches VALUE]
            capture: {previous: result.value}          # later: {capture.previous}
            remember: [previous]                       # later runs: {memory.previous}
            retry: {attempts: 5, interval: 3}          # checks only
            on_fail: continue                          # default stop
            when: 'purge == "everything"'              # over inputs, env.*, config.*
          - {kind: check, title: Top errors, tail: {seconds: 8}, summary: error_breakdown}
          - {kind: check, title: Now, metrics: [error_rate, request_rate]}
          - {kind: check, title: Trends, metrics: [error_rate], trend: 8}   # sparklines (8 scrapes headless)
          - {kind: verify, title: Errors down, expect: "error_rate < 1", timeout: 60, interval: 2}
          - {kind: manual, title: Update the status page}
          - {kind: note, title: Why, text: guidance}

Template references are listed in :mod:`console.runbook.template`; summaries in
:mod:`console.runbook.summaries`. Only an ``action`` may change anything: a ``check`` that sends anything
but GET/HEAD, saves to a file (``save_to``), sets a command's ``env``, takes ``argv_from`` the config, or runs a
command not on the read-only allow-list (:mod:`console.runbook.readonly`: ``wrangler kv key get|list``,
``gh run list``, ``terraform plan``, ``git log``, ...) is refused: declare it an ``action``.
"""

from __future__ import annotations

import dataclasses
import re
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml

from console.yamlpaths import YamlLimitError, compose_and_load, dotted, line_map, load_literal, read_yaml_file

from console.runbook import policy
from console.runbook.builtin_cache import load_builtin_file
from console.runbook.expr import ExprError, parse_expr, path_refs
from console.runbook.model import CommandSpec, Expr, Flow, HttpSpec, InputSpec, Runbook, RunbookError, Step, VerifySpec

# declared in console/schema/runbook_model.py (the structure every file is checked against first)
from console.schema.runbook_model import FOREACH_SOURCES, HTTP_METHODS, METRIC_KEYS, RunbookFile  # noqa: F401
from console.schema.validate import check
from console.runbook.template import TemplateError, refs, walk_strings
from console.sanitize import clean, clean_line

KeyPath = tuple[Any, ...]
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: a tool name: wrangler, gh, terraform, git, tfvars-pr
_TOOL_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$")


def builtin_runbook_files() -> list[Path]:
    base = resources.files("console") / "runbooks"
    return sorted(Path(str(p)) for p in base.iterdir() if str(p).endswith(".yaml"))


def load_runbook(extra: Iterable[str | Path] = ()) -> Runbook:
    """The built-in runbook merged with ``extra`` files. A user flow that has a built-in flow's id or key
    must say ``replaces: <that id>`` (see :func:`merge_user_flow`)."""
    flows: dict[str, Flow] = {}
    files: list[str] = []
    for path in builtin_runbook_files():
        for flow in load_builtin_file(path):  # parsed once per file version (builtin_cache.py)
            flows[flow.id] = flow
        files.append(str(path))
    builtins = dict(flows)
    shipped = {Path(p).resolve() for p in files}
    for path in [Path(p) for p in extra]:
        if path.resolve() in shipped:
            continue  # a shipped file named again (``runbook validate`` on it): already loaded as built-in
        for flow in load_file(path):
            merge_user_flow(flows, builtins, flow)
        files.append(str(path))
    runbook = Runbook(flows=flows, files=files)
    check_runbook(runbook)
    return runbook


def merge_user_flow(flows: dict[str, Flow], builtins: dict[str, Flow], flow: Flow) -> None:
    """Add a user flow. Taking a built-in flow's id (replacing it) or its key (the built-in stays, reachable
    by id and the palette, without its key) needs ``replaces: <built-in id>``; else a load error."""
    clash_id = flow.id if flow.id in builtins else None
    clash_key = next((b.id for b in builtins.values() if flow.key and b.key == flow.key), None)
    named = {c for c in (clash_id, clash_key) if c}
    if flow.replaces is not None:
        target = builtins.get(flow.replaces)
        if target is None:
            raise RunbookError(
                f"names no built-in flow {flow.replaces!r}",
                file=flow.file,
                line=flow.line,
                where=f"flows.{flow.id}.replaces",
            )
        if flow.replaces not in named:
            raise RunbookError(
                f"replaces {flow.replaces!r} but has neither its id nor its key "
                f"({target.key or 'none'}): remove replaces",
                file=flow.file,
                line=flow.line,
                where=f"flows.{flow.id}.replaces",
            )
    for other in sorted(named - {flow.replaces}):
        b = builtins[other]
        if other == clash_id:
            raise RunbookError(
                f"flow id {flow.id!r} is the built-in flow {other!r} ({b.file}:{b.line}): to replace "
                f"it say replaces: {other}, or choose another id",
                file=flow.file,
                line=flow.line,
                where=f"flows.{flow.id}.id",
            )
        raise RunbookError(
            f"key {flow.key!r} is already used by flow {other!r} (built-in, {b.file}:{b.line}): to take "
            f"it say replaces: {other}, or choose another key",
            file=flow.file,
            line=flow.line,
            where=f"flows.{flow.id}.key",
        )
    if flow.replaces is not None and flow.replaces != flow.id:
        taken = flows[flow.replaces]
        flows[taken.id] = dataclasses.replace(taken, key=None)
    flows[flow.id] = flow


def load_for_config(config: Any) -> Runbook:
    return load_runbook(getattr(config, "runbooks", []) or [])


def check_runbook(runbook: Runbook) -> None:
    """Cross-flow rules: reverses name existing flows, keys are unique."""
    keys: dict[str, Flow] = {}
    for flow in runbook.flows.values():
        if flow.reverse and flow.reverse not in runbook.flows:
            raise RunbookError(
                f"names no flow {flow.reverse!r}", file=flow.file, line=flow.line, where=f"flows.{flow.id}.reverse"
            )
        if flow.key:
            other = keys.get(flow.key)
            if other is not None:
                raise RunbookError(
                    f"key {flow.key!r} is already used by flow {other.id!r}",
                    file=flow.file,
                    line=flow.line,
                    where=f"flows.{flow.id}.key",
                )
            keys[flow.key] = flow


def load_file(path: str | Path) -> list[Flow]:
    path = Path(path)
    try:
        text = read_yaml_file(path)
    except YamlLimitError as exc:
        raise RunbookError(exc.message, file=str(path)) from None
    except FileNotFoundError:
        raise RunbookError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(f"cannot read: {exc}", file=str(path)) from None
    return parse_runbook(text, str(path))


def parse_runbook(text: str, file: str = "<runbook>") -> list[Flow]:
    try:
        node, data = compose_and_load(text)
    except YamlLimitError as exc:
        raise RunbookError(exc.message, file=file, line=exc.line, where=exc.key) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise RunbookError(
            f"invalid YAML: {exc.problem or exc}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise RunbookError(f"invalid YAML: {exc}", file=file) from None
    parser = _Parser(file, line_map(node))
    if data is not None:
        # the declared structure first (console/schema/runbook_model.py): every problem of the file at once
        _, problems = check(RunbookFile, data)
        if problems:
            errors = [parser.err(key, message) for key, message in problems]
            errors.sort(key=lambda e: (e.line is None, e.line or 0))
            raise RunbookError.of(errors)
    return parser.parse(data)


class _Parser:
    def __init__(self, file: str, lines: dict[KeyPath, int]) -> None:
        self.file = file
        self.lines = lines

    def line(self, key: KeyPath) -> int | None:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None

    def err(self, key: KeyPath, message: str, where: str | None = None) -> RunbookError:
        return RunbookError(message, file=self.file, line=self.line(key), where=where or dotted(key))

    # -- helpers (the data has passed the declared structure: types, bounds and keys are known good) --------
    def string(self, data: dict, key: KeyPath, *, default: str | None = None) -> str | None:
        value = data.get(key[-1])
        return default if value is None else str(value)

    def number(self, data: dict, key: KeyPath, default: float | None) -> float | None:
        value = data.get(key[-1])
        return default if value is None else float(value)

    def expr(self, data: dict, key: KeyPath) -> Expr | None:
        value = data.get(key[-1])
        if value is None:
            return None
        try:
            return parse_expr(value)
        except ExprError as exc:
            raise self.err(key, str(exc)) from None

    def templates(
        self, value: Any, key: KeyPath, *, inputs: set[str], captures: set[str], secrets_ok: bool, item_ok: bool
    ) -> None:
        for text in walk_strings(value):
            try:
                found = refs(text)
            except TemplateError as exc:
                raise self.err(key, str(exc)) from None
            for ref in found:
                if ref.scope == "input" and ref.name not in inputs:
                    known = ", ".join(sorted(inputs)) or "none"
                    raise self.err(key, f"{{{ref.name}}} names no input of this flow (inputs: {known})")
                if ref.scope == "capture" and ref.name not in captures:
                    raise self.err(key, f"{{capture.{ref.name}}} is not captured by an earlier step")
                if ref.scope == "secret" and not secrets_ok:
                    raise self.err(
                        key,
                        f"{{secret:{ref.name}}} is not allowed here: secrets go only in HTTP "
                        "headers, command stdin or env, never in argv, URLs or bodies",
                    )
                if ref.scope == "item" and not item_ok:
                    raise self.err(key, f"{{item.{ref.name}}} is only available in a foreach step")

    # -- document ------------------------------------------------------------------------------
    def parse(self, data: Any) -> list[Flow]:
        if data is None:
            raise RunbookError("empty runbook: expected 'flows:' with a list of flows", file=self.file, line=1)
        flows_raw = data["flows"]
        flows: list[Flow] = []
        seen: dict[str, int] = {}
        errors: list[RunbookError] = []
        for index, body in enumerate(flows_raw):
            try:  # the rules across fields: every flow, input and step reported
                flow = self.flow(body, ("flows", index))
                if flow.id in seen:
                    raise self.err(
                        ("flows", index, "id"), f"duplicate flow id {flow.id!r} (first at flows[{seen[flow.id]}])"
                    )
            except RunbookError as exc:
                errors.extend(exc.errors or [exc])
                continue
            seen[flow.id] = index
            flows.append(flow)
        if errors:
            raise RunbookError.of(errors)
        return flows

    def flow(self, body: Any, key: KeyPath) -> Flow:
        """One flow; every input and every step is checked, so a flow with three bad steps reports three
        problems (one per input or step: the first rule each breaks)."""
        flow_id = str(body["id"])
        errors: list[RunbookError] = []

        def checked(fn: Any, *args: Any) -> Any:
            try:
                return fn(*args)
            except RunbookError as exc:
                errors.append(exc)
                return None

        flow_key = checked(self.string, body, (*key, "key"))
        inputs_raw = body.get("inputs") or []
        inputs = [checked(self.input, item, (*key, "inputs", i)) for i, item in enumerate(inputs_raw)]
        names = [spec.name if spec is not None else None for spec in inputs]
        for i, name in enumerate(names):
            if name is not None and names.index(name) != i:
                errors.append(self.err((*key, "inputs", i, "name"), f"duplicate input {name!r}"))
        for i, spec in enumerate(inputs):
            if spec is not None and isinstance(spec.default, str):
                checked(
                    lambda spec=spec, i=i: self.templates(
                        spec.default,
                        (*key, "inputs", i, "default"),
                        inputs=set(),
                        captures=set(),
                        secrets_ok=False,
                        item_ok=False,
                    )
                )
        # an input that failed its own check still counts as declared: its uses are not errors too
        declared = {str(item.get("name")) for item in inputs_raw if isinstance(item, dict)}
        steps_raw = body["steps"]
        steps: list[Step] = []
        captures: set[str] = set()
        for i, item in enumerate(steps_raw):
            step = checked(self.step, item, (*key, "steps", i), i, declared, captures)
            if step is None:
                # what a bad step would have captured is still named, so later steps are not wrong too
                capture = item.get("capture") if isinstance(item, dict) else None
                captures |= {str(name) for name in capture} if isinstance(capture, dict) else set()
                continue
            if any(s.id == step.id for s in steps):
                errors.append(self.err((*key, "steps", i, "id"), f"duplicate step id {step.id!r}"))
                continue
            captures |= set(step.capture)
            steps.append(step)
        if errors:
            raise RunbookError.of(errors)
        responds_to = body.get("responds_to") or []
        reverse = self.string(body, (*key, "reverse"))
        replaces = self.string(body, (*key, "replaces"))
        return Flow(
            id=flow_id,
            title=clean_line(str(body["title"])),  # shown on screen
            section=clean_line(str(body["section"])),
            key=flow_key,
            description=clean((self.string(body, (*key, "description")) or "").strip()),
            inputs=inputs,
            steps=steps,
            reverse=reverse,
            responds_to=list(responds_to),
            replaces=replaces,
            file=self.file,
            line=self.line(key),
        )

    def input(self, body: Any, key: KeyPath) -> InputSpec:
        name = str(body["name"])
        kind = self.string(body, (*key, "type"), default="string") or "string"
        choices = body.get("choices") or []
        choices_from = self.string(body, (*key, "choices_from"))
        if choices_from is not None:
            if choices_from != "workers" or kind != "choice" or body.get("choices") is not None:
                raise self.err(
                    (*key, "choices_from"),
                    "only 'choices_from: workers' on a choice input without "
                    "choices (the worker roles of environments.NAME.workers)",
                )
            from console.config import WORKER_ROLES

            choices = list(WORKER_ROLES)
        if kind == "choice":
            if not choices:
                raise self.err((*key, "choices"), "a choice input needs a list of choices")
            choices = [str(c) for c in choices]
        elif body.get("choices") is not None:
            raise self.err((*key, "choices"), "only a choice input has choices")
        required = body.get("required", True)
        if required is None:
            required = True
        default = body.get("default")
        return InputSpec(
            name=name,
            type=kind,
            label=clean_line(self.string(body, (*key, "label")) or ""),
            required=required,
            default=default,
            choices=choices,
            choices_from=choices_from,
            minimum=self.number(body, (*key, "min"), None),
            maximum=self.number(body, (*key, "max"), None),
            help=clean_line(self.string(body, (*key, "help")) or ""),
            line=self.line(key),
        )

    def step(self, body: Any, key: KeyPath, index: int, inputs: set[str], captures: set[str]) -> Step:
        kind = str(body["kind"])
        step_id = self.string(body, (*key, "id"), default=f"step-{index + 1}") or ""
        title = str(body["title"])
        foreach = self.string(body, (*key, "foreach"))
        item_ok = foreach is not None
        if foreach == "account.queues" and (body.get("kind") != "check" or "http" not in body):
            raise self.err((*key, "foreach"), "account.queues runs an http check once per queue (kind: check, http)")
        if foreach == "account.queues" and (body.get("kind") != "check" or "http" not in body):
            raise self.err((*key, "foreach"), "account.queues runs an http check once per queue (kind: check, http)")
        self.templates(title, (*key, "title"), inputs=inputs, captures=captures, secrets_ok=False, item_ok=item_ok)
        text = (self.string(body, (*key, "text")) or "").strip()
        self.templates(text, (*key, "text"), inputs=inputs, captures=captures, secrets_ok=False, item_ok=item_ok)
        step = Step(
            id=step_id, kind=kind, title=clean_line(title), text=clean(text), foreach=foreach, line=self.line(key)
        )
        tmpl = dict(inputs=inputs, captures=captures, item_ok=item_ok)

        if "http" in body:
            step.http = self.http(body["http"], (*key, "http"), tmpl)
        if "command" in body:
            step.command = self.command(body["command"], (*key, "command"), tmpl)
        if "tail" in body:
            # finite and at most one day, as every duration (declared: a sexagesimal inf:0 tailed forever)
            tail = body["tail"]
            step.tail_seconds = (
                self.number(tail, (*key, "tail", "seconds"), 10.0)
                if isinstance(tail, dict)
                else self.number(body, (*key, "tail"), 10.0)
            )
        if "metrics" in body:
            step.metrics = list(body["metrics"])
        if "trend" in body:
            if "metrics" not in body:
                raise self.err((*key, "trend"), "only a metrics step has a trend (sparklines of its values)")
            step.trend = body["trend"]
        executors = [n for n in ("http", "command", "tail", "metrics") if n in body]
        if len(executors) > 1:
            raise self.err(key, f"a step has one executor, got {', '.join(executors)}")

        step.summary = self.string(body, (*key, "summary"))
        step.summary_args = dict(body.get("summary_args") or {})
        step.expect = self.expr(body, (*key, "expect"))
        for ref in path_refs(step.expect.path) if step.expect is not None else ():
            self.templates(ref, (*key, "expect"), secrets_ok=False, **tmpl)
        if step.expect is not None and isinstance(step.expect.value, str):
            self.templates(step.expect.value, (*key, "expect"), secrets_ok=False, **tmpl)
        step.when = self.expr(body, (*key, "when"))
        step.remember_if = self.expr(body, (*key, "remember_if"))
        step.on_fail = self.string(body, (*key, "on_fail"), default="stop") or "stop"

        retry = body.get("retry")
        if retry is not None:
            step.retry_attempts = retry.get("attempts") or 3
            step.retry_interval = self.number(retry, (*key, "retry", "interval"), 2.0) or 2.0
            if kind != "check":
                raise self.err((*key, "retry"), "only a check is retried (an action runs once)")

        capture = body.get("capture") or {}
        for name, path in capture.items():
            if not _NAME_RE.match(str(name)):
                raise self.err((*key, "capture", str(name)), f"{name!r} is not a name")
            where, bar, fallback = str(path).partition("|")
            for ref in path_refs(where):
                self.templates(ref, (*key, "capture", str(name)), secrets_ok=False, **tmpl)
            try:
                parse_expr(where)
                if bar and fallback:  # read as the engine reads it: no aliases, finite, at most 4 KiB
                    load_literal(fallback)
            except ExprError as exc:
                raise self.err((*key, "capture", str(name)), str(exc)) from None
            except YamlLimitError as exc:
                raise self.err((*key, "capture", str(name)), f"the fallback after '|': {exc.message}") from None
            except yaml.YAMLError:
                raise self.err(
                    (*key, "capture", str(name)), "the fallback after '|' is not a value (quote strings)"
                ) from None
        step.capture = {str(k): str(v) for k, v in capture.items()}
        remember = body.get("remember") or []
        if not all(r in step.capture for r in remember):
            raise self.err((*key, "remember"), "expected a list of names this step captures")
        step.remember = list(remember)

        if_declined = self.string(body, (*key, "if_declined"))
        if if_declined is not None:
            if kind != "action":
                raise self.err((*key, "if_declined"), "only an action can be declined")
            self.templates(if_declined, (*key, "if_declined"), secrets_ok=False, **tmpl)
            step.if_declined = clean_line(if_declined)
        if kind in ("check", "action") and not executors:
            raise self.err(
                key, f"a {kind} step needs one of: http, command" + (", tail, metrics" if kind == "check" else "")
            )
        if kind == "action" and executors[0] not in ("http", "command"):
            raise self.err(key, "an action runs an http request or a command")
        if kind == "verify":
            if executors:
                raise self.err(key, "a verify step watches a live metric: give expect, timeout and interval only")
            if step.expect is None:
                raise self.err((*key, "expect"), "a verify step needs expect such as 'error_rate < 1'")
            if step.expect.path not in METRIC_KEYS:
                raise self.err(
                    (*key, "expect"), f"{step.expect.path!r} is not a live metric (known: {', '.join(METRIC_KEYS)})"
                )
            timeout = self.number(body, (*key, "timeout"), 60.0) or 60.0
            interval = self.number(body, (*key, "interval"), 2.0) or 2.0
            step.verify = VerifySpec(expr=step.expect, timeout=timeout, interval=interval)
            step.expect = None
        elif "timeout" in body or "interval" in body:
            raise self.err(key, "timeout/interval belong to verify steps (give http/command their own timeout)")
        if step.metrics and step.expect is not None and step.expect.path not in step.metrics:
            raise self.err(
                (*key, "expect"),
                f"{step.expect.path!r} is not one of this step's metrics ({', '.join(map(str, step.metrics))}):"
                " it reads only those",
            )
        if kind in ("manual", "note") and (executors or step.expect or step.capture):
            raise self.err(key, f"a {kind} step is text only (title, text)")
        if step.capture and kind not in ("check", "action"):
            raise self.err((*key, "capture"), "only check and action steps capture values")
        problem = policy.step_problem(step)
        if problem:
            raise self.err((*key, "kind"), problem)
        problem = policy.cwd_problem(step)
        if problem:
            raise self.err((*key, "command", "cwd"), problem)
        return step

    def http(self, body: Any, key: KeyPath, tmpl: dict) -> HttpSpec:
        method = (self.string(body, (*key, "method"), default="GET") or "GET").upper()
        url = str(body["url"])
        self.templates(url, (*key, "url"), secrets_ok=False, **tmpl)
        if not url.startswith(("http://", "https://", "{")):
            raise self.err(
                (*key, "url"), f"expected an http(s) URL or a template such as {{env.base_url}}/..., got {url!r}"
            )
        headers = body.get("headers") or {}
        for name, value in headers.items():
            self.templates(value, (*key, "headers", str(name)), secrets_ok=True, **tmpl)
        auth = self.string(body, (*key, "auth"))
        params = body.get("params") or {}
        self.templates(params, (*key, "params"), secrets_ok=False, **tmpl)
        if "json" in body:
            self.templates(body["json"], (*key, "json"), secrets_ok=False, **tmpl)
        filt = self.string(body, (*key, "filter"))
        save_to = self.string(body, (*key, "save_to"))
        if save_to is not None:
            self.templates(save_to, (*key, "save_to"), secrets_ok=False, **tmpl)
        return HttpSpec(
            method=method,
            url=url,
            headers={str(k): v for k, v in headers.items()},
            auth=auth,
            json=body.get("json"),
            params={str(k): str(v) for k, v in params.items()},
            timeout=self.number(body, (*key, "timeout"), 15.0) or 15.0,
            filter=filt,
            save_to=save_to,
            accept_status=tuple(int(s) for s in body.get("accept_status") or ()),
        )

    def command(self, body: Any, key: KeyPath, tmpl: dict) -> CommandSpec:
        tool = self.string(body, (*key, "tool"))
        argv_from = self.string(body, (*key, "argv_from"))
        if (tool is None) == (argv_from is None):
            raise self.err(key, "give either tool (with args) or argv_from (a config key such as export.upload)")
        args = [str(a) for a in body.get("args") or []]
        self.templates(args, (*key, "args"), secrets_ok=False, **tmpl)
        stdin = body.get("stdin")
        if stdin is not None:
            if isinstance(stdin, bool):
                stdin = "true" if stdin else "false"
            stdin = str(stdin)
            self.templates(stdin, (*key, "stdin"), secrets_ok=True, **tmpl)
        env = body.get("env") or {}
        self.templates(env, (*key, "env"), secrets_ok=True, **tmpl)
        cwd = self.string(body, (*key, "cwd"))
        if cwd is not None:
            self.templates(cwd, (*key, "cwd"), secrets_ok=False, **tmpl)
        return CommandSpec(
            tool=tool,
            args=args,
            argv_from=argv_from,
            stdin=stdin,
            env={str(k): str(v) for k, v in env.items()},
            cwd=cwd,
            timeout=self.number(body, (*key, "timeout"), 120.0) or 120.0,
            collect_seconds=self.number(body, (*key, "collect_seconds"), None),
        )
