"""The simulated Workers' deployments and versions (wrangler 4's model): uploads, secret-change versions,
gradual rollouts, versions made by ``wrangler versions secret put``, rollbacks, and the main worker's cache rules.

No lock and no clock: :class:`console.sim.state.SimState` calls it under its lock and applies what a rollback
means elsewhere (the secrets it reverts, the scenario it ends).
"""

from __future__ import annotations

import copy
import random
import re
import uuid
from typing import Any, Callable, Iterable

from console.sim.errors import SimError
from console.sim.scenarios import CACHE_RULES_BASELINE

_CACHE_RULE_RE = re.compile(r"""CACHE_RULES\[\s*['"]([^'"]+)['"]\s*\]|^\s*['"](/[^'"]*)['"]\s*:\s*\{""", re.M)
SEED_MESSAGES = (
    "Tune VAU batch validation",
    "Fix WAF rule ordering",
    "Bump compatibility date",
    "Add cache rules for /api/v1/stats",
    "Harden rate limiter",
    "Initial production release",
)
SEED_AUTHORS = ("ci@twist.io", "alice@twist.io", "bob@twist.io")
UPLOAD_AUTHOR = "wrangler@sim.twist.io"


class Deployments:
    def __init__(self, rng: random.Random, iso: Callable[[float], str], main_worker: str) -> None:
        self.rng = rng
        self.iso = iso
        self.main_worker = main_worker
        #: script -> deployments, newest first
        self.deployments: dict[str, list[dict[str, Any]]] = {}
        #: endpoints the deployed main worker caches (CACHE_RULES of its last upload)
        self.cache_rules: set[str] = set(CACHE_RULES_BASELINE)
        self.uploads: list[dict[str, Any]] = []
        #: version id -> the upload whose code it runs (a secret change makes a new version of the same code)
        self.version_code: dict[str, str] = {}
        #: scripts with a gradual rollout in progress (the latest version is not at 100%)
        self.rollouts: set[str] = set()
        #: versions made by ``wrangler versions secret put`` (not deployed): script -> [{version_id, secret}]
        self.undeployed_versions: dict[str, list[dict[str, Any]]] = {}
        #: scripts created by an upload of an unknown name (``wrangler secret put`` makes a draft Worker)
        self.drafts: list[str] = []

    def seed(self, scripts: Iterable[str], now: float) -> None:
        """Five past deployments of the main worker, two of every other script."""
        rng = self.rng
        for script in scripts:
            count = 5 if script == self.main_worker else 2
            entries = []
            for i in range(count):
                created = now - (2 * 3600 if i == 0 else 86400 * (2**i)) - rng.uniform(0, 1800)
                entries.append(
                    self._entry(
                        created,
                        rng.choice(SEED_AUTHORS),
                        SEED_MESSAGES[i % len(SEED_MESSAGES)],
                        source="wrangler" if i % 2 == 0 else "api",
                    )
                )
            self.deployments[script] = entries  # newest first

    def _entry(
        self, created: float, author: str, message: str, source: str = "wrangler", triggered_by: str = "upload"
    ) -> dict[str, Any]:
        """A deployment of a new upload (its version runs its own code)."""
        entry = self._new_entry(created, author, message, source, triggered_by)
        version = entry["versions"][0]["version_id"]
        self.version_code.setdefault(version, version)
        return entry

    def _new_entry(self, created: float, author: str, message: str, source: str, triggered_by: str) -> dict[str, Any]:
        return {
            "id": self._uuid(),
            "created_on": self.iso(created),
            "source": source,
            "strategy": "percentage",
            "author_email": author,
            "annotations": {"workers/message": message[:50], "workers/triggered_by": triggered_by},
            "versions": [{"version_id": self._uuid(), "percentage": 100}],
        }

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def require(self, script: str) -> None:
        if script not in self.deployments:
            raise KeyError(script)

    def deploy(self, script: str, files: dict[str, str], message: str | None, now: float) -> dict[str, Any]:
        """A ``wrangler deploy``: a new version at 100%, newest first. Returns the entry; creating an unknown
        script (a draft) is noted in :attr:`drafts`."""
        if script not in self.deployments:
            self.deployments[script] = []
            self.drafts.append(script)
        entry = self._entry(now, UPLOAD_AUTHOR, message or "Deployed with wrangler", source="wrangler")
        self.deployments[script].insert(0, entry)
        rules = sorted({a or b for text in files.values() for a, b in _CACHE_RULE_RE.findall(text)})
        if script == self.main_worker and rules:
            self.cache_rules = set(rules)
        self.uploads.append(
            {
                "at": self.iso(now),
                "script": script,
                "deployment": entry["id"],
                "modules": sorted(files),
                "cache_rules": rules,
            }
        )
        return copy.deepcopy(entry)

    def listing(self, script: str) -> list[dict[str, Any]]:
        self.require(script)
        return copy.deepcopy(self.deployments[script])

    def current_code(self, script: str) -> str | None:
        """The upload whose code takes the traffic now (a secret change keeps it)."""
        for entry in self.deployments.get(script, []):
            for version in entry["versions"]:
                if version.get("percentage") == 100:
                    return self.version_code.get(version["version_id"], version["version_id"])
        return None

    def secret_deployment(self, script: str, now: float) -> None:
        """A secret change deploys a new version of the same code (``workers/triggered_by: secret``)."""
        entries = self.deployments.get(script)
        if not entries:
            return
        code = self.current_code(script)
        entry = self._new_entry(now, UPLOAD_AUTHOR, "Secret Change", "api", "secret")
        self.version_code[entry["versions"][0]["version_id"]] = code or entry["versions"][0]["version_id"]
        entries.insert(0, entry)

    def start_rollout(self, script: str, percentage: int, now: float) -> dict[str, Any]:
        """Test knob: a gradual rollout of a new upload at ``percentage``% (the rest on the current version)."""
        entries = self.deployments[script]
        current = next(v["version_id"] for v in entries[0]["versions"] if v.get("percentage") == 100)
        entry = self._entry(now, "alice@twist.io", "Gradual rollout", source="wrangler")
        entry["versions"] = [
            {"version_id": entry["versions"][0]["version_id"], "percentage": percentage},
            {"version_id": current, "percentage": 100 - percentage},
        ]
        entries.insert(0, entry)
        self.rollouts.add(script)
        return copy.deepcopy(entry)

    def versions_secret_put(self, script: str, name: str, now: float) -> dict[str, Any]:
        """``wrangler versions secret put``: a new version with the secret, not deployed."""
        version = self._uuid()
        self.version_code[version] = self.current_code(script) or version
        item = {"version_id": version, "secret": name, "at": self.iso(now)}
        self.undeployed_versions.setdefault(script, []).append(item)
        return dict(item)

    def default_rollback_version(self, script: str) -> str:
        """What ``wrangler rollback`` picks without a version: the 100% version of the deployment before the
        current one (workers-sdk ``fetchDefaultRollbackVersionId``)."""
        entries = sorted(self.deployments[script], key=lambda d: d["created_on"], reverse=True)[1:]
        for entry in entries:
            for version in entry["versions"]:
                if version.get("percentage") == 100:
                    return version["version_id"]
        raise SimError(
            "Could not find stable Worker Version to rollback to. Please try again with an explicit Version ID."
        )

    def target(self, script: str, version_id: str) -> dict[str, Any]:
        """The deployment that ran ``version_id`` (a rollback's target)."""
        entries = self.deployments[script]
        found = next((e for e in entries if any(v["version_id"] == version_id for v in e["versions"])), None)
        if found is None:
            raise SimError(f"version {version_id} is not one of the worker's deployed versions")
        return found

    def rollback(
        self, script: str, version_id: str, message: str, at: float, author: str
    ) -> tuple[dict[str, Any], bool]:
        """Deploy ``version_id`` at 100%: (the new entry, whether the code changed)."""
        entries = self.deployments[script]
        before_code = self.current_code(script)
        entry = self._new_entry(at, author, message, "api", "rollback")
        entry["versions"] = [{"version_id": version_id, "percentage": 100}]
        entry["annotations"]["workers/rollback_from"] = entries[0]["id"]
        entries.insert(0, entry)
        self.rollouts.discard(script)
        code_rolled_back = self.version_code.get(version_id, version_id) != before_code
        return entry, code_rolled_back

    def snapshot(self) -> dict[str, Any]:
        return {
            "deployments": {s: [d["id"] for d in entries] for s, entries in self.deployments.items()},
            "uploads": list(self.uploads),
            "cache_rules": sorted(self.cache_rules),
            "drafts": list(self.drafts),
            "rollouts": sorted(self.rollouts),
            "undeployed_versions": {k: list(v) for k, v in self.undeployed_versions.items()},
            "deployment_versions": {
                s: [[v["version_id"] for v in d["versions"]] for d in entries]
                for s, entries in self.deployments.items()
            },
        }
