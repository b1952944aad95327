"""Pilot tests: alerts on every screen, starting and driving an incident, resume, other writers."""

from __future__ import annotations

import asyncio

from console.app.events import PollCompleted
from console.config import simulated_config
from console.incident.manager import IncidentManager
from console.incident.report import md_text, render_report
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.incident_close import IncidentCloseScreen
from screens.incident_prompt import PhasePickerScreen, ResumeScreen, TextPromptScreen
from screens.incident_report import IncidentReportScreen
from screens.incident_start import IncidentStartScreen
from screens.incident_timeline import IncidentTimelineScreen
from screens.textual_compat import screen_text_lines
from tests.fakes import NORMAL_VALUES, StaticPoller
from tests.util import click_now, press_now, type_in, wait_for, refresh_model
from widgets.alert_banner import AlertBanner
from widgets.incident_bar import IncidentBar
from widgets.incident_strip import IncidentStrip
from widgets.incident_timeline import IncidentTimeline


class ScriptedPoller(StaticPoller):
    """Each poll takes the next P95 latency from a script (the last one repeats)."""

    def __init__(self, latencies: list[float]) -> None:
        super().__init__(dict(NORMAL_VALUES))
        self.script = list(latencies)

    async def poll(self):
        if self.script:
            self.values["p95_latency_ms"] = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return await super().poll()


#: The poll interval of tests that type into forms. A poll repaints the screen, a modal's background
#: too; at 0.1 s the UI loop never idles, and Pilot waits up to 1 s per key for it to (wait_for_idle).
#: Their data is constant (one scripted value), so one poll a second tests the same and types at once.
TYPING_REFRESH = 1.0


def make_app(poller, *, hold: int = 3, refresh: float = 0.1, extra: dict | None = None) -> EdgeConsoleApp:
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=refresh)
    cfg.raw["alerts"] = {"hold_scrapes": hold, "clear_scrapes": hold, "hysteresis_percent": 5}
    cfg.raw.update(extra or {})
    refresh_model(cfg)  # subsystems read the checked sections (console/schema)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=poller)


def banner(app) -> AlertBanner:
    return app.screen.query_one(AlertBanner)


def bar(app) -> IncidentBar:
    return app.screen.query_one(IncidentBar)


async def ready(app, pilot) -> None:
    await wait_for(lambda: hasattr(app, "incident_response") and app.screen.query(IncidentBar), message="chrome")


async def test_alert_raised_after_held_scrapes_not_before_and_once():
    poller = ScriptedPoller([80, 1400])
    app = make_app(poller, hold=3)
    seen: list[tuple[int, int, bool]] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        # the chrome is found among the screen's own children: a query walked the dashboard's whole DOM,
        # three times per screen at each redraw of the chrome (each poll while an alert is up)
        dashboard, walks = app.screen, []
        dashboard.query = lambda *a, **k: (walks.append(a), type(dashboard).query(dashboard, *a, **k))[1]
        app.events.subscribe(
            PollCompleted,
            lambda e: seen.append((poller.polls, len(app.incident_response.engine.active()), banner(app).display)),
        )
        await wait_for(lambda: len(seen) >= 8, message="eight polls")
        first_bad = 2  # poll 1 is 80 ms, polls 2.. are 1400 ms
        for polls, active, shown in seen:
            held = polls - first_bad + 1
            assert active == (1 if held >= 3 else 0), seen
            assert shown == (held >= 3), seen
        assert app.incident_response.bells == 1  # one bell, not one per scrape
        assert not [a for a in walks if a[:1] in ((AlertBanner,), (IncidentBar,), (IncidentStrip,))], walks
        text = str(banner(app).render())
        assert "CRIT" in text and "High Latency Alert" in text and "suggest P2" in text


async def test_hovering_value_does_not_flap():
    poller = ScriptedPoller([80, 1400, 1400, 1400] + [990, 1010, 995, 1020, 960, 1005] * 3 + [990])
    app = make_app(poller, hold=3)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await wait_for(lambda: poller.polls >= 24, timeout=20, message="24 polls")
        active = app.incident_response.engine.active()
        assert len(active) == 1 and active[0].level.value == "critical"  # hovering at 1 s: stays critical
        assert app.incident_response.bells == 1


async def test_alert_banner_on_every_screen_and_ack():
    app = make_app(ScriptedPoller([1400]), hold=1)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        await wait_for(lambda: banner(app).display, message="banner")
        await pilot.press("c")  # contacts screen
        await wait_for(
            lambda: (
                type(app.screen).__name__ == "ContactsScreen" and app.screen.query(AlertBanner) and banner(app).display
            ),
            message="banner on the contacts screen",
        )
        await pilot.press("escape")
        manager = app.incident_response.manager
        manager.start("P2", "Slow")
        await pilot.press("a")
        await wait_for(lambda: banner(app).has_class("acknowledged"), message="acknowledged")
        acked = manager.current.entries[-1]
        assert acked.kind == "alert" and acked.text.startswith("Alert acknowledged: CRIT P95 latency")
        assert app.incident_response.engine.unacknowledged() == []
        bells = app.incident_response.bells
        await wait_for(lambda: app.poll_count >= 5, message="more polls")
        assert app.incident_response.bells == bells  # acknowledged: not raised again


async def test_start_p1_note_phases_flow_steps_close_and_report(state_dir, tmp_path):
    app = make_app(ScriptedPoller([80]), hold=2, refresh=TYPING_REFRESH)
    async with app.run_test(size=(110, 36)) as pilot:
        await ready(app, pilot)
        await press_now(pilot, "i")
        await wait_for(
            lambda: isinstance(app.screen, IncidentStartScreen) and app.screen.query("#sev-P1"), message="start modal"
        )
        await click_now(pilot, "#sev-P1")
        await wait_for(lambda: app.screen.severity == "P1", message="P1 picked")
        await click_now(pilot, "#incident-title")
        await type_in(pilot, app, "#incident-title", "Error spike")
        await press_now(pilot, "enter")
        await type_in(pilot, app, "#incident-impact", "2% of submissions fail")
        await press_now(pilot, "enter")
        await wait_for(lambda: not isinstance(app.screen, IncidentStartScreen), message="started")
        incident = app.incident_response.manager.current
        assert (
            incident.severity == "P1"
            and incident.title == "Error spike"
            and incident.impact == "2% of submissions fail"
        )
        await wait_for(lambda: bar(app).display and incident.id in str(bar(app).render()), message="incident bar")
        text = str(bar(app).render())
        assert "P1 Major" in text, text
        assert "ack due in 30m" in text or "ack due in 29m" in text, text
        assert "phase: triggered" in text
        # a note with n
        await press_now(pilot, "n")
        await wait_for(lambda: isinstance(app.screen, TextPromptScreen), message="note prompt")
        await type_in(pilot, app, "#prompt-input", "rollback looks likely")
        await press_now(pilot, "enter")
        await wait_for(lambda: not isinstance(app.screen, TextPromptScreen), message="note saved")
        # phase marks with m then a number
        for number, phase in (("1", "acknowledged"), ("2", "root-cause-identified")):
            await press_now(pilot, "m")
            await wait_for(lambda: isinstance(app.screen, PhasePickerScreen), message="phase picker")
            await press_now(pilot, number)
            await wait_for(lambda p=phase: app.incident_response.manager.current.phase == p, message=phase)
        await wait_for(lambda: "acked in" in str(bar(app).render()), message="response clock stopped")
        # run a runbook flow from the app (the flow modal): its step lands on the timeline with its outcome
        from screens.flow_modal import FlowModal
        from tests.test_flow_ui_modal import close_flow_modals

        app.open_flow("cloudflare-status")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="flow modal")

        def flow_entries():
            return [e for e in app.incident_response.manager.current.entries if e.kind == "flow"]

        modal = app.screen
        for _ in range(8):  # enter: continue the (empty) form, run the step, finish, close
            if flow_entries() or not isinstance(app.screen, FlowModal):
                break
            before = (modal.phase, modal.focus_index())
            await press_now(pilot, "enter")
            await wait_for(
                lambda before=before: (
                    flow_entries()
                    or app.screen is not modal
                    or ((modal.phase, modal.focus_index()) != before and not modal.busy)
                ),
                timeout=15,
                message="the flow answered enter",
            )
        await wait_for(flow_entries, timeout=15, message="flow step on the timeline")
        await wait_for(lambda: len(flow_entries()) >= 2, timeout=15, message="flow end on the timeline")
        step, end = flow_entries()  # each record once, although the app has two audit subscribers
        assert step.text.startswith("Flow cloudflare-status step status (GET the Cloudflare status page): ")
        assert step.data["flow"] == "cloudflare-status" and step.data["environment"] == "production"
        assert end.text.startswith("Flow cloudflare-status (Cloudflare status) ended: ")
        assert "ran: status" in end.text
        await close_flow_modals(app, pilot)
        # the timeline screen shows everything
        await press_now(pilot, "i")
        await wait_for(
            lambda: isinstance(app.screen, IncidentTimelineScreen) and app.screen.query(IncidentTimeline),
            message="timeline",
        )
        timeline = app.screen.query_one(IncidentTimeline)
        await wait_for(
            lambda: timeline.row_count == len(app.incident_response.manager.current.entries), message="all rows"
        )
        texts = timeline.texts()
        assert "rollback looks likely" in texts and "Engineer acknowledged" in texts
        await press_now(pilot, "r")  # a draft report while the incident is open: nothing written
        await wait_for(
            lambda: isinstance(app.screen, IncidentReportScreen) and app.screen.query("#report-path"),
            message="draft report",
        )
        assert (
            "Draft" in str(app.screen.query_one("#report-path").content)
            and "rollback looks likely" in app.screen.markdown
        )
        assert not (state_dir / "incidents" / "drills" / f"{incident.id}.md").exists()
        assert "*Draft: the incident is still open" in app.screen.markdown  # as `incident report` says it
        # drawn as Markdown (no markup characters), by one widget: Textual's Markdown widget mounted a widget
        # per block, list item and table cell (~1.5 CPU-s per open of the screen)
        await wait_for(lambda: "Timeline (SIMULATED DRILL)" in "\n".join(screen_text_lines(app)), message="drawn")
        assert len(app.screen.query("#report-scroll *")) == 1
        shown = "\n".join(screen_text_lines(app))
        assert "Incident ID: DRILL-" in shown and "rollback looks likely" in shown and "**" not in shown, shown
        assert "Measure" in shown and "Draft: the incident is still open" in shown, shown
        assert "report" not in app.incident_response.manager.current.review_done
        await press_now(pilot, "escape")
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="back to the timeline")
        assert "Root cause identified" in texts
        # close: recovery checklist, then what happened, then the report
        await press_now(pilot, "x")
        await wait_for(
            lambda: isinstance(app.screen, IncidentCloseScreen) and app.screen.query("#recovery-smoke"),
            message="close flow",
        )
        close = app.screen
        statuses = {c.key: c.status for c in close.checks}
        assert statuses["workers"] == "pass" and statuses["metrics"] == "pass" and statuses["smoke"] == "manual"
        await click_now(pilot, "#recovery-smoke")
        await wait_for(lambda: close.query_one("#recovery-smoke").value, message="smoke tests confirmed")
        await click_now(pilot, "#close-next")
        await click_now(pilot, "#close-root-cause")
        await type_in(pilot, app, "#close-root-cause", "bad deploy")
        await press_now(pilot, "enter")
        await type_in(pilot, app, "#close-resolution", "rolled back")
        await press_now(pilot, "enter")
        await type_in(pilot, app, "#close-action-items", "add a canary")
        await click_now(pilot, "#close-ok")
        await wait_for(
            lambda: isinstance(app.screen, IncidentReportScreen) and app.screen.query("#report-path"),
            message="report screen",
        )
        closed = app.incident_response.manager.current
        assert not closed.is_open and closed.root_cause == "bad deploy" and closed.action_items == ["add a canary"]
        assert [e.kind for e in closed.entries].count("report") == 1  # written once, on close
        recovery = [e for e in closed.entries if e.kind == "recovery"][0]
        assert recovery.data["checks"]["smoke"] == "confirmed" and recovery.data["checks"]["workers"] == "pass"
        report = app.screen.markdown
        assert report == render_report(closed)
        path = state_dir / "incidents" / "drills" / f"{closed.id}.md"  # the simulated edge: a drill
        assert closed.id.startswith("DRILL-")
        assert path.read_text() == report and str(path) in str(app.screen.query_one("#report-path").render())
        for entry in closed.entries:
            if entry.kind != "report":
                assert md_text(entry.text) in report  # as Markdown text (brackets escaped)
        assert report.startswith("# SIMULATED DRILL: Incident Report: Error spike\n") and "- [ ] add a canary" in report


async def test_resume_offered_at_start_and_other_writers_show_up(state_dir):
    other = IncidentManager(state_dir=state_dir, user="other@console", drill=True)  # on the simulated edge
    incident = other.start("P0", "Outage [prod]", "everything")
    other.note("before the crash")
    other.note("[bold]not markup[/bold] [x]")
    with open(other.store.path(incident.id), "a") as fh:
        fh.write('{"incident": "%s", "seq": 4, "kind": "note", "te' % incident.id)  # power loss mid-write
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            lambda: isinstance(app.screen, ResumeScreen) and app.screen.query("#resume-list"), message="resume offer"
        )
        await wait_for(
            lambda: (
                f"{incident.id}.jsonl:4: truncated last line skipped"
                in " ".join(str(w.content) for w in app.screen.query(".form-error"))
            ),
            message="warning shown",
        )
        assert incident.id in str(app.screen.query_one("#resume-list").get_option_at_index(0).prompt)
        await pilot.press("y")
        await wait_for(lambda: app.incident_response.manager.current_id == incident.id, message="resumed")
        # the restart of the console during the incident is itself a timeline entry
        await wait_for(
            lambda: [e.kind for e in other.store.load(incident.id).entries][-1:] == ["console"], message="restart entry"
        )
        await wait_for(lambda: bar(app).display and incident.id in str(bar(app).render()), message="bar")
        await pilot.press("i")
        await wait_for(
            lambda: isinstance(app.screen, IncidentTimelineScreen) and app.screen.query(IncidentTimeline),
            message="timeline",
        )
        timeline = app.screen.query_one(IncidentTimeline)
        await wait_for(lambda: "before the crash" in timeline.texts(), message="old entries")
        assert "[bold]not markup[/bold] [x]" in timeline.texts()  # operator text is shown verbatim
        assert "Outage [prod]" in str(app.screen.query_one("#incident-summary").content)
        # a second process (headless `incident note`) appends: shown within one refresh
        proc = await asyncio.create_subprocess_exec(
            __import__("sys").executable, "-m", "console", "incident", "note", incident.id, "from", "the", "CLI"
        )
        assert await proc.wait() == 0
        await wait_for(lambda: "from the CLI" in timeline.texts(), timeout=5, message="entry from the CLI")
        await pilot.press("m")
        await wait_for(lambda: isinstance(app.screen, PhasePickerScreen), message="phase picker")
        await pilot.press("4")
        await wait_for(lambda: "Service restored" in timeline.texts(), message="phase on timeline")
    assert [e.text for e in other.store.load(incident.id).entries][-1] == "Service restored"


async def test_review_checklist_with_due_times_and_palette_commands(state_dir):
    from screens.incident_prompt import ChoiceScreen

    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(110, 34)) as pilot:
        await ready(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Incident: start", "Incident: note", "Incident: close", "Alert: acknowledge"} <= set(titles)
        manager = app.incident_response.manager
        manager.start("P1", "Queue stuck")
        manager.close("consumer crashed", "restarted consumers", ["alert on consumer restarts"])
        closed_at = manager.current.closed_at
        await pilot.press("i")  # a closed incident: i starts a new one, the timeline is on the palette
        await wait_for(lambda: isinstance(app.screen, IncidentStartScreen), message="start modal")
        await pilot.press("escape")
        app.action_incident_timeline()
        # a redraw of the chrome (a poll, a timeline entry) before the pushed screen has composed: skipped there
        # (the screen's query for its summary raised NoMatches, a crash, when a key came right after the push)
        assert not app.screen.is_mounted
        app.incident_response.update_chrome(force=True)
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="timeline")
        await wait_for(
            lambda: (
                app.screen.query("#incident-review")
                and "Post-incident review" in str(app.screen.query_one("#incident-review").render())
            ),
            message="review checklist",
        )
        text = str(app.screen.query_one("#incident-review").render())
        due = closed_at + __import__("datetime").timedelta(hours=24)
        assert f"[ ] Create incident report (within 24h)  due {due:%Y-%m-%d %H:%M} UTC" in text
        assert "[x] Create action items" in text
        await pilot.press("v")
        await wait_for(lambda: isinstance(app.screen, ChoiceScreen), message="review picker")
        await pilot.press("down")  # the second pending item: the postmortem
        await pilot.press("enter")
        await wait_for(lambda: "postmortem" in manager.current.review_done, message="postmortem done")
        await wait_for(
            lambda: "[x] Schedule blameless postmortem" in str(app.screen.query_one("#incident-review").render()),
            message="review shows it done",
        )


NOTIFIER = """
import json, sys
with open(sys.argv[1], "a") as fh:
    fh.write(json.dumps({"argv": sys.argv[1:], "stdin": sys.stdin.read()}) + "\\n")
"""


async def test_contacts_screen_escalates_and_notifies_and_severity_changes(state_dir, tmp_path):
    import json
    import sys

    from screens.contacts import ContactsScreen

    script = tmp_path / "notify.py"
    script.write_text(NOTIFIER)
    calls = tmp_path / "calls.jsonl"
    extra = {"notify": {"incidents": [sys.executable, str(script), str(calls)]}}
    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH, extra=extra)
    async with app.run_test(size=(110, 34)) as pilot:
        await ready(app, pilot)
        manager = app.incident_response.manager
        incident = manager.start("P2", "Slow responses")
        await press_now(pilot, "c")
        await wait_for(lambda: isinstance(app.screen, ContactsScreen) and app.screen.row_keys, message="contacts")
        screen = app.screen
        table = screen.query_one("#contacts-table")
        # escalate to the team lead (second on the path)
        table.move_cursor(row=screen.row_keys.index(("contact", "team-lead")))
        await press_now(pilot, "enter")
        await wait_for(lambda: manager.current.entries[-1].kind == "escalation", message="escalation recorded")
        assert manager.current.entries[-1].text == "Escalated to Team Lead (infrastructure-lead@twist.io)"
        # notify #incidents: the message is edited in a prompt, then sent on stdin
        table.move_cursor(row=screen.row_keys.index(("channel", "incidents")))
        await press_now(pilot, "enter")
        await wait_for(
            lambda: isinstance(app.screen, TextPromptScreen) and app.screen.query("#prompt-input"),
            message="message prompt",
        )
        default = app.screen.query_one("#prompt-input").value
        assert default.startswith(f"{incident.id} P2 Slow responses - phase triggered - war room zoom.twist.io/warroom")
        await press_now(pilot, "enter")
        # a notify command is an action: production needs its name typed
        await wait_for(
            lambda: (
                isinstance(app.screen, TextPromptScreen)
                and "production" in app.screen.prompt_title
                and app.screen.query("#prompt-input")
            ),
            message="confirmation prompt",
        )
        await type_in(pilot, app, "#prompt-input", "production")
        await press_now(pilot, "enter")
        await wait_for(lambda: manager.current.entries[-1].kind == "notify", timeout=15, message="notify outcome")
        assert manager.current.entries[-1].text == "Notified incidents: exit 0"
        (call,) = [json.loads(line) for line in calls.read_text().splitlines()]
        assert call == {"argv": [str(calls)], "stdin": "[SIMULATED DRILL] " + default}  # a drill says so
        await pilot.press("escape")
        # severity change from the timeline screen
        app.action_incident_timeline()
        await wait_for(lambda: isinstance(app.screen, IncidentTimelineScreen), message="timeline")
        await press_now(pilot, "s")
        await wait_for(lambda: isinstance(app.screen, TextPromptScreen), message="severity prompt")
        await type_in(pilot, app, "#prompt-input", "P7")
        await press_now(pilot, "enter")
        await wait_for(
            lambda: "is not one of P0, P1, P2, P3" in str(app.screen.query_one("#prompt-error").render()),
            message="bad severity explained",
        )
        await press_now(pilot, *["backspace"] * 2)  # bound keys are handled after the characters queued behind
        await wait_for(lambda: app.screen.query_one("#prompt-input").value == "", message="P7 deleted")
        await type_in(pilot, app, "#prompt-input", "P1 customers see errors")
        await press_now(pilot, "enter")
        await wait_for(lambda: manager.current.severity == "P1", message="severity changed")
        assert manager.current.entries[-1].text == "Severity changed P2 -> P1 (Degraded Service): customers see errors"
        # the prompt closes after the write it waited for
        await wait_for(lambda: not isinstance(app.screen, TextPromptScreen), message="severity prompt closed")
        await wait_for(lambda: "P1 Major" in str(bar(app).render()), message="bar shows P1")


async def test_p0_flow_shows_the_escalation_path():
    from screens.flow_modal import FlowModal

    app = make_app(ScriptedPoller([80]), refresh=0.3)
    async with app.run_test(size=(110, 34)) as pilot:
        await ready(app, pilot)
        app.open_flow("p0-service-down")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="P0 flow")

        def escalation_shown() -> bool:
            found = app.screen.query("#flow-desc")
            return bool(found) and "Escalate:" in str(found.first().render())

        await wait_for(escalation_shown, message="escalation path in the P0 flow")
        text = str(app.screen.query_one("#flow-desc").render())
        assert "Team Lead (infrastructure-lead@twist.io)" in text
        assert "war room zoom.twist.io/warroom" in text
        assert app.screen.flow.description.strip().split()[0] in text  # the description is kept


async def test_an_incident_started_in_another_terminal_shows_up(state_dir):
    import sys

    app = make_app(ScriptedPoller([80]), refresh=TYPING_REFRESH)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        assert not bar(app).display
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "console",
            "incident",
            "start",
            "--severity",
            "P1",
            "--title",
            "From the CLI",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
        incident_id = out.decode().strip()
        await wait_for(
            lambda: bar(app).display and incident_id in str(bar(app).render()),
            timeout=5,
            message="incident from the other terminal",
        )
        assert app.incident_response.manager.current_id == incident_id
        await pilot.press("n")
        await type_in(pilot, app, "#prompt-input", "seen here")
        await press_now(pilot, "enter")
        await wait_for(lambda: app.incident_response.manager.current.entries[-1].text == "seen here", message="note")


async def test_flow_modal_shows_the_incident_and_an_alert_raised_while_it_is_open():
    from screens.flow_modal import FlowModal
    from widgets.incident_strip import IncidentStrip

    poller = ScriptedPoller([80])
    app = make_app(poller, hold=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        incident = app.incident_response.manager.start("P1", "Error spike")
        app.open_flow("cloudflare-status")
        await wait_for(
            lambda: isinstance(app.screen, FlowModal) and app.screen.query(IncidentStrip),
            message="flow modal with the strip",
        )
        modal = app.screen
        strip = modal.query_one(IncidentStrip)
        await wait_for(lambda: strip.display and incident.id in str(strip.render()), message="incident in the strip")
        text = str(strip.render())
        assert "P1" in text and ("ack due in 30m" in text or "ack due in 29m" in text), text
        assert "CRIT" not in text  # no alert yet
        polls = poller.polls
        poller.script = [1400]  # latency goes critical while the flow modal is open
        await wait_for(
            lambda: "CRIT P95 latency 1,400 ms" in str(strip.render()),
            timeout=10,
            message="alert raised while the modal is open",
        )
        assert poller.polls >= polls + 2 and app.screen is modal
        text = str(strip.render())
        assert text.index(incident.id) < text.index("ack due in") < text.index("CRIT P95 latency")
        # one line at the top of the 80x24 screen, above the flow box, nothing cut off that matters
        assert strip.region.y == 0 and strip.region.height == 1 and strip.region.width == 80
        box = modal.query_one("#flow-box")
        assert box.region.y == 1 and box.region.bottom <= 23  # the footer keeps the last row
        shot = app.export_screenshot()
        for shown in (incident.id, "CRIT", "P95", "latency"):
            assert shown in shot, shown
        assert incident.id in modal.visible_text()
        # a note added meanwhile (another terminal) and the alert ack keep the strip current
        app.incident_response.manager.mark_phase("acknowledged")
        await wait_for(lambda: "acked in" in str(strip.render()), message="response clock stopped in the strip")
