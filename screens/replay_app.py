"""``edge-console replay FILE``: the full TUI driven by a recording, badged REPLAY, read-only.

The replay feeds the app through the interfaces the live data uses: each recorded poll goes to
``EdgeConsoleApp.apply_result`` (what ``poll_loop`` calls: history, the ``PollCompleted`` event (the
alert engine and the incident chrome), every visible screen), and recorded tail events go through the log tail's
controller (``screens.log_view.TailController``) from a pump with ``ParsePump``'s consumer interface,
so the dashboard pane and the log view render them from the same store. ``app.clock`` is the
recording's virtual clock (``console.record.timeline.ReplayTimeline``): every age, the alert engine's
hold times and the incident bar run on recorded time; nothing sleeps on it (tests call ``step``).

Read-only, twice: the app refuses a session that is not read-only when it is assembled, and at run
time it opens no runbook flow (a recording has no edge to act on) and its incident manager writes
nothing (``view_only``).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Iterable


from console.app.events import PollCompleted
from console.config import simulated_config
from console.record.encode import FLOW, INCIDENT, POLL, TAIL
from console.record.timeline import ReplayTimeline
from console.sanitize import clean_line
from console.session import Session
from console.tail.model import TailEvent, _loads
from screens.app import EdgeConsoleApp
from screens.log_view import TailController
from widgets.status_header import StatusHeader
from widgets.keybindings import bindings

#: the replay's frame: real seconds between advances of the virtual clock (4 frames/s, the full log
#: view's cadence: at 60x a frame covers 15 recorded seconds, 7-8 polls, of which the last is drawn)
FRAME_S = 0.25
SEEK_S = 60.0


class ReplayPump:
    """What ``TailController`` needs from ``ParsePump`` (``drain``, ``pending``, ``stop``), fed with the
    recording's tail events instead of a parse thread."""

    def __init__(self) -> None:
        self._events: list[TailEvent] = []

    @property
    def pending(self) -> int:
        return len(self._events)

    def feed(self, events: Iterable[TailEvent]) -> None:
        self._events.extend(events)

    def drain(self) -> list[TailEvent]:
        events, self._events = self._events, []
        return events

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 1.0) -> None:
        self._events = []

    @property
    def alive(self) -> bool:
        return True


class ReplayTailController(TailController):
    """The log tail's controller with the recording as its source: no wrangler, no parse thread."""

    def start(self) -> None:
        if self.timer is not None:
            return
        self.pump = ReplayPump()
        self.source.status.state = "streaming"
        self.source.status.detail = "replay of a recording"
        self.source.status.command = "replay"
        self.timer = self.app.set_interval(self.settings.batch_ms / 1000.0, self.tick)

    def feed(self, events: list[TailEvent]) -> None:
        if self.pump is None:
            self.start()
        self.pump.feed(events)  # type: ignore[union-attr]
        self.source.status.received += len(events)

    def set_server_filters(self, filters: Any) -> None:
        self.app.notify(
            "replay: the recording's tail cannot be re-filtered at the source; use / to filter",
            severity="warning",
            timeout=5,
            markup=False,
        )

    def clear(self) -> None:
        if self.pump is not None:
            self.pump.drain()
        self.store.clear()
        self.refresh_panes(lists=True)


def replay_session(header: dict[str, Any]) -> Session:
    """A read-only session describing the recorded environment: no edge, no tools, no tokens."""
    target = clean_line(str(header.get("target") or "recording"))[:100]
    config = simulated_config(f"http://{target}.replay.invalid")
    env = config.environment(None)
    env.name = clean_line(str(header.get("environment") or "recorded"))[:40]
    env.simulated = bool(header.get("simulated", False))
    env.api_token_env = None
    env.admin_token_env = None
    env.tools = {}
    env.tool_env = {}
    refresh = header.get("refresh_seconds")
    if isinstance(refresh, (int, float)) and not isinstance(refresh, bool) and 0.1 <= refresh <= 3600:
        config.refresh_seconds = float(refresh)
    return Session(config=config, env=env, read_only=True)


def _tail_event(record: dict[str, Any]) -> TailEvent | None:
    """The recorded event's text parsed as the live tail parses it (orjson: C, its own nesting limit,
    no Python recursion); the text is at most the reader's line bound."""
    try:
        raw = _loads(record["text"])
    except (ValueError, RecursionError):
        return None
    return TailEvent(raw, record["text"]) if isinstance(raw, dict) else None


class ReplayApp(EdgeConsoleApp):
    """The console on a recording. ``autoplay=False`` (tests) leaves the clock to ``step``/``seek``."""

    REPLAY = True
    BINDINGS = bindings("replay")

    def __init__(
        self,
        session: Session,
        recording: Any,
        *,
        speed: float = 1.0,
        start: float | None = None,
        autoplay: bool = True,
        theme: str | None = None,
    ) -> None:
        if not session.read_only:
            raise ValueError("a replay session must be read-only")
        super().__init__(session, theme=theme)  # --theme, else the config's theme:, else the terminal's
        self.replay_recording = recording
        self.timeline = ReplayTimeline(recording.records, speed=speed)
        self._start_at = start
        self.autoplay = autoplay
        self.clock = self._virtual_now
        self.tail = ReplayTailController(self, session)
        self.frames = 0
        self.drops = 0
        self.delivered = 0
        self._last_tick: float | None = None
        self._badge = ""

    def _virtual_now(self) -> float:
        return self.timeline.now

    # -- read-only -----------------------------------------------------------------------------
    @property
    def incident_response(self) -> Any:
        response = super().incident_response
        response.manager.view_only = True  # the replay writes no incident entry
        return response

    def offer_flows(self, targets: Any, title: str, why: str = "") -> None:
        """``r`` during a DDoS offers a picker of flows: on a recording nothing is offered."""
        self.open_flow(str(next(iter(targets), "")), why=why)

    def open_flow(self, target: str, inputs: dict[str, str] | None = None, why: str = "") -> None:
        self.notify(
            "REPLAY is read-only: runbook flows do not run on a recording", severity="warning", timeout=5, markup=False
        )

    # -- the clock's driver --------------------------------------------------------------------
    def _start_collecting(self) -> None:
        """Instead of the poll loop: deliver the recording on the virtual clock."""
        self.tail.start()
        if self._start_at is not None:
            self.seek(self._start_at)
        else:
            self.deliver(self.timeline.advance_to(self.timeline.begin))
        self.update_badge()
        if self.autoplay:
            self.set_interval(FRAME_S, self._frame)

    def _frame(self) -> None:
        now = time.monotonic()
        real = FRAME_S if self._last_tick is None else now - self._last_tick
        self._last_tick = now
        if real > 2 * FRAME_S:
            self.drops += 1  # this frame came late: the replay's time made up for it in one jump
        self.frames += 1
        self.deliver(self.timeline.advance(real))
        self.update_badge()

    def step(self, seconds: float) -> int:
        """Advance the virtual clock by ``seconds`` of recorded time (tests, benches); returns records delivered."""
        due = self.timeline.advance_to(self.timeline.now + seconds)
        self.deliver(due)
        self.update_badge()
        return len(due)

    def deliver(self, records: list[dict[str, Any]]) -> None:
        """Hand ``records`` to the app. Every poll reaches the history and the poll subscribers (the alert
        engine judges each one, as live); the screens draw the last poll of the batch only (at 60x a
        frame covers three polls: drawing the two hidden ones would only make the frame late)."""
        events: list[TailEvent] = []
        last_poll = max((i for i, r in enumerate(records) if r["k"] == POLL), default=-1)
        for index, record in enumerate(records):
            kind = record["k"]
            if kind == POLL:
                if events:
                    self.tail.feed(events)
                    events = []
                if index == last_poll:
                    self.apply_result(record["_poll"])
                else:
                    self._apply_unseen(record["_poll"])
            elif kind == TAIL:
                event = _tail_event(record)
                if event is not None:
                    events.append(event)
            elif kind in (FLOW, INCIDENT):
                self._show_recorded(record)
        if events:
            self.tail.feed(events)
        self.delivered += len(records)

    def _apply_unseen(self, result: Any) -> None:
        """``apply_result`` without drawing: history, ``last_result`` and the ``PollCompleted`` event."""
        self.last_result = result
        self.poll_count += 1
        self._append_history(result)
        self.events.publish(PollCompleted(result))  # as in apply_result: a failing handler is only logged

    def _show_recorded(self, record: dict[str, Any]) -> None:
        if record["k"] == FLOW:
            data = record.get("record", {})
            text = f"{data.get('flow', '?')} · {data.get('step', data.get('step_id', '?'))}: {data.get('status', '')}"
            title = "Recorded flow step"
        else:
            text = str(record.get("entry", {}).get("text", ""))
            title = "Recorded incident entry"
        self.notify(clean_line(text)[:300], title=title, timeout=6, markup=False)

    def seek(self, t: float) -> None:
        """Jump: rebuild history, the alert engine and the log pane as they were at ``t``."""
        state = self.timeline.seek(t)
        for series in self.history.values():
            series.clear()
        self._last_derived_at = None
        response = self.incident_response
        from console.incident.alerts import AlertEngine

        response.engine = AlertEngine(response.engine.thresholds, response.engine.settings)
        for poll in state.polls[:-1]:
            self._append_history(poll)
            response.engine.observe(poll, poll.at)
        self.tail.clear()
        self.tail.feed([e for e in (_tail_event(r) for r in state.tail) if e is not None])
        if state.polls:
            self.apply_result(state.polls[-1])
        else:
            response.update_chrome(force=True)
        self.update_badge()

    def _append_history(self, poll: Any) -> None:
        derived = poll.derived
        if derived is not None and derived.at != self._last_derived_at:
            self._last_derived_at = derived.at
            for key, series in self.history.items():
                metric = derived.metrics.get(key)
                series.append(metric.value if metric is not None else None)

    # -- keys ----------------------------------------------------------------------------------
    def action_replay_pause(self) -> None:
        paused = self.timeline.toggle_pause()
        self._last_tick = None
        self.update_badge()
        self.notify("paused" if paused else "playing", title="Replay", timeout=2)

    def action_replay_back(self) -> None:
        self.seek(self.timeline.now - SEEK_S)

    def action_replay_forward(self) -> None:
        self.seek(self.timeline.now + SEEK_S)

    def action_replay_next_mark(self) -> None:
        mark = self.timeline.next_mark()
        if mark is None:
            self.notify("no later alert or flow step in the recording", title="Replay", timeout=3)
            return
        self.seek(mark)

    def action_replay_faster(self) -> None:
        self.timeline.faster()
        self.update_badge()

    def action_replay_slower(self) -> None:
        self.timeline.slower()
        self.update_badge()

    # -- badge ---------------------------------------------------------------------------------
    def badge_text(self) -> str:
        when = datetime.fromtimestamp(self.timeline.now, timezone.utc).strftime("%H:%M:%S")
        state = "PAUSED" if self.timeline.paused else ("END" if self.timeline.finished else f"x{self.timeline.speed:g}")
        return f"REPLAY {when} {state}"

    def update_badge(self) -> None:
        text = self.badge_text()
        if text == self._badge:
            return
        self._badge = text
        for screen in self.visible_screens():
            for header in screen.query(StatusHeader):
                header.replay = text
                header.refresh_badge()


def run_replay(params: tuple[Any, ...]) -> int:
    """``(recording, speed, start[, theme])``: the replay app, run until it quits."""
    recording, speed, start, *rest = params
    theme = rest[0] if rest else None
    app = ReplayApp(replay_session(recording.header), recording, speed=speed, start=start, theme=theme)
    app.run()
    return int(app.return_code or 0)
