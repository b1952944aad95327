"""``edge-console serve`` in a real browser: Debian's Chromium driven by Playwright (no browser download).

One ``serve`` (on the simulated edge it starts) and one Chromium for the whole module. The page's
terminal is read through its accessibility tree (``.xterm-accessibility-tree``: the served textual.js
runs xterm.js in screen-reader mode), i.e. the text the page renders.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console.metrics.model import KEY_METRICS
from tests.serve_helpers import Served
from tests.util import REPO_ROOT, wait_for_sync

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
READ_SCREEN = "() => { const t = document.querySelector('.xterm-accessibility-tree'); return t ? t.innerText : ''; }"

if not os.path.exists(CHROMIUM):  # tests/system-deps installs it; never skip silently on CI
    pytest.fail(f"{CHROMIUM} is missing: run tests/system-deps (installs Debian's chromium)", pytrace=False)


@pytest.fixture(scope="module")
def state_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve-state")
    os.chmod(root, 0o700)
    return root


@pytest.fixture(scope="module")
def served(state_root):
    env = dict(
        os.environ,
        EDGE_CONSOLE_STATE_DIR=str(state_root),
        XDG_STATE_HOME=str(state_root / "xdg"),
        XDG_CONFIG_HOME=str(state_root / "config"),
        WRANGLER_SEND_METRICS="false",
    )
    env.pop("EDGE_CONSOLE_CONFIG", None)
    server = Served("--port", "0", "--max-sessions", "3", env=env)
    server.env = env
    try:
        server.url = server.wait_url(timeout=60)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(served, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 760},
        )
        try:
            tab = context.new_page()
            tab.failed_requests = []
            tab.on("requestfailed", lambda request: tab.failed_requests.append(request.url))
            tab.goto(served.url)
            yield tab
        finally:
            context.close()


def screen_text(page) -> str:
    return page.evaluate(READ_SCREEN)


#: seconds between two reads of the page's text: each is a round trip through Playwright's driver into Chromium
#: (20 a second kept both busy for the whole module; the console redraws a few times a second at most)
READ_INTERVAL = 0.2


def wait_screen(page, predicate, timeout: float = 30.0, message: str = "screen") -> str:
    def check():
        text = screen_text(page)
        return text if predicate(text) else None

    try:
        return wait_for_sync(check, timeout=timeout, interval=READ_INTERVAL, message=message)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the page shows:\n{screen_text(page)}") from None


def run_cli(served, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=REPO_ROOT,
        env=served.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result
    return result.stdout


def press(page, key: str) -> None:
    page.focus(".xterm-helper-textarea")  # the terminal's keyboard input (a click would click the app)
    page.keyboard.type(key)


def keep_screenshot(page, tmp_path, name: str) -> Path:
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / name)
    return shot


def test_dashboard_renders_with_badges_and_key_metrics(page, tmp_path):
    def live(text: str) -> bool:
        rows = [line for line in text.splitlines() if "Request rate" in line]
        return "SHARED READ-ONLY" in text and bool(rows) and bool(re.search(r"\d", rows[0]))

    text = wait_screen(page, live, timeout=60, message="the dashboard with live metrics")
    header = text.splitlines()[0]
    assert "SIMULATED" in header and "SHARED READ-ONLY" in header
    for label, _unit in KEY_METRICS.values():
        assert label in text, label
    assert "metrics LIVE" in text
    assert page.failed_requests == []  # nothing from a CDN (the network is closed here)
    assert keep_screenshot(page, tmp_path, "serve-dashboard.png").stat().st_size > 10_000
    # a second tab: its own console process, the same simulated edge (the header names its address)
    target = re.search(r"127\.0\.0\.1:\d+\s*$", header)
    assert target, header
    other = page.context.new_page()
    try:
        other.goto(page.url)
        other_text = wait_screen(other, lambda t: "metrics LIVE" in t, timeout=60, message="the second tab")
        assert other_text.splitlines()[0].rstrip().endswith(target.group(0).strip())
    finally:
        other.close()


def test_mutating_flow_key_is_refused(page, tmp_path):
    """A shared view is read-only: the keys of flows that change the edge are not bound at all (issue 8:
    read-only at assembly; the engine's run-time refusal stays as the second wall)."""
    wait_screen(page, lambda t: "metrics LIVE" in t, message="the dashboard")
    press(page, "B")  # circuit breaker (runbook 02-incident): changes the edge
    press(page, "?")  # help: processed after B, so once it shows, B has been handled
    text = wait_screen(page, lambda t: "Edge Console keys" in t, message="the help")
    assert "Runbook flow" not in text and "Enable circuit breaker" not in text  # no flow opened, none offered
    assert "Check worker health" in text  # the flows that only read are bound
    keep_screenshot(page, tmp_path, "serve-refused.png")
    page.keyboard.press("Escape")  # the page is shared with the next test: back to the dashboard
    wait_screen(page, lambda t: "Edge Console keys" not in t and "Key metrics" in t, message="back on the dashboard")


def test_note_from_the_cli_appears_in_the_page(served, page, tmp_path):
    incident_id = run_cli(served, "incident", "start", "--severity", "P2", "--title", "War room drill").strip()
    assert re.fullmatch(r"DRILL-\d{4}-\d{2}-\d{2}-\d{3}", incident_id), incident_id  # no config: a drill
    wait_screen(page, lambda t: incident_id in t, message="the incident started from the CLI")
    press(page, "i")  # the incident timeline
    wait_screen(page, lambda t: "time (UTC)" in t and "started" in t, message="the incident timeline")
    run_cli(served, "incident", "note", incident_id, "checked", "the", "origin", "from", "the", "terminal")
    # the console re-reads the incident store with each poll (every 2 s here); 10 s leaves room for a busy CI
    wait_screen(page, lambda t: "checked the origin from the terminal" in t, timeout=10, message="the CLI note")
    keep_screenshot(page, tmp_path, "serve-incident-note.png")
