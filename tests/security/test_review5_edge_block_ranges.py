"""Review 5: the edge block flows' ``ip`` input (type ``edge_ip``) took any CIDR. A careless operator typing
``0.0.0.0/0`` (or ``::/0``) into "Block an IP at the edge" blocked every client of the zone before the
Worker, and the simulated API took it. The real API (Cloudflare custom lists, IP lists) takes IPv4 CIDRs of
/8 to /32 and IPv6 CIDRs of /12 to /64 only; and a bare address is refused when it is loopback, multicast,
link-local or reserved, but a CIDR of those (``127.0.0.0/8``, ``224.0.0.0/4``, ``fe80::/10``) was taken.
Now the form refuses what the API refuses and the special ranges, and the simulator refuses what the API
refuses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from console.runbook.inputs import InputError, parse_input
from console.runbook.loader import load_for_config
from console.sim import published
from console.sim.edge_rules import RulesError, normalise_ip
from console.sim.server import SimServer


def _spec(flow_id: str):
    flow = load_for_config(None).get(flow_id)
    return next(i for i in flow.inputs if i.name == "ip")


@pytest.mark.parametrize("flow_id", ["edge-block-ip", "edge-unblock-ip"])
@pytest.mark.parametrize(
    "text, why",
    [
        ("0.0.0.0/0", "/8"),
        ("0.0.0.0/7", "/8"),
        ("::/0", "/12"),
        ("2000::/11", "/12"),
        ("127.0.0.0/8", "loopback"),
        ("224.0.0.0/4", "/8"),
        ("224.0.0.0/8", "multicast"),
        ("fe80::/10", "/12"),
        ("fe80::/16", "link-local"),
        ("240.0.0.0/8", "reserved"),
        ("ff00::/12", "multicast"),
    ],
)
def test_the_edge_ip_input_refuses_ranges_the_api_refuses_or_that_block_no_client(flow_id, text, why):
    with pytest.raises(InputError) as caught:
        parse_input(_spec(flow_id), text)
    assert why in str(caught.value) and text in str(caught.value)


def test_the_edge_ip_input_still_takes_client_ranges_at_the_api_bounds():
    spec = _spec("edge-block-ip")
    assert parse_input(spec, "10.0.0.0/8") == "10.0.0.0/8"
    assert parse_input(spec, "203.0.113.0/24") == "203.0.113.0/24"
    assert parse_input(spec, "203.0.113.9/32") == "203.0.113.9/32"
    assert parse_input(spec, "2000::/12") == "2000::/12"
    assert parse_input(spec, "2001:db8::/64") == "2001:db8::/64"
    assert parse_input(spec, "2001:db8::1") == "2001:db8::/64"


@pytest.mark.parametrize("text", ["0.0.0.0/0", "0.0.0.0/7", "::/0", "2000::/11"])
def test_the_simulated_api_refuses_list_items_wider_than_the_real_api_takes(text):
    with pytest.raises(RulesError) as caught:
        normalise_ip(text)
    assert caught.value.status == 400 and text in str(caught.value)
    assert normalise_ip("10.0.0.0/8") == "10.0.0.0/8" and normalise_ip("2000::/12") == "2000::/12"


def test_blocking_the_whole_internet_at_the_edge_is_refused_before_any_request(state_dir):
    sim = SimServer(host="127.0.0.1", port=0, scenario="ddos")
    url = sim.start()
    entry = published.publish(url, "ddos", sim.api_token, sim.admin_token, paths=dict(sim.workspace()))
    try:
        run = [sys.executable, "-m", "console", "run"]
        setup = subprocess.run([*run, "edge-block-setup", "--yes"], capture_output=True, text=True, timeout=180)
        assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
        block = subprocess.run(
            [*run, "edge-block-ip", "--set", "ip=0.0.0.0/0", "--set", "reason=oops", "--yes"],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert block.returncode == 2, block.stdout[-2000:] + block.stderr[-2000:]
        assert "0.0.0.0/0" in block.stderr and "Traceback" not in block.stderr
        assert sim.state.edge_rules.edge_blocked() == []
        assert all(lst["num_items"] == 0 for lst in sim.state.edge_rules.all_lists())
    finally:
        published.unpublish(entry)
        sim.stop()
