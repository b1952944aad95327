"""Make terraform values last: write them to a ``*.auto.tfvars`` override in the terraform directory's
repository, on a new branch, and open a pull request (``tools.tfvars-pr``, run by the terraform flows).

Why: ``terraform apply -var k=v`` values are not stored anywhere; the next apply without them (CI's, from
the repository) falls back to the tfvars files and reverts the change. Terraform loads every
``*.auto.tfvars`` in the root module automatically, so once the pull request is merged CI applies the same
values.

Usage (cwd: the terraform root module, a git checkout with an ``origin`` remote)::

    python -m console.runbook.tfvars_pr --repo OWNER/NAME --file edge-console.auto.tfvars \\
        --branch edge-console/raise-rate-limits --title "..." --set api_rate_limit=200 --set ...

It never touches the operator's checkout: the branch is made in a temporary ``git worktree`` from HEAD,
committed, pushed to ``origin`` and removed again. git and gh are the environment's configured commands,
given as JSON argv prefixes in ``$EDGE_CONSOLE_GIT_ARGV`` / ``$EDGE_CONSOLE_GH_ARGV`` (defaults: ``git``,
``gh``). Every command it runs is printed before it runs. Exit status 0 only when the pull request exists.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_LINE_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_BRANCH_RE = re.compile(r"[A-Za-z0-9._/-]{1,200}")
HEADER = "# Written by edge-console: values applied during an incident (terraform loads *.auto.tfvars).\n"


class Failed(Exception):
    pass


def _prefix(var: str, default: str) -> list[str]:
    raw = os.environ.get(var)
    if not raw:
        return [default]
    try:
        value = json.loads(raw)
    except ValueError:
        raise Failed(f"${var} is not a JSON argv list") from None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise Failed(f"${var} is not a JSON argv list")
    return value


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    print("$ " + " ".join(argv), flush=True)
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Failed(f"{argv[0]}: {exc}") from None
    for line in (done.stdout + done.stderr).splitlines()[-40:]:
        print("  " + line, flush=True)
    if done.returncode != 0:
        raise Failed(f"{' '.join(argv[:4])} ... exited with status {done.returncode}")
    return done.stdout


def hcl_value(text: str) -> str:
    """A value as HCL: numbers and true/false as they are, anything else as a quoted string."""
    if re.fullmatch(r"-?\d+(\.\d+)?|true|false", text):
        return text
    return json.dumps(text)


def merged_tfvars(existing: str, values: dict[str, str]) -> str:
    """``existing`` with ``values`` set (replacing their lines, appending new ones)."""
    lines = existing.splitlines() if existing else [HEADER.rstrip("\n")]
    seen: set[str] = set()
    out = []
    for line in lines:
        match = _LINE_RE.match(line)
        if match and match.group(1) in values:
            name = match.group(1)
            if name in seen:
                continue
            seen.add(name)
            out.append(f"{name} = {hcl_value(values[name])}")
        else:
            out.append(line)
    out += [f"{name} = {hcl_value(value)}" for name, value in values.items() if name not in seen]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tfvars-pr", description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="owner/name for gh -R")
    parser.add_argument("--file", required=True, help="the override file in the terraform directory")
    parser.add_argument("--branch", required=True, help="branch name prefix (a timestamp is added)")
    parser.add_argument("--title", required=True)
    parser.add_argument("--body", default="")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    try:
        return _main(args)
    except Failed as exc:
        print(f"tfvars-pr: {exc}", file=sys.stderr, flush=True)
        return 1


def _main(args: argparse.Namespace) -> int:
    values: dict[str, str] = {}
    for pair in args.set:
        name, eq, value = pair.partition("=")
        if not eq or not _NAME_RE.fullmatch(name):
            raise Failed(f"--set {pair!r}: expected NAME=VALUE")
        values[name] = value
    if not values:
        raise Failed("nothing to write (give --set NAME=VALUE)")
    if not re.fullmatch(r"[A-Za-z0-9._-]+\.auto\.tfvars", args.file):
        raise Failed(f"--file {args.file!r}: expected a file name ending in .auto.tfvars")
    if not _BRANCH_RE.fullmatch(args.branch) or ".." in args.branch:
        raise Failed(f"--branch {args.branch!r}: not a branch name")
    git, gh = _prefix("EDGE_CONSOLE_GIT_ARGV", "git"), _prefix("EDGE_CONSOLE_GH_ARGV", "gh")
    here = Path.cwd()
    top = Path(_run([*git, "rev-parse", "--show-toplevel"], here).strip())
    rel = here.resolve().relative_to(top.resolve())
    branch = f"{args.branch}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    work = Path(tempfile.mkdtemp(prefix="edge-console-tfvars-"))
    tree = work / "tree"
    env = dict(os.environ)
    if not subprocess.run([*git, "config", "user.email"], cwd=here, capture_output=True, text=True).stdout.strip():
        env.update(
            {
                "GIT_AUTHOR_NAME": "edge-console",
                "GIT_AUTHOR_EMAIL": "edge-console@localhost",
                "GIT_COMMITTER_NAME": "edge-console",
                "GIT_COMMITTER_EMAIL": "edge-console@localhost",
            }
        )
    try:
        _run([*git, "worktree", "add", "-b", branch, str(tree), "HEAD"], here)
        target = tree / rel / args.file
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(merged_tfvars(existing, values), encoding="utf-8")
        print(f"wrote {rel / args.file}: " + ", ".join(f"{k} = {hcl_value(v)}" for k, v in values.items()), flush=True)
        _run([*git, "add", "--", str(rel / args.file)], tree)
        _run(
            [
                *git,
                "commit",
                "-m",
                args.title,
                "-m",
                "Values applied by edge-console; keeps the next CI apply from reverting them.",
            ],
            tree,
            env=env,
        )
        _run([*git, "push", "-u", "origin", branch], tree, timeout=300)
        out = _run(
            [
                *gh,
                "pr",
                "create",
                "-R",
                args.repo,
                "--head",
                branch,
                "--title",
                args.title,
                "--body",
                args.body or args.title,
            ],
            tree,
            timeout=300,
        )
        url = next((line.strip() for line in out.splitlines() if "/pull/" in line), "")
        print(f"pull request: {url or '(gh printed no URL)'}", flush=True)
        return 0
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], cwd=here, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
