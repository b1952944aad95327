"""Simulated GitHub CLI (gh 2.x) for the rollback workflow of the simulated edge.

``gh workflow run rollback-edge.yml -f environment=E -f reason=R``, ``gh run list --workflow W
--json fields [--limit N]``, ``gh run view ID [--json fields]``, ``gh run watch ID [--exit-status]``
(streams the run's progress and returns when it completes: that is when the rollback takes
effect on the simulated edge), ``gh pr create -R R --head B --title T --body B``, ``gh auth status``,
``gh --version``.

What hurts, as gh 2.x does it (checked in cli/cli):

- The repository: ``-R OWNER/NAME``, else ``$GH_REPO``, else the working directory's git remotes
  (``pkg/cmd/factory``'s base-repo resolution): outside a checkout that fails ("not a git repository"), and
  a checkout whose remotes are not on github.com fails too. A repository other than the simulated edge's
  is a 404.
- ``run list`` shows every run of the workflow: other people's dispatches, scheduled and push runs
  (``--event``/``-e`` and ``--user``/``-u`` filter them).
- ``workflow run`` prints the created run's URL and the ``gh run view`` command from gh 2.87 on (GitHub
  changelog 2026-02-19, the dispatch API's ``return_run_details``); ``$EDGE_SIM_GH_VERSION`` set to an older
  version (``2.63.2``) prints only the old "Created workflow_dispatch event" lines.
- ``pr create`` without a terminal needs ``--title`` and ``--body`` (or ``--fill``); with ``--head`` it does
  not push, so the branch must be on the remote already.
- Flags are parsed as pflag v1.0.5 parses them under cobra (``console.sim.tools.flags``): ``-Rowner/name``,
  ``-R=owner/name`` and ``-R owner/name``; ``--json`` fields add up; an unknown flag is "unknown flag: --x" or
  "unknown shorthand flag: 'x' in -x", then the command's usage line, exit 1 (``internal/ghcmd/cmd.go``);
  ``--limit`` and ``--interval`` are integers.
"""

from __future__ import annotations

import os
import sys
import time

from console.sim.names import SIM_GITHUB_REPO
from console.sim.tools import jsonlite as json  # json.dumps without importing json (start-up time)
from console.sim.tools._common import AdminError, Invocation, ToolExit, err, out, run_tool
from console.sim.tools.flags import Flag, FlagError, Style, pflag_int
from console.sim.tools.flags import parse as parse_flags

# One command per process: ``subprocess`` (for git, only some commands) is imported where it is used, and
# ``typing`` not at all (the annotations are never evaluated: ``from __future__ import annotations``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VERSION = "2.87.0"
#: the first gh that prints the created run's URL after ``gh workflow run``
RUN_URL_SINCE = (2, 87, 0)
RUN_FIELDS = (
    "attempt",
    "conclusion",
    "createdAt",
    "databaseId",
    "displayTitle",
    "event",
    "headBranch",
    "headSha",
    "name",
    "number",
    "startedAt",
    "status",
    "updatedAt",
    "url",
    "workflowDatabaseId",
    "workflowName",
)
STEPS = ("Set up job", "Check out", "Resolve previous deployment", "Roll back worker", "Verify health", "Complete job")
WORKFLOW_DB_ID = 88112233


def _fail(message: str, code: int = 1) -> None:
    err(message)
    raise ToolExit(code)


#: the persistent ``-R/--repo`` of the run, workflow and pr commands (cli/cli ``cmdutil.EnableRepoOverride``)
REPO = Flag(("--repo", "-R"), "repo")
#: ``--json`` is a StringSlice (``cmdutil.AddJSONFlags``): repeated or comma-separated fields add up
JSON_FIELDS = Flag(("--json",), "json", repeated=True, split_commas=True)


def _parse(
    argv: list[str], use: str, flags: tuple[Flag, ...], json_fields: bool = False
) -> tuple[list[str], dict[str, Any], set[str]]:
    """pflag as cobra runs it for gh (``console.sim.tools.flags``, style PFLAG): (positionals, values with every
    repeated flag's list, booleans set). A refused flag prints the error and the command's usage line, exit 1
    (``internal/ghcmd/cmd.go`` ``printError`` for a FlagError); ``--json`` without fields lists them instead."""
    try:
        parsed = parse_flags(argv, flags, Style.PFLAG)
    except FlagError as exc:
        if json_fields and exc.kind == "needs_value" and exc.flag == "--json":
            _fail("Specify one or more comma-separated fields for `--json`:\n  " + "\n  ".join(RUN_FIELDS))
        _fail(f"{exc.message}\n\nUsage:  gh {use} [flags]")
        raise AssertionError("unreachable") from None
    opts: dict[str, Any] = dict(parsed.values)
    for flag in flags:
        if flag.repeated:
            opts[flag.dest] = list(parsed.lists.get(flag.dest, []))
    if json_fields:
        if JSON_FIELDS.dest in parsed.lists:
            opts["json"] = ",".join(opts["json"])
        else:
            del opts["json"]
    seen = {dest for dest, on in parsed.bools.items() if on}
    return parsed.positionals, opts, seen


def _fields(raw: str | None) -> list[str]:
    if raw is None or not raw.strip():
        _fail("Specify one or more comma-separated fields for `--json`:\n  " + "\n  ".join(RUN_FIELDS))
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    for field in fields:
        if field not in RUN_FIELDS:
            _fail(f'Unknown JSON field: "{field}"\nAvailable fields:\n  ' + "\n  ".join(RUN_FIELDS))
    return fields


def _view(run: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    extra = {"attempt": 1, "workflowDatabaseId": WORKFLOW_DB_ID}
    return {f: run.get(f, extra.get(f)) for f in fields}


def _age(created: str) -> str:
    try:
        then = time.mktime(time.strptime(created, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    except ValueError:
        return "-"
    seconds = max(0, time.time() - then)
    if seconds < 60:
        return "less than a minute ago"
    if seconds < 3600:
        return f"about {int(seconds // 60)} minutes ago"
    if seconds < 86400:
        return f"about {int(seconds // 3600)} hours ago"
    return f"about {int(seconds // 86400)} days ago"


def _version() -> tuple[tuple[int, ...], str]:
    text = os.environ.get("EDGE_SIM_GH_VERSION") or VERSION
    try:
        return tuple(int(p) for p in text.split(".")[:3]), text
    except ValueError:
        return tuple(int(p) for p in VERSION.split(".")), VERSION


def _resolve_repo(opts: dict[str, Any]) -> str:
    """``-R``, ``$GH_REPO``, or the working directory's git remotes on github.com (gh's base repo)."""
    repo = opts.get("repo") or os.environ.get("GH_REPO") or ""
    if not repo:
        import subprocess

        try:
            done = subprocess.run(["git", "remote", "-v"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _fail(f"unable to run git: {exc}")
        if done.returncode != 0:
            _fail("failed to run git: fatal: not a git repository (or any of the parent directories): .git")
        import re  # here only: a tool's start-up pays for every import (gh -R needs no git remote)

        found = re.findall(r"github\.com[:/]([A-Za-z0-9._-]+/[A-Za-z0-9._-]+?)(?:\.git)?\s", done.stdout)
        if not found:
            _fail(
                "none of the git remotes configured for this repository point to a known GitHub host. To tell "
                "gh about a new GitHub host, please use `gh auth login`"
            )
        repo = found[0]
    repo = repo.removeprefix("github.com/")
    if repo != SIM_GITHUB_REPO:
        _fail(f"HTTP 404: Not Found (https://api.github.com/repos/{repo})")
    return repo


class Gh:
    def __init__(self, inv: Invocation) -> None:
        self.inv = inv

    def run(self, argv: list[str]) -> int:
        if not argv or argv[0] in ("--help", "-h", "help"):
            out(
                "Work seamlessly with GitHub from the command line.\n\nUSAGE\n  gh <command> <subcommand> [flags]\n\n"
                "CORE COMMANDS\n  auth:  Authenticate gh and git with GitHub\n  run:   View details about "
                "workflow runs\n  workflow: View details about GitHub Actions workflows"
            )
            return 0
        if argv[0] in ("--version", "version"):
            version = _version()[1]
            out(f"gh version {version} (2026-02-20)\nhttps://github.com/cli/cli/releases/tag/v{version}")
            return 0
        command, rest = argv[0], argv[1:]
        if command == "workflow" and rest[:1] == ["run"]:
            return self.workflow_run(rest[1:])
        if command == "run" and rest[:1] == ["list"]:
            return self.run_list(rest[1:])
        if command == "run" and rest[:1] == ["view"]:
            return self.run_view(rest[1:])
        if command == "run" and rest[:1] == ["watch"]:
            return self.run_watch(rest[1:])
        if command == "pr" and rest[:1] == ["create"]:
            return self.pr_create(rest[1:])
        if command == "auth" and rest[:1] == ["status"]:
            out(
                "github.com\n  ✓ Logged in to github.com account twist-ops (keyring)\n  - Active account: true\n"
                "  - Git operations protocol: https\n  - Token: gho_************************************"
            )
            return 0
        if command in ("workflow", "run", "auth"):
            sub = rest[0] if rest else ""
            _fail(f'unknown command "{sub}" for "gh {command}"' if sub else f"gh {command}: missing subcommand")
        _fail(f'unknown command "{command}" for "gh"\n\nUsage:  gh <command> <subcommand> [flags]')
        return 1

    # workflow run -----------------------------------------------------------------------
    def workflow_run(self, argv: list[str]) -> int:
        positionals, opts, _ = _parse(
            argv,
            "workflow run [<workflow-id> | <workflow-name>]",
            (
                Flag(("--raw-field", "-f"), "raw", repeated=True),
                Flag(("--field", "-F"), "field", repeated=True),
                Flag(("--ref", "-r"), "ref"),
                Flag(("--json",), "json_inputs", value=False),
                REPO,
            ),
        )
        if len(positionals) != 1:
            _fail(
                "workflow ID, name, or filename required when not running interactively"
                if not positionals
                else f"accepts at most 1 arg(s), received {len(positionals)}"
            )
        workflow = positionals[0]
        repo = _resolve_repo(opts)
        inputs: dict[str, str] = {}
        for pair, magic in [*((p, False) for p in opts["raw"]), *((p, True) for p in opts["field"])]:
            key, eq, value = pair.partition("=")
            if not eq or not key:
                _fail(f'could not parse "{pair}" as key=value')
            if magic and value.startswith("@"):
                # -F/--field "respecting @ syntax" (gh help workflow run): the value is read from a file
                try:
                    with open(os.path.expanduser(value[1:]), encoding="utf-8") as handle:
                        value = handle.read()
                except OSError as exc:
                    _fail(f"open {value[1:]}: {exc.strerror.lower() if exc.strerror else exc}")
            inputs[key] = value
        ref = opts.get("ref", "main")
        try:
            run = self.inv.admin("POST", "/admin/gh/dispatch", {"workflow": workflow, "inputs": inputs})
        except AdminError as exc:
            if exc.message.startswith("could not find"):
                _fail(exc.message)
            _fail(
                f"HTTP 422: {exc.message} (https://api.github.com/repos/twist-network/edge/actions/workflows/"
                f"{workflow}/dispatches)"
            )
        out(f"✓ Created workflow_dispatch event for {workflow} at {ref}")
        if _version()[0] >= RUN_URL_SINCE:
            out(f"{run['url']}\n\nTo see the created workflow run, try: gh run view {run['databaseId']} -R {repo}")
        out(f'\nTo see runs for this workflow, try: gh run list --workflow="{workflow}"')
        return 0

    # pr create ------------------------------------------------------------------------------
    def pr_create(self, argv: list[str]) -> int:
        positionals, opts, flags = _parse(
            argv,
            "pr create",
            (
                REPO,
                Flag(("--head", "-H"), "head"),
                Flag(("--base", "-B"), "base"),
                Flag(("--title", "-t"), "title"),
                Flag(("--body", "-b"), "body"),
                Flag(("--fill", "-f"), "fill", value=False),
                Flag(("--draft", "-d"), "draft", value=False),
            ),
        )
        if positionals:
            _fail(f'unknown argument "{positionals[0]}"')
        repo = _resolve_repo(opts)
        if "fill" not in flags and ("title" not in opts or "body" not in opts):
            _fail(
                "must provide `--title` and `--body` (or `--fill` or `fill-first` or `--fillverbose`) when not "
                "running interactively"
            )
        import subprocess

        head = opts.get("head")
        if not head:
            done = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True, text=True)
            head = done.stdout.strip() if done.returncode == 0 else ""
            if not head:
                _fail("could not determine the current branch: not on any branch")
        # with --head gh does not push: the branch must be on the remote (GitHub: "Head sha can't be blank")
        check = subprocess.run(
            ["git", "ls-remote", "--exit-code", "--heads", "origin", head], capture_output=True, text=True
        )
        if check.returncode == 2:
            _fail(
                "pull request create failed: GraphQL: Head sha can't be blank, Head ref must be a branch "
                "(createPullRequest)"
            )
        try:
            pull = self.inv.admin(
                "POST",
                "/admin/gh/pulls",
                {
                    "repo": repo,
                    "head": head,
                    "base": opts.get("base", ""),
                    "title": opts.get("title", head),
                    "body": opts.get("body", ""),
                },
            )
        except AdminError as exc:
            _fail(f"pull request create failed: {exc.message}")
        err(f"\nCreating pull request for {head} into {pull['base']} in {repo}\n")
        out(pull["url"])
        return 0

    # run list / view ---------------------------------------------------------------------
    def _runs(self, workflow: str | None) -> list[dict[str, Any]]:
        path = "/admin/gh/runs" + (f"?workflow={workflow}" if workflow else "")
        return self.inv.admin("GET", path)

    def run_list(self, argv: list[str]) -> int:
        positionals, opts, _ = _parse(
            argv,
            "run list",
            (
                Flag(("--workflow", "-w"), "workflow"),
                JSON_FIELDS,
                Flag(("--limit", "-L"), "limit", check=pflag_int("-L, --limit")),
                REPO,
                Flag(("--status", "-s"), "status"),
                Flag(("--branch", "-b"), "branch"),
                Flag(("--event", "-e"), "event"),
                Flag(("--jq", "-q"), "jq"),
                Flag(("--user", "-u"), "user"),
            ),
            json_fields=True,
        )
        if positionals:
            _fail(f'unknown argument "{positionals[0]}"; please quote all values that have spaces')
        _resolve_repo(opts)
        if "jq" in opts:
            _fail("the simulated gh does not evaluate --jq expressions; use --json and parse the output")
        fields = _fields(opts["json"]) if "json" in opts else None
        try:
            limit = int(opts.get("limit", "20"))
        except ValueError:
            _fail(
                f'invalid argument "{opts.get("limit")}" for "-L, --limit" flag: strconv.ParseInt: parsing '
                f'"{opts.get("limit")}": invalid syntax'
            )
        if limit < 1:
            _fail(f"invalid limit: {limit}")
        workflow = opts.get("workflow")
        if workflow and workflow not in ("rollback-edge.yml", "Rollback Edge"):
            _fail(f"could not find any workflows named {workflow}")
        runs = self._runs("rollback-edge.yml" if workflow else None)
        if "status" in opts:
            runs = [r for r in runs if opts["status"] in (r["status"], r["conclusion"])]
        if "event" in opts:
            runs = [r for r in runs if r.get("event") == opts["event"]]
        if "user" in opts:
            runs = [r for r in runs if r.get("actor") == opts["user"]]
        runs = runs[:limit]
        if fields is not None:
            out(json.dumps([_view(r, fields) for r in runs]))
            return 0
        if not runs:
            err("no runs found")
            return 0
        for r in runs:
            elapsed = "3s" if r["status"] == "completed" else "0s"
            out(
                "\t".join(
                    [
                        r["status"],
                        r["conclusion"],
                        r["displayTitle"],
                        r["workflowName"],
                        r["headBranch"],
                        r["event"],
                        str(r["databaseId"]),
                        elapsed,
                        r["createdAt"],
                    ]
                )
            )
        return 0

    def _get_run(self, raw_id: str) -> dict[str, Any]:
        try:
            run_id = int(raw_id)
        except ValueError:
            _fail(f"invalid run ID: {raw_id!r}")
        try:
            return self.inv.admin("GET", f"/admin/gh/runs/{run_id}")
        except AdminError:
            _fail(
                f"failed to get run: HTTP 404: Not Found (https://api.github.com/repos/twist-network/edge/"
                f"actions/runs/{run_id}?exclude_pull_requests=true)"
            )
        raise AssertionError("unreachable")

    def run_view(self, argv: list[str]) -> int:
        positionals, opts, flags = _parse(
            argv,
            "run view [<run-id>]",
            (
                JSON_FIELDS,
                REPO,
                Flag(("--exit-status",), "exit_status", value=False),
                Flag(("--verbose", "-v"), "verbose", value=False),
            ),
            json_fields=True,
        )
        if len(positionals) != 1:
            _fail("run or job ID required when not running interactively")
        _resolve_repo(opts)
        run = self._get_run(positionals[0])
        if "json" in opts:
            out(json.dumps(_view(run, _fields(opts["json"]))))
        else:
            mark = {"success": "✓", "failure": "X"}.get(run["conclusion"], "*")
            out(
                f"{mark} {run['headBranch']} {run['workflowName']} · {run['databaseId']}\n"
                f"Triggered via {run['event']} {_age(run['createdAt'])}\n\nJOBS\n{mark} rollback\n\n"
                f"For more information about the job, try: gh run view --job={run['databaseId'] + 1}\n"
                f"View this run on GitHub: {run['url']}"
            )
        if "exit_status" in flags and run["status"] == "completed" and run["conclusion"] != "success":
            return 1
        return 0

    # run watch -------------------------------------------------------------------------
    def run_watch(self, argv: list[str]) -> int:
        positionals, opts, flags = _parse(
            argv,
            "run watch <run-id>",
            (
                Flag(("--interval", "-i"), "interval", check=pflag_int("-i, --interval")),
                REPO,
                Flag(("--exit-status",), "exit_status", value=False),
                Flag(("--compact",), "compact", value=False),
            ),
        )
        if len(positionals) != 1:
            _fail("run ID required when not running interactively")
        _resolve_repo(opts)
        try:
            interval = float(opts.get("interval", "3"))
        except ValueError:
            _fail(f'invalid argument "{opts.get("interval")}" for "-i, --interval" flag')
        run = self._get_run(positionals[0])
        run_id = run["databaseId"]
        if run["status"] == "completed":
            out(f"Run {run['workflowName']} ({run_id}) has already completed with '{run['conclusion']}'")
            return 1 if "exit_status" in flags and run["conclusion"] != "success" else 0
        out(f"Refreshing run status every {opts.get('interval', '3')} seconds. Press Ctrl+C to quit.\n")
        out(
            f"* {run['headBranch']} {run['workflowName']} · {run_id}\n"
            f"Triggered via {run['event']} {_age(run['createdAt'])}\n\nJOBS\n* rollback (ID {run_id + 1})"
        )
        # the simulator's run lasts a few seconds; poll it a few times a second, whatever --interval says
        poll = min(max(interval, 0.05), 0.25)
        started = time.monotonic()
        shown = 0
        while True:
            run = self._get_run(str(run_id))
            done = run["status"] == "completed"
            elapsed = time.monotonic() - started
            target = len(STEPS) if done else min(len(STEPS) - 1, int(elapsed / 0.4))
            while shown < target:
                out(f"  ✓ {STEPS[shown]}")
                shown += 1
            if done:
                break
            if elapsed > 120:
                self.inv.admin("POST", f"/admin/gh/runs/{run_id}/complete")
            time.sleep(poll)
        ok = run["conclusion"] == "success"
        mark = "✓" if ok else "X"
        out(
            f"\n{mark} {run['headBranch']} {run['workflowName']} · {run_id}\nTriggered via {run['event']} "
            f"{_age(run['createdAt'])}\n\nJOBS\n{mark} rollback in {max(1, round(time.monotonic() - started))}s "
            f"(ID {run_id + 1})\n"
        )
        out(f"{mark} Run {run['workflowName']} ({run_id}) completed with '{run['conclusion']}'")
        if "exit_status" in flags and not ok:
            return 1
        return 0


def main(argv: list[str] | None = None) -> int:
    return run_tool("gh", argv, lambda inv: Gh(inv).run(inv.argv))


if __name__ == "__main__":
    sys.exit(main())
