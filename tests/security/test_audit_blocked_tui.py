"""A flow's audit write that blocks (``audit.jsonl`` is a FIFO nobody reads: ``open`` waits) no longer
freezes the UI: the record is written in a worker thread, the screen keeps polling and answering while
the step waits, and the step that changes the edge does not run until its record is written (here it
never can be: refused, nothing ran)."""

from __future__ import annotations

import os
import threading

from tests.test_flow_ui_modal import KV, changes, open_by_key, sim_app
from tests.util import press_now, wait_for


async def test_a_blocked_audit_path_does_not_freeze_the_ui_and_the_change_waits(sim, fake_tools, state_dir):
    audit = state_dir / "audit.jsonl"
    app = sim_app(sim, refresh=0.2)
    released: list[str] = []
    readers: list[int] = []

    def unblock(by: str) -> None:
        if not released:
            released.append(by)
            readers.append(os.open(audit, os.O_RDONLY | os.O_NONBLOCK))  # the blocked open completes

    # if the append ran on the event loop, nothing below could run: a watchdog frees it so the test fails
    # instead of hanging
    watchdog = threading.Timer(60.0, unblock, args=("watchdog",))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            modal = await open_by_key(app, pilot, "K", "block-ip")
            modal.query_one("#input-ip").value = "203.0.113.12"
            modal.query_one("#input-reason").value = "abuse"
            modal.query_one("#input-ip").focus()
            await press_now(pilot, "enter")  # keys as a terminal sends them: the app polls every 0.2 s, never idle
            await wait_for(
                lambda: modal.phase == "run" and modal.query_one("#flow-confirm").display, message="confirmation"
            )
            assert not audit.exists()
            os.mkfifo(audit, 0o600)
            watchdog.start()
            confirm = modal.query_one("#flow-confirm")
            await wait_for(lambda: app.focused is confirm, message="the confirmation box focused")  # noqa: B023
            confirm.value = "production"  # typing the name is tests/test_flow_ui_modal.py's subject
            await press_now(pilot, "enter")
            await wait_for(lambda: modal.runner.steps[0].state.value == "running", message="step waiting")
            # the UI keeps going while the record's write waits
            polls = app.poll_count
            await wait_for(lambda: app.poll_count >= polls + 2, timeout=15, message="polls while the audit waits")
            assert not released, "the event loop was blocked until the watchdog freed the audit path"
            assert modal.runner.steps[0].state.value == "running"
            assert changes(fake_tools) == []  # the change has not run: its record is not written
            unblock("test")
            await wait_for(lambda: modal.runner.steps[0].state.value == "refused", timeout=20, message="refused")
            await wait_for(lambda: "cannot write the audit trail" in modal.visible_text(), message="reason shown")
            assert "nothing ran" in modal.visible_text()
            assert modal.runner.steps[1].state.value == "not_run"
    finally:
        watchdog.cancel()
        for fd in readers:
            os.close(fd)
    assert released == ["test"]
    assert changes(fake_tools) == []
    assert "blocked:ip:203.0.113.12" not in sim.state.snapshot()["kv"].get(KV, {})
