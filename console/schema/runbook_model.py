"""The runbook file, declared: flows, inputs, steps and their executors, each field with a one-line doc.

:func:`console.runbook.loader.parse_runbook` checks a file against :class:`RunbookFile` first (every
structural problem of the file at once, ``file:line: where: what``), then applies the rules that need more
than one field (templates name known inputs and captures, secrets only where allowed, read-only policy,
verify steps on live metrics; see :mod:`console.runbook.loader`). ``edge-console schema runbook`` prints the
JSON Schema generated from these classes, for editor completion in your own runbooks.
"""

from typing import Annotated, Any, Literal

import re

import msgspec

from console.limits import MAX_DESCRIPTION_CHARS, MAX_DURATION_S
from console.metrics import catalogue
from console.runbook.model import INPUT_TYPES, SECRET_NAMES, STEP_KINDS
from console.runbook.summaries import SUMMARIES
from console.schema.validate import doc

Struct = msgspec.Struct

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
METRIC_KEYS = catalogue.METRIC_KEYS  # the live metric keys a step may read (console.metrics.catalogue)
#: ``account.queues``: the account's queues from the Queues API, ``queues:`` overriding ids (runbook/queue_lookup.py)
FOREACH_SOURCES = ("env.queues", "env.paths", "account.queues")
ID_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
#: a tool name: a name, or names joined by '-' (tfvars-pr)
TOOL_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$"

Text = Annotated[str, doc("text (a number is read as text)", text_ok=True)]
Seconds = Annotated[float, doc("seconds: more than zero, at most one day", gt=0, le=MAX_DURATION_S)]
FlowId = Annotated[
    str,
    doc(
        "a kebab-case flow id",
        pattern=ID_PATTERN,
        pattern_message="is not a kebab-case id such as enable-circuit-breaker",
    ),
]
Condition = Annotated[
    str,
    doc(
        "a condition: PATH [== != < <= > >= in contains matches] VALUE",
        message="expected a condition such as 'status == \"healthy\"' (quote it in YAML)",
    ),
]


def _metric_list_problem(value: list[str]) -> str | None:
    if value and all(m in METRIC_KEYS for m in value):
        return None
    return f"expected a list of metric keys from: {', '.join(METRIC_KEYS)}"


MetricList = Annotated[
    list[str],
    doc(
        "live metric keys",
        check=_metric_list_problem,
        message=f"expected a list of metric keys from: {', '.join(METRIC_KEYS)}",
    ),
]

#: an Alertmanager ``alertname`` a flow responds to (CamelCase, so never a metric key)
ALERTNAME_PATTERN = re.compile(r"[A-Z][A-Za-z0-9_]{0,99}")
_RESPONDS_TO_MESSAGE = (
    f"expected a list of metric keys from: {', '.join(catalogue.RESPONDER_KEYS)}, "
    "or Alertmanager alert names (EdgeHighErrorRate)"
)


def _responds_to_problem(value: list[str]) -> str | None:
    if value and all(m in catalogue.RESPONDER_KEYS or ALERTNAME_PATTERN.fullmatch(m) for m in value):
        return None
    return _RESPONDS_TO_MESSAGE


RespondsTo = Annotated[
    list[str], doc("metric keys or alert names", check=_responds_to_problem, message=_RESPONDS_TO_MESSAGE)
]


def _method_problem(value: str) -> str | None:
    if value.upper() in HTTP_METHODS:
        return None
    return f"unknown method {value.upper()!r} (known: {', '.join(HTTP_METHODS)})"


def _regex_problem(value: str) -> str | None:
    import re

    try:
        re.compile(value)
    except re.error as exc:
        return f"bad regular expression: {exc}"
    return None


class InputDecl(Struct, forbid_unknown_fields=True):
    """A value the operator gives before the flow runs ({name} in templates)."""

    name: Annotated[
        str,
        doc(
            "the input's name ({name} in templates)",
            pattern=NAME_PATTERN,
            pattern_message="is not a name such as reason or api_rate_limit",
        ),
    ]
    type: Annotated[Literal[INPUT_TYPES], doc("what it accepts", key_word="input type", known=INPUT_TYPES)] = "string"  # type: ignore[valid-type]
    label: Annotated[Text, doc("the form's label")] = ""
    required: Annotated[bool, doc("must be given (default true)")] = True
    default: Annotated[
        str | int | float | bool | None,
        doc(
            "default value or a template such as '{env.worker}'",
            message="expected a single value or a template such as '{env.worker}'",
        ),
    ] = None
    choices: Annotated[
        list[Text] | None, doc("the values a choice input offers", message="a choice input needs a list of choices")
    ] = None
    choices_from: Annotated[
        Literal["workers"] | None, doc("a choice input's choices: the environment's configured worker roles")
    ] = None
    min: Annotated[float | None, doc("smallest number accepted (int, number, duration)")] = None
    max: Annotated[float | None, doc("largest number accepted (int, number, duration)")] = None
    help: Annotated[Text, doc("a line of help under the field")] = ""


class HttpDecl(Struct, forbid_unknown_fields=True):
    """An HTTP request (checks: GET/HEAD only)."""

    url: Annotated[Text, doc("http(s) URL or a template such as {env.base_url}/health")]
    method: Annotated[str, doc("GET, HEAD, POST, PUT, PATCH, DELETE (default GET)", check=_method_problem)] = "GET"
    headers: Annotated[
        dict[str, Annotated[str, doc("header value", message="expected text")]],
        doc("header: value ({secret:NAME} allowed here)", message="expected a mapping of header: value"),
    ] = {}
    auth: Annotated[
        Literal[SECRET_NAMES] | None,
        doc(
            "send this secret as a bearer token",  # type: ignore[valid-type]
            key_word="secret",
        ),
    ] = None
    json: Annotated[Any, doc("JSON body")] = None
    params: Annotated[dict[str, Any], doc("query parameters", message="expected a mapping")] = {}
    timeout: Annotated[Seconds, doc("seconds before giving up (default 15)")] = 15.0
    filter: Annotated[str | None, doc("regular expression the answer's lines must match", check=_regex_problem)] = None
    save_to: Annotated[Text | None, doc("file the answer is saved to (actions only)")] = None
    accept_status: Annotated[
        list[Annotated[int, msgspec.Meta(ge=400, le=499)]],
        doc(
            "4xx statuses that are an answer, not a failure (404: there is none yet); "
            "captures then read the error envelope, so give them a fallback",
            message="expected a list of 4xx statuses such as [404]",
        ),
    ] = []


class CommandDecl(Struct, forbid_unknown_fields=True):
    """A program run with an argv (never a shell): tools.<tool> prefix + args."""

    tool: Annotated[
        Annotated[str, msgspec.Meta(pattern=TOOL_PATTERN)] | None,
        doc(
            "tool name (its argv prefix comes from the config's tools)",
            pattern_message="is not a tool name such as wrangler",
        ),
    ] = None
    args: Annotated[
        list[Text],
        doc("arguments after the tool's prefix", message="expected a list of arguments (an argv, never a shell line)"),
    ] = []
    argv_from: Annotated[Text | None, doc("a config key holding the whole argv (e.g. export.upload)")] = None
    stdin: Annotated[
        Text | bool | None, doc("text given on stdin ({secret:NAME} allowed here)", message="expected text")
    ] = None
    env: Annotated[
        dict[str, Any],
        doc("extra env vars NAME: value ({secret:NAME} allowed here)", message="expected a mapping NAME: value"),
    ] = {}
    cwd: Annotated[Text | None, doc("working directory (a check: exactly one {env.paths.NAME})")] = None
    timeout: Annotated[Seconds, doc("seconds before the child is killed (default 120)")] = 120.0
    collect_seconds: Annotated[Seconds | None, doc("stop a streaming command after this long and keep its output")] = (
        None
    )


class TailDecl(Struct, forbid_unknown_fields=True):
    """Collect the live log tail for a while."""

    seconds: Annotated[Seconds, doc("how long to collect (default 10)")] = 10.0


class RetryDecl(Struct, forbid_unknown_fields=True):
    """Run a check again until it passes."""

    attempts: Annotated[int, doc("tries in all", ge=1, le=100, message="expected a whole number from 1 to 100")] = 3
    interval: Annotated[Seconds, doc("seconds between tries")] = 2.0


class StepDecl(Struct, forbid_unknown_fields=True):
    """One step. check: reads only; action: may change things (confirmed, audited); verify: waits for a
    live metric; manual/note: text."""

    kind: Annotated[
        Literal[STEP_KINDS],
        doc(
            "check, action, verify, manual or note",  # type: ignore[valid-type]
            key_word="step kind",
            known=STEP_KINDS,
        ),
    ]
    title: Annotated[Text, doc("what the step does (templates allowed)")]
    id: Annotated[
        Annotated[str, msgspec.Meta(pattern=ID_PATTERN)] | None,
        doc("kebab-case step id (default step-N)", pattern_message="is not a kebab-case step id"),
    ] = None
    text: Annotated[Text, doc("guidance shown with the step")] = ""
    http: Annotated[HttpDecl | None, doc("run an HTTP request")] = None
    command: Annotated[CommandDecl | None, doc("run a command")] = None
    tail: Annotated[
        TailDecl | Seconds | None,
        doc("collect the log tail: {seconds: N} or N", message="expected {seconds: N} with N > 0"),
    ] = None
    metrics: Annotated[MetricList | None, doc("show these live metrics")] = None
    trend: Annotated[
        Annotated[int, msgspec.Meta(ge=2, le=60)] | None,
        doc(
            "with metrics: sparklines of this many points",
            message="expected the number of points of the sparklines, 2 to 60",
        ),
    ] = None
    summary: Annotated[
        Literal[tuple(sorted(SUMMARIES))] | None,
        doc(
            "summarise the output",  # type: ignore[misc]
            key_word="summary",
        ),
    ] = None
    summary_args: Annotated[dict[str, Any], doc("the summary's options", message="expected a mapping")] = {}
    expect: Annotated[Condition | None, doc("the step fails unless this holds over its output")] = None
    timeout: Annotated[Seconds | None, doc("verify: seconds to wait for expect (default 60)")] = None
    interval: Annotated[Seconds | None, doc("verify: seconds between looks (default 2)")] = None
    capture: Annotated[
        dict[str, Text],
        doc(
            "name: path in the output, for {capture.name} later",
            message="expected a mapping name: path (e.g. previous: result.value)",
        ),
    ] = {}
    remember: Annotated[
        list[str],
        doc(
            "captured names kept for later runs ({memory.name})", message="expected a list of names this step captures"
        ),
    ] = []
    remember_if: Annotated[Condition | None, doc("remember only when this holds")] = None
    when: Annotated[Condition | None, doc("run the step only when this holds (inputs, env.*, config.*)")] = None
    on_fail: Annotated[Literal["stop", "continue"], doc("what a failure does (default stop)")] = "stop"
    foreach: Annotated[
        Literal[FOREACH_SOURCES] | None,
        doc(
            "repeat for each entry ({item.name}, {item.value})",  # type: ignore[valid-type]
            key_word="foreach source",
            known=FOREACH_SOURCES,
        ),
    ] = None
    retry: Annotated[RetryDecl | None, doc("checks only: try again until it passes")] = None
    if_declined: Annotated[
        Text | None, doc("actions only: what the timeline and action items say when the operator declines it")
    ] = None


class FlowDecl(Struct, forbid_unknown_fields=True):
    """A flow: a titled list of steps, run from its key, the palette or an alert."""

    id: Annotated[FlowId, doc("stable kebab-case id")]
    title: Annotated[Text, doc("the flow's title")]
    section: Annotated[Text, doc("the runbook section it belongs to")]
    steps: Annotated[
        list[StepDecl], doc("the steps, in order", min_length=1, message="expected a non-empty list of steps")
    ]
    key: Annotated[
        Annotated[str, msgspec.Meta(min_length=1, max_length=1)] | None, doc("a single key that opens it", text_ok=True)
    ] = None
    description: Annotated[
        str,
        msgspec.Meta(max_length=MAX_DESCRIPTION_CHARS),
        doc("what it is for (at most 20,000 characters: the flow modal wraps it on the UI thread)", text_ok=True),
    ] = ""
    inputs: Annotated[list[InputDecl], doc("values asked before it runs", message="expected a list of inputs")] = []
    reverse: Annotated[FlowId | None, doc("the flow that undoes this one")] = None
    responds_to: Annotated[RespondsTo | None, doc("metric keys or Alertmanager alert names it answers")] = None
    replaces: Annotated[FlowId | None, doc("in your own runbook: the built-in flow whose id or key it takes")] = None


class RunbookFile(Struct, forbid_unknown_fields=True):
    """An Edge Console runbook: flows of steps (edge-console runbook validate FILE checks one)."""

    flows: Annotated[list[FlowDecl], doc("the flows", min_length=1, message="expected a non-empty list of flows")]
    version: Annotated[Literal[1], doc("format version (1)", key_word="version")] = 1
