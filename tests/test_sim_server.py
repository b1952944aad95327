"""The simulated edge over HTTP on 127.0.0.1: health, metrics, admin purge auth, scenario switching,
fault injection, state, tokens, and the ``edge-console simulate`` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from argparse import Namespace

import httpx
import pytest

from prometheus_client.parser import text_string_to_metric_families

from console.sim.names import TOOL_LAUNCHER
from console.sim.server import SimServer
from console.sources.tls import shared_ssl_context
from tests.util import wait_for_sync

#: one client for the module: creating an httpx client per call costs more than the calls; with the shared TLS
#: context, not a CA bundle of its own loaded at import (~50 ms of CPU in every pytest worker, each collects this)
HTTP = httpx.Client(timeout=10, verify=shared_ssl_context())


def families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def total(text: str, family: str, sample: str) -> float:
    fam = families(text)[family]
    return sum(s.value for s in fam.samples if s.name == sample)


def test_health_normal_shape(sim):
    r = HTTP.get(sim.base_url + "/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "healthy" and body["version"] and body["timestamp"]
    assert set(body["components"]) == {"vau-processor", "security-waf", "rate-limiter", "queue-processor", "cache"}
    assert all(v == "healthy" for v in body["components"].values())


def test_metrics_is_a_prometheus_page(sim):
    r = HTTP.get(sim.base_url + "/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    fams = families(r.text)
    assert {
        "edge_requests",
        "edge_errors",
        "edge_request_duration_seconds",
        "edge_cache_hits",
        "edge_cache_misses",
        "edge_cpu_time_ms",
        "edge_memory_usage_bytes",
        "edge_queue_backlog",
        "edge_queue_processing_duration_seconds",
        "edge_security_blocks",
        "edge_rate_limit_violations",
    } == set(fams)
    assert total(r.text, "edge_requests", "edge_requests_total") > 0


def test_counters_grow_with_wall_time_between_scrapes(sim):
    first = HTTP.get(sim.base_url + "/metrics").text
    a = total(first, "edge_requests", "edge_requests_total")
    b = wait_for_sync(
        lambda: (
            (v := total(HTTP.get(sim.base_url + "/metrics").text, "edge_requests", "edge_requests_total")) > a and v
        ),
        timeout=5,
    )
    assert b > a


def test_switching_scenario_over_http_shows_in_the_next_scrapes(sim):
    r = HTTP.post(sim.base_url + "/admin/scenario", json={"name": "error-spike"})
    assert r.status_code == 200 and r.json()["scenario"] == "error-spike"

    def error_rate() -> float:
        before = HTTP.get(sim.base_url + "/metrics").text
        deadline = time.monotonic() + 5
        while True:  # poll until the window holds enough requests to measure
            after = HTTP.get(sim.base_url + "/metrics").text
            requests = total(after, "edge_requests", "edge_requests_total") - total(
                before, "edge_requests", "edge_requests_total"
            )
            if requests > 2000 or time.monotonic() > deadline:
                break
        errors = total(after, "edge_errors", "edge_errors_total") - total(before, "edge_errors", "edge_errors_total")
        return 100 * errors / requests

    assert error_rate() > 1.0
    assert HTTP.get(sim.base_url + "/admin/state").json()["scenario"] == "error-spike"
    HTTP.post(sim.base_url + "/admin/scenario", json={"name": "normal"})
    assert error_rate() < 0.5


def test_outage_health_is_503_down(sim):
    HTTP.post(sim.base_url + "/admin/scenario", json={"name": "outage"})
    r = HTTP.get(sim.base_url + "/health")
    assert r.status_code == 503
    assert r.json()["status"] == "down" and r.json()["components"]["vau-processor"] == "down"


def test_unknown_scenario_is_400_with_the_names(sim):
    for body in ({"name": "chaos"}, {}, [1]):
        r = HTTP.post(sim.base_url + "/admin/scenario", json=body)
        assert r.status_code == 400
        assert r.json()["scenarios"] == [
            "normal",
            "error-spike",
            "latency",
            "ddos",
            "queue-backlog",
            "cache-collapse",
            "outage",
        ]
    r = HTTP.post(sim.base_url + "/admin/scenario", content=b"{not json")
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_admin_purge_requires_the_admin_token(sim):
    url = sim.base_url + "/admin/cache/purge"
    assert HTTP.post(url, json={"older_than": "7d"}).status_code == 401
    r = HTTP.post(url, json={"older_than": "7d"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and "admin token" in r.json()["error"]
    r = HTTP.post(url, json={"older_than": "7d"}, headers={"Authorization": f"Bearer {sim.api_token}"})
    assert r.status_code == 401
    auth = {"Authorization": f"Bearer {os.environ['EDGE_SIM_ADMIN_TOKEN']}"}
    assert os.environ["EDGE_SIM_ADMIN_TOKEN"] == sim.admin_token
    r = HTTP.post(url, json={"older_than": "7d"}, headers=auth)
    assert r.status_code == 200
    assert r.json()["success"] is True and r.json()["purged"] > 0 and r.json()["older_than"] == "7d"
    for bad in ({}, {"older_than": "a week"}, {"older_than": 7}):
        r = HTTP.post(url, json=bad, headers=auth)
        assert r.status_code == 400 and r.json()["error"]
    assert HTTP.post(url, content=b"]]", headers=auth).status_code == 400
    assert HTTP.get(sim.base_url + "/admin/state").json()["purges"][-1]["older_than"] == "7d"


def test_tokens_are_random_per_server_exported_and_restored(sim):
    assert os.environ["EDGE_SIM_API_TOKEN"] == sim.api_token
    other = SimServer()
    assert other.api_token != sim.api_token and other.admin_token != sim.admin_token
    assert os.environ["EDGE_SIM_API_TOKEN"] == other.api_token
    other.start()
    other.stop()
    assert os.environ["EDGE_SIM_API_TOKEN"] == sim.api_token
    assert sim.tools()["wrangler"] == [sys.executable, "-S", TOOL_LAUNCHER, "console.sim.tools.wrangler"]
    assert set(sim.tools()) == {"wrangler", "gh", "terraform", "npm", "node"}
    assert sim.tool_env() == {"EDGE_SIM_URL": sim.base_url}
    assert sim.base_url.startswith("http://127.0.0.1:")


def _fault(sim, **body) -> None:
    r = HTTP.post(sim.base_url + "/admin/faults", json=body)
    assert r.status_code == 200, r.text


def test_metrics_faults_and_recovery(sim):
    url = sim.base_url + "/metrics"
    _fault(sim, metrics="500")
    assert HTTP.get(url).status_code == 500
    _fault(sim, metrics="html")
    r = HTTP.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "<html>" in r.text
    _fault(sim, metrics="garbage")
    with pytest.raises(ValueError):  # what prometheus-client's parser raises on a damaged page
        list(text_string_to_metric_families(HTTP.get(url).text))
    _fault(sim, metrics="truncated")
    r = HTTP.get(url)
    full_len = len(sim.exposition.render())
    assert 0 < len(r.content) < full_len * 0.7
    _fault(sim, metrics="missing:edge_cache_hits_total")
    fams = families(HTTP.get(url).text)
    assert "edge_cache_hits" not in fams and "edge_cache_misses" in fams
    _fault(sim, metrics="missing:edge_request_duration_seconds")
    assert "edge_request_duration_seconds" not in families(HTTP.get(url).text)
    _fault(sim, metrics="slow", slow_seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        HTTP.get(url, timeout=0.3)
    _fault(sim, metrics="none")
    assert "edge_cache_hits" in families(HTTP.get(url).text)
    assert HTTP.get(sim.base_url + "/admin/faults").json()["metrics"] == "none"


def test_health_faults(sim):
    _fault(sim, health="down")
    r = HTTP.get(sim.base_url + "/health")
    assert r.status_code == 503 and r.json()["status"] == "down"
    _fault(sim, health="slow", slow_seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        HTTP.get(sim.base_url + "/health", timeout=0.3)
    _fault(sim, health="none")
    assert HTTP.get(sim.base_url + "/health").json()["status"] == "healthy"


def test_bad_fault_requests_say_what_is_wrong(sim):
    r = HTTP.post(sim.base_url + "/admin/faults", json={"metrics": "explode"})
    assert r.status_code == 400 and "missing:<family>" in r.json()["error"]
    r = HTTP.post(sim.base_url + "/admin/faults", json={"colour": "red"})
    assert r.status_code == 400 and "colour" in r.json()["error"]


def test_stop_is_prompt_with_a_slow_request_in_flight():
    server = SimServer()
    url = server.start()
    HTTP.post(url + "/admin/faults", json={"metrics": "slow", "slow_seconds": 60})
    t = threading.Thread(target=lambda: HTTP.get(url + "/metrics", timeout=30), daemon=True)
    t.start()
    wait_for_sync(lambda: t.is_alive(), timeout=2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    with pytest.raises(httpx.ConnectError):
        HTTP.get(url + "/health", timeout=1)


def test_state_endpoint_and_unknown_paths(sim):
    state = HTTP.get(sim.base_url + "/admin/state").json()
    assert state["scenario"] == "normal" and state["flags"]["circuit_breaker"] is False
    assert state["kv_namespace_id"] == "5100000000000000000000000000c001"
    assert any(k.startswith("salt:week:") for k in state["kv"]["5100000000000000000000000000c001"])
    assert len(state["attack_ips"]) >= 3
    assert HTTP.get(sim.base_url + "/nope").status_code == 404
    assert HTTP.get(sim.base_url + "/admin/scenario").status_code == 405


def test_simulate_command_in_process_prints_url_and_token_names_not_values(capsys, state_dir):
    from console.sim import cli

    ready, stop = threading.Event(), threading.Event()
    result: list[int] = []
    args = Namespace(host="127.0.0.1", port=0, sim_scenario="latency", scenario=None, seed=1)
    t = threading.Thread(target=lambda: result.append(cli.run(args, ready=ready, stop=stop)))
    t.start()
    assert ready.wait(10)
    out = capsys.readouterr().out
    url = next(word for word in out.split() if word.startswith("http://127.0.0.1:"))
    assert HTTP.get(url + "/admin/state").json()["scenario"] == "latency"
    assert "EDGE_SIM_API_TOKEN" in out and "EDGE_SIM_ADMIN_TOKEN" in out
    token_file = next(state_dir.glob("simulator/*/api_token"))
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    token = token_file.read_text().strip()
    assert token and token not in out
    stop.set()
    t.join(10)
    assert result == [0]


def test_simulate_command_is_registered_and_validates():
    from console.cli import build_parser

    args = build_parser().parse_args(["simulate", "--port", "0", "--scenario", "ddos"])
    assert args.sim_scenario == "ddos" and args.port == 0 and callable(args.func)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate", "--scenario", "chaos"])


def _ignore_sigint() -> None:
    # what a shell does to a background job (`edge-console simulate &`), and how CI starts the suite
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("inherited", ["default", "sigint-ignored"])
def test_simulate_stops_on_signal_within_a_second_exits_0_and_leaves_nothing(tmp_path, signum, inherited):
    env = dict(os.environ, EDGE_CONSOLE_STATE_DIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "simulate", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_ignore_sigint if inherited == "sigint-ignored" else None,
    )
    try:
        line = proc.stdout.readline()
        url = next(word for word in line.split() if word.startswith("http://127.0.0.1:"))
        assert HTTP.get(url + "/health", timeout=5).json()["status"] == "healthy"
        wait_for_sync(lambda: "Ctrl-C" in proc.stdout.readline(), timeout=10)
        token_dirs = list(tmp_path.glob("simulator/*"))
        assert token_dirs, "the token files are written while it serves"
        sent = time.monotonic()
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - sent < 1.0
        assert not any(path.exists() for path in token_dirs)
        assert not list(tmp_path.glob("**/sim-workspace-*"))
        with pytest.raises(httpx.TransportError):
            HTTP.get(url + "/health", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_simulate_signalled_the_moment_it_says_ctrl_c_still_exits_0(tmp_path):
    """The handlers are installed before "Press Ctrl-C to stop." is printed: a caller that signals at once
    (as a supervisor or a test does) got the default SIGTERM death (-15) in 30 of 40 tries before."""
    for attempt in range(3):
        env = dict(os.environ, EDGE_CONSOLE_STATE_DIR=str(tmp_path / str(attempt)))
        proc = subprocess.Popen(
            [sys.executable, "-m", "console", "simulate", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            wait_for_sync(lambda proc=proc: "Ctrl-C" in proc.stdout.readline(), timeout=20)
            proc.terminate()
            assert proc.wait(timeout=10) == 0, proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_simulate_run_in_the_main_thread_stops_on_sigterm_and_restores_handlers(tmp_path, monkeypatch):
    """The handler only records the signal (it runs between two bytecodes of the main thread, which may
    hold the stop event's lock inside ``Event.wait``: calling ``Event.set`` there deadlocked, and the
    simulator ignored SIGTERM for 10 s in CI); the serving loop polls it and returns 0."""
    import argparse
    import threading

    from console.sim.cli import run

    monkeypatch.setenv("EDGE_CONSOLE_STATE_DIR", str(tmp_path))
    before = signal.getsignal(signal.SIGTERM)
    ready = threading.Event()

    def send() -> None:
        if ready.wait(20):
            os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    args = argparse.Namespace(host="127.0.0.1", port=0, sim_scenario="normal", seed=1)
    assert run(args, ready=ready) == 0
    sender.join(5)
    assert signal.getsignal(signal.SIGTERM) is before
    assert not list(tmp_path.glob("simulator/*"))


@pytest.fixture(scope="module", autouse=True)
def _close_client():
    yield
    HTTP.close()


def test_control_plane_is_for_loopback_clients_only():
    from console.sim.server import _is_loopback

    assert _is_loopback(("127.0.0.1", 5000)) and _is_loopback(("::1", 5000, 0, 0))
    assert not _is_loopback(("10.1.2.3", 5000)) and not _is_loopback(("192.0.2.1", 1)) and not _is_loopback(())


def test_health_fault_down_lists_components_down(sim):
    _fault(sim, health="down")
    body = HTTP.get(sim.base_url + "/health").json()
    assert set(body["components"].values()) == {"down"} and body["version"]


def test_scenario_names_for_options_match_the_scenarios():
    from console.sim.names import SCENARIO_NAMES
    from console.sim.scenarios import SCENARIOS

    assert SCENARIO_NAMES == tuple(SCENARIOS)


def test_unknown_scenario_option_is_a_usage_error_not_a_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--scenario", "bogus", "check"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "invalid choice: 'bogus'" in proc.stderr and "latency" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_deferred_sim_reserves_address_and_tokens_then_serves(state_dir, monkeypatch):
    """The TUI's simulated edge: address and tokens before the first frame, the server after it; a
    request made in between is answered once the server starts; closing restores the environment."""
    from console.session import open_session
    from console.sim.names import API_TOKEN_ENV

    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
    monkeypatch.setenv(API_TOKEN_ENV, "before")
    session = open_session(defer_sim=True, scenario="latency")
    try:
        assert session.sim is None and session.pending_sim is not None
        base = session.env.base_url
        assert base.startswith("http://127.0.0.1:") and session.simulated
        assert os.environ[API_TOKEN_ENV] == session.pending_sim.api_token != "before"
        assert "wrangler" in session.env.tools and not session.env.paths

        answers: list[int] = []
        early = threading.Thread(
            target=lambda: answers.append(
                httpx.get(f"{base}/health", timeout=20, verify=shared_ssl_context()).status_code
            )
        )
        early.start()  # connects now, waits in the backlog
        session.start_sim()
        early.join(25)
        assert answers == [200]
        assert session.sim is not None and session.sim.base_url == base
        assert session.sim.api_token == os.environ[API_TOKEN_ENV]
        assert session.sim.state.scenario == "latency"
        assert session.env.paths  # the throw-away workspace for the repository flows
        session.start_sim()  # idempotent
    finally:
        session.close()
    assert os.environ[API_TOKEN_ENV] == "before"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health", timeout=2, verify=shared_ssl_context())


def test_deferred_sim_closed_before_it_started_frees_the_port(state_dir, monkeypatch):
    from console.session import open_session

    monkeypatch.delenv("EDGE_CONSOLE_CONFIG", raising=False)
    session = open_session(defer_sim=True)
    base = session.env.base_url
    session.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health", timeout=2, verify=shared_ssl_context())
