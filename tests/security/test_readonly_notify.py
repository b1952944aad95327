"""Issue 14 §2: a notify command is an action: refused in read-only (nothing runs) and confirmed like any
action (production needs the environment's name typed)."""

from __future__ import annotations

import json
import sys

from console.incident.notify import run_notify
from tests.util import refresh_model

NOTIFIER = """
import json, sys
with open(sys.argv[1], "a") as fh:
    fh.write(json.dumps({"argv": sys.argv[1:], "stdin": sys.stdin.read()}) + "\\n")
"""


def notifier(tmp_path):
    script = tmp_path / "notify.py"
    script.write_text(NOTIFIER)
    calls = tmp_path / "calls.jsonl"
    return [sys.executable, str(script), str(calls)], calls


async def test_read_only_refuses_a_notify_and_runs_nothing(tmp_path):
    argv, calls = notifier(tmp_path)
    outcome = await run_notify(
        "incidents", argv, "INC-1 P1 errors", read_only=True, env_name="staging", confirmation="yes"
    )
    assert not outcome.ok and outcome.exit_code is None
    assert "read-only" in outcome.detail and "refused" in outcome.detail
    assert not calls.exists()


async def test_notify_needs_the_confirmation_production_needs_the_name(tmp_path):
    argv, calls = notifier(tmp_path)
    for typed in (None, "", "yes", "y", "Production "):
        refused = await run_notify("incidents", argv, "m", read_only=False, env_name="production", confirmation=typed)
        assert not refused.ok and "not confirmed" in refused.detail, typed
    assert not calls.exists()
    sent = await run_notify("incidents", argv, "m", read_only=False, env_name="production", confirmation="production")
    assert sent.ok
    staging = await run_notify("incidents", argv, "m2", read_only=False, env_name="staging", confirmation="yes")
    assert staging.ok
    assert [json.loads(line)["stdin"] for line in calls.read_text().splitlines()] == ["m", "m2"]


async def test_tui_read_only_refuses_notify_and_production_asks_for_the_name(tmp_path, state_dir, monkeypatch):
    from console.config import simulated_config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from screens.incident_prompt import TextPromptScreen
    from tests.fakes import NORMAL_VALUES, StaticPoller
    from tests.util import type_ending, wait_for
    from widgets.incident_bar import IncidentBar

    argv, calls = notifier(tmp_path)

    def make(read_only: bool) -> EdgeConsoleApp:
        # constant data (StaticPoller): one poll a second shows the same, and Pilot's keys find an idle app
        cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=1.0)
        cfg.raw["notify"] = {"incidents": argv}
        refresh_model(cfg)  # the subsystems read the checked sections
        return EdgeConsoleApp(
            Session(config=cfg, env=cfg.environment(), read_only=read_only), poller=StaticPoller(dict(NORMAL_VALUES))
        )

    app = make(read_only=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await wait_for(
            lambda: hasattr(app, "incident_response") and app.screen.query(IncidentBar), message="incident chrome"
        )
        response = app.incident_response
        response.manager.start("P2", "Slow")
        response.ask_notify("incidents")
        await pilot.pause()
        assert not isinstance(app.screen, TextPromptScreen)  # no message prompt: refused up front
        response.send_notify("incidents", "sent anyway?")  # the direct path is refused too
        notified = lambda: [e for e in response.manager.current.entries if e.kind == "notify"]
        await wait_for(notified, timeout=20, message="refusal recorded")
        assert "read-only" in notified()[0].text
    assert not calls.exists()

    monkeypatch.setenv("EDGE_CONSOLE_STATE_DIR", str(tmp_path / "other-state"))  # no open incident to resume
    app = make(read_only=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await wait_for(
            lambda: hasattr(app, "incident_response") and app.screen.query(IncidentBar), message="incident chrome"
        )
        response = app.incident_response
        response.manager.start("P2", "Slow")
        app.call_later(response.ask_notify, "incidents")  # as the contacts screen does, from the app's loop
        await wait_for(
            lambda: (
                isinstance(app.screen, TextPromptScreen)
                and app.screen.query("#prompt-input")
                and app.focused is app.screen.query_one("#prompt-input")
            ),
            message="message prompt",
        )
        message = app.screen.query_one("#prompt-input").value
        await pilot.press("enter")
        await wait_for(
            lambda: (
                isinstance(app.screen, TextPromptScreen)
                and "production" in app.screen.prompt_title
                and app.screen.query("#prompt-input")
                and app.focused is app.screen.query_one("#prompt-input")
            ),
            message="confirmation prompt",
        )
        # the words go in but their last letter at once, the last is a key (type_ending): the name is checked,
        # not the typing
        await type_ending(pilot, app.screen.query_one("#prompt-input"), "yes")
        await pilot.press("enter")
        await wait_for(
            lambda: "production" in str(app.screen.query_one("#prompt-error").render()), message="yes is not enough"
        )
        assert not calls.exists()
        field = app.screen.query_one("#prompt-input")
        assert field.value == "yes" and app.focused is field  # the refused answer stays, to correct
        await type_ending(pilot, field, "production")
        await pilot.press("enter")
        notified = lambda: [e for e in response.manager.current.entries if e.kind == "notify"]
        await wait_for(notified, timeout=20, message="sent")
        assert [e.text for e in notified()] == ["Notified incidents: exit 0"]
    # on the simulated edge the incident is a drill: the channel is told so before anything else
    assert [json.loads(line)["stdin"] for line in calls.read_text().splitlines()] == ["[SIMULATED DRILL] " + message]
