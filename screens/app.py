"""EdgeConsoleApp: owns the session, runs the poll loop in a worker, routes results to screens."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, Callable

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from console import gctune
from console.metrics.model import KEY_METRICS
from console.sanitize import clean_line
from console.session import Session
from screens.commands import PROVIDERS as FLOW_COMMANDS
from screens.dashboard import DashboardScreen
from screens.flow_app import FlowsMixin
from screens.help import HelpScreen
from screens.incident_app import IncidentResponseMixin
from screens.recording_app import RecordingMixin
from screens.messages import FleetUpdated, PollUpdated
from screens.textual_compat import OpaqueTopScreens
from themes import css_paths

HISTORY_POINTS = 240
#: Textual hands a frame to its output thread, which needs the interpreter to write it; set-up that
#: holds the interpreter for a while (imports, a full GC pass, starting the tail) waits this long after
#: the first frame is composed, so the terminal shows the dashboard first (measured: without the
#: pause the first frame reached the terminal only after all of that set-up, ~250 ms later)
FIRST_FRAME_FLUSH_S = 0.02
#: Textual's own focus/copy bindings: true everywhere, noise in the help of an operations console
HELP_NOISE = {"help", "app.focus_next", "app.focus_previous", "focus_next", "focus_previous", "screen.copy_text"}


class EdgeConsoleApp(OpaqueTopScreens, FlowsMixin, IncidentResponseMixin, RecordingMixin, App[int]):
    TITLE = "Edge Console"
    CSS_PATH = css_paths()
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | set(FLOW_COMMANDS)
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("colon", "command_palette", "Commands", show=False),
        Binding("w", "share_help", "Share", show=False, id="share"),
    ]

    def __init__(self, session: Session, *, poller: Any = None) -> None:
        super().__init__()
        self.session = session
        self.config = session.config
        self.refresh_seconds = float(session.config.refresh_seconds)
        self.poller = poller
        self.last_result: Any = None
        self.history: dict[str, deque[float | None]] = {k: deque(maxlen=HISTORY_POINTS) for k in KEY_METRICS}
        self.poll_listeners: list[Callable[[Any], None]] = []
        self.audit_listeners: list[Callable[[dict], None]] = []  # runbook audit records, as written
        self.poll_count = 0
        self._last_derived_at: float | None = None
        #: wall clock for every age shown on screen; tests pin it for snapshots
        self.clock: Callable[[], float] = time.time
        #: fleet-wide numbers from Prometheus (env.prometheus_url), when configured
        self.fleet_result: Any = None
        self.fleet_history: dict[str, deque[float | None]] = {k: deque(maxlen=HISTORY_POINTS) for k in KEY_METRICS}
        self._first_frame_shown = False
        self._after_first_frame: list[Callable[[], Any]] = []

    # -- quitting --------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """``q``: quits at once unless an incident is open or a critical alert is active; then a modal
        names them and only ``y`` quits (a war-room console is not closed by a stray key)."""
        open_things = await self.open_work()
        if not open_things:
            self.exit()
            return
        from screens.quit_confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(QuitConfirmScreen(open_things), answered)

    async def open_work(self) -> list[str]:
        """What quitting would walk away from: the open incident (read in a thread: it is a file) and
        the active critical alerts."""
        response = self._incident_response
        if response is None:
            return []
        things = []
        incident = await asyncio.to_thread(lambda: response.manager.current)
        if incident is not None and incident.is_open:
            things.append(f"incident {incident.id} ({incident.severity}) is open: {incident.title}")
        for alert in response.engine.active():
            if alert.level.name == "CRITICAL":
                things.append(f"CRIT alert: {alert.describe()}")
        return [clean_line(thing) for thing in things]

    # -- lifecycle -----------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.session.read_only:
            self.sub_title = "read-only"
        self.push_screen(DashboardScreen())
        if self.session.notice:
            self.notify(self.session.notice, title="Simulated edge", timeout=8)
        # paint the dashboard first, then start collecting (start-up time; the UI never waits on data)
        self.call_after_refresh(self.set_timer, FIRST_FRAME_FLUSH_S, self._first_frame_done)

    def after_first_frame(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the first frame is on the terminal (now, if it already is). Start-up
        work that is not needed to draw the dashboard goes here: data collection, the log tail, keys
        from the runbook, the incident chrome."""
        if self._first_frame_shown:
            callback()
        else:
            self._after_first_frame.append(callback)

    def _first_frame_done(self) -> None:
        if self._first_frame_shown or not self.is_running:
            return
        self._first_frame_shown = True
        try:
            self.session.start_sim()  # the built-in simulated edge, when there is no configuration
        except Exception as exc:  # noqa: BLE001 - the sources then show it down; the app keeps running
            self.notify(f"the simulated edge did not start: {exc}", title="Simulated edge", severity="error",
                        timeout=15, markup=False)
        self._start_collecting()
        callbacks, self._after_first_frame = self._after_first_frame, []
        for callback in callbacks:
            callback()
        gctune.settle()

    def _start_collecting(self) -> None:
        self.poll_loop()
        if self.session.env.prometheus_url:
            self.fleet_loop()

    async def on_unmount(self) -> None:
        if self.poller is not None:
            try:
                await self.poller.aclose()
            except Exception:  # closing must never stop the app from exiting
                pass

    # -- polling -------------------------------------------------------------------------
    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll_loop(self) -> None:
        """One poll at a time, every refresh_seconds; the poller never raises and never blocks the UI."""
        if self.poller is None:
            # importing httpx and building the client takes a few hundred ms: not on the event loop,
            # so the dashboard paints first
            self.poller = await asyncio.to_thread(self._make_poller)
        while True:
            started = time.monotonic()
            result = await self.poller.poll()
            self.apply_result(result)
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(0.05, self.refresh_seconds - elapsed))

    def _make_poller(self) -> Any:
        from console.sources.poller import EdgePoller

        return EdgePoller(self.config, self.session.env)

    @work(exclusive=True, group="fleet", exit_on_error=False)
    async def fleet_loop(self) -> None:
        """Fleet-wide key metrics from Prometheus, on the same cadence, never overlapping."""
        def make() -> Any:
            from console.sources.promql import FleetPoller

            return FleetPoller(self.config, self.session.env)

        poller = await asyncio.to_thread(make)
        try:
            while True:
                started = time.monotonic()
                result = await poller.poll()
                self.fleet_result = result
                if result.source.state == "live":
                    for key, series in self.fleet_history.items():
                        metric = result.metrics.get(key)
                        series.append(metric.value if metric is not None else None)
                for screen in self.visible_screens():
                    screen.post_message(FleetUpdated(result))
                await asyncio.sleep(max(0.05, self.refresh_seconds - (time.monotonic() - started)))
        finally:
            await poller.aclose()

    def apply_result(self, result: Any) -> None:
        self.last_result = result
        self.poll_count += 1
        derived = result.derived
        if derived is not None and derived.at != self._last_derived_at:
            self._last_derived_at = derived.at
            for key, series in self.history.items():
                metric = derived.metrics.get(key)
                series.append(metric.value if metric is not None else None)
        for listener in list(self.poll_listeners):
            try:
                listener(result)
            except Exception as exc:  # a broken listener must not stop the dashboard
                self.log.error(f"poll listener {listener!r} failed: {exc!r}")
        for screen in self.visible_screens():
            screen.post_message(PollUpdated(result))

    def visible_screens(self) -> list[Any]:
        """The top screen, and the screen a modal dialog floats over (its values and ages stay live)."""
        stack = self.screen_stack
        screens = [stack[-1]] if stack else []
        if len(stack) > 1 and isinstance(stack[-1], ModalScreen):
            screens.append(stack[-2])
        return screens

    # -- actions -------------------------------------------------------------------------
    def action_share_help(self) -> None:
        """How to share this console in browsers (``edge-console serve``); starts nothing."""
        from console.serve.howto import TITLE, share_text

        self.notify(share_text(self.session), title=TITLE, timeout=20, markup=False)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.action in HELP_NOISE or not binding.description or binding.key in seen:
                continue
            seen.add(binding.key)
            rows.append((binding.key, binding.description))
        notes = ["ctrl+p or : opens the command palette (every flow by title)."]
        notes.extend(getattr(self, "flow_key_problems", []))  # runbook keys that other keys shadow
        overriding = getattr(getattr(self, "_flow_runbook", None), "flows", {}).values()
        notes.extend(f"Flow {f.id} ({f.file}:{f.line}) overrides the built-in {f.replaces}." for f in overriding
                     if f.replaces)
        if self.session.simulated:
            notes.append("SIMULATED: this is the built-in simulated edge. Use --config FILE for a real one.")
        self.push_screen(HelpScreen(rows, notes))
