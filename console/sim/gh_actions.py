"""The simulated GitHub repository: the rollback workflow's runs (dispatch, progress, completion) and pull requests.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock, advances the runs with
its clock (:meth:`GhActions.progress`) and applies what a finished production rollback run does to the edge
(the ``on_complete`` callback).
"""

from __future__ import annotations

import random
from typing import Any, Callable

from console.sim.errors import SimError
from console.sim.timefmt import iso, iso_seconds

ROLLBACK_WORKFLOW = "rollback-edge.yml"
INPUTS_REQUIRED = ("environment", "reason")
INPUTS_KNOWN = {"environment", "reason", "worker", "version_id"}


class GhActions:
    def __init__(self, rng: random.Random, repo: str) -> None:
        self.rng = rng
        self.repo = repo
        self.runs: list[dict[str, Any]] = []
        #: pull requests opened with ``gh pr create``
        self.pulls: list[dict[str, Any]] = []
        #: seconds a workflow run takes from dispatch to completion (tests may shorten it)
        self.run_seconds = 3.0
        #: the conclusion of the next runs (the ``gh_run`` fault)
        self.next_conclusion = "success"
        #: the simulator's time at the last advance (a running run's ``updatedAt``)
        self.last = 0.0

    def seed(self, now: float) -> None:
        """Two old staging drills, completed."""
        for i in range(2):
            created = now - 86400 * (9 + 6 * i)
            self.runs.append(
                {
                    "databaseId": 11800000000 + i * 7919,
                    "number": 17 + i,
                    "status": "completed",
                    "conclusion": "success",
                    "created": created,
                    "inputs": {"environment": "staging", "reason": "drill"},
                    "workflow": ROLLBACK_WORKFLOW,
                    "effect_applied": True,
                }
            )
        self.runs.sort(key=lambda r: r["created"], reverse=True)

    def dispatch(self, workflow: str, inputs: dict[str, str], now: float) -> dict[str, Any]:
        """``workflow_dispatch``: the inputs checked as GitHub checks the workflow's ``on.workflow_dispatch``."""
        if workflow != ROLLBACK_WORKFLOW:
            raise SimError(f"could not find any workflows named {workflow}")
        missing = [k for k in INPUTS_REQUIRED if not str(inputs.get(k, "")).strip()]
        if missing:
            raise SimError(f"Required input '{missing[0]}' not provided")
        if inputs["environment"] not in ("production", "staging"):
            raise SimError(
                f"Provided value '{inputs['environment']}' for input 'environment' not in the list of allowed values"
            )
        unknown = set(inputs) - INPUTS_KNOWN
        if unknown:
            raise SimError(f"Unexpected inputs provided: {sorted(unknown)}")
        number = max((r["number"] for r in self.runs), default=0) + 1
        run = {
            "databaseId": 11900000000 + number * 7919 + self.rng.randint(0, 999),
            "number": number,
            "status": "queued",
            "conclusion": "",
            "created": now,
            "inputs": dict(inputs),
            "workflow": workflow,
            "effect_applied": False,
            "planned": self.next_conclusion,
            "duration": float(self.run_seconds),
        }
        self.runs.insert(0, run)
        return self.view(run)

    def progress(self, now: float, on_complete: Callable[[dict[str, Any], float], None]) -> None:
        """Runs move queued -> in_progress -> completed as time passes."""
        self.last = now
        for run in self.runs:
            if run["status"] == "completed":
                continue
            elapsed = now - run["created"]
            duration = run.get("duration", self.run_seconds)
            if elapsed >= duration:
                self.complete(run, run["created"] + duration, on_complete)
            elif elapsed >= min(0.5, duration / 4):
                run["status"] = "in_progress"

    def complete(self, run: dict[str, Any], at: float, on_complete: Callable[[dict[str, Any], float], None]) -> None:
        """Finish ``run`` at ``at`` with its planned conclusion; its effect (``on_complete``) happens once."""
        run["status"] = "completed"
        run["conclusion"] = run.get("planned", "success")
        run["completed"] = at
        if run["effect_applied"]:
            return
        run["effect_applied"] = True
        on_complete(run, at)

    def pace(self, run_id: int, seconds: float, now: float) -> None:
        """Let a running run complete ``seconds`` from now."""
        run = self.find(run_id)
        if run["status"] != "completed":
            run["duration"] = max(0.0, now - run["created"] + seconds)

    def find(self, run_id: int) -> dict[str, Any]:
        for run in self.runs:
            if run["databaseId"] == run_id:
                return run
        raise KeyError(run_id)

    def listing(self, workflow: str | None = None) -> list[dict[str, Any]]:
        return [self.view(r) for r in self.runs if workflow in (None, "", r["workflow"])]

    def view(self, run: dict[str, Any]) -> dict[str, Any]:
        """A run as ``gh run view --json`` shows it."""
        created = run["created"]
        updated = run.get("completed", max(created, min(self.last, created + run.get("duration", 0))))
        return {
            "databaseId": run["databaseId"],
            "number": run["number"],
            "status": run["status"],
            "conclusion": run["conclusion"],
            "url": f"https://github.com/{self.repo}/actions/runs/{run['databaseId']}",
            "createdAt": iso_seconds(created),
            "startedAt": iso_seconds(created),
            "updatedAt": iso_seconds(updated),
            "name": "Rollback Edge",
            "displayTitle": f"Rollback Edge ({run['inputs'].get('environment')}): {run['inputs'].get('reason')}",
            "workflowName": "Rollback Edge",
            "headBranch": "main",
            "headSha": "%040x" % (run["databaseId"] * 2654435761 % (1 << 160)),
            "event": run.get("event", "workflow_dispatch"),
            "actor": run.get("actor", "twist-ops"),
            "inputs": dict(run["inputs"]),
        }

    def pr_create(self, repo: str, head: str, base: str, title: str, body: str, now: float) -> dict[str, Any]:
        if repo != self.repo:
            raise SimError(f"GraphQL: Could not resolve to a Repository with the name '{repo}'. (repository)")
        if not head:
            raise SimError("head branch required")
        if any(p["head"] == head and p["state"] == "OPEN" for p in self.pulls):
            raise SimError(f'a pull request for branch "{head}" into branch "{base}" already exists')
        number = 100 + len(self.pulls) + 1
        pull = {
            "number": number,
            "repo": repo,
            "head": head,
            "base": base or "main",
            "title": title,
            "body": body,
            "state": "OPEN",
            "created": iso(now),
            "url": f"https://github.com/{repo}/pull/{number}",
        }
        self.pulls.append(pull)
        return dict(pull)
