"""Names the simulated edge shares with the console, without importing the server (start-up time)."""

from __future__ import annotations

import os
import sys

API_TOKEN_ENV = "EDGE_SIM_API_TOKEN"
ADMIN_TOKEN_ENV = "EDGE_SIM_ADMIN_TOKEN"
URL_ENV = "EDGE_SIM_URL"
#: the scenarios of ``console.sim.scenarios`` (the same order; a test keeps them equal), for option choices
SCENARIO_NAMES = ("normal", "error-spike", "latency", "ddos", "queue-backlog", "cache-collapse", "outage")
#: the simulated edge's own account/zone/KV namespace/queue IDs (``console.sim.state``, ``scenarios.QUEUES``):
#: 32 hexadecimal characters like Cloudflare's (a config's IDs must be), "51" for "simulated"
SIM_ACCOUNT_ID = "5100000000000000000000000000a001"
SIM_ZONE_ID = "5100000000000000000000000000f001"
SIM_KV_NAMESPACE_ID = "5100000000000000000000000000c001"
SIM_QUEUE_IDS = {
    "vau-batch": "5100000000000000000000000000b001",
    "analytics": "5100000000000000000000000000b002",
    "dead-letter": "5100000000000000000000000000b003",
}
#: the repository the simulated edge's workflows and pull requests live in (``gh -R``)
SIM_GITHUB_REPO = "twist-network/edge"
#: the commands the simulated edge provides (``console.sim.tools.<name>``), the ``tools.*`` defaults
SIM_TOOLS = ("wrangler", "gh", "terraform", "npm", "node")


def sim_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


#: starts a simulated tool without ``site`` (``python -S``): see its docstring
TOOL_LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools", "launch.py")


def tool_argv(tool: str) -> list[str]:
    """The command line of the simulated ``tool`` (one of ``SIM_TOOLS``)."""
    return [sys.executable, "-S", TOOL_LAUNCHER, f"console.sim.tools.{tool}"]


def new_token(kind: str) -> str:
    """A fresh random token for the simulated edge (``kind``: ``api`` or ``admin``)."""
    import secrets  # not at the top: the simulated tools import this module, and need no tokens

    return f"sim-{kind}-" + secrets.token_urlsafe(24)
