"""PagerDuty and Slack from the TUI: an incident started and acknowledged in the console pages and posts
through the integrations thread (loopback fakes checking the documented payloads), the UI never waits on
them, a failing webhook is a timeline entry and a toast (no traceback), and no secret reaches the screen."""

from __future__ import annotations

from console.config import load_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.incident_prompt import PhasePickerScreen
from screens.incident_start import IncidentStartScreen
from screens.textual_compat import screen_text_lines
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.integration_fakes import Fakes
from tests.util import click_now, press_now, type_in, wait_for
from widgets.incident_bar import IncidentBar

ROUTING_KEY = "R0UTINGKEY-tui-canary-5d1e"
SLACK_PATH = "/services/T000/B000/tuiwebhooksecret77"


def make_app(fakes: Fakes, tmp_path) -> EdgeConsoleApp:
    """A real (not simulated) environment: on the simulated edge every incident is a drill, which never
    pages. The edge itself is not reached: the poller is static."""
    path = tmp_path / "config.yaml"
    path.write_text(f"""environments:
  production:
    base_url: http://127.0.0.1:9
refresh_seconds: 3600
pagerduty:
  routing_key_env: PD_ROUTING_KEY
  events_url: {fakes.url}/v2/enqueue
slack:
  webhook_url_env: SLACK_WEBHOOK_URL
""")
    cfg = load_config(path)
    env = cfg.environment()
    assert not env.simulated
    return EdgeConsoleApp(Session(config=cfg, env=env, read_only=False), poller=StaticPoller(NORMAL_VALUES))


async def start_p1(app, pilot, title: str) -> str:
    await wait_for(lambda: hasattr(app, "incident_response") and app.screen.query(IncidentBar), message="chrome")
    await pilot.press("i")
    await wait_for(lambda: isinstance(app.screen, IncidentStartScreen) and app.screen.query("#sev-P1"), message="form")
    await click_now(pilot, "#sev-P1")
    await wait_for(lambda: app.screen.severity == "P1", message="P1 picked")
    await click_now(pilot, "#incident-title")
    await type_in(pilot, app, "#incident-title", title)
    await press_now(pilot, "enter")
    await type_in(pilot, app, "#incident-impact", "EU users")
    await press_now(pilot, "enter")
    await wait_for(lambda: not isinstance(app.screen, IncidentStartScreen), message="started")
    await wait_for(lambda: app.incident_response.manager.current is not None, message="incident")
    return app.incident_response.manager.current.id


async def test_an_incident_started_and_acked_in_the_tui_pages_and_posts_with_no_secret_on_screen(
    monkeypatch, state_dir, tmp_path
):
    with Fakes(routing_key=ROUTING_KEY, slack_path=SLACK_PATH, grafana_token="unused") as fakes:
        monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", fakes.url + SLACK_PATH)
        app = make_app(fakes, tmp_path)
        async with app.run_test(size=(110, 36)) as pilot:
            incident = await start_p1(app, pilot, "Error spike")
            await wait_for(lambda: len(fakes.pagerduty) >= 1 and len(fakes.slack) >= 1, message="paged and posted")
            await pilot.press("m")
            await wait_for(lambda: isinstance(app.screen, PhasePickerScreen), message="phase picker")
            await pilot.press("1")  # acknowledged
            await wait_for(lambda: len(fakes.pagerduty) >= 2 and len(fakes.slack) >= 2, message="ack sent")
            assert fakes.refused == []
            assert [e["event_action"] for e in fakes.pagerduty] == ["trigger", "acknowledge"]
            assert {e["dedup_key"] for e in fakes.pagerduty} == {incident}
            assert all(incident in m["text"] and "P1" in m["text"] for m in fakes.slack)
            screen = "\n".join(screen_text_lines(app))
            assert ROUTING_KEY not in screen and "tuiwebhooksecret77" not in screen
            assert not [e for e in app.incident_response.manager.current.entries if e.kind == "notify"]


async def test_a_failing_webhook_in_the_tui_is_a_timeline_entry_not_a_traceback(monkeypatch, state_dir, tmp_path):
    with Fakes(routing_key=ROUTING_KEY, slack_path=SLACK_PATH, grafana_token="unused") as fakes:
        fakes.slack_status = 500
        monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", fakes.url + SLACK_PATH)
        app = make_app(fakes, tmp_path)
        async with app.run_test(size=(110, 36)) as pilot:
            await start_p1(app, pilot, "Slack down")

            def notify_entries():
                current = app.incident_response.manager.current
                return [e for e in current.entries if e.kind == "notify"] if current else []

            await wait_for(lambda: notify_entries(), message="the failed delivery on the timeline")
            text = " ".join(e.text for e in notify_entries())
            assert "slack" in text.lower(), text
            assert "tuiwebhooksecret77" not in text
            screen = "\n".join(screen_text_lines(app))
            assert "Traceback" not in screen and "tuiwebhooksecret77" not in screen
            assert len(fakes.pagerduty) >= 1  # PagerDuty still paged
