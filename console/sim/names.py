"""Names the simulated edge shares with the console, without importing the server (start-up time)."""

from __future__ import annotations

import secrets
import sys

API_TOKEN_ENV = "EDGE_SIM_API_TOKEN"
ADMIN_TOKEN_ENV = "EDGE_SIM_ADMIN_TOKEN"
URL_ENV = "EDGE_SIM_URL"
#: the scenarios of ``console.sim.scenarios`` (the same order; a test keeps them equal), for option choices
SCENARIO_NAMES = ("normal", "error-spike", "latency", "ddos", "queue-backlog", "cache-collapse", "outage")
#: the simulated edge's own account/zone/KV namespace/queue IDs (``console.sim.state``, ``scenarios.QUEUES``):
#: the only IDs a config may give that are not 32 hexadecimal characters (letters, digits and hyphens)
SIM_ACCOUNT_ID = "sim-account-0001"
SIM_ZONE_ID = "sim-zone-0001"
SIM_KV_NAMESPACE_ID = "sim-kv-namespace-0001"
SIM_QUEUE_IDS = {"vau-batch": "sim-queue-vau-batch", "analytics": "sim-queue-analytics", "dead-letter": "sim-queue-dlq"}
SIM_IDS = frozenset({SIM_ACCOUNT_ID, SIM_ZONE_ID, SIM_KV_NAMESPACE_ID, *SIM_QUEUE_IDS.values()})
#: the commands the simulated edge provides (``console.sim.tools.<name>``), the ``tools.*`` defaults
SIM_TOOLS = ("wrangler", "gh", "terraform", "npm", "node")


def sim_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def tool_argv(tool: str) -> list[str]:
    return [sys.executable, "-m", f"console.sim.tools.{tool}"]


def new_token(kind: str) -> str:
    """A fresh random token for the simulated edge (``kind``: ``api`` or ``admin``)."""
    return f"sim-{kind}-" + secrets.token_urlsafe(24)
