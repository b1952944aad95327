"""The incident session without a UI (console/app/incidents.py): alerts to the timeline, the operator's
actions, other writers, resume, notify refusals and write errors, driven through a recording front end.

Every write runs on the session's writer thread; its outcome comes back through ``front.post``, which the
test runs on this (the "UI") thread with :meth:`Front.settle` (waits for the writer to go idle: an
event, not a sleep)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from console.app.events import AuditRecorded, EventBus, PollCompleted
from console.app.incidents import IncidentSession, Notice
from console.config import simulated_config
from console.incident.manager import IncidentManager
from console.incident.model import PHASE_TEXT
from console.metrics.model import Health, SourceStatus
from console.session import Session
from tests.fakes import NORMAL_VALUES, FakeResult, make_derived
from tests.util import refresh_model

T0 = 1_773_480_000.0  # 2026-03-14 09:20 UTC


class Front:
    """The UI side, recorded: posted calls wait in :attr:`posted` until :meth:`settle` runs them."""

    def __init__(self) -> None:
        self.posted: list[tuple[Callable[..., Any], tuple]] = []
        self.called_from: list[int] = []
        self.toasts: list[Notice] = []
        self.bells = 0
        self.redraws = 0
        self.hint_text = "i to start one"
        self.lock = threading.Lock()
        self.session: IncidentSession | None = None

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        with self.lock:
            self.posted.append((fn, args))

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        self.called_from.append(threading.get_ident())
        self.post(fn, *args)

    def toast(self, notice: Notice) -> None:
        self.toasts.append(notice)

    def bell(self) -> None:
        self.bells += 1

    def redraw(self, incident: Any = None) -> None:
        self.redraws += 1

    def hint(self, action_id: str, words: str) -> str:
        return self.hint_text if action_id == "incident.open" else ""

    def settle(self, rounds: int = 20) -> None:
        """Let queued writes finish and run what they posted, until nothing is left."""
        assert self.session is not None
        for _ in range(rounds):
            assert self.session.writer.drain(10.0), "the writer thread did not finish its jobs"
            with self.lock:
                posted, self.posted = self.posted, []
            if not posted:
                return
            for fn, args in posted:
                fn(*args)
        raise AssertionError("posted calls kept coming")

    def texts(self) -> list[str]:
        return [n.text for n in self.toasts]


def make_config(**raw: Any) -> Any:
    cfg = simulated_config("http://127.0.0.1:9")
    cfg.raw["alerts"] = {"hold_scrapes": 1, "clear_scrapes": 1, "hysteresis_percent": 5}
    cfg.raw.update(raw)
    refresh_model(cfg)
    return cfg


def make_session(
    state_dir: Path, *, read_only: bool = False, shared: bool = False, clock: list[float] | None = None, **raw: Any
) -> tuple[IncidentSession, Front, list[float]]:
    cfg = make_config(**raw)
    now = clock if clock is not None else [T0]
    front = Front()
    session = IncidentSession(
        front,
        Session(config=cfg, env=cfg.environment(), read_only=read_only, shared=shared),
        clock=lambda: now[0],
        state_dir=state_dir,
    )
    front.session = session
    return session, front, now


def poll(values: dict[str, float], at: float) -> FakeResult:
    live = SourceStatus("metrics", "live", last_ok=at)
    return FakeResult(
        derived=make_derived(values, at=at),
        metrics=live,
        health=Health(True, "healthy", {"vau-processor": "healthy"}, "1.4.2"),
        health_source=SourceStatus("health", "live", last_ok=at),
        at=at,
    )


SLOW = {**NORMAL_VALUES, "p95_latency_ms": 1400.0}


def entries(session: IncidentSession) -> list[tuple[str, str]]:
    incident = session.manager.current
    assert incident is not None
    return [(e.kind, e.text) for e in incident.entries]


async def test_a_poll_over_threshold_raises_an_alert_rings_once_and_goes_on_the_open_incident(state_dir):
    session, front, now = make_session(state_dir)
    try:
        ok, incident_id = await session.start("P2", "Watching latency", "", session.start_proposal())
        assert ok and incident_id.startswith("DRILL-"), incident_id  # the simulated edge: a drill
        front.settle()
        session.on_poll(poll(NORMAL_VALUES, now[0]))
        front.settle()
        assert session.engine.active() == [] and front.bells == 0
        for step in range(1, 4):
            now[0] = T0 + 2 * step
            session.on_poll(poll(SLOW, now[0]))
            front.settle()
        assert [a.key for a in session.engine.active()] == ["p95_latency_ms"]
        assert front.bells == 1 and session.bells == 1  # once, not once per scrape
        kinds = entries(session)
        assert [k for k, _ in kinds] == ["start", "alert"]
        assert kinds[1][1].startswith("Alert triggered: P95 latency")
        assert front.redraws >= 4
    finally:
        session.shutdown()


async def test_start_answers_the_active_alert_and_records_the_others(state_dir):
    session, front, now = make_session(state_dir)
    try:
        both = {**SLOW, "error_rate": 2.5}
        session.on_poll(poll(both, now[0]))
        front.settle()
        proposal = session.start_proposal()
        assert proposal.trigger is not None and proposal.trigger.key == "error_rate"  # the worst first
        assert proposal.form_defaults()["severity"] == "P1"
        ok, incident_id = await session.start("P1", proposal.title or "", "5xx for EU users", proposal)
        assert ok
        session.started(incident_id)
        front.settle()
        kinds = entries(session)
        texts = [text for _, text in kinds]
        assert kinds[0][0] == "start" and "P1" in texts[0] and session.manager.current.severity == "P1"
        assert any(t.startswith("Alert active at start:") and "P95 latency" in t for t in texts), texts
        assert f"{incident_id} started" in front.texts()
    finally:
        session.shutdown()


async def test_operator_actions_write_the_timeline_and_errors_come_back_as_reasons(state_dir):
    session, front, now = make_session(state_dir)
    try:
        assert session.need_incident() is None
        assert front.toasts[-1] == Notice("No incident: press i to start one", severity="warning", timeout=4)
        front.hint_text = ""  # the key unbound (keymap): the palette is named instead
        session.need_incident()
        assert front.toasts[-1].text == "No incident: start one from the palette (Incident: start)"

        await session.start("P3", "Slow pages", "", session.start_proposal())
        assert await session.submit_note("seen from the edge") == (True, "")
        assert await session.set_severity("P1 error rate above 1%") == (True, "")
        ok, why = await session.set_severity("P9 whatever")
        assert not ok and "P9" in why  # the form shows why; nothing written
        session.record_phase("acknowledged")
        session.record_phase("not-a-phase")  # an operator error: a notice, never raised
        front.settle()
        kinds = [k for k, _ in entries(session)]
        assert kinds == ["start", "note", "severity", "phase"], kinds
        assert session.manager.current.severity == "P1"
        assert PHASE_TEXT["acknowledged"] in front.texts()
        errors = [n for n in front.toasts if n.severity == "error"]
        assert len(errors) == 1 and errors[0].title == "Incident" and "not-a-phase" in errors[0].text
    finally:
        session.shutdown()


async def test_acknowledging_records_on_the_incident_and_says_when_there_is_nothing(state_dir):
    session, front, now = make_session(state_dir)
    try:
        assert session.acknowledge_alert() == []
        assert front.texts()[-1] == "No unacknowledged alert"
        session.on_poll(poll(SLOW, now[0]))
        front.settle()
        await session.start("P2", "Latency", "", session.start_proposal())
        done = session.acknowledge_alert()
        front.settle()
        assert [a.key for a in done] == ["p95_latency_ms"] and session.engine.unacknowledged() == []
        assert entries(session)[-1][1].startswith("Alert acknowledged: ")
    finally:
        session.shutdown()


async def test_an_incident_started_elsewhere_is_adopted_and_named(state_dir):
    session, front, now = make_session(state_dir)
    try:
        session.scan_open_incidents(lambda incidents: front.toasts.append(Notice("offered")))
        front.settle()
        assert "offered" not in front.texts()  # nothing open: nothing offered
        other = IncidentManager(state_dir=state_dir, drill=True)
        started = other.start("P1", "Checkout errors", "5xx")
        session.check_other_writers()
        front.settle()
        assert session.manager.current_id == started.id
        notice = front.toasts[-1]
        assert notice.title == "Incident" and notice.text.startswith(f"{started.id} P1 Checkout errors started by")
        other.note("from the other console", incident_id=started.id)
        session.check_other_writers()
        front.settle()
        assert entries(session)[-1] == ("note", "from the other console")
    finally:
        session.shutdown()


async def test_an_open_incident_is_offered_and_resuming_records_the_restart(state_dir):
    first, front1, _ = make_session(state_dir)
    await first.start("P2", "Queue backlog", "", first.start_proposal())
    incident_id = first.manager.current_id
    first.shutdown()

    session, front, now = make_session(state_dir)
    try:
        offered: list[list[Any]] = []
        session.scan_open_incidents(offered.append)
        front.settle()
        assert [[i.id for i in batch] for batch in offered] == [[incident_id]]
        session.resume(incident_id)
        front.settle()
        assert session.manager.current_id == incident_id
        assert entries(session)[-1][0] == "console"
        assert front.texts()[-1] == f"Resumed {incident_id}: 1 entries"  # what it found on disk
    finally:
        session.shutdown()


NOTIFY = {
    "channels": {"incidents": {"name": "#incidents", "kind": "slack"}, "ops": {"name": "#ops", "kind": "slack"}},
    "notify": {"incidents": ["slack-notify", "--channel", "incidents"]},
}


async def test_notify_is_planned_refused_read_only_and_confirmed_before_sending(state_dir):
    session, front, now = make_session(state_dir, **NOTIFY)
    try:
        assert session.notify_plan("incidents") is None  # no incident yet
        await session.start("P1", "Errors", "", session.start_proposal())
        assert session.notify_plan("ops") is None
        assert front.texts()[-1] == "#ops: no notify command in config (notify.ops)"
        plan = session.notify_plan("incidents")
        assert plan is not None and plan.command == "slack-notify"
        incident = session.manager.current
        assert plan.default_message == f"{incident.id} P1 Errors - phase triggered"
        assert session.check_message("  ") == (False, "message: must not be empty")
        assert session.check_message("hi") == (True, "")
        problem = session.confirmation_problem(plan, "nope", "esc cancels")
        assert problem == f"type {plan.confirmation.expected!r} to send (esc cancels): nothing sent"
        assert session.confirmation_problem(plan, plan.confirmation.expected) == ""
    finally:
        session.shutdown()

    read_only, front, _ = make_session(state_dir, read_only=True, **NOTIFY)
    try:
        read_only.resume(incident.id)
        front.settle()
        assert read_only.notify_plan("incidents") is None
        assert front.toasts[-1].severity == "error" and "read-only" in front.toasts[-1].text
    finally:
        read_only.shutdown()


async def test_close_writes_the_report_and_review_items_follow(state_dir):
    session, front, now = make_session(state_dir)
    try:
        await session.start("P2", "Cache misses", "", session.start_proposal())
        incident = session.manager.current
        assert session.pending_review(incident) == []
        assert front.texts()[-1] == "Close the incident first; then the review items are listed here"
        shown: list[tuple[str, str]] = []
        session.report(incident, lambda path, text: shown.append((path, text)))
        assert shown[0][0] == "" and "Cache misses" in shown[0][1]  # a draft while open: no file
        ok, path = await session.close([], [], "purge of the hot keys", "warmed the cache", [])
        assert ok and Path(path).is_file()
        closed = session.manager.current
        pending = session.pending_review(closed)
        assert pending and all("due" in text for _, text in pending)
        session.mark_review(pending[0][0])
        session.report(closed, lambda p, text: shown.append((p, text)))
        front.settle()
        assert shown[-1][0] == path
        assert pending[0][0] in session.manager.current.review_done
    finally:
        session.shutdown()


async def test_the_report_is_written_once_on_close(state_dir):
    """Closing writes the report; the report screen that follows shows that report and does not write it
    again (it was written twice: two "Report written" entries on the timeline, the file replaced twice)."""
    session, front, now = make_session(state_dir)
    writes: list[str] = []
    write_report = session.manager.write_report
    session.manager.write_report = lambda *a, **k: (writes.append("report"), write_report(*a, **k))[1]
    try:
        await session.start("P2", "Cache misses", "", session.start_proposal())
        ok, path = await session.close([], [], "purge of the hot keys", "warmed the cache", [])
        assert ok and Path(path).is_file() and writes == ["report"]
        shown: list[tuple[str, str]] = []
        session.report(session.manager.current, lambda p, text: shown.append((p, text)))  # what the UI does next
        front.settle()
        closed = session.manager.current
        assert shown == [(path, Path(path).read_text())]  # the report as written, with its path
        assert writes == ["report"], writes
        assert [e.kind for e in closed.entries].count("report") == 1, entries(session)
        now[0] += 60  # a review item done since: the report is written afresh (it lists the entry)
        session.mark_review("postmortem")
        front.settle()
        session.report(session.manager.current, lambda p, text: shown.append((p, text)))
        front.settle()
        assert (
            writes == ["report", "report"]
            and "Schedule blameless postmortem (within 48h): done" in Path(path).read_text()
        )
    finally:
        session.shutdown()


async def test_a_shared_view_writes_nothing_and_tells_nobody(state_dir):
    session, front, now = make_session(state_dir, shared=True)
    try:
        assert session.manager.view_only and session.integrations is None
        ok, why = await session.start("P2", "From a browser", "", session.start_proposal())
        assert not ok and why
        assert list(state_dir.glob("incidents/**/*.jsonl")) == []
    finally:
        session.shutdown()


async def test_a_view_only_console_offers_no_resume_and_resumes_nothing(state_dir):
    """A replay or a browser's shared view sees the open incidents of the state dir; it must not offer
    to take one on (a resume writes a restart entry and makes the incident this console's)."""
    first, _, _ = make_session(state_dir)
    await first.start("P2", "Queue backlog", "", first.start_proposal())
    incident_id = first.manager.current_id
    first.shutdown()
    view, front, _ = make_session(state_dir, shared=True)
    try:
        offered: list[list[Any]] = []
        view.scan_open_incidents(offered.append)
        front.settle()
        assert offered == []
        view.resume(incident_id)
        front.settle()
        assert view.manager.current_id is None
        assert "cannot resume" in front.texts()[-1]
        lines = [p for p in state_dir.glob("incidents/**/*.jsonl")]
        assert len(lines) == 1 and "console" not in lines[0].read_text().splitlines()[-1]
    finally:
        view.shutdown()


async def test_bus_events_reach_the_session_and_flow_steps_from_another_thread_go_through_the_ui(state_dir):
    session, front, now = make_session(state_dir)
    bus = EventBus()
    try:
        session.subscribe(bus)
        session.subscribe(bus)  # once per bus
        assert len(bus.handlers(PollCompleted)) == 1
        await session.start("P2", "Rollback", "", session.start_proposal())
        bus.publish(PollCompleted(poll(SLOW, now[0])))
        front.settle()
        assert session.engine.active()
        record = {"event": "step_end", "flow": "rollback", "step": "deploy", "status": "passed", "env": "staging"}
        worker = threading.Thread(target=bus.publish, args=(AuditRecorded(record),))
        worker.start()
        worker.join(timeout=10)
        assert front.called_from == [worker.ident]  # handed to the UI thread, not written from the runner's
        front.settle()
        assert entries(session)[-1][0] == "flow"
    finally:
        session.shutdown()
    assert bus.handlers(PollCompleted) == () and bus.handlers(AuditRecorded) == ()


def test_notify_decisions_are_plain_functions():
    from console.app.incident_notify import DRILL_PREFIX, NotifyPlan, NotNotified, drill_message, plan_notify
    from console.incident.contacts import load_contacts

    contacts = load_contacts(make_config(**NOTIFY))

    class Incident:
        id, severity, title, phase = "INC-2026-03-14-001", "P1", "Errors", "acknowledged"

    plan = plan_notify(contacts, "incidents", Incident(), read_only=False, env_name="staging")
    assert isinstance(plan, NotifyPlan) and plan.default_message == "INC-2026-03-14-001 P1 Errors - phase acknowledged"
    assert plan.confirmation.accepts("yes")  # not production: y/yes confirms
    prod = plan_notify(contacts, "incidents", Incident(), read_only=False, env_name="production")
    assert isinstance(prod, NotifyPlan) and not prod.confirmation.accepts("yes")  # production: its name typed
    refused = plan_notify(contacts, "incidents", Incident(), read_only=True, env_name="production")
    assert isinstance(refused, NotNotified) and refused.refused
    missing = plan_notify(contacts, "nope", Incident(), read_only=False, env_name="staging")
    assert isinstance(missing, NotNotified) and not missing.refused
    assert drill_message("hello", True) == f"{DRILL_PREFIX} hello"
    assert drill_message(f"{DRILL_PREFIX} hello", True) == f"{DRILL_PREFIX} hello"  # once
    assert drill_message("hello", False) == "hello"
