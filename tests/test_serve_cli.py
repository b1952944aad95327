"""``edge-console serve`` without a browser: start-up refusals, the token, the session limit, shutdown.

Every test runs the real ``python -m console serve`` (a refusal that regressed would serve: a process
ends at its timeout, ``main`` in-process would not). The two tests that only check what a running server
refuses share one (``idle_server``): neither starts a session."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

# aiohttp is imported by the tests that use it, not here: it cost ~0.3 CPU-s (with its TLS context) in every
# pytest worker, as each one collects this module
import pytest

from tests.serve_helpers import Served, alive, cmdline, console_processes, descendants
from tests.util import REPO_ROOT, wait_for

TOKEN = "s3cret-war-room-token-0123456789"


@pytest.fixture(scope="module")
def idle_server():
    """One ``serve --port 0`` for the tests that only check what it refuses: a session started by one of them
    fails that test (and the next, which finds its processes)."""
    server = Served("--port", "0")
    try:
        yield server, server.wait_url().rstrip("/")
    finally:
        server.stop()


@pytest.fixture
def served():
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        server = Served(*args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def tails(pid: int) -> list[int]:
    return [p for p in descendants(pid) if "console.sim.tools.wrangler tail" in cmdline(p)]


def run_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "console", "serve", *args],
        cwd=REPO_ROOT,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_non_loopback_host_without_token_is_refused_at_start():
    result = run_serve("--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2, result
    assert "--host 0.0.0.0 is not a loopback address" in result.stderr
    assert "--token-env" in result.stderr
    assert "http://" not in result.stdout  # nothing was served


def test_token_env_naming_an_unset_variable_is_refused_at_start():
    env = dict(os.environ)
    env.pop("EDGE_SERVE_TEST_TOKEN", None)
    result = run_serve("--host", "0.0.0.0", "--port", "0", "--token-env", "EDGE_SERVE_TEST_TOKEN", env=env)
    assert result.returncode == 2, result
    assert "EDGE_SERVE_TEST_TOKEN" in result.stderr and "is not set" in result.stderr


async def test_request_without_token_gets_401_and_starts_no_process(served):
    import aiohttp

    env = dict(os.environ, EDGE_SERVE_TEST_TOKEN=TOKEN)
    server = served("--port", "0", "--token-env", "EDGE_SERVE_TEST_TOKEN", env=env)
    url = server.wait_url()
    assert f"?token={TOKEN}" in url  # the operator asked for the URL: it carries the token
    assert not any(TOKEN in line for line in server.err)
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    # unsafe=True: aiohttp keeps cookies for IP-address hosts only when told to
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        for path in ("/", "/ws", "/static/js/textual.js", "/?token=wrong"):
            async with client.get(base + path, allow_redirects=False) as response:
                assert response.status == 401, path
                assert "token" in (await response.text()).lower()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(base + "/ws?width=80&height=24")
        assert refused.value.status == 401
        assert console_processes(server.proc.pid) == set()
        assert descendants(server.proc.pid) == set()  # no session process of any kind
        # with the token: a cookie, then the page (so the token leaves the address bar)
        async with client.get(url, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/"
            assert "HttpOnly" in response.headers["Set-Cookie"]
            assert TOKEN not in response.headers["Set-Cookie"]
        async with client.get(base + "/") as response:
            assert response.status == 200
            assert "textual-terminal" in await response.text()
        # the redirect never leaves this server (//host/ would be read as another site by a browser)
        async with client.get(base + f"//evil.example/?token={TOKEN}", allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"] == "/"
        # the WebSocket's address opened as a page: a clear 400, no session
        async with client.get(base + "/ws") as response:
            assert response.status == 400
        assert console_processes(server.proc.pid) == set()


async def test_session_beyond_max_sessions_is_refused_with_a_page(served):
    import aiohttp

    server = served("--port", "0", "--max-sessions", "1")
    base = server.wait_url().rstrip("/")
    async with aiohttp.ClientSession() as client:
        first = await client.ws_connect(base + "/ws?width=80&height=24")
        try:
            first_pids = server.wait_consoles(1)
            async with client.get(base + "/") as response:
                assert response.status == 503
                page = await response.text()
                assert "All 1 shared sessions are in use" in page
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(base + "/ws?width=80&height=24")
            assert refused.value.status == 503
            assert console_processes(server.proc.pid) == first_pids
        finally:
            await first.close()
        # the slot comes back when the first session has ended
        await wait_for(lambda: not console_processes(server.proc.pid), timeout=20, message="first session to end")
        deadline = time.monotonic() + 10
        while True:
            async with client.get(base + "/") as response:
                if response.status == 200:
                    break
                assert response.status == 503 and time.monotonic() < deadline, "the slot never came back"
            await asyncio.sleep(0.05)


async def test_sigterm_ends_every_console_process(served):
    import aiohttp

    server = served("--port", "0")
    base = server.wait_url().rstrip("/")
    async with aiohttp.ClientSession() as client:
        sockets = [await client.ws_connect(base + "/ws?width=80&height=24") for _ in range(2)]
        consoles = server.wait_consoles(2)
        # each console's log pane runs `wrangler tail` (the simulated tool) under its own guard: wait for
        # them, so the processes counted below include what the consoles started too
        await wait_for(lambda: len(tails(server.proc.pid)) >= 2, timeout=30, message="two log tails")
        started = descendants(server.proc.pid)
        assert consoles <= started and len(started) >= 6
        os.kill(server.proc.pid, signal.SIGTERM)
        rc = await wait_for(lambda: server.proc.poll() is not None, timeout=20, message="serve to exit")
        assert server.proc.returncode == 0, (rc, server.err)
        survivors = [pid for pid in started if alive(pid)]
        assert survivors == [], survivors
        for ws in sockets:
            await ws.close()


def test_non_loopback_host_header_is_refused_on_a_loopback_server(idle_server):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the console."""
    import urllib.error
    import urllib.request

    server, base = idle_server
    request = urllib.request.Request(base + "/", headers={"Host": "evil.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert console_processes(server.proc.pid) == set()


async def test_cross_site_websocket_is_refused(idle_server):
    import aiohttp

    server, base = idle_server
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(base + "/ws?width=80&height=24", origin="http://evil.example")
        assert refused.value.status == 403
    assert descendants(server.proc.pid) == set()


async def test_config_and_env_pass_through_and_the_console_is_forced_read_only(served, tmp_path):
    import aiohttp

    config = tmp_path / "edge.yaml"
    config.write_text("environments:\n  staging:\n    base_url: 'http://127.0.0.1:9'\n    read_only: false\n")
    env = dict(os.environ, EDGE_SERVE_TEST_TOKEN=TOKEN)
    server = served(
        "--port", "0", "--token-env", "EDGE_SERVE_TEST_TOKEN", "--config", str(config), "--env", "staging", env=env
    )
    url = server.wait_url()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.get(url, allow_redirects=False) as response:
            assert response.status == 303
            client.cookie_jar.update_cookies(response.cookies)
        ws = await client.ws_connect(url.split("?")[0] + "ws?width=80&height=24")
        try:
            (console,) = server.wait_consoles(1)
            argv = Path(f"/proc/{console}/cmdline").read_bytes().split(b"\0")
            assert argv[argv.index(b"console") + 1 : -1] == [
                b"--read-only",
                b"--config",
                str(config).encode(),
                b"--env",
                b"staging",
            ]
            environ = dict(
                item.split(b"=", 1)
                for item in Path(f"/proc/{console}/environ").read_bytes().split(b"\0")
                if b"=" in item
            )
            assert environ[b"EDGE_CONSOLE_SHARED"] == b"1"
            assert b"EDGE_SERVE_TEST_TOKEN" not in environ
            assert not any(TOKEN.encode() in value for value in environ.values())
            assert not any(TOKEN.encode() in part for part in argv)
        finally:
            await ws.close()


async def test_every_session_uses_the_one_simulated_edge_serve_started_with_its_scenario(served):
    import aiohttp
    import json

    server = served("--port", "0", "--scenario", "ddos")
    base = server.wait_url().rstrip("/")
    async with aiohttp.ClientSession() as client:
        sockets = [await client.ws_connect(base + "/ws?width=80&height=24") for _ in range(2)]
        try:
            consoles = server.wait_consoles(2)
            urls = set()
            for pid in consoles:
                environ = dict(
                    item.split(b"=", 1)
                    for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                    if b"=" in item
                )
                urls.add(environ[b"EDGE_CONSOLE_SIM_URL"].decode())
            (sim_url,) = urls  # one edge for every browser
            assert sim_url.startswith("http://127.0.0.1:")
            async with client.get(sim_url + "/admin/state") as response:
                assert json.loads(await response.text())["scenario"] == "ddos"
        finally:
            for ws in sockets:
                await ws.close()


async def test_sigkill_of_serve_leaves_no_console_behind(served):
    """SIGKILL cannot be caught: each console's childguard sees its lifeline close and ends its group."""
    import aiohttp

    server = served("--port", "0")
    base = server.wait_url().rstrip("/")
    async with aiohttp.ClientSession() as client:
        ws = await client.ws_connect(base + "/ws?width=80&height=24")
        server.wait_consoles(1)
        await wait_for(lambda: tails(server.proc.pid), timeout=30, message="the console's log tail")
        started = descendants(server.proc.pid)
        os.kill(server.proc.pid, signal.SIGKILL)
        await wait_for(lambda: server.proc.poll() is not None, timeout=10, message="serve to die")
        await wait_for(
            lambda: not [pid for pid in started if alive(pid)], timeout=15, message=f"no survivor of {sorted(started)}"
        )
        await ws.close()
