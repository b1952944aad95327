"""Simulated ``wrangler tail`` events of the edge's other workers, each with its own shape.

The shapes follow wrangler 4's ``TailEventMessage`` (cloudflare/workers-sdk, packages/wrangler/src/tail/
createTail.ts): ``outcome``, ``scriptName``, ``entrypoint``, ``exceptions``, ``logs``, ``eventTimestamp`` and
``event``, one of

- a request event ``{"request": {...}, "response": {...}}`` (the security WAF's fetches; the rate limiter's
  Durable Object fetches, with ``entrypoint`` the Durable Object class and ``executionModel`` ``durableObject``);
- an RPC event ``{"rpcMethod": "..."}`` (the VAU processor calling the rate limiter's Durable Object);
- an alarm event ``{"scheduledTime": "<ISO 8601>"}`` (a Durable Object alarm: a string, where a cron's
  ``scheduledTime`` is a number);
- a queue event ``{"queue": "<name>", "batchSize": N}`` (the queue consumer's batches).

The scenario steers them: ddos brings rate-limit denials and WAF blocks, queue-backlog full batches and
retries, error-spike exceptions.
"""

from __future__ import annotations

import random
import time

from console.sim.scenarios import ATTACK_IPS, COLOS
from console.sim.tail_events import COUNTRY, _lognormal, _pick, error_probability, profile

# the simulated ``wrangler tail`` imports this at every start: ``typing`` would cost start-up time, and the
# annotations are never evaluated (``from __future__ import annotations``)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: each worker's tail volume relative to the VAU processor's (a queue consumer runs once per batch)
RATE_FACTOR = {"security-waf": 1.0, "rate-limiter": 0.8, "queue-processor": 0.15}
WAF_RULES = ("sqli-body", "xss-query", "path-traversal", "bad-bot-ua", "geo_block")
QUEUES = ("vau-batch", "analytics", "dead-letter")


def role_of(script: str) -> str:
    """The worker role of a script name (``rate-limiter-production`` -> ``rate-limiter``); ``""`` for others."""
    for role in RATE_FACTOR:
        if script == role or script.startswith(role + "-"):
            return role
    return ""


def _base(
    script: str,
    outcome: str,
    t: int,
    count: int,
    cpu: float,
    wall: float,
    model: str = "stateless",
    entrypoint: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "outcome": outcome,
        "scriptName": script,
        "diagnosticsChannelEvents": [],
        "exceptions": [],
        "logs": [],
        "eventTimestamp": t,
        "id": count,
        "wallTime": round(wall, 3),
        "cpuTime": round(cpu, 3),
        "truncated": False,
        "executionModel": model,
    }
    if entrypoint:
        out["entrypoint"] = entrypoint
    return out


def _client_ip(rng: random.Random, attack: bool) -> str:
    if attack:
        return _pick(rng, ATTACK_IPS)
    return f"{rng.choice((81, 84, 93, 145))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _attack(rng: random.Random, scenario: str) -> bool:
    p = profile(scenario)
    share = p.attack_rps / (p.attack_rps + p.legit_rps) if p.attack_rps else 0.0
    return rng.random() < share


def waf_event(gen: Any, scenario: str, now_ms: float) -> dict[str, Any]:
    rng, t = gen.rng, int(now_ms)
    attack = _attack(rng, scenario)
    ip = _client_ip(rng, attack)
    colo = _pick(rng, COLOS)
    blocked = attack and rng.random() < 0.6 or rng.random() < 0.01
    cpu = _lognormal(rng, 0.9, 2.5)
    event = _base(gen.worker, "ok", t, gen.count, cpu, cpu + _lognormal(rng, 2.0, 6.0))
    path = "/api/v1/vau/verify" if attack else rng.choice(("/api/v1/vau/process", "/api/v1/session", "/static/app.js"))
    if blocked:
        rule = rng.choice(WAF_RULES)
        event["logs"].append({"message": ["waf: blocked", {"rule": rule, "ip": ip}], "level": "warn", "timestamp": t})
        status = 403
    else:
        event["logs"].append({"message": ["waf: pass"], "level": "debug", "timestamp": t})
        status = 200
    if rng.random() < error_probability(scenario) / 4:
        event["outcome"] = "exception"
        event["exceptions"].append(
            {
                "name": "Error",
                "message": "WAF rules KV read failed: waf:rules:v12",
                "timestamp": t,
                "stack": "Error: WAF rules KV read failed\n    at loadRules (waf.js:31:9)",
            }
        )
        status = 500
    event["event"] = {
        "request": {
            "url": f"https://api.twist.io{path}",
            "method": "POST" if attack else "GET",
            "headers": {
                "host": "api.twist.io",
                "cf-connecting-ip": ip,
                "user-agent": "python-requests/2.31.0" if attack else "TWIST-App/3.8.1",
            },
            "cf": {"colo": colo, "country": COUNTRY.get(colo, "US")},
        },
        "response": {"status": status},
    }
    return event


def rate_limiter_event(gen: Any, scenario: str, now_ms: float) -> dict[str, Any]:
    """The rate limiter's Durable Object: RPC calls from the VAU processor, DO fetches, alarms."""
    rng, t = gen.rng, int(now_ms)
    roll = rng.random()
    cpu = _lognormal(rng, 0.4, 1.6)
    event = _base(
        gen.worker,
        "ok",
        t,
        gen.count,
        cpu,
        cpu + _lognormal(rng, 1.0, 4.0),
        model="durableObject",
        entrypoint="RateLimiter",
    )
    if roll < 0.04:  # the window's alarm: the DO resets its counters
        scheduled = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms / 1000)) + f".{t % 1000:03d}Z"
        event["event"] = {"scheduledTime": scheduled}
        event["logs"].append(
            {"message": ["alarm: window reset", {"keys": rng.randrange(50, 4000)}], "level": "info", "timestamp": t}
        )
        return event
    attack = _attack(rng, scenario)
    ip = _client_ip(rng, attack)
    denied = attack and rng.random() < 0.7
    if roll < 0.7:
        event["event"] = {"rpcMethod": "consume"}
        event["logs"].append(
            {
                "message": ["consume", {"key": f"ip:{ip}", "allowed": not denied}],
                "level": "warn" if denied else "log",
                "timestamp": t,
            }
        )
    else:
        event["event"] = {
            "request": {
                "url": f"https://rate-limiter.internal/check?key=ip:{ip}",
                "method": "GET",
                "headers": {"host": "rate-limiter.internal"},
                "cf": {},
            },
            "response": {"status": 429 if denied else 200},
        }
        if denied:
            event["logs"].append({"message": [f"rate limit exceeded for ip:{ip}"], "level": "warn", "timestamp": t})
    if rng.random() < error_probability(scenario) / 6:
        event["outcome"] = "exception"
        event["exceptions"].append(
            {"name": "Error", "message": "Durable Object storage operation exceeded timeout", "timestamp": t}
        )
    return event


def queue_event(gen: Any, scenario: str, now_ms: float) -> dict[str, Any]:
    """The queue consumer: one event per message batch (``queue``, ``batchSize``)."""
    rng, t = gen.rng, int(now_ms)
    backlog = profile(scenario).queue_backlog
    queue = "vau-batch" if rng.random() < 0.8 else rng.choice(QUEUES[1:])
    size = 100 if backlog and queue == "vau-batch" else rng.randrange(1, 100)
    cpu = _lognormal(rng, 4.0 + size * 0.05, 15.0 + size * 0.1)
    event = _base(gen.worker, "ok", t, gen.count, cpu, cpu + _lognormal(rng, 40.0, 400.0))
    event["event"] = {"queue": queue, "batchSize": size}
    retried = rng.randrange(0, 5) if backlog else 0
    event["logs"].append(
        {
            "message": [f"processed {size - retried} of {size} messages", {"queue": queue}],
            "level": "log",
            "timestamp": t,
        }
    )
    if retried:
        event["logs"].append(
            {"message": [f"retrying {retried} messages: vau-backend timeout"], "level": "warn", "timestamp": t}
        )
    if rng.random() < error_probability(scenario) / 3:
        event["outcome"] = "exception"
        event["exceptions"].append(
            {"name": "Error", "message": f"batch from {queue} failed: upstream 502", "timestamp": t}
        )
    return event


GENERATORS = {"security-waf": waf_event, "rate-limiter": rate_limiter_event, "queue-processor": queue_event}
