"""What a failed wrangler/gh/terraform step means, from its output (pure): one sentence for the operator.

Each hint is checked against the real tool (comments name the source); the engine appends the hint to the
step's failure message.
"""

from __future__ import annotations

import re


def failure_hint(tool: str | None, args: list[str], output: str, env_name: str) -> str | None:
    """A hint for a failed ``tool args`` whose combined output is ``output``, or None."""
    text = output or ""
    words = [a for a in args if not a.startswith("-")][:3]
    if tool == "wrangler":
        # workers-sdk packages/wrangler/src/secret/index.ts: VERSION_NOT_DEPLOYED_ERR_CODE = 10215, the API's
        # answer to a secret edit while the latest version is not the deployed one (a gradual rollout)
        if words[:2] == ["secret", "put"] and ("10215" in text or "isn't currently deployed" in text):
            return (
                "a gradual rollout is in progress (error 10215), so the secret was not set: run flow "
                "versions-secret-put (wrangler versions secret put, then wrangler versions deploy) or finish "
                "the rollout first"
            )
        # a missing script: the API's 10007 ("This Worker does not exist on your account.")
        if words[:2] == ["deployments", "status"] and ("10007" in text or "does not exist" in text):
            name = _option(args, "--name") or "?"
            return (
                f"Worker {name!r} does not exist on this account, so no secret is set (wrangler secret put "
                f"would create an empty draft Worker of that name): check environments.{env_name}.workers"
            )
        # workers-sdk packages/wrangler/src/versions/rollback/index.ts: CANNOT_ROLLBACK_WITH_MODIFIED_SECERT_CODE
        if words[:1] == ["rollback"] and "10220" in text:
            return (
                "secrets changed since the target version (error 10220): the rollback needs confirming "
                "that the target version's secrets are wanted"
            )
    if tool == "gh":
        # cli/cli: without -R gh resolves the repository from the working directory's git remotes
        if re.search(r"not a git repository|could not determine base repo|no git remotes", text, re.I):
            return f"gh found no repository here: set environments.{env_name}.github_repo (owner/name)"
    if tool == "terraform":
        if "Saved plan is stale" in text:
            return "the state changed since the plan was made: run the flow again for a fresh plan"
        if "No configuration files" in text:
            return f"not a terraform directory: check environments.{env_name}.paths.terraform"
    return None


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
