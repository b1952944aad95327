"""Simulated ``wrangler tail`` events that follow the simulator's scenario.

Pure generation from a seeded ``random.Random``: the scenario profile (console.sim.scenarios) sets the
error fraction and types, CPU-time distribution and attack traffic. Errors are amplified compared
with the metrics (a tail is a sample an operator reads, so an error spike must be visible in it):
error-spike brings exceptions and error logs, latency brings high cpuTime (some exceededCpu), ddos
brings bursts from a few IPs.
"""

from __future__ import annotations

import math
import random

from console.sim.scenarios import ATTACK_IPS, COLOS, NORMAL, SCENARIOS, Profile

# the simulated ``wrangler tail`` imports this at every start: ``typing`` would cost start-up time, and the
# annotations are never evaluated (``from __future__ import annotations``)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PATHS = (
    ("POST", "/api/v1/vau/process", 0.42),
    ("POST", "/api/v1/vau/verify", 0.2),
    ("GET", "/api/v1/session", 0.14),
    ("GET", "/health", 0.08),
    ("GET", "/static/app.js", 0.1),
    ("PUT", "/api/v1/keys/rotate", 0.02),
    ("DELETE", "/api/v1/session", 0.04),
)
COUNTRY = {"FRA": "DE", "AMS": "NL", "LHR": "GB", "IAD": "US", "SJC": "US", "SIN": "SG", "NRT": "JP"}
AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    "okhttp/4.12.0",
    "TWIST-App/3.8.1 (Android 14)",
    "TWIST-App/3.8.0 (iOS 18.1)",
    "curl/8.5.0",
)
EXCEPTIONS = (
    ("TypeError", "Cannot read properties of undefined (reading 'salt')", 0.46),
    ("Error", "VAU signature mismatch for key epoch 2025-W48", 0.24),
    ("RangeError", "Invalid time value", 0.12),
    ("SyntaxError", "Unexpected end of JSON input", 0.1),
    ("Error", "KV GET salt:week:48 returned null", 0.08),
)
ERROR_LOGS = {
    "exception": "unhandled exception in vau handler",
    "timeout": "upstream timeout after 30000ms: vau-backend.internal",
    "upstream": "upstream fetch failed: 502 Bad Gateway from vau-backend.internal",
    "validation": "VAU validation failed: missing field 'pseudonym'",
    "unavailable": "circuit open: vau-backend unavailable",
    "circuit_open": "circuit open: vau-backend unavailable",
}
ERROR_STATUS = {
    "exception": 500,
    "timeout": 504,
    "upstream": 502,
    "validation": 500,
    "unavailable": 503,
    "circuit_open": 503,
}
OVERLOAD = (
    "Tail is currently in sampling mode due to the high volume of messages. To prevent messages "
    "from being dropped consider adding filters."
)


def _pick(rng: random.Random, weighted: Any) -> Any:
    items = list(weighted.items()) if isinstance(weighted, dict) else [(w[:-1], w[-1]) for w in weighted]
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, weight in items:
        x -= weight
        if x <= 0:
            return item
    return items[-1][0]


def _lognormal(rng: random.Random, median: float, p95: float) -> float:
    sigma = max(0.05, math.log(max(p95, median * 1.01) / median) / 1.645)
    return median * math.exp(sigma * rng.gauss(0.0, 1.0))


def profile(scenario: str) -> Profile:
    return SCENARIOS.get(scenario, NORMAL)


def events_per_second(scenario: str) -> float:
    """The simulated tail's volume: a sample of the edge's request rate (about 1 in 200)."""
    p = profile(scenario)
    return max(2.0, (p.legit_rps + p.attack_rps) / 200.0)


def error_probability(scenario: str) -> float:
    return min(0.9, profile(scenario).error_fraction * 8.0)


class TailEventGenerator:
    def __init__(self, worker: str = "vau-processor-production", seed: int | None = None) -> None:
        self.worker = worker
        self.rng = random.Random(seed)
        self.count = 0

    def overload_notice(self, now_ms: float) -> dict[str, Any]:
        return {
            "outcome": "ok",
            "scriptName": self.worker,
            "exceptions": [],
            "logs": [],
            "eventTimestamp": int(now_ms),
            "event": {"type": "overload", "message": OVERLOAD},
        }

    def event(self, scenario: str, now_ms: float) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        from console.sim.tail_worker_events import GENERATORS, role_of

        other = GENERATORS.get(role_of(self.worker))
        if other is not None:  # the security WAF, the rate limiter's Durable Object, the queue consumer
            return other(self, scenario, now_ms)
        p = profile(scenario)
        if rng.random() < 0.002:
            return self._cron(now_ms)
        attack_share = p.attack_rps / (p.attack_rps + p.legit_rps) if p.attack_rps else 0.0
        attack = rng.random() < attack_share
        colo = _pick(rng, COLOS)
        if attack:
            ip = _pick(rng, ATTACK_IPS)
            method, path = "POST", "/api/v1/vau/verify"
            agent = "python-requests/2.31.0"
        else:
            ip = f"{rng.choice((81, 84, 93, 145, 176, 188))}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            method, path = _pick(rng, PATHS)
            agent = rng.choice(AGENTS)
        cpu = _lognormal(rng, p.cpu_median_ms, p.cpu_p95_ms)
        wall = max(cpu, _lognormal(rng, p.latency_median_ms, p.latency_p95_ms))
        outcome = "ok"
        status = int(_pick(rng, {"200": 0.87, "201": 0.05, "304": 0.05, "400": 0.02, "404": 0.01}))
        logs: list[dict[str, Any]] = []
        exceptions: list[dict[str, Any]] = []
        t = int(now_ms)
        if path != "/health":
            logs.append({"message": [f"{method} {path}", {"colo": colo}], "level": "log", "timestamp": t})
        if attack and rng.random() < 0.7:
            status = rng.choice((429, 403))
            logs.append({"message": [f"rate limit exceeded for {ip}"], "level": "warn", "timestamp": t})
        elif rng.random() < error_probability(scenario):
            kind = _pick(rng, p.error_types)
            status = ERROR_STATUS.get(kind, 500)
            if kind == "exception":
                name, message = _pick(rng, EXCEPTIONS)
                outcome = "exception"
                exceptions.append(
                    {
                        "name": name,
                        "message": message,
                        "timestamp": t,
                        "stack": f"{name}: {message}\n    at handleVau (worker.js:{rng.randrange(80, 400)}:17)\n"
                        "    at async Object.fetch (worker.js:42:12)",
                    }
                )
                logs.append({"message": [ERROR_LOGS["exception"], message], "level": "error", "timestamp": t})
            else:
                logs.append(
                    {"message": [ERROR_LOGS.get(kind, f"request failed: {kind}")], "level": "error", "timestamp": t}
                )
        if cpu > 50 and rng.random() < 0.25:
            outcome = "exceededCpu"
            status = 503
        elif cpu > 25:
            logs.append(
                {"message": [f"slow operation: KV get salt:week took {wall:.0f}ms"], "level": "warn", "timestamp": t}
            )
        if rng.random() < 0.03:
            logs.append({"message": ["cache", {"hit": rng.random() < p.cache_hit}], "level": "debug", "timestamp": t})
        ray = "%016x" % rng.getrandbits(64)
        return {
            "outcome": outcome,
            "scriptName": self.worker,
            "diagnosticsChannelEvents": [],
            "exceptions": exceptions,
            "logs": logs,
            "eventTimestamp": t,
            "event": {
                "request": {
                    "url": f"https://api.twist.io{path}",
                    "method": method,
                    "headers": {
                        "host": "api.twist.io",
                        "user-agent": agent,
                        "cf-connecting-ip": ip,
                        "cf-ray": f"{ray}-{colo}",
                        "x-forwarded-proto": "https",
                        "accept": "application/json",
                    },
                    "cf": {
                        "colo": colo,
                        "country": COUNTRY.get(colo, "US"),
                        "asn": rng.choice((3320, 6805, 13335, 16509)),
                        "httpProtocol": "HTTP/2",
                        "tlsVersion": "TLSv1.3",
                    },
                },
                "response": {"status": status},
            },
            "id": self.count,
            "wallTime": round(wall, 3),
            "cpuTime": round(cpu, 3),
            "truncated": False,
            "executionModel": "stateless",
            "scriptVersion": {"id": "5f0c1d2e-sim0-4a6b-9c8d-000000000048"},
        }

    def _cron(self, now_ms: float) -> dict[str, Any]:
        t = int(now_ms)
        return {
            "outcome": "ok",
            "scriptName": self.worker,
            "diagnosticsChannelEvents": [],
            "exceptions": [],
            "logs": [{"message": ["salt rotation check: current epoch 2025-W48"], "level": "info", "timestamp": t}],
            "eventTimestamp": t,
            "event": {"cron": "*/5 * * * *", "scheduledTime": t},
            "id": self.count,
            "wallTime": 12.0,
            "cpuTime": 1.4,
            "truncated": False,
            "executionModel": "stateless",
        }
