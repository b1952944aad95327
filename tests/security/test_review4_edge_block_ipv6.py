"""Review 4: the edge block flows (09-edge-block.yaml) say IPv6 sources are blocked as a CIDR of /64 or
shorter, because Cloudflare's IP lists refuse a bare IPv6 address. But their ``ip`` input was of type
``ip``, which refuses every CIDR: no IPv6 source could be blocked at the edge at all (a bare address was
refused by the API, its /64 by the form). An IPv6 address typed is now blocked as its /64; a CIDR is taken.
Driven as an operator would: headless ``run`` commands joining a console's published simulated edge."""

from __future__ import annotations

import subprocess
import sys

from console.runbook.inputs import parse_input
from console.runbook.loader import load_for_config
from console.sim import published
from console.sim.server import SimServer


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "console", "run", *args, "--yes"], capture_output=True, text=True, timeout=180
    )


def test_the_ip_input_of_the_edge_block_flows_takes_ipv6_as_its_64():
    flow = load_for_config(None).get("edge-block-ip")
    spec = next(i for i in flow.inputs if i.name == "ip")
    assert parse_input(spec, "2001:db8::1") == "2001:db8::/64"
    assert parse_input(spec, "2001:db8:0:0::/48") == "2001:db8::/48"
    assert parse_input(spec, "203.0.113.9") == "203.0.113.9"


def test_an_ipv6_source_is_blocked_and_unblocked_at_the_edge(state_dir):
    sim = SimServer(host="127.0.0.1", port=0, scenario="ddos")
    url = sim.start()
    entry = published.publish(url, "ddos", sim.api_token, sim.admin_token, paths=dict(sim.workspace()))
    try:
        setup = _run("edge-block-setup")
        assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
        block = _run("edge-block-ip", "--set", "ip=2001:db8::1", "--set", "reason=ddos v6")
        assert block.returncode == 0, block.stdout[-2000:] + block.stderr[-2000:]
        assert "2001:db8::/64" in sim.state.edge_rules.edge_blocked()
        unblock = _run("edge-unblock-ip", "--set", "ip=2001:db8::1")
        assert unblock.returncode == 0, unblock.stdout[-2000:] + unblock.stderr[-2000:]
        assert "2001:db8::/64" not in sim.state.edge_rules.edge_blocked()
    finally:
        published.unpublish(entry)
        sim.stop()
