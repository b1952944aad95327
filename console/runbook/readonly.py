"""The read-only allow-list: the command shapes a ``check`` (any step that is not an ``action``) may run.

An allow-list, not a deny-list: a command is read-only only when its tool is one of ``wrangler``, ``gh``,
``terraform``, ``git`` (the runbook's tool names; the config's ``tools:`` maps each to its argv prefix, such
as ``[npx, wrangler@4]``), its subcommand path is listed below, and every option is one the shape knows
(options that take a value consume it, so ``wrangler --env production kv key put`` parses as
``kv key put``). Anything else (another tool such as ``curl``, ``bash``, ``npm``, ``node``; an unknown
option; an unlisted subcommand) is not read-only and must be declared ``kind: action``.

Decisions:

* ``terraform plan`` is read-only (it refreshes in memory and persists nothing); ``plan -out=FILE`` and
  ``-generate-config-out`` write a file and are actions, like an HTTP ``save_to``.
* ``terraform fmt`` only with ``-check`` (and never ``-write``).
* ``gh api`` only as a GET (``-X/--method GET`` or none) with no ``-f/-F/--field/--raw-field/--input`` (any
  of those makes gh send a POST), and never the ``graphql`` endpoint (always a POST).
* ``git log|show|diff|status|rev-parse``: git's global options are allow-listed (``-C DIR``, ``--git-dir``,
  ``--work-tree``, ``--no-pager``; never ``-c name=value``, which can run programs); the subcommand's own
  options are free except ``--output`` (writes a file).
* Options are taken in their ordinary spellings only (``--name VALUE``, ``--name=VALUE``, ``-n VALUE``;
  terraform's ``-name[=VALUE]``); bundled short options (``-abc``, ``-L1``) are not read-only.
"""

from __future__ import annotations

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
    Shape(("tail",), valued=_s("--format", "--status", "--header", "--method", "--search", "--ip",
                               "--sampling-rate", "--version-id"), positionals=1),
    Shape(("deployments", "list"), flags=_s("--json"), valued=_s("--name")),
    Shape(("deployments", "status"), flags=_s("--json"), valued=_s("--name")),
    Shape(("versions", "list"), flags=_s("--json"), valued=_s("--name")),
    Shape(("versions", "view"), flags=_s("--json"), valued=_s("--name"), positionals=1),
    Shape(("kv", "key", "get"), flags=_KV_FLAGS | _s("--text"), valued=_KV_READ, positionals=1),
    Shape(("kv", "key", "list"), flags=_KV_FLAGS, valued=_KV_READ | _s("--prefix")),
    Shape(("kv", "namespace", "list"),),
    Shape(("queues", "list"), valued=_s("--page")),
    Shape(("queues", "info"), positionals=1),
    Shape(("whoami",),),
    Shape((), flags=_s("--version", "-v"), requires=_s("--version", "-v")),
)

# -- gh 2.x (cobra/pflag): the subcommand path comes first ------------------------------------------
_GH_REPO = _s("-R", "--repo")
_GH_FORMAT = _s("--json", "-q", "--jq", "-t", "--template")
GH_SHAPES = (
    Shape(("run", "list"), flags=_s("-a", "--all"),
          valued=_GH_REPO | _GH_FORMAT | _s("-L", "--limit", "-w", "--workflow", "-b", "--branch", "-u", "--user",
                                            "-e", "--event", "-s", "--status", "-c", "--commit", "--created")),
    Shape(("run", "view"), flags=_s("--log", "--log-failed", "--exit-status", "-v", "--verbose"),
          valued=_GH_REPO | _GH_FORMAT | _s("-j", "--job", "-a", "--attempt"), positionals=1),
    Shape(("run", "watch"), flags=_s("--exit-status", "--compact"), valued=_GH_REPO | _s("-i", "--interval"),
          positionals=1),
    Shape(("workflow", "list"), flags=_s("-a", "--all"), valued=_GH_REPO | _GH_FORMAT | _s("-L", "--limit")),
    Shape(("workflow", "view"), flags=_s("-y", "--yaml"), valued=_GH_REPO | _s("-r", "--ref"), positionals=1),
    Shape(("pr", "view"), flags=_s("-c", "--comments"), valued=_GH_REPO | _GH_FORMAT, positionals=1),
    Shape(("pr", "list"), flags=_s("-d", "--draft"),
          valued=_GH_REPO | _GH_FORMAT | _s("-A", "--author", "-a", "--assignee", "-B", "--base", "-H", "--head",
                                            "-l", "--label", "-L", "--limit", "-S", "--search", "-s", "--state",
                                            "--app")),
    Shape(("api",), flags=_s("--paginate", "--slurp", "-i", "--include", "--silent", "--verbose"),
          valued=_GH_FORMAT | _s("-X", "--method", "-H", "--header", "--hostname", "--cache", "-p", "--preview"),
          positionals=1, values={"-X": _s("GET"), "--method": _s("GET")}, refused_positionals=_s("graphql")),
    Shape(("version",),),
    Shape((), flags=_s("--version"), requires=_s("--version")),
)
GH_GLOBAL_FLAGS = _s("--help", "-h")

# -- terraform 1.x (Go flag: -name, -name=value, -name value) ---------------------------------------
_TF_COLOR = _s("-no-color")
TERRAFORM_SHAPES = (
    Shape(("plan",), flags=_TF_COLOR | _s("-destroy", "-refresh-only", "-refresh", "-input", "-lock",
                                          "-compact-warnings", "-detailed-exitcode", "-json"),
          valued=_s("-var", "-var-file", "-target", "-replace", "-lock-timeout", "-parallelism", "-state")),
    Shape(("show",), flags=_TF_COLOR | _s("-json"), positionals=1),
    Shape(("validate",), flags=_TF_COLOR | _s("-json", "-no-tests"), valued=_s("-test-directory")),
    Shape(("output",), flags=_TF_COLOR | _s("-json", "-raw"), valued=_s("-state"), positionals=1),
    Shape(("version",), flags=_s("-json")),
    Shape(("fmt",), flags=_TF_COLOR | _s("-check", "-diff", "-recursive", "-list"), positionals=MANY,
          requires=_s("-check")),
    Shape(("state", "list"), valued=_s("-state", "-id"), positionals=MANY),
    Shape(("state", "show"), valued=_s("-state"), positionals=1),
    Shape(("workspace", "list"),),
    Shape(("workspace", "show"),),
    Shape((), flags=_s("-version", "-v", "--version"), requires=_s("-version", "-v", "--version")),
)
TERRAFORM_GLOBAL_FLAGS = _s("-help", "-h", "--help")

# -- git: allow-listed global options, then one read-only subcommand --------------------------------
GIT_GLOBAL_VALUED = _s("-C", "--git-dir", "--work-tree")
GIT_GLOBAL_FLAGS = _s("--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--no-replace-objects")
GIT_READ_COMMANDS = _s("log", "show", "diff", "status", "rev-parse")

READ_ONLY_TOOLS = ("wrangler", "gh", "terraform", "git")


class _NotReadOnly(Exception):
    pass


def _words(args: list[str]) -> str:
    text = " ".join(args[:6])
    return text + (" ..." if len(args) > 6 else "")


def command_problem(tool: str | None, args: list[str]) -> str | None:
    """Why ``tool args`` is not on the read-only allow-list, or None when a check may run it."""
    if tool not in READ_ONLY_TOOLS:
        return (f"{tool or 'a command from the config'} is not a read-only tool (only "
                f"{', '.join(READ_ONLY_TOOLS)} commands on the read-only list may run in a check)")
    try:
        if tool == "git":
            _check_git(args)
        elif tool == "terraform":
            _check_shapes(tool, args, TERRAFORM_SHAPES, global_valued=_s(), global_flags=TERRAFORM_GLOBAL_FLAGS,
                          go_style=True, globals_first=True)
        elif tool == "gh":
            _check_shapes(tool, args, GH_SHAPES, global_valued=_s(), global_flags=GH_GLOBAL_FLAGS,
                          go_style=False, globals_first=False)
        else:
            _check_shapes(tool, args, WRANGLER_SHAPES, global_valued=WRANGLER_GLOBAL_VALUED,
                          global_flags=WRANGLER_GLOBAL_FLAGS, go_style=False, globals_first=True)
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


def _check_shapes(tool: str, args: list[str], shapes: tuple[Shape, ...], *, global_valued: frozenset[str],
                  global_flags: frozenset[str], go_style: bool, globals_first: bool) -> None:
    i = 0
    options: list[tuple[str, str | None]] = []
    # options before the subcommand path: only the tool's global options
    if globals_first:
        while i < len(args) and args[i].startswith("-") and args[i] != "--":
            name, value = _split(args[i], go_style)
            if tool == "terraform" and name == "-chdir" and value is not None:
                i += 1
                continue
            if name in global_valued:
                if value is None:
                    if i + 1 >= len(args):
                        raise _NotReadOnly(f"option {name} needs a value")
                    i += 1
                    value = args[i]
            elif name in global_flags or any(name in s.flags and not s.path for s in shapes):
                pass
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
            pass
        else:
            raise _NotReadOnly(f"option {name!r} of {tool} {' '.join(shape.path)} is not on the read-only list")
        options.append((name, value))
    names = {name for name, _ in options}
    if shape.requires and not names & shape.requires:
        raise _NotReadOnly(f"{tool} {' '.join(shape.path)} is read-only only with {' or '.join(sorted(shape.requires))}")
    for name, value in options:
        allowed = shape.values.get(name)
        if allowed is not None and (value or "").upper() not in allowed:
            raise _NotReadOnly(f"{name} {value} is not a read-only request (only {', '.join(sorted(allowed))})")
    if len(positionals) > shape.positionals:
        raise _NotReadOnly(f"{tool} {' '.join(shape.path)} takes at most {shape.positionals} argument(s) in a check, "
                           f"got {len(positionals)}")
    for value in positionals:
        if value.lower() in shape.refused_positionals:
            raise _NotReadOnly(f"{tool} {' '.join(shape.path)} {value} is not read-only")


def _check_git(args: list[str]) -> None:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        name, value = _split(args[i], go_style=False)
        if name == "--version" and len(args) == 1:
            return
        if name in GIT_GLOBAL_VALUED:
            if value is None:
                if name == "-C" and "=" in args[i]:
                    raise _NotReadOnly("-C takes its directory as the next argument")
                if i + 1 >= len(args):
                    raise _NotReadOnly(f"option {name} needs a value")
                i += 1
        elif name not in GIT_GLOBAL_FLAGS:
            raise _NotReadOnly(f"git option {name!r} is not on the read-only list (-C DIR, --git-dir, --work-tree, "
                               "--no-pager)")
        i += 1
    if i >= len(args) or args[i] not in GIT_READ_COMMANDS:
        sub = args[i] if i < len(args) else "(nothing)"
        raise _NotReadOnly(f"git {sub} is not on the read-only list ({', '.join(sorted(GIT_READ_COMMANDS))})")
    for arg in args[i + 1:]:
        if arg == "--":
            break
        name = arg.split("=", 1)[0]
        if name.startswith("--o") and ("--output".startswith(name) or name.startswith("--output")):
            raise _NotReadOnly(f"git {args[i]} {name} writes a file")
