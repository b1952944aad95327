"""State of the simulated edge: the thread-safe facade over the traffic model and the control-plane areas.

``SimState`` holds one re-entrant lock and a clock (``time.time`` unless a test passes its own). Every read
first *advances* the state to the clock's current time: the traffic model's counters grow by what the
scenario's traffic would have produced in the elapsed time, so two scrapes a few seconds apart give realistic
rates, and workflow runs progress. Control changes (scenario switch, KV writes, secrets, zone settings,
purges, terraform, rollbacks) advance first and then change the model, so they take effect from the moment
they happen and fully from the next scrape window.

The parts, each one job, none with a lock of its own:

- :mod:`console.sim.traffic` ``TrafficModel``: rates, errors, latencies, cache, blocks, queues, histograms;
- :mod:`console.sim.kv_store`, :mod:`console.sim.worker_secrets`, :mod:`console.sim.zone_settings`,
  :mod:`console.sim.cache_purge`, :mod:`console.sim.deployments`, :mod:`console.sim.gh_actions`,
  :mod:`console.sim.terraform_state`, :mod:`console.sim.edge_rules`: the control plane's areas;
- :mod:`console.sim.faults` (injected faults), :mod:`console.sim.queues` (the Queues API's view).

This facade composes them and applies what crosses areas (a secret change makes a deployment and moves the
circuit breaker; a rollback reverts secrets and may end the error-spike scenario; a finished production
rollback run rolls back). The HTTP server, the exposition and the Cloudflare API routes use its methods.
"""

from __future__ import annotations

import copy
import math
import random
import threading
import time
from typing import Any, Callable

from console.sim import faults as _faults
from console.sim.cache_purge import PURGE_RECOVERY_S as PURGE_RECOVERY_S
from console.sim.cache_purge import CachePurges
from console.sim.deployments import Deployments
from console.sim.edge_rules import EdgeRules
from console.sim.errors import SecretsChanged as SecretsChanged
from console.sim.errors import SimError as SimError
from console.sim.errors import VersionNotDeployed as VersionNotDeployed
from console.sim.faults import CF_STATUS as CF_STATUS
from console.sim.gh_actions import ROLLBACK_WORKFLOW as ROLLBACK_WORKFLOW
from console.sim.gh_actions import GhActions
from console.sim.kv_store import KvStore
from console.sim.names import SIM_ACCOUNT_ID, SIM_GITHUB_REPO, SIM_KV_NAMESPACE_ID, SIM_ZONE_ID
from console.sim.queues import queue_details as _queue_details
from console.sim.queues import queue_id_to_name as _queue_id_to_name
from console.sim.scenarios import ATTACK_IPS, COMPONENTS, SCENARIO_NAMES, SCENARIOS, QUEUES, Profile
from console.sim.terraform_state import TerraformState, checked_vars
from console.sim.timefmt import iso as iso
from console.sim.timefmt import iso_seconds as iso_seconds
from console.sim.timefmt import parse_duration as parse_duration
from console.sim.timefmt import parse_iso
from console.sim.traffic import (  # the traffic model's constants, still importable from here
    BACKLOG_INFLOW as BACKLOG_INFLOW,
    CACHE_RULE_GAP as CACHE_RULE_GAP,
    CACHEABLE_FRACTION as CACHEABLE_FRACTION,
    CB_DECAY_S as CB_DECAY_S,
    CB_ERROR_FRACTION as CB_ERROR_FRACTION,
    QUEUE_INFLOW as QUEUE_INFLOW,
    QUEUE_MESSAGE_BYTES as QUEUE_MESSAGE_BYTES,
    QUEUE_PROC_MEDIAN_S as QUEUE_PROC_MEDIAN_S,
    QUEUE_TARGETS as QUEUE_TARGETS,
    VAU_BATCH_CAPACITY as VAU_BATCH_CAPACITY,
    TrafficControls,
    TrafficModel,
)
from console.sim.worker_secrets import WorkerSecrets, check_secret_name
from console.sim.zone_settings import SETTING_DEFAULTS as SETTING_DEFAULTS
from console.sim.zone_settings import SETTING_VALUES as SETTING_VALUES
from console.sim.zone_settings import ZoneSettings

VERSION = "2.4.1"
ACCOUNT_ID = SIM_ACCOUNT_ID  # the config accepts exactly these non-hex IDs (console.sim.names)
ZONE_ID = SIM_ZONE_ID
KV_NAMESPACE_ID = SIM_KV_NAMESPACE_ID
MAIN_WORKER = "vau-processor-production"
SCRIPTS = (
    "vau-processor-production",
    "vau-processor-staging",
    "security-waf-production",
    "rate-limiter-production",
    "queue-processor-production",
)
GH_REPO = SIM_GITHUB_REPO
#: longest simulated step; longer gaps are integrated in several steps
MAX_STEP_S = 1.0
MAX_STEPS = 120
PREWARM_S = 900.0


def _as_bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "on")


class SimState:
    """The whole simulated edge. All public methods are thread-safe."""

    FAULT_METRICS = _faults.FAULT_METRICS
    FAULT_HEALTH = _faults.FAULT_HEALTH

    def __init__(
        self, scenario: str = "normal", seed: int | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        if scenario not in SCENARIOS:
            raise SimError(f"unknown scenario {scenario!r} (known: {', '.join(SCENARIO_NAMES)})")
        self.lock = threading.RLock()
        self.clock = clock or time.time
        self.seed = seed
        self.rng = random.Random(seed)
        now = self.clock()
        self.started = now
        self.last = now
        self.scenario = scenario
        self.scenario_since = now
        self.scenario_history: list[dict[str, Any]] = [{"scenario": scenario, "at": iso(now)}]
        #: account IP Lists and the zone's custom rules (``console.sim.edge_rules``): the edge block flows
        self.edge_rules = EdgeRules(self.clock, iso, now)
        self.traffic = TrafficModel(self.rng, now)
        # -- control plane -----------------------------------------------------------------
        self.kv_store = KvStore(KV_NAMESPACE_ID)
        self.worker_secrets = WorkerSecrets(SCRIPTS)
        self.zone = ZoneSettings(ZONE_ID)
        self.cache = CachePurges()
        self.terraform = TerraformState()
        self.workers = Deployments(self.rng, iso, MAIN_WORKER)
        self.gh = GhActions(self.rng, GH_REPO)
        self.gh.last = now
        #: when the circuit breaker was switched on (the error rate decays from then)
        self.circuit_breaker_since: float | None = None
        self.rollbacks: list[dict[str, Any]] = []
        self.faults: dict[str, Any] = dict(_faults.DEFAULT_FAULTS)
        # seeding (this order keeps a seeded simulator's values)
        self.kv_store.seed(self.rng, now)
        self.worker_secrets.seed()
        self.workers.seed(SCRIPTS, now)
        self.gh.seed(now)
        # counters of an edge that has been up for a while (a real edge's are never near zero),
        # accumulated in the normal scenario; the requested one starts now
        self.scenario = "normal"
        self._integrate(now - PREWARM_S, now, max_steps=8)
        self.scenario = scenario
        if SCENARIOS[scenario].queue_backlog:
            self.traffic.start_backlog()

    # ------------------------------------------------------------------------------------
    # the parts' state, for readers that look at it directly (tests, the Cloudflare API routes)
    @property
    def kv(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.kv_store.kv

    @property
    def secrets(self) -> dict[str, dict[str, str]]:
        return self.worker_secrets.secrets

    @property
    def zone_settings(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.zone.settings

    @property
    def tf_vars(self) -> dict[str, Any]:
        return self.terraform.vars

    @property
    def deployments(self) -> dict[str, list[dict[str, Any]]]:
        return self.workers.deployments

    @property
    def gh_runs(self) -> list[dict[str, Any]]:
        return self.gh.runs

    @property
    def current(self) -> dict[str, Any]:
        return self.traffic.current

    @property
    def backlog(self) -> dict[str, float]:
        return self.traffic.backlog

    @property
    def gh_run_seconds(self) -> float:
        """Seconds a gh workflow run takes from dispatch to completion (tests may shorten it)."""
        return self.gh.run_seconds

    @gh_run_seconds.setter
    def gh_run_seconds(self, seconds: float) -> None:
        self.gh.run_seconds = seconds

    # ------------------------------------------------------------------------------------
    # time
    def advance(self) -> float:
        """Bring every counter up to the clock's current time; returns that time."""
        with self.lock:
            now = self.clock()
            if now <= self.last:
                return self.last
            self._integrate(self.last, now)
            self.last = now
            self.gh.progress(now, self._rollback_run_done)
            return now

    def _integrate(self, t0: float, t1: float, max_steps: int = MAX_STEPS) -> None:
        span = t1 - t0
        steps = min(max_steps, max(1, math.ceil(span / MAX_STEP_S)))
        width = span / steps
        prof = self._profile()
        for i in range(steps):
            a = t0 + i * width
            self.traffic.step(a, a + width, prof, self._controls())

    def _controls(self) -> TrafficControls:
        return TrafficControls(
            flags=self.flags(),
            blocked_ips=self.kv_store.blocked_ips(),
            edge_blocked=self.edge_rules.edge_blocked(),
            tf_vars=self.terraform.vars,
            cache_rules=self.workers.cache_rules,
            circuit_breaker_since=self.circuit_breaker_since,
            cache_hit_ratio=self.cache.hit_ratio,
        )

    def _profile(self) -> Profile:
        return SCENARIOS[self.scenario]

    def _secret(self, name: str) -> str | None:
        return self.worker_secrets.value(MAIN_WORKER, name)

    def flags(self) -> dict[str, Any]:
        with self.lock:
            multiplier = self._rate_limit_multiplier()
            level = self.zone.security_level()
            return {
                "circuit_breaker": _as_bool(self._secret("CIRCUIT_BREAKER_ENABLED") or "false"),
                "performance_mode": _as_bool(self._secret("PERFORMANCE_MODE") or "false"),
                "rate_limit_multiplier": multiplier,
                "security_level": level,
                "under_attack": level == "under_attack",
                "strict_waf": bool(self.terraform.vars["enable_strict_waf"]),
            }

    def _rate_limit_multiplier(self) -> float:
        raw = self._secret("RATE_LIMIT_MULTIPLIER")
        if raw is None:
            return 1.0
        try:
            value = float(raw)
        except ValueError:
            return 1.0
        return value if value > 0 and math.isfinite(value) else 1.0

    def blocked_ips(self) -> list[str]:
        with self.lock:
            return self.kv_store.blocked_ips()

    # ------------------------------------------------------------------------------------
    # scenario and health
    def set_scenario(self, name: str) -> None:
        with self.lock:
            if name not in SCENARIOS:
                raise SimError(f"unknown scenario {name!r} (known: {', '.join(SCENARIO_NAMES)})")
            now = self.advance()
            if name == self.scenario:
                return
            self.scenario = name
            self.scenario_since = now
            self.scenario_history.append({"scenario": name, "at": iso(now)})
            if SCENARIOS[name].queue_backlog:
                self.traffic.start_backlog()

    def health(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) of ``GET /health``."""
        with self.lock:
            now = self.advance()
            prof = self._profile()
            flags = self.flags()
            components = {c: "healthy" for c in COMPONENTS}
            components.update(prof.components)
            bad = prof.health == "down" or self.scenario == "error-spike"
            if flags["circuit_breaker"] and bad:
                status, code = "degraded", 200
                components = {c: ("degraded" if s != "healthy" else s) for c, s in components.items()}
            elif prof.health == "down":
                status, code = "down", 503
            else:
                status, code = "healthy", 200
            if self.cache.warming(now):
                components["cache"] = "warming"
            body = {
                "status": status,
                "version": VERSION,
                "timestamp": iso(now),
                "uptime_seconds": round(now - self.started, 1),
                "components": components,
            }
            return code, body

    # ------------------------------------------------------------------------------------
    # metrics read-out (for the exposition)
    def metrics_snapshot(self) -> dict[str, Any]:
        with self.lock:
            self.advance()
            return self.traffic.metrics_snapshot()

    # ------------------------------------------------------------------------------------
    # faults
    def set_faults(self, body: dict[str, Any]) -> dict[str, Any]:
        _faults.check_keys(body)
        with self.lock:
            new = _faults.checked_faults(self.faults, body)
            if body.get("custom_entrypoint") == "missing":  # a state change, not a lasting fault
                self.edge_rules.drop_entrypoint()
            elif body.get("custom_entrypoint") == "present" and self.edge_rules.ruleset is None:
                self.edge_rules.seed_entrypoint()
            if "gh_run" in body:
                self.gh.next_conclusion = _faults.check_gh_run(body["gh_run"])
            self.faults = new
            return dict(self.faults, gh_run=self.gh.next_conclusion)

    # ------------------------------------------------------------------------------------
    # admin cache purge (the edge's own endpoint)
    def admin_purge(self, older_than: Any) -> dict[str, Any]:
        seconds = parse_duration(older_than)
        with self.lock:
            now = self.advance()
            return self.cache.admin_purge(older_than, seconds, now, iso(now), self.rng)

    # ------------------------------------------------------------------------------------
    # Cloudflare: zone settings and purge
    def get_setting(self, zone: str, setting: str) -> dict[str, Any]:
        with self.lock:
            return self.zone.get(zone, setting)

    def set_setting(self, zone: str, setting: str, value: Any) -> dict[str, Any]:
        with self.lock:
            self.zone.check(setting, value)
            now = self.advance()
            return self.zone.set(zone, setting, value, iso(now))

    def purge_cache(self, zone: str, kind: str, items: list[Any] | None) -> str:
        with self.lock:
            now = self.advance()
            return self.cache.zone_purge(zone, kind, items, now, iso(now))

    # ------------------------------------------------------------------------------------
    # KV
    def kv_namespace(self, ns: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            return self.kv_store.namespace(ns)

    def kv_list(
        self, ns: str, prefix: str = "", cursor: str | None = None, limit: int = 1000
    ) -> tuple[list[dict[str, Any]], str]:
        with self.lock:
            return self.kv_store.list(ns, prefix, cursor, limit)

    def kv_get(self, ns: str, key: str) -> str | None:
        with self.lock:
            return self.kv_store.get(ns, key)

    def kv_put(self, ns: str, key: str, value: str, metadata: Any = None, expiration: float | None = None) -> None:
        if not key or len(key.encode()) > 512:
            raise SimError("key name must be 1 to 512 bytes")
        with self.lock:
            self.advance()
            self.kv_store.put(ns, key, value, metadata, expiration)

    def kv_delete(self, ns: str, key: str) -> bool:
        with self.lock:
            self.advance()
            return self.kv_store.delete(ns, key)

    def local_kv_op(self, op: str, ns: str, key: str | None = None, value: str | None = None) -> Any:
        """wrangler's local store (used when a KV command lacks --remote); never the remote state."""
        with self.lock:
            return self.kv_store.local_op(op, ns, key, value)

    # ------------------------------------------------------------------------------------
    # secrets
    def put_secret(self, script: str, name: str, value: str) -> None:
        with self.lock:
            self.worker_secrets.require(script)
            check_secret_name(name)
            if script in self.workers.rollouts:
                raise VersionNotDeployed(
                    "Secret edit failed. You attempted to modify a secret, but the latest version of your Worker "
                    "isn't currently deployed. Please ensure that the latest version of your Worker is fully "
                    "deployed (wrangler versions deploy) before modifying secrets."
                )
            now = self.advance()
            before = self.flags()["circuit_breaker"]
            self.worker_secrets.put(script, name, value, now, iso(now))
            self.workers.secret_deployment(script, now)
            after = self.flags()["circuit_breaker"]
            if after and not before:
                self.circuit_breaker_since = now
            elif not after:
                self.circuit_breaker_since = None

    def delete_secret(self, script: str, name: str) -> bool:
        with self.lock:
            self.worker_secrets.require(script)
            self.advance()
            gone = self.worker_secrets.delete(script, name)
            if name == "CIRCUIT_BREAKER_ENABLED" and script == MAIN_WORKER:
                self.circuit_breaker_since = None
            return gone

    # ------------------------------------------------------------------------------------
    # queues
    def queue_id_to_name(self, queue_id: str) -> str | None:
        return _queue_id_to_name(queue_id)

    def queue_details(self, name: str) -> dict[str, Any]:
        return _queue_details(name, self.started, self.terraform.vars, MAIN_WORKER)

    def queue_metrics(self, name: str) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            return self.traffic.queue_metrics(name, now)

    # ------------------------------------------------------------------------------------
    # terraform
    def terraform_apply(self, changes: dict[str, Any]) -> dict[str, Any]:
        clean = checked_vars(changes)
        with self.lock:
            now = self.advance()
            return self.terraform.apply(clean, iso(now))

    # ------------------------------------------------------------------------------------
    # GitHub Actions rollback runs
    def gh_dispatch(self, workflow: str, inputs: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            return self.gh.dispatch(workflow, inputs, now)

    def _rollback_run_done(self, run: dict[str, Any], at: float) -> None:
        """A finished rollback run: a successful production one rolls the worker back."""
        if run["conclusion"] != "success" or run["inputs"].get("environment") != "production":
            return
        # the workflow runs `wrangler rollback [VERSION_ID] --name WORKER --message REASON -y` in CI: without a
        # version wrangler takes the previous deployment's 100% version (after a secret change: the same code),
        # and a 10220 "secrets changed" is confirmed by wrangler's non-interactive fallback (yes)
        script = run["inputs"].get("worker") or MAIN_WORKER
        version = run["inputs"].get("version_id") or ""
        record = {
            "at": iso(at),
            "run": run["databaseId"],
            "reason": run["inputs"].get("reason"),
            "scenario_before": self.scenario,
            "worker": script,
            "requested_version": version or None,
        }
        try:
            if not version:
                version = self.workers.default_rollback_version(script)
            result = self._rollback(
                script,
                version,
                "Rollback: " + str(run["inputs"].get("reason", "")),
                True,
                at,
                author="github-actions@twist.io",
            )
            record["version"] = version
            record["code_rolled_back"] = result["code_rolled_back"]
        except (KeyError, SimError) as exc:
            run["conclusion"] = "failure"
            record["error"] = str(exc)
        record["scenario_after"] = self.scenario
        self.rollbacks.append(record)

    def gh_complete(self, run_id: int) -> dict[str, Any]:
        """Finish a run now (``gh run watch`` calls this when its stream ends)."""
        with self.lock:
            now = self.advance()
            run = self.gh.find(run_id)
            if run["status"] != "completed":
                self.gh.complete(run, now, self._rollback_run_done)
            return self.gh.view(run)

    def finish_run_in(self, run_id: int, seconds: float) -> None:
        """Let a running workflow run complete ``seconds`` from now (tests pace ``gh run watch``)."""
        with self.lock:
            now = self.advance()
            self.gh.pace(run_id, seconds, now)

    def gh_run(self, run_id: int) -> dict[str, Any]:
        with self.lock:
            self.advance()
            return self.gh.view(self.gh.find(run_id))

    def gh_run_list(self, workflow: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            self.advance()
            return self.gh.listing(workflow)

    # ------------------------------------------------------------------------------------
    # deployments
    def deploy_script(self, script: str, files: dict[str, str], message: str | None = None) -> dict[str, Any]:
        """A ``wrangler deploy``: a new version at 100%, newest first in ``deployments list``. An upload
        of the main worker takes its cache rules (``CACHE_RULES['/path'] = ...`` or ``'/path': {...}``
        entries in its modules) from then on. An upload of an unknown name creates the Worker (how
        ``wrangler secret put`` makes its draft)."""
        with self.lock:
            now = self.advance()
            if script not in self.workers.deployments:
                self.worker_secrets.secrets.setdefault(script, {})
            return self.workers.deploy(script, files, message, now)

    def deployment_list(self, script: str) -> list[dict[str, Any]]:
        with self.lock:
            self.advance()
            return self.workers.listing(script)

    # ------------------------------------------------------------------------------------
    # versions, gradual rollouts and rollbacks (wrangler 4's versions/deployments model)
    def start_rollout(self, script: str, percentage: int = 10) -> dict[str, Any]:
        """Test knob: a gradual rollout of a new upload at ``percentage``% (the rest on the current version)."""
        with self.lock:
            now = self.advance()
            return self.workers.start_rollout(script, percentage, now)

    def versions_secret_put(self, script: str, name: str, value: str) -> dict[str, Any]:
        """``wrangler versions secret put``: a new version with the secret, not deployed."""
        with self.lock:
            self.workers.require(script)
            check_secret_name(name)
            now = self.advance()
            return self.workers.versions_secret_put(script, name, now)

    def rollback(self, script: str, version_id: str, message: str = "Rollback", force: bool = False) -> dict[str, Any]:
        """A deployment of ``version_id`` at 100% (``POST .../deployments``, ``?force=true`` after 10220)."""
        with self.lock:
            now = self.advance()
            return self._rollback(script, version_id, message, force, now)

    def _rollback(
        self, script: str, version_id: str, message: str, force: bool, at: float, author: str = "wrangler@sim.twist.io"
    ) -> dict[str, Any]:
        target = self.workers.target(script, version_id)
        changed = self.worker_secrets.changed_since(script, parse_iso(target["created_on"]))
        if changed and not force:
            raise SecretsChanged(version_id, changed)
        entry, code_rolled_back = self.workers.rollback(script, version_id, message, at, author)
        self.worker_secrets.revert(script, changed)  # the target version's secrets come back
        if script == MAIN_WORKER and "CIRCUIT_BREAKER_ENABLED" in changed:
            self.circuit_breaker_since = None
        if script == MAIN_WORKER and code_rolled_back and self.scenario == "error-spike":
            self.scenario = "normal"
            self.scenario_since = at
            self.scenario_history.append({"scenario": "normal", "at": iso(at), "by": "rollback"})
        return {"deployment": copy.deepcopy(entry), "code_rolled_back": code_rolled_back, "secrets_reverted": changed}

    # ------------------------------------------------------------------------------------
    # pull requests (gh pr create) and other people's workflow runs
    def gh_pr_create(self, repo: str, head: str, base: str, title: str, body: str) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            return self.gh.pr_create(repo, head, base, title, body, now)

    def gh_foreign_run(
        self, actor: str = "alice", event: str = "workflow_dispatch", environment: str = "staging"
    ) -> dict[str, Any]:
        """Test knob: someone else's rollback run (a teammate's dispatch, or a scheduled/push run)."""
        with self.lock:
            run = self.gh_dispatch(ROLLBACK_WORKFLOW, {"environment": environment, "reason": f"{actor}'s drill"})
            found = self.gh.find(run["databaseId"])
            found["event"] = event
            found["actor"] = actor
            return self.gh.view(found)

    # ------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything, as JSON-ready data (secret values are never included)."""
        with self.lock:
            now = self.advance()
            blocked = self.kv_store.blocked_ips()
            prof = self._profile()
            traffic = self.traffic
            zone = self.zone.snapshot()
            workers = self.workers.snapshot()
            return {
                "time": iso(now),
                "scenario": self.scenario,
                "scenario_since": iso(self.scenario_since),
                "scenario_description": prof.description,
                "scenarios": list(SCENARIO_NAMES),
                "scenario_history": list(self.scenario_history),
                "version": VERSION,
                "account_id": ACCOUNT_ID,
                "zone_id": ZONE_ID,
                "kv_namespace_id": KV_NAMESPACE_ID,
                "worker": MAIN_WORKER,
                "scripts": list(SCRIPTS),
                "flags": self.flags(),
                "current": dict(traffic.current),
                **zone,
                "attack_ips": [
                    {
                        "ip": ip,
                        "share": share,
                        "active": prof.attack_rps > 0,
                        "blocked": ip in blocked,
                        "blocks_total": int(traffic.blocks_by_ip.get(ip, 0.0)),
                    }
                    for ip, share in ATTACK_IPS.items()
                ],
                "blocked_ips": blocked,
                "edge": dict(self.edge_rules.snapshot(), blocked_requests=int(traffic.edge_blocked_requests)),
                **self.kv_store.snapshot(),
                **self.worker_secrets.snapshot(),
                **self.cache.snapshot(iso),
                "queues": {q: {"queue_id": QUEUES[q], "backlog": int(b)} for q, b in traffic.backlog.items()},
                "terraform": self.terraform.snapshot(),
                "deployments": workers.pop("deployments"),
                "uploads": workers.pop("uploads"),
                "cache_rules": workers.pop("cache_rules"),
                "gh_runs": [self.gh.view(r) for r in self.gh.runs],
                "rollbacks": list(self.rollbacks),
                "faults": dict(self.faults, gh_run=self.gh.next_conclusion),
                "gh_run_seconds": self.gh.run_seconds,
                "pulls": [dict(p) for p in self.gh.pulls],
                **workers,  # drafts, rollouts, undeployed_versions, deployment_versions
            }
