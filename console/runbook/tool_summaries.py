"""Summaries over the output of wrangler, gh and terraform steps that pick or show what a change will do
(pure functions, registered in :data:`console.runbook.summaries.SUMMARIES`).

``Summary.data`` is a mapping a step can capture from with ``capture: {NAME: "summary.KEY"}``:

- ``worker_exists``: ``wrangler deployments status --name W --json`` answered with a deployment: the
  worker exists (a ``secret put`` on a missing one would create an empty draft Worker).
- ``rollback_target``: over ``wrangler deployments list --json``: the version to roll back to, chosen
  explicitly (``wrangler rollback`` without one takes the previous deployment, which after a secret change
  is the same bad code without the new secret). Secret-change deployments are skipped.
- ``gh_dispatch``: the run URL ``gh workflow run`` prints from gh 2.87 on (``run_id`` 0 when absent).
- ``terraform_plan``: ``terraform show -json PLANFILE``: resources to add/change/destroy and the changed
  attributes; a plan that destroys something fails the check (nothing is applied).
"""

from __future__ import annotations

import re
from typing import Any

from console.runbook.summaries import Summary

#: ``annotations["workers/triggered_by"]`` of a deployment made by a secret change (Cloudflare's
#: Deployments API; wrangler's ``versions/types.ts`` types it as ``"upload" | string``).
SECRET_TRIGGERS = ("secret", "secrets")
#: gh >= 2.87 prints the created run's URL after ``gh workflow run`` (GitHub changelog 2026-02-19,
#: "Workflow dispatch API now returns run IDs"; the dispatch API's ``return_run_details``).
RUN_URL_RE = re.compile(r"https://github\.com/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/actions/runs/(\d+)")


def _created(d: dict) -> str:
    return str(d.get("created_on") or "")


def _trigger(d: dict) -> str:
    return str((d.get("annotations") or {}).get("workers/triggered_by") or "")


def _full_version(d: dict) -> str | None:
    for version in d.get("versions") or []:
        if isinstance(version, dict) and version.get("percentage") == 100 and version.get("version_id"):
            return str(version["version_id"])
    return None


def _describe(d: dict) -> str:
    message = (d.get("annotations") or {}).get("workers/message") or ""
    return f"{_created(d)[:19]}  {_trigger(d) or '-'}  {message}".rstrip()


def worker_exists(data: Any, text: str, args: dict) -> Summary:
    if isinstance(data, dict) and (data.get("id") or data.get("versions")):
        versions = ", ".join(
            f"{v.get('version_id')} ({v.get('percentage')}%)" for v in data.get("versions") or [] if isinstance(v, dict)
        )
        return Summary([f"deployed: {versions or data.get('id')}"], {"deployment_id": data.get("id")})
    return Summary(
        ["no deployment found"], {}, ok=False, notes=["the worker has no deployment: refusing to set a secret on it"]
    )


def rollback_target(data: Any, text: str, args: dict) -> Summary:
    items = [d for d in (data if isinstance(data, list) else []) if isinstance(d, dict)]
    ordered = sorted(items, key=_created, reverse=True)  # wrangler prints the latest last
    if not ordered:
        return Summary(["no deployments"], {}, ok=False, notes=["no deployments to roll back to"])
    current = ordered[0]
    lines = [f"current:  {_full_version(current) or '?'}  {_describe(current)}"]
    skipped = 0
    code = None  # the deployment that brought the code running now (secret changes keep the code)
    target = None
    for d in ordered:
        if _trigger(d) in SECRET_TRIGGERS:
            skipped += 1
            continue
        if code is None:
            code = d
            continue
        if _full_version(d):
            target = d
            break
    if skipped:
        lines.append(f"skipped {skipped} secret-change deployment(s) (same code as the one before them)")
    if target is None:
        return Summary(
            lines + ["no earlier deployment at 100% to roll back to"],
            {},
            ok=False,
            notes=["no earlier stable version: roll back by hand with an explicit version"],
        )
    version = _full_version(target)
    lines.append(f"target:   {version}  {_describe(target)}")
    return Summary(
        lines,
        {"version_id": version, "deployment_id": target.get("id"), "current_version_id": _full_version(current) or ""},
    )


def gh_dispatch(data: Any, text: str, args: dict) -> Summary:
    match = RUN_URL_RE.search(text or "")
    if match:
        return Summary([f"run {match.group(0)}"], {"run_id": int(match.group(1)), "url": match.group(0)})
    return Summary(
        ["gh printed no run URL (gh older than 2.87): the next step finds the run in gh run list"],
        {"run_id": 0, "url": ""},
    )


_ACTION_WORDS = {("create",): "add", ("update",): "change", ("delete",): "destroy"}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def terraform_plan(data: Any, text: str, args: dict) -> Summary:
    changes = data.get("resource_changes") if isinstance(data, dict) else None
    if not isinstance(changes, list):
        return Summary(["not a terraform show -json plan"], {}, ok=False, notes=["could not read the saved plan"])
    add = change = destroy = 0
    lines: list[str] = []
    for rc in changes[:500]:
        if not isinstance(rc, dict):
            continue
        body = rc.get("change") or {}
        actions = tuple(body.get("actions") or ())
        if actions in (("no-op",), ("read",), ()):
            continue
        address = str(rc.get("address") or "?")
        if actions == ("update",):
            change += 1
            before, after = body.get("before") or {}, body.get("after") or {}
            diffs = [
                f"{k} {_value(before.get(k))} -> {_value(after.get(k))}"
                for k in sorted(set(before) | set(after))
                if isinstance(before, dict) and isinstance(after, dict) and before.get(k) != after.get(k)
            ]
            lines.append(f"~ {address}: " + ("; ".join(diffs[:10]) or "attributes known after apply"))
        elif "delete" in actions and "create" in actions:
            add += 1
            destroy += 1
            lines.append(f"-/+ {address} (replaced)")
        elif actions == ("create",):
            add += 1
            lines.append(f"+ {address}")
        elif actions == ("delete",):
            destroy += 1
            lines.append(f"- {address} (destroyed)")
    head = f"Plan: {add} to add, {change} to change, {destroy} to destroy."
    if not (add or change or destroy):
        head = "No changes: the infrastructure already matches these values."
    data_out = {"add": add, "change": change, "destroy": destroy}
    if destroy and not args.get("allow_destroy"):
        return Summary(
            [head, *lines],
            data_out,
            ok=False,
            notes=[f"{head} It destroys {destroy} resource(s): not applied (review the plan by hand)"],
        )
    return Summary([head, *lines], data_out)


TOOL_SUMMARIES = {
    "worker_exists": worker_exists,
    "rollback_target": rollback_target,
    "gh_dispatch": gh_dispatch,
    "terraform_plan": terraform_plan,
}
