"""Templates in runbook strings: ``{reference}`` with ``{{``/``}}`` for literal braces (pure).

References:

- ``{NAME}``: a flow input (validated value).
- ``{env.ATTR}``: the environment (``name``, ``worker``, ``zone_id``, ``account_id``, ``kv_namespace_id``,
  ``base_url``, ``metrics_url``, ``health_url``, ``cloudflare_api_url``, ``status_url``, ``github_repo``), and
  ``{env.paths.KEY}`` / ``{env.queues.KEY}`` / ``{env.workers.ROLE}``; ``{worker!script}`` turns a role
  input into that role's script name. ``{plan_file}``: this run's saved terraform plan.
- ``{secret:api_token}`` / ``{secret:admin_token}``: only allowed in HTTP headers, command stdin and env,
  never in argv or URLs; rendered as ``****`` in everything shown or recorded.
- ``{capture.NAME}``: a value captured by an earlier step; ``{memory.NAME}``: one remembered by an earlier
  run (``Under Attack Mode`` records the previous security level); ``{item.key}``/``{item.value}`` in
  ``foreach`` steps; ``{today}``, ``{yesterday}`` (YYYYMMDD) and ``{now}`` (ISO 8601 UTC);
  ``{export_dir}``: the environment's ``paths.export_dir``, else ``exports`` under the state dir (never
  the current directory).
- ``{REF|fallback}`` uses ``fallback`` when the reference has no value; ``{REF!list}`` splits a
  comma-separated value into a JSON list (only as a whole JSON body leaf); ``{env.worker!base}`` is
  the worker name without its ``-ENV`` suffix, for ``--name BASE --env ENV`` (wrangler appends ``-ENV``).

Commands render with :func:`render_argv`: a value that would begin an argv element with ``-`` before a
literal ``--`` element is refused (it would be read as an option), so runbooks put ``--`` before positional
values (wrangler's yargs, gh's pflag, git and terraform all end options there). HTTP URLs render with
:func:`render_url`: every reference but a leading base URL is percent-encoded whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import quote

_REF_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
ENV_ATTRS = (
    "name",
    "worker",
    "zone_id",
    "account_id",
    "kv_namespace_id",
    "base_url",
    "metrics_url",
    "health_url",
    "cloudflare_api_url",
    "status_url",
    "alertmanager_url",
    "alertmanager_matchers",
    "github_repo",
)
#: ``{plan_file}``: this run's saved terraform plan (a private file under the state dir)
BUILTINS = ("today", "yesterday", "now", "export_dir", "incident", "plan_file")
MASK = "****"
#: ``!list``: "a, b" -> ["a", "b"] (a whole JSON leaf); ``!base``: the worker name without the ``-ENV`` suffix
#: that wrangler appends to a name given with ``--env ENV``; ``!script``: a worker role (an input whose
#: choices are the roles) as the environment's deployed script name (``environments.E.workers``);
#: ``!prefixes`` / ``!urls`` / ``!hosts`` / ``!tags``: a ``!list`` checked as cache purge prefixes / file URLs / hosts / tags
#: (:mod:`console.runbook.purge_targets`); ``!matchers``: "alertname=X,env=prod" -> Alertmanager API matcher
#: objects (a whole JSON leaf); ``!until``: a duration ("1h", "1h30m") -> the ISO 8601 UTC time that long from now
CONVERTERS = ("list", "base", "script", "prefixes", "urls", "hosts", "tags", "matchers", "until")
LIST_CONVERTERS = ("list", "prefixes", "urls", "hosts", "tags")


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Ref:
    scope: str  # input | env | secret | capture | memory | item | builtin
    name: str
    fallback: str | None = None
    converter: str | None = None


def parse_ref(body: str) -> Ref:
    text = body.strip()
    converter = None
    fallback = None
    if "|" in text:
        text, fallback = text.split("|", 1)
    if "!" in text:
        text, converter = text.split("!", 1)
        if converter not in CONVERTERS:
            raise TemplateError(f"{{{body}}}: unknown converter !{converter} (known: !{', !'.join(CONVERTERS)})")
    text = text.strip()
    if not text:
        raise TemplateError("empty reference {}")
    if text.startswith("secret:"):
        name = text[len("secret:") :]
        from console.runbook.model import SECRET_NAMES

        if name not in SECRET_NAMES:
            raise TemplateError(f"{{{body}}}: unknown secret (known: {', '.join(SECRET_NAMES)})")
        return Ref("secret", name, fallback, converter)
    if text in BUILTINS:
        return Ref("builtin", text, fallback, converter)
    if "." in text:
        scope, name = text.split(".", 1)
        if scope == "env":
            head = name.split(".", 1)[0]
            if head in ("paths", "queues", "workers"):
                if "." not in name:
                    raise TemplateError(f"{{{body}}}: name a key, e.g. {{env.{head}.checkout}}")
            elif name not in ENV_ATTRS:
                raise TemplateError(
                    f"{{{body}}}: unknown environment field (known: {', '.join(ENV_ATTRS)}, "
                    "paths.KEY, queues.KEY, workers.ROLE)"
                )
            return Ref("env", name, fallback, converter)
        if scope in ("capture", "memory", "item"):
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                raise TemplateError(f"{{{body}}}: bad name {name!r}")
            return Ref(scope, name, fallback, converter)
        raise TemplateError(
            f"{{{body}}}: unknown reference (use an input name, env., secret:, capture., memory., item.)"
        )
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", text):
        raise TemplateError(f"{{{body}}}: bad reference")
    return Ref("input", text, fallback, converter)


def refs(template: str) -> list[Ref]:
    """Every reference in ``template`` (raising :class:`TemplateError` on a malformed one)."""
    out = []
    for match in _REF_RE.finditer(template):
        if match.group(1) is not None:
            out.append(parse_ref(match.group(1)))
    stripped = _REF_RE.sub("", template)
    if "{" in stripped or "}" in stripped:
        raise TemplateError(f"{template!r}: unbalanced brace (write {{{{ or }}}} for a literal one)")
    return out


@dataclass
class Context:
    """What templates resolve against. ``secret`` resolves a secret name to its value (or raises)."""

    inputs: Mapping[str, Any] = field(default_factory=dict)
    env: Any = None
    secret: Callable[[str], str] | None = None
    captures: Mapping[str, Any] = field(default_factory=dict)
    memory: Mapping[str, Any] = field(default_factory=dict)
    item: Mapping[str, Any] = field(default_factory=dict)
    builtins: Mapping[str, str] = field(default_factory=dict)
    #: When set, unresolved captures render as ``<capture.NAME>`` (previews before the step that captures runs).
    placeholder_captures: bool = False


_NO_VALUE = object()


def resolve(ref: Ref, ctx: Context, *, masked: bool) -> Any:
    value: Any = _NO_VALUE
    if ref.scope == "input":
        if ref.name not in ctx.inputs:
            raise TemplateError(f"{{{ref.name}}}: no input named {ref.name!r}")
        value = ctx.inputs[ref.name]
        value = _NO_VALUE if value is None else value
    elif ref.scope == "env":
        value = _env_value(ctx.env, ref.name)
    elif ref.scope == "secret":
        if masked:
            return MASK
        if ctx.secret is None:
            raise TemplateError(f"{{secret:{ref.name}}}: no secrets available here")
        return ctx.secret(ref.name)
    elif ref.scope == "capture":
        value = ctx.captures.get(ref.name, _NO_VALUE)
        if value is _NO_VALUE and ctx.placeholder_captures and ref.fallback is None:
            return f"<capture.{ref.name}>"
    elif ref.scope == "memory":
        value = ctx.memory.get(ref.name, _NO_VALUE)
    elif ref.scope == "item":
        value = ctx.item.get(ref.name, _NO_VALUE)
    elif ref.scope == "builtin":
        value = ctx.builtins.get(ref.name, _NO_VALUE)
    if value is _NO_VALUE or value == "":
        if ref.fallback is not None:
            return ref.fallback
        raise TemplateError(_missing_message(ref, ctx))
    if ref.converter == "base":
        return _base_name(str(value), ctx)
    if ref.converter in ("matchers", "until"):
        from console.runbook.amconvert import convert

        return convert(ref, value, ctx)
    if ref.converter == "script":
        return _script_name(str(value), ctx)
    return value


def _script_name(role: str, ctx: Context) -> str:
    worker_for = getattr(ctx.env, "worker_for", None)
    script = worker_for(role) if callable(worker_for) else ""
    if not script:
        env_name = getattr(ctx.env, "name", "?")
        raise TemplateError(
            f"environment {env_name!r} has no worker for the role {role!r}: add it under "
            f"environments.{env_name}.workers.{role}"
        )
    return str(script)


def _base_name(worker: str, ctx: Context) -> str:
    env_name = str(getattr(ctx.env, "name", "") or "")
    suffix = f"-{env_name}"
    if env_name and worker.endswith(suffix) and len(worker) > len(suffix):
        return worker[: -len(suffix)]
    raise TemplateError(
        f"worker {worker!r} does not end with {suffix!r}: wrangler appends {suffix} to a name "
        f"given with --env {env_name}, so set environments.{env_name}.worker to the deployed "
        f"name '<name>{suffix}' (or override this flow in your runbook)"
    )


def _missing_message(ref: Ref, ctx: Context) -> str:
    if ref.scope == "env":
        env_name = getattr(ctx.env, "name", "?")
        head, _, key = ref.name.partition(".")
        if head in ("paths", "queues", "workers"):
            return f"environment {env_name!r} has no {head}.{key}: add it under environments.{env_name}.{head}"
        return f"environment {env_name!r} has no {ref.name}: set environments.{env_name}.{ref.name}"
    if ref.scope == "capture":
        return f"{{capture.{ref.name}}}: no value captured (an earlier step did not produce it)"
    if ref.scope == "memory":
        return f"{{memory.{ref.name}}}: nothing recorded yet for this environment"
    if ref.scope == "input":
        return f"input {ref.name!r} has no value"
    return f"{{{ref.scope}.{ref.name}}}: no value"


def _env_value(env: Any, name: str) -> Any:
    if env is None:
        return _NO_VALUE
    head, _, key = name.partition(".")
    if head in ("paths", "queues", "workers"):
        mapping = getattr(env, head, None) or {}
        return mapping.get(key, _NO_VALUE)
    value = getattr(env, head, _NO_VALUE)
    return _NO_VALUE if value is None else value


def render(template: str, ctx: Context, *, masked: bool = False) -> str:
    """Substitute every reference; with ``masked`` secrets become ``****``."""

    def sub(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        ref = parse_ref(match.group(1))
        value = resolve(ref, ctx, masked=masked)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return _REF_RE.sub(sub, template)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OptionInjection(TemplateError):
    """A value (from an input, a capture, the config ...) would begin an argv element before ``--``:
    a value starting with ``-`` there is read as an option (``--path=/etc/passwd``), so it is refused."""

    #: what the value would do, and what to give instead (a subclass names another leading character)
    harm = "starts with '-' and would be read as an option by the command"
    advice = "give a value that does not start with '-'"

    def __init__(self, ref: Ref, value: str, position: int) -> None:
        self.ref = ref
        self.value = value
        self.position = position
        shown = value if len(value) <= 60 else value[:60] + "…"
        if ref.scope == "input":
            what = f"input {ref.name}"
        else:
            what = "{" + (ref.name if ref.scope == "builtin" else f"{ref.scope}.{ref.name}") + "}"
        #: the message without the ``input NAME:`` prefix (a form shows it next to the field)
        self.detail = f"{shown!r} {self.harm} (argument {position}); {self.advice}"
        super().__init__(f"{what}: {self.detail}")


class FileReadInjection(OptionInjection):
    """A value would begin a ``-F key=VALUE`` field (gh, curl) with ``@``: the tool would read that file and
    send its contents (``@~/.ssh/id_rsa``). Refused when the ``@`` comes from a reference's value."""

    harm = "starts with '@', and the command reads a -F field value starting with '@' from a file"
    advice = "give a value that does not start with '@'"


#: argv options whose ``key=VALUE`` reads a file when VALUE starts with ``@`` (gh's -F/--field, curl's -F)
_FILE_FIELD_OPTIONS = ("-F", "--field", "--form")


def _file_field_value(template: str, previous: str | None) -> str | None:
    """The VALUE part of a ``-F key=VALUE`` template (in this element or after a lone ``-F``), else None."""
    if template.startswith(("--field=", "--form=")):
        template = template.split("=", 1)[1]
    elif template.startswith("-F") and len(template) > 2:
        template = template[2:]
    elif previous not in _FILE_FIELD_OPTIONS:
        return None
    _key, sep, value = template.partition("=")
    return value if sep else None


def _leading_ref(template: str) -> Ref | None:
    """The reference a template starts with (its value begins the rendered text), else None."""
    match = _REF_RE.match(template)
    if match is None or match.group(1) is None:
        return None
    return parse_ref(match.group(1))


def render_argv(templates: list[str], ctx: Context, *, masked: bool = False, first_position: int = 1) -> list[str]:
    """Render argv templates, refusing (:class:`OptionInjection`) an element that a reference's value makes
    start with ``-`` before the end-of-options marker: such a value would be a positional or an option's
    value read as an option (``reason=--path=/etc/hostname``). An element the runbook itself writes with
    a leading ``-`` (``--namespace-id``, ``-var=x={n}``) is an option, and everything after a literal
    ``--`` element is a positional for wrangler (yargs), gh (pflag), git and terraform alike."""
    out: list[str] = []
    options_ended = False
    for offset, template in enumerate(templates):
        template = str(template)
        value = render(template, ctx, masked=masked)
        if not options_ended and value.startswith("-"):
            ref = _leading_ref(template)
            if ref is not None:
                raise OptionInjection(ref, value, first_position + offset)
        if not options_ended:
            field = _file_field_value(template, str(templates[offset - 1]) if offset else None)
            ref = _leading_ref(field) if field is not None else None
            if ref is not None:
                field_value = render(field, ctx, masked=masked)
                if field_value.startswith("@"):
                    raise FileReadInjection(ref, field_value, first_position + offset)
        if template == "--":
            options_ended = True
        out.append(value)
    return out


class ListValueError(TemplateError):
    """A ``!prefixes`` / ``!urls`` list that the API would refuse (a scheme on a prefix, too many, ...)."""

    def __init__(self, ref: Ref, detail: str) -> None:
        self.ref = ref
        self.detail = detail
        what = f"input {ref.name}" if ref.scope == "input" else "{" + f"{ref.scope}.{ref.name}" + "}"
        super().__init__(f"{what}: {detail}")


class DotSegment(TemplateError):
    """A value would make a whole URL path segment empty, ``.`` or ``..``: the HTTP client removes dot
    segments, so the request (and its token) would go to another path (``DELETE .../values/{key}`` with
    ``key=..`` is the delete-namespace endpoint). Refused."""

    def __init__(self, ref: Ref, segment: str) -> None:
        self.ref = ref
        self.value = segment
        if ref.scope == "input":
            what = f"input {ref.name}"
        else:
            what = "{" + (ref.name if ref.scope == "builtin" else f"{ref.scope}.{ref.name}") + "}"
        shown = "an empty" if segment == "" else f"a {segment!r}"
        #: the message without the ``input NAME:`` prefix (a form shows it next to the field)
        self.detail = (
            f"would make {shown} URL path segment, which sends the request to another path; give another value"
        )
        super().__init__(f"{what}: {self.detail}")


def render_url(template: str, ctx: Context, *, masked: bool = False) -> str:
    """Render a URL template: a reference that starts the URL is the base (a configured or validated URL,
    ``{env.cloudflare_api_url}``) and is kept as is; every other reference's value is percent-encoded
    whole (``/``, ``?``, ``#``, ``%`` included), so a value is always one path segment or query value and
    never walks the request (and its token) to another path. A path segment that a value makes empty,
    ``.`` or ``..`` is refused (:class:`DotSegment`): the client would remove it, and the segment before it."""
    pieces: list[tuple[str, Ref | None]] = []
    pos = 0
    for match in _REF_RE.finditer(template):
        if match.start() > pos:
            pieces.append((template[pos : match.start()], None))
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append((token[0], None))
            continue
        ref = parse_ref(match.group(1))
        value = _text(resolve(ref, ctx, masked=masked))
        pieces.append((value, None) if match.start() == 0 else (quote(value, safe=""), ref))
    if pos < len(template):
        pieces.append((template[pos:], None))
    _check_path_segments(pieces)
    return "".join(text for text, _ in pieces)


def _check_path_segments(pieces: list[tuple[str, Ref | None]]) -> None:
    """Refuse a path segment holding a reference's value that is empty, ``.`` or ``..`` (values are
    encoded, so ``/``, ``?`` and ``#`` only come from the template's own text)."""
    segment = ""
    refs_in: list[Ref] = []
    for text, ref in pieces:
        if ref is None:
            for char in text:
                if char in "/?#":
                    if refs_in and segment in ("", ".", ".."):
                        raise DotSegment(refs_in[0], segment)
                    if char != "/":
                        return
                    segment, refs_in = "", []
                else:
                    segment += char
        else:
            segment += text
            refs_in.append(ref)
    if refs_in and segment in ("", ".", ".."):
        raise DotSegment(refs_in[0], segment)


def render_value(value: Any, ctx: Context, *, masked: bool = False) -> Any:
    """Render a JSON-like value: strings are templates; a string that is exactly one reference keeps the
    referenced value's type (ints stay ints), and ``!list`` turns ``"a, b"`` into ``["a", "b"]``."""
    if isinstance(value, str):
        match = _REF_RE.fullmatch(value)
        if match and match.group(1) is not None:
            ref = parse_ref(match.group(1))
            resolved = resolve(ref, ctx, masked=masked)
            if ref.converter in LIST_CONVERTERS:
                if isinstance(resolved, list):
                    items = [str(part) for part in resolved]
                else:
                    items = [part.strip() for part in str(resolved).split(",") if part.strip()]
                if ref.converter != "list":
                    from console.runbook.purge_targets import PurgeTargetError, check_targets

                    try:
                        check_targets(ref.converter, items)
                    except PurgeTargetError as exc:
                        raise ListValueError(ref, str(exc)) from None
                return items
            return resolved
        return render(value, ctx, masked=masked)
    if isinstance(value, list):
        return [render_value(v, ctx, masked=masked) for v in value]
    if isinstance(value, dict):
        return {str(k): render_value(v, ctx, masked=masked) for k, v in value.items()}
    return value


def walk_strings(value: Any):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from walk_strings(v)
