"""The read-only allow-list: the command shapes a ``check`` (any step that is not an ``action``) may run.

An allow-list, not a deny-list: a command is read-only only when its tool is one of ``wrangler``, ``gh``,
``terraform``, ``git`` (the runbook's tool names; the config's ``tools:`` maps each to its argv prefix, such
as ``[npx, wrangler@4]``), its subcommand path is listed below, and every option is one the shape knows
(options that take a value consume it, so ``wrangler --env production kv key put`` parses as
``kv key put``). Anything else (another tool such as ``curl``, ``bash``, ``npm``, ``node``; an unknown
option; an unlisted subcommand) is not read-only and must be declared ``kind: action``.

Decisions:

* ``terraform plan`` is read-only (it refreshes in memory and persists nothing); ``-generate-config-out``
  writes a file and is an action, like an HTTP ``save_to``; ``plan -out=FILE`` only as ``-out={plan_file}``,
  the run's own private plan file under the state dir (``plan_out_ok`` decides on the rendered argv): the
  saved plan a later confirmed ``terraform apply PLANFILE`` applies exactly.
* ``terraform fmt`` only with ``-check`` true (and never ``-write``). Terraform's flags are Go booleans:
  ``-name=VALUE`` must parse like Go's ``strconv.ParseBool`` and a required one (``-check``) must be true
  where it last occurs (``-check -check=false`` is false, as Go reads it). Another tool's flag given as
  ``--name=VALUE`` is refused (write the flag alone).
* ``terraform -chdir=DIR`` only as ``-chdir={env.paths.NAME}`` (a configured path; ``chdir_ok`` decides on the
  rendered argv), like a check's ``cwd`` (:func:`configured_path_problem`): a directory holds the providers,
  the ``node_modules/.bin`` and the repository config a tool runs.
* ``gh api`` only as a GET (``-X/--method GET`` or none) to the configured host, with output options only
  (``-q/--jq``, ``-t/--template``, ``--paginate``, ``--slurp``, ``--cache``, ``-i/--include``, ``--silent``):
  no ``-f/-F/--field/--raw-field/--input`` (a POST), no ``-H/--header`` (``X-HTTP-Method-Override``), no
  ``--hostname`` (the token to another host), never the ``graphql`` endpoint (always a POST).
* ``git log|show|diff|status|rev-parse`` in the step's directory only: no ``-C``, ``--git-dir``,
  ``--work-tree`` (another repository's config runs its programs), never ``-c name=value``; the
  subcommand's own options are free except ``--output`` (writes a file), ``--no-index`` (any files),
  ``--ext-diff``, ``--textconv`` (run configured programs). The console runs every git check as
  :func:`git_check_argv` makes it, with the repository's program-running settings turned off.
* Options are taken in their ordinary spellings only (``--name VALUE``, ``--name=VALUE``, ``-n VALUE``;
  terraform's ``-name[=VALUE]``); bundled short options (``-abc``, ``-L1``) are not read-only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: Positionals allowed after a path when the shape takes "any number" (fmt paths, git revisions...).
MANY = 64


@dataclass(frozen=True)
class Shape:
    path: tuple[str, ...]
    flags: frozenset[str] = frozenset()
    valued: frozenset[str] = frozenset()
    positionals: int = 0
    #: at least one of these options must be given (``terraform fmt -check``)
    requires: frozenset[str] = frozenset()
    #: option -> the only values allowed (``gh api -X GET``)
    values: dict[str, frozenset[str]] = field(default_factory=dict)
    #: positional values that are refused (``gh api graphql``)
    refused_positionals: frozenset[str] = frozenset()


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


# -- wrangler 4.x (yargs) ---------------------------------------------------------------------------
WRANGLER_GLOBAL_VALUED = _s("--config", "-c", "--env", "-e", "--cwd")
WRANGLER_GLOBAL_FLAGS = _s("--help", "-h")
_KV_READ = _s("--binding", "--namespace-id", "--persist-to")
_KV_FLAGS = _s("--preview", "--remote", "--local")
WRANGLER_SHAPES = (
    Shape(
        ("tail",),
        valued=_s(
            "--format", "--status", "--header", "--method", "--search", "--ip", "--sampling-rate", "--version-id"
        ),
        positionals=1,
    ),
    Shape(("deployments", "list"), flags=_s("--json"), valued=_s("--name")),
    Shape(("deployments", "status"), flags=_s("--json"), valued=_s("--name")),
    Shape(("versions", "list"), flags=_s("--json"), valued=_s("--name")),
    Shape(("versions", "view"), flags=_s("--json"), valued=_s("--name"), positionals=1),
    Shape(("kv", "key", "get"), flags=_KV_FLAGS | _s("--text"), valued=_KV_READ, positionals=1),
    Shape(("kv", "key", "list"), flags=_KV_FLAGS, valued=_KV_READ | _s("--prefix")),
    Shape(
        ("kv", "namespace", "list"),
    ),
    Shape(("queues", "list"), valued=_s("--page")),
    Shape(("queues", "info"), positionals=1),
    Shape(
        ("whoami",),
    ),
    Shape((), flags=_s("--version", "-v"), requires=_s("--version", "-v")),
)

# -- gh 2.x (cobra/pflag): the subcommand path comes first ------------------------------------------
_GH_REPO = _s("-R", "--repo")
_GH_FORMAT = _s("--json", "-q", "--jq", "-t", "--template")
GH_SHAPES = (
    Shape(
        ("run", "list"),
        flags=_s("-a", "--all"),
        valued=_GH_REPO
        | _GH_FORMAT
        | _s(
            "-L",
            "--limit",
            "-w",
            "--workflow",
            "-b",
            "--branch",
            "-u",
            "--user",
            "-e",
            "--event",
            "-s",
            "--status",
            "-c",
            "--commit",
            "--created",
        ),
    ),
    Shape(
        ("run", "view"),
        flags=_s("--log", "--log-failed", "--exit-status", "-v", "--verbose"),
        valued=_GH_REPO | _GH_FORMAT | _s("-j", "--job", "-a", "--attempt"),
        positionals=1,
    ),
    Shape(
        ("run", "watch"),
        flags=_s("--exit-status", "--compact"),
        valued=_GH_REPO | _s("-i", "--interval"),
        positionals=1,
    ),
    Shape(("workflow", "list"), flags=_s("-a", "--all"), valued=_GH_REPO | _GH_FORMAT | _s("-L", "--limit")),
    Shape(("workflow", "view"), flags=_s("-y", "--yaml"), valued=_GH_REPO | _s("-r", "--ref"), positionals=1),
    Shape(("pr", "view"), flags=_s("-c", "--comments"), valued=_GH_REPO | _GH_FORMAT, positionals=1),
    Shape(
        ("pr", "list"),
        flags=_s("-d", "--draft"),
        valued=_GH_REPO
        | _GH_FORMAT
        | _s(
            "-A",
            "--author",
            "-a",
            "--assignee",
            "-B",
            "--base",
            "-H",
            "--head",
            "-l",
            "--label",
            "-L",
            "--limit",
            "-S",
            "--search",
            "-s",
            "--state",
            "--app",
        ),
    ),
    Shape(
        ("api",),
        flags=_s("--paginate", "--slurp", "-i", "--include", "--silent"),
        valued=_s("-q", "--jq", "-t", "--template", "-X", "--method", "--cache"),
        positionals=1,
        values={"-X": _s("GET"), "--method": _s("GET")},
        refused_positionals=_s("graphql"),
    ),
    Shape(
        ("version",),
    ),
    Shape((), flags=_s("--version"), requires=_s("--version")),
)
GH_GLOBAL_FLAGS = _s("--help", "-h")

# -- terraform 1.x (Go flag: -name, -name=value, -name value) ---------------------------------------
_TF_COLOR = _s("-no-color")
TERRAFORM_SHAPES = (
    Shape(
        ("plan",),
        flags=_TF_COLOR
        | _s(
            "-destroy",
            "-refresh-only",
            "-refresh",
            "-input",
            "-lock",
            "-compact-warnings",
            "-detailed-exitcode",
            "-json",
        ),
        valued=_s("-var", "-var-file", "-target", "-replace", "-lock-timeout", "-parallelism", "-state", "-out"),
    ),
    Shape(("show",), flags=_TF_COLOR | _s("-json"), positionals=1),
    Shape(("validate",), flags=_TF_COLOR | _s("-json", "-no-tests"), valued=_s("-test-directory")),
    Shape(("output",), flags=_TF_COLOR | _s("-json", "-raw"), valued=_s("-state"), positionals=1),
    Shape(("version",), flags=_s("-json")),
    Shape(
        ("fmt",),
        flags=_TF_COLOR | _s("-check", "-diff", "-recursive", "-list"),
        positionals=MANY,
        requires=_s("-check"),
    ),
    Shape(("state", "list"), valued=_s("-state", "-id"), positionals=MANY),
    Shape(("state", "show"), valued=_s("-state"), positionals=1),
    Shape(
        ("workspace", "list"),
    ),
    Shape(
        ("workspace", "show"),
    ),
    Shape((), flags=_s("-version", "-v", "--version"), requires=_s("-version", "-v", "--version")),
)
TERRAFORM_GLOBAL_FLAGS = _s("-help", "-h", "--help")

# -- git: allow-listed global options, then one read-only subcommand --------------------------------
GIT_GLOBAL_FLAGS = _s("--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--no-replace-objects")
GIT_READ_COMMANDS = _s("log", "show", "diff", "status", "rev-parse")
#: subcommand options refused (also abbreviated, as git's option parser takes unique prefixes)
GIT_REFUSED_OPTIONS = ("--output", "--no-index", "--ext-diff", "--textconv")
#: exact options that are a prefix of a refused one but mean something else
GIT_EXACT_OPTIONS = _s("--text")
#: what the console puts before a git check's own arguments: the repository's config may not run a program
GIT_CHECK_CONFIG = ("--no-pager", "-c", "core.fsmonitor=false", "-c", "diff.external=", "-c", "core.pager=cat")
#: and after the subcommand of the ones that show diffs
GIT_DIFF_HARDENING = {
    "diff": ("--no-ext-diff", "--no-textconv"),
    "show": ("--no-ext-diff", "--no-textconv"),
    "log": ("--no-ext-diff", "--no-textconv"),
}

# -- where a check runs -----------------------------------------------------------------------------
#: ``{env.paths.NAME}``, or ``{env.paths.NAME|}`` (no directory when the path is not configured)
_CONFIGURED_PATH_RE = re.compile(r"\{env\.paths\.[A-Za-z0-9_][A-Za-z0-9_-]*\|?\}")
#: Go's strconv.ParseBool
_GO_TRUE = _s("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = _s("0", "f", "F", "FALSE", "false", "False")

READ_ONLY_TOOLS = ("wrangler", "gh", "terraform", "git")
#: the raw template of the only ``terraform plan -out=`` a check may give
PLAN_FILE_TEMPLATE = "{plan_file}"


def is_plan_file_template(value: str) -> bool:
    return value == PLAN_FILE_TEMPLATE


class _NotReadOnly(Exception):
    pass


def is_configured_path(template: str) -> bool:
    """True when a runbook's raw ``cwd``/``-chdir`` template is exactly one ``{env.paths.NAME}`` reference
    (optionally ``{env.paths.NAME|}``): the directory is the operator's config, not the runbook's."""
    return _CONFIGURED_PATH_RE.fullmatch(template) is not None


def configured_path_problem(cwd: str | None) -> str | None:
    """Why a check's raw ``cwd`` template is refused, or None."""
    if cwd is None or is_configured_path(cwd):
        return None
    return (
        'a check may only run in a configured path (env.paths: cwd: "{env.paths.NAME}"), '
        f"not {cwd!r}: the directory decides which program runs; use kind: action"
    )


def git_check_argv(args: list[str]) -> list[str]:
    """A git check's argv (after the tool prefix) as the console runs it: the repository's config may not
    run a program (fsmonitor, external diff, pager, textconv). ``args`` passed :func:`command_problem`."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 1
    extra = GIT_DIFF_HARDENING.get(args[i], ()) if i < len(args) else ()
    return [*GIT_CHECK_CONFIG, *args[: i + 1], *extra, *args[i + 1 :]]


def _words(args: list[str]) -> str:
    text = " ".join(args[:6])
    return text + (" ..." if len(args) > 6 else "")


def command_problem(
    tool: str | None,
    args: list[str],
    *,
    chdir_ok: Callable[[str], bool] = is_configured_path,
    plan_out_ok: Callable[[str], bool] = is_plan_file_template,
) -> str | None:
    """Why ``tool args`` is not on the read-only allow-list, or None when a check may run it. ``chdir_ok``
    judges terraform's ``-chdir=`` and wrangler's ``--cwd`` value: by default the raw template must be one
    ``{env.paths.NAME}``."""
    if tool not in READ_ONLY_TOOLS:
        return (
            f"{tool or 'a command from the config'} is not a read-only tool (only "
            f"{', '.join(READ_ONLY_TOOLS)} commands on the read-only list may run in a check)"
        )
    try:
        if tool == "git":
            _check_git(args)
        elif tool == "terraform":
            _check_shapes(
                tool,
                args,
                TERRAFORM_SHAPES,
                global_valued=_s(),
                global_flags=TERRAFORM_GLOBAL_FLAGS,
                go_style=True,
                globals_first=True,
                chdir_ok=chdir_ok,
                plan_out_ok=plan_out_ok,
            )
        elif tool == "gh":
            _check_shapes(
                tool,
                args,
                GH_SHAPES,
                global_valued=_s(),
                global_flags=GH_GLOBAL_FLAGS,
                go_style=False,
                globals_first=False,
            )
        else:
            _check_shapes(
                tool,
                args,
                WRANGLER_SHAPES,
                global_valued=WRANGLER_GLOBAL_VALUED,
                global_flags=WRANGLER_GLOBAL_FLAGS,
                go_style=False,
                globals_first=True,
                chdir_ok=chdir_ok,
            )
    except _NotReadOnly as exc:
        return f"{tool} {_words(args)}: {exc}"
    return None


def _split(arg: str, go_style: bool) -> tuple[str, str | None]:
    """``--name=value`` -> (``--name``, ``value``); ``-x`` -> (``-x``, None). Bundled or attached short
    options (``-abc``, ``-L1``) are refused: their meaning depends on details this parser does not model."""
    if "=" in arg:
        name, value = arg.split("=", 1)
        return name, value
    if not go_style and not arg.startswith("--") and len(arg) > 2:
        raise _NotReadOnly(f"option {arg!r} is not in a form the read-only list knows (write -x VALUE)")
    return arg, None


def _flag_value(name: str, value: str | None, go_style: bool) -> str:
    """A flag's value: ``"true"`` alone; ``=VALUE`` only as a Go boolean (terraform), else refused."""
    if value is None:
        return "true"
    if go_style and value in _GO_TRUE:
        return "true"
    if go_style and value in _GO_FALSE:
        return "false"
    if go_style:
        raise _NotReadOnly(f"{name}={value}: a flag's value must be true or false")
    raise _NotReadOnly(f"{name}={value}: write the flag {name} alone (no =VALUE)")


def _check_shapes(
    tool: str,
    args: list[str],
    shapes: tuple[Shape, ...],
    *,
    global_valued: frozenset[str],
    global_flags: frozenset[str],
    go_style: bool,
    globals_first: bool,
    chdir_ok: Callable[[str], bool] = is_configured_path,
    plan_out_ok: Callable[[str], bool] = is_plan_file_template,
) -> None:
    i = 0
    options: list[tuple[str, str | None]] = []
    # options before the subcommand path: only the tool's global options
    if globals_first:
        while i < len(args) and args[i].startswith("-") and args[i] != "--":
            name, value = _split(args[i], go_style)
            if tool == "terraform" and name == "-chdir" and value is not None:
                if not chdir_ok(value):
                    raise _NotReadOnly(
                        f"-chdir={value}: a check may only run in a configured path (-chdir={{env.paths.NAME}})"
                    )
                i += 1
                continue
            if name in global_valued:
                if value is None:
                    if i + 1 >= len(args):
                        raise _NotReadOnly(f"option {name} needs a value")
                    i += 1
                    value = args[i]
            elif name in global_flags or any(name in s.flags and not s.path for s in shapes):
                value = _flag_value(name, value, go_style)
            else:
                raise _NotReadOnly(f"option {name!r} before the subcommand is not on the read-only list")
            options.append((name, value))
            i += 1
    # the subcommand path: the longest listed path the next words spell
    rest = args[i:]
    shape = None
    for candidate in sorted(shapes, key=lambda s: -len(s.path)):
        if tuple(rest[: len(candidate.path)]) == candidate.path:
            shape = candidate
            break
    plain = [a for a in rest[:3] if not a.startswith("-")]
    if shape is None or (not shape.path and plain):
        raise _NotReadOnly(f"{' '.join(plain) or 'this command'} is not on the read-only list")
    i += len(shape.path)
    positionals: list[str] = []
    end_of_options = False
    while i < len(args):
        arg = args[i]
        i += 1
        if end_of_options or not arg.startswith("-") or arg == "-":
            positionals.append(arg)
            continue
        if arg == "--":
            end_of_options = True
            continue
        name, value = _split(arg, go_style)
        if go_style and name.startswith("--") and name not in shape.flags:
            name = name[1:]  # Go's flag package takes --name as -name
        if name in shape.valued or name in global_valued:
            if value is None:
                if i >= len(args):
                    raise _NotReadOnly(f"option {name} needs a value")
                value = args[i]
                i += 1
        elif name in shape.flags or name in global_flags:
            value = _flag_value(name, value, go_style)
        else:
            raise _NotReadOnly(f"option {name!r} of {tool} {' '.join(shape.path)} is not on the read-only list")
        options.append((name, value))
    last = dict(options)  # Go's flag package (and pflag, yargs) take an option's last value
    if shape.requires and not any(last.get(name) == "true" for name in shape.requires):
        raise _NotReadOnly(
            f"{tool} {' '.join(shape.path)} is read-only only with {' or '.join(sorted(shape.requires))}"
        )
    for name, value in options:
        if tool == "terraform" and name == "-out" and not plan_out_ok(value or ""):
            raise _NotReadOnly(
                f"-out={value}: a check saves a plan only to the run's own plan file (-out={{plan_file}})"
            )
        if tool == "wrangler" and name == "--cwd" and not chdir_ok(value or ""):
            raise _NotReadOnly(f"--cwd {value}: a check may only run in a configured path (--cwd {{env.paths.NAME}})")
        allowed = shape.values.get(name)
        if allowed is not None and (value or "").upper() not in allowed:
            raise _NotReadOnly(f"{name} {value} is not a read-only request (only {', '.join(sorted(allowed))})")
    if len(positionals) > shape.positionals:
        raise _NotReadOnly(
            f"{tool} {' '.join(shape.path)} takes at most {shape.positionals} argument(s) in a check, "
            f"got {len(positionals)}"
        )
    for value in positionals:
        if value.lower() in shape.refused_positionals:
            raise _NotReadOnly(f"{tool} {' '.join(shape.path)} {value} is not read-only")


def _check_git(args: list[str]) -> None:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, value = _split(args[i], go_style=False)
        if name == "--version" and len(args) == 1:
            return
        if name not in GIT_GLOBAL_FLAGS or value is not None:
            raise _NotReadOnly(
                f"git option {args[i]!r} is not on the read-only list "
                f"({', '.join(sorted(GIT_GLOBAL_FLAGS))}; a check runs git in its step's "
                "configured directory)"
            )
        i += 1
    if i >= len(args) or args[i] not in GIT_READ_COMMANDS:
        sub = args[i] if i < len(args) else "(nothing)"
        raise _NotReadOnly(f"git {sub} is not on the read-only list ({', '.join(sorted(GIT_READ_COMMANDS))})")
    for arg in args[i + 1 :]:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if not name.startswith("--") or name in GIT_EXACT_OPTIONS:
            continue
        for refused in GIT_REFUSED_OPTIONS:
            if name.startswith(refused) or (len(name) > 2 and refused.startswith(name)):
                why = "writes a file" if refused == "--output" else "is not read-only (another file or program)"
                raise _NotReadOnly(f"git {args[i]} {name} {why}")
