"""The incident file lock held by ANOTHER PROCESS no longer freezes the screen: alert transitions and
operator actions queue on the incident writer thread, the screen keeps answering keys and polls, and
once the lock is released the entries land on disk in the order their events happened. A lock held
past its timeout is a toast, never a traceback."""

from __future__ import annotations

import asyncio
import json
import sys
import time

from screens.help import HelpScreen
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.test_incident_tui import TYPING_REFRESH, bar, banner, make_app, ready
from tests.util import type_ending, wait_for

HOLDER = r"""
import sys
from filelock import FileLock
lock = FileLock(sys.argv[1], timeout=10)
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()          # held until the test says so
lock.release()
print("released", flush=True)
"""


class SwitchPoller(StaticPoller):
    """P95 latency set by the test between polls."""

    def __init__(self) -> None:
        super().__init__(dict(NORMAL_VALUES))
        self.values["p95_latency_ms"] = 80.0


async def hold_lock(path: str) -> asyncio.subprocess.Process:
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, path, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    line = await asyncio.wait_for(holder.stdout.readline(), timeout=30)
    assert line.strip() == b"locked"
    return holder


async def release(holder: asyncio.subprocess.Process) -> None:
    holder.stdin.write(b"go\n")
    await holder.stdin.drain()
    assert (await asyncio.wait_for(holder.stdout.readline(), timeout=30)).strip() == b"released"
    await asyncio.wait_for(holder.wait(), timeout=30)


def record_toasts(app) -> list[tuple[str, dict]]:
    """Every toast the app shows (message, options), through its public ``notify``."""
    toasts: list[tuple[str, dict]] = []
    original = app.notify

    def notify(message, **options):
        toasts.append((str(message), options))
        return original(message, **options)

    app.notify = notify
    return toasts


def lines_on_disk(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_a_lock_held_by_another_process_does_not_freeze_the_screen(state_dir, monkeypatch):
    # the other process holds the lock longer than this loaded machine may need for the whole test body
    monkeypatch.setattr("console.incident.store.LOCK_TIMEOUT_S", 120.0)
    poller = SwitchPoller()
    app = make_app(poller, hold=1)
    toasts = record_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        incident = response.manager.start("P2", "Slow responses")
        path = response.manager.store.path(incident.id)
        await wait_for(lambda: incident.id in str(bar(app).render()), message="incident bar")
        holder = await hold_lock(str(path) + ".lock")
        try:
            # alerts fire while the lock is held: the poll handler queues the transition and returns
            poller.values["p95_latency_ms"] = 1400.0
            await wait_for(
                lambda: banner(app).display and response.engine.active(),
                timeout=15,
                message="banner raised while the incident file is locked",
            )
            await wait_for(lambda: response.writer.pending >= 1, message="the transition waits on the writer")
            # the screen answers keys within a short deadline, and polls keep coming
            started = time.monotonic()
            await pilot.press("question_mark")
            await wait_for(lambda: isinstance(app.screen, HelpScreen), timeout=5, message="help opens")
            polls = app.poll_count
            await wait_for(lambda: app.poll_count >= polls + 2, timeout=5, message="panes keep updating")
            assert time.monotonic() - started < 10
            await pilot.press("escape")
            await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="help closed")
            await pilot.press("a")  # acknowledge: queued behind the raise
            await wait_for(lambda: not response.engine.unacknowledged(), message="acknowledged on screen")
            poller.values["p95_latency_ms"] = 80.0  # and the alert clears: queued behind the ack
            await wait_for(lambda: not response.engine.active(), timeout=15, message="alert cleared on screen")
            # nothing reached the file yet: every write is waiting for the other process's lock
            assert [e["kind"] for e in lines_on_disk(path)] == ["start"]
            assert holder.returncode is None
        finally:
            await release(holder)
        await wait_for(lambda: len(lines_on_disk(path)) >= 4, timeout=30, message="queued entries on disk")
        entries = lines_on_disk(path)
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
        alerts = [(e["kind"], e["data"].get("transition")) for e in entries[1:]]
        assert alerts == [("alert", "raised"), ("alert", "acknowledged"), ("alert", "cleared")], alerts
        assert entries[2]["text"].startswith("Alert acknowledged: CRIT P95 latency")
        # and the screen shows what is on disk
        await wait_for(lambda: len(response.manager.current.entries) == len(entries), message="timeline current")
        assert not [t for t in toasts if t[1].get("severity") == "error"], toasts


async def test_a_lock_held_past_its_timeout_is_a_toast_not_a_traceback(state_dir, monkeypatch):
    monkeypatch.setattr("console.incident.store.LOCK_TIMEOUT_S", 0.5)
    poller = SwitchPoller()
    app = make_app(poller, hold=1, refresh=TYPING_REFRESH)  # one poll a second: Pilot's keys find an idle app
    toasts = record_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        response = app.incident_response
        incident = response.manager.start("P2", "Slow responses")
        path = response.manager.store.path(incident.id)
        holder = await hold_lock(str(path) + ".lock")
        try:
            await pilot.press("n")
            await wait_for(lambda: type(app.screen).__name__ == "TextPromptScreen", message="note prompt")
            await type_ending(pilot, app.screen.query_one("Input"), "seen from the edge")
            await pilot.press("enter")
            # the prompt stays with the reason; the screen answers meanwhile
            await wait_for(
                lambda: "lock" in str(app.screen.query_one("#prompt-error").render()).lower(),
                timeout=15,
                message="the lock timeout explained in the prompt",
            )
            assert type(app.screen).__name__ == "TextPromptScreen"
            poller.values["p95_latency_ms"] = 1400.0  # an alert transition: its write times out too
            await wait_for(
                lambda: any(o.get("severity") == "error" and o.get("title") == "Incident" for _, o in toasts),
                timeout=15,
                message="toast for the entry that could not be written",
            )
        finally:
            await release(holder)
        assert [e["kind"] for e in lines_on_disk(path)] == ["start"]
        assert app.is_running
