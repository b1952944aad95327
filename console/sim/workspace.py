"""A throw-away checkout for the simulated edge, so the flows that work in a repository run in the demo.

``create_workspace(root, commit_time)`` makes ``root/edge`` a small git repository (when ``git`` is on
PATH) with a few commits touching ``modules/plan-2-edge`` (and one that does not), the worker's
Wrangler configuration and ``src/cache.ts`` (its ``CACHE_RULES`` are the simulator's baseline), a
``package.json`` with the ``security:pentest`` script and ``scripts/export-security-logs.js``. It returns
the environment's ``paths``: ``repo``, ``edge_module``, ``worker_dir`` (no ``export_dir``: exports go to
the state dir, which outlives this checkout).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from console.sim.scenarios import CACHE_RULES_BASELINE

EDGE_MODULE = "modules/plan-2-edge"
WORKER = "vau-processor"

WRANGLER_TOML = """name = "vau-processor"
main = "src/index.ts"
compatibility_date = "2024-09-23"
account_id = "5100000000000000000000000000a001"

[[kv_namespaces]]
binding = "EDGE_KV"
id = "5100000000000000000000000000c001"

[env.production]
[[env.production.kv_namespaces]]
binding = "EDGE_KV"
id = "5100000000000000000000000000c001"

[env.staging]
"""

INDEX_TS = """import { cacheRuleFor } from "./cache";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const rule = cacheRuleFor(new URL(request.url).pathname);
    return handle(request, env, rule);
  },
};
"""

PACKAGE_JSON = """{
  "name": "plan-2-edge",
  "private": true,
  "scripts": {
    "deploy": "wrangler deploy",
    "security:pentest": "node scripts/pentest.js"
  }
}
"""

EXPORT_SCRIPT = """// node scripts/export-security-logs.js --start=ISO --end=ISO
// Writes the security events of the time range to exports/security-logs-<start>-<end>.json.
"""


def cache_ts(endpoints: tuple[str, ...] | list[str]) -> str:
    lines = ["export const CACHE_RULES: Record<string, CacheRule> = {};"]
    for endpoint in endpoints:
        lines.append(
            f"CACHE_RULES['{endpoint}'] = {{ browserTTL: 300, edgeTTL: 60, bypassCache: false, revalidate: true }};"
        )
    lines.append("")
    lines.append("export function cacheRuleFor(path: string): CacheRule | undefined {")
    lines.append("  return Object.entries(CACHE_RULES).find(([prefix]) => path.startsWith(prefix))?.[1];")
    lines.append("}")
    return "\n".join(lines) + "\n"


TERRAFORM_DIR = "infra/terraform"
MAIN_TF = """# The edge's Cloudflare resources (simulated: `terraform` here is console.sim.tools.terraform).
variable "worker_count" { type = number }
variable "api_rate_limit" { type = number }
variable "vau_rate_limit" { type = number }
variable "enable_strict_waf" { type = bool }
variable "queue_batch_size" { type = number }
"""
#: what CI applies: the values in the repository (a value given only with -var is reverted by the next apply)
TERRAFORM_TFVARS = """worker_count      = 10
api_rate_limit    = 100
vau_rate_limit    = 1000
enable_strict_waf = false
queue_batch_size  = 100
"""

#: (message, files relative to the repository) in commit order, oldest first
COMMITS: list[tuple[str, dict[str, str]]] = [
    (
        "Initial production release",
        {
            f"{EDGE_MODULE}/wrangler.toml": WRANGLER_TOML,
            f"{EDGE_MODULE}/src/index.ts": INDEX_TS,
            f"{EDGE_MODULE}/src/cache.ts": cache_ts(CACHE_RULES_BASELINE[:1]),
            f"{EDGE_MODULE}/package.json": PACKAGE_JSON,
            f"{TERRAFORM_DIR}/main.tf": MAIN_TF,
            f"{TERRAFORM_DIR}/terraform.tfvars": TERRAFORM_TFVARS,
        },
    ),
    ("docs: on-call rota", {"docs/oncall.md": "# On call\n\nSee the runbook.\n"}),
    ("Add cache rules for /api/v1/config and /static", {f"{EDGE_MODULE}/src/cache.ts": cache_ts(CACHE_RULES_BASELINE)}),
    ("Harden rate limiter", {f"{EDGE_MODULE}/src/ratelimit.ts": "export const API_RATE_LIMIT = 100;\n"}),
    ("Add the security log export script", {"scripts/export-security-logs.js": EXPORT_SCRIPT}),
    ("Tune VAU batch validation", {f"{EDGE_MODULE}/src/vau.ts": "export const VAU_BATCH_MAX = 100;\n"}),
]


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        timeout=30,
        input=stdin,
    )


def _history(now: float) -> bytes:
    """The commits as one ``git fast-import`` stream (the whole history in one git process)."""
    out = bytearray()

    def data(text: str) -> None:
        raw = text.encode("utf-8")
        out.extend(b"data %d\n" % len(raw) + raw + b"\n")

    for i, (message, files) in enumerate(COMMITS):
        when = int(now - (len(COMMITS) - i) * 86400 * 2)
        out.extend(b"commit refs/heads/main\n")
        out.extend(
            b"author Edge Sim <sim@twist.io> %d +0000\ncommitter Edge Sim <sim@twist.io> %d +0000\n" % (when, when)
        )
        data(message)
        for rel, text in files.items():
            out.extend(f"M 100644 inline {rel}\n".encode())
            data(text)
    return bytes(out)


def create_workspace(root: Path, now: float | None = None) -> dict[str, str]:
    """Write the checkout under ``root`` (replacing an earlier one) and return the ``paths`` for it.

    With git: the history goes into the bare "origin" (``git fast-import``) and the checkout is a local clone
    of it (git hard-links the objects and checks the files out itself), as an operator's checkout is: three
    git processes (each one's start-up is most of its cost; a push to the origin started four more)."""
    now = time.time() if now is None else now
    repo = root / "edge"
    if repo.exists():
        shutil.rmtree(repo)
    if shutil.which("git") is not None:
        # an "origin" to push branches to (the terraform flows' pull requests); not on github.com, so gh needs -R
        origin = root / "edge-origin.git"
        if origin.exists():
            shutil.rmtree(origin)
        root.mkdir(parents=True, exist_ok=True)
        _git(root, "init", "-q", "--bare", str(origin))
        # one pack, not a loose file per object (fast-import unpacks fewer than 100 objects by default)
        _git(origin, "-c", "fastimport.unpackLimit=0", "fast-import", "--quiet", stdin=_history(now))
        # throw-away repositories: no automatic gc/maintenance after a push or commit (a process each)
        with open(origin / "config", "a", encoding="utf-8") as config:
            config.write("[receive]\n\tautogc = false\n")
        _git(root, "clone", "-q", "--config", "maintenance.auto=false", str(origin), str(repo))
    else:
        repo.mkdir(parents=True)
        for _, files in COMMITS:
            for rel, text in files.items():
                path = repo / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return {
        "repo": str(repo),
        "edge_module": EDGE_MODULE,
        "worker_dir": str(repo / EDGE_MODULE),
        "terraform": str(repo / TERRAFORM_DIR),
    }
