"""EdgeConsoleApp: owns the session, runs the poll loop in a worker, routes results to screens."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.screen import ModalScreen

from console import gctune
from console.actions import CODE_ACTIONS, Catalogue, build_catalogue
from console.app.events import EventBus, PollCompleted
from console.app.protocols import PollSource
from console.config import ConfigError
from console.keymap import read_keymap
from console.metrics.model import KEY_METRICS
from console.metrics.window import StartupWindowMark
from console.sanitize import clean_line
from console.session import Session
from screens.commands import PROVIDERS as FLOW_COMMANDS
from screens.dashboard import DashboardScreen
from screens.flow_app import FlowsMixin
from screens.help import HelpScreen
from screens.incident_app import IncidentResponseMixin
from screens.recording_app import RecordingMixin
from screens.messages import FleetUpdated, PollUpdated
from screens.scenario_switch import ScenarioCommands, ScenarioSwitchMixin
from screens.textual_compat import OpaqueTopScreens, share_parsed_css
from screens.theme_app import ThemeMixin
from screens.theme_commands import ThemeCommands
from screens.later_css import LaterCss
from themes import first_frame_css_paths
from widgets.keybindings import bindings

if TYPE_CHECKING:  # the log view loads when the log pane mounts
    from screens.log_view import TailController

HISTORY_POINTS = 240
CODE_IDS = frozenset(a.id for a in CODE_ACTIONS)
#: Textual hands a frame to its output thread, which needs the interpreter to write it; set-up that
#: holds the interpreter for a while (imports, a full GC pass, starting the tail) waits this long after
#: the first frame is composed, so the terminal shows the dashboard first (measured: without the
#: pause the first frame reached the terminal only after all of that set-up, ~250 ms later)
FIRST_FRAME_FLUSH_S = 0.02
#: with early scrapes (console/sources/early.py) the rest of start-up (incident chrome, log tail, runbook
#: keys: each holds the loop a while) waits for their numbers to be drawn: the app waits at most
#: EARLY_RESULT_WAIT_S for them after the first frame (usually they are in by then and only their parsing,
#: held until then, remains); EARLY_NUMBERS_MAX_WAIT_S is only a safety net
EARLY_RESULT_WAIT_S = 1.5
EARLY_NUMBERS_MAX_WAIT_S = 3.0


class EdgeConsoleApp(
    LaterCss,
    ThemeMixin,
    OpaqueTopScreens,
    FlowsMixin,
    IncidentResponseMixin,
    ScenarioSwitchMixin,
    RecordingMixin,
    App[int],
):
    TITLE = "Edge Console"
    CSS_PATH = first_frame_css_paths()  # the rest once the first frame is shown (screens/later_css.py)
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | set(FLOW_COMMANDS) | {ScenarioCommands, ThemeCommands}
    BINDINGS = bindings("app")

    def __init__(self, session: Session, *, poller: PollSource | None = None, theme: str | None = None) -> None:
        super().__init__()
        share_parsed_css(self)  # CSS parsed once per process, not at every app start (per theme)
        self.session = session
        self.config = session.config
        self.setup_look(theme)  # theme and glyph table: --theme, the config's theme:, the terminal
        self.refresh_seconds = float(session.config.refresh_seconds)
        self.poller: PollSource | None = poller
        self.last_result: Any = None
        self.history: dict[str, deque[float | None]] = {k: deque(maxlen=HISTORY_POINTS) for k in KEY_METRICS}
        #: typed events (console/app/events.py): polls, audit records, scenario switches, Alertmanager's alerts
        self.events = EventBus(on_error=self._event_handler_failed)
        #: the drill being played (``edge-console drill``: screens/drill_app.py), or None
        self.drill: Any = None
        #: the log tail's controller (screens/log_view.py ``tail_controller``), once the log pane mounts
        self.tail: TailController | None = None
        #: Alertmanager's alerts and its last error (screens/monitoring_app.py, when configured)
        self.am_alerts: list[Any] = []
        self.am_error: str | None = None
        #: Prometheus's history and its window (``h`` cycles it), when ``prometheus_url`` is configured
        self.prom_history: Any = None
        self.prom_window: str | None = None
        #: steps a dead console left half-done (screens/flow_app.py ``report_unfinished_steps``)
        self.unfinished_steps: list[str] = []
        self.poll_count = 0
        self._last_derived_at: float | None = None
        #: wall clock for every age shown on screen; tests pin it for snapshots
        self.clock: Callable[[], float] = time.time
        #: fleet-wide numbers from Prometheus (env.prometheus_url), when configured
        self.fleet_result: Any = None
        self.fleet_history: dict[str, deque[float | None]] = {k: deque(maxlen=HISTORY_POINTS) for k in KEY_METRICS}
        self._first_frame_shown = False
        self._start_up_done = False  # after_first_frame callbacks have run
        self._after_first_frame: list[Callable[[], Any]] = []
        #: the action catalogue as configured (console/actions.py): the keymap from the config's ``keys:``
        #: (ids of runbook flows are checked once the runbook has loaded) and read-only at assembly
        self.user_keymap = read_keymap(session.config)
        self.flow_key_problems: list[str] = []
        self.flow_keys_bound = False
        self.actions = build_catalogue(
            None,
            keymap={k: v for k, v in self.user_keymap.items() if k in CODE_IDS},
            read_only=bool(session.read_only),
            config=session.config,
        )
        #: console.sources.early.EarlyScrapes: set by screens/launch.py (started before Textual loads, held
        #: until the first frame is shown) or started at mount
        self.early_scrapes: Any = None
        self.window_mark = StartupWindowMark()  # "SHORT WINDOW" on the start-up's early rates

    def rebuild_actions(self, runbook: Any) -> Catalogue:
        """The catalogue with the runbook's flows (and the whole keymap); applied with ``set_keymap``."""
        try:
            catalogue = build_catalogue(
                runbook, keymap=self.user_keymap, read_only=bool(self.session.read_only), config=self.config
            )
        except ConfigError as exc:  # launch checks this first; a runbook changed since then lands here
            self.notify(str(exc), title="keys", severity="error", timeout=15, markup=False)
            catalogue = build_catalogue(
                runbook,
                keymap={k: v for k, v in self.user_keymap.items() if k in CODE_IDS},
                read_only=bool(self.session.read_only),
                config=self.config,
            )
        self.actions = catalogue
        self.set_keymap(catalogue.keymap())
        return catalogue

    def keys_text(self, action_id: str, words: str = "") -> str:
        """``"n, esc or q stays"``: every key of the action as configured, or "" when it is not bound."""
        keys = self.actions.keys_text(action_id)
        return f"{keys} {words}".strip() if keys else ""

    def hint(self, action_id: str, words: str) -> str:
        """``"r respond"`` from the catalogue (the key as configured), or "" when it is not bound."""
        return self.actions.hint(action_id, words)

    # -- quitting --------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """``q``: quits at once unless a runbook flow is in progress, an incident is open or a critical
        alert is active; then a modal names them and only ``y`` quits (a war-room console is not
        closed by a stray key)."""
        open_things, incident_open = await self.open_work()
        if not open_things:
            self.exit()
            return
        from screens.quit_confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(QuitConfirmScreen(open_things, incident_open=incident_open), answered)

    async def open_work(self) -> tuple[list[str], bool]:
        """What quitting would walk away from: a runbook flow in progress, the open incident (read in a
        thread: it is a file) and the active critical alerts; and whether an incident is open."""
        things = list(self.running_flows())
        response = self._incident_response
        if response is None:
            return [clean_line(thing) for thing in things], False
        incident = await asyncio.to_thread(lambda: response.manager.current)
        incident_open = incident is not None and incident.is_open
        if incident_open:
            things.append(f"incident {incident.id} ({incident.severity}) is open: {incident.title}")
        for alert in response.engine.active():
            if alert.level.name == "CRITICAL":
                things.append(f"alert {alert.describe()}")  # "alert CRIT Error rate 4.00 % (suggest P1)"
        return [clean_line(thing) for thing in things], incident_open

    # -- lifecycle -----------------------------------------------------------------------
    def get_default_screen(self) -> DashboardScreen:
        """The dashboard is the first screen (Textual's public hook), not pushed over an empty default
        one from ``on_mount``: that laid out, styled and resumed two screens before the first frame."""
        return DashboardScreen()

    def on_mount(self) -> None:
        keymap = self.actions.keymap()
        if keymap:
            self.set_keymap(keymap)
        if self.session.read_only:
            self.sub_title = "read-only"
        self.start_early_scrapes()
        if self.session.notice:
            self.notify(self.session.notice, title="Simulated edge", timeout=8)
        # paint the dashboard first, then start collecting (start-up time; the UI never waits on data)
        self.call_after_refresh(self.set_timer, FIRST_FRAME_FLUSH_S, self._first_frame_done)

    def after_first_frame(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the first frame is on the terminal (now, if it already is). Start-up
        work that is not needed to draw the dashboard goes here: data collection, the log tail, keys
        from the runbook, the incident chrome."""
        if self._start_up_done:
            callback()
        else:
            self._after_first_frame.append(callback)

    def _first_frame_done(self) -> None:
        if self._first_frame_shown or not self.is_running:
            return
        self._first_frame_shown = True
        try:
            if self.session.sim is None:  # the built-in simulated edge, when there is no configuration
                self.session.start_sim()  # (usually the early scrapes' thread has started its server)
        except Exception as exc:  # noqa: BLE001 - the sources then show it down; the app keeps running
            self.notify(
                f"the simulated edge did not start: {exc}",
                title="Simulated edge",
                severity="error",
                timeout=15,
                markup=False,
            )
        self._start_collecting()
        if self.session.sim is not None and not self.session.shared:
            # headless commands with no config join this simulated edge (file I/O: off the UI loop)
            self.run_worker(self._publish_sim, thread=True, group="publish-sim", exit_on_error=False)
        if self.early_scrapes is None:
            self._finish_start_up()
        else:  # the early numbers are drawn first (poll_loop), then the rest; at the latest after:
            self.set_timer(EARLY_NUMBERS_MAX_WAIT_S, self._finish_start_up)

    def _finish_start_up(self) -> None:
        """The start-up work that waited for the first frame (and the first numbers), once."""
        if self._start_up_done or not self.is_running:
            return
        self._start_up_done = True
        self.load_later_css()  # before the log pane, flow keys and incident chrome (or a pushed screen)
        callbacks, self._after_first_frame = self._after_first_frame, []
        for callback in callbacks:
            callback()
        gctune.settle()

    def _publish_sim(self) -> None:
        try:
            self.session.start_sim()  # its workspace, when the early scrapes' thread started the server
            self.session.publish_sim()
        except OSError as exc:
            self.call_from_thread(
                self.notify,
                f"cannot publish the simulated edge for headless commands: {exc}",
                title="Simulated edge",
                severity="warning",
                timeout=8,
                markup=False,
            )

    def _start_collecting(self) -> None:
        self.poll_loop()
        if self.session.env.prometheus_url:
            self.fleet_loop()
        from screens.monitoring_app import start_monitoring

        start_monitoring(self)  # Alertmanager alerts, Prometheus history (when configured)

    async def on_unmount(self) -> None:
        response = self._incident_response  # not the property: that would create one while exiting
        if response is not None:
            await asyncio.to_thread(response.shutdown)
        if self.poller is not None:
            try:
                await self.poller.aclose()
            except Exception:  # closing must never stop the app from exiting
                pass

    # -- polling -------------------------------------------------------------------------
    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll_loop(self) -> None:
        """One poll at a time, every refresh_seconds; the poller never raises and never blocks the UI.
        At start-up the early scrapes (``start_early_scrapes``) give the first numbers, over a short
        window, while the poller is built; its first own scrape follows at once."""
        early = self.early_scrapes
        if early is not None:
            try:
                early.release()  # held until the first frame was shown (their parsing would have delayed it)
                # usually they are in by now (only the parsing remains); a slow edge is not waited for long
                result = early.result_now() or await asyncio.to_thread(early.result, EARLY_RESULT_WAIT_S)
                if result is not None:
                    self.apply_result(result)
            finally:
                # the rest of start-up once the numbers' frame is on the terminal (like the first frame)
                self.call_after_refresh(self.set_timer, FIRST_FRAME_FLUSH_S, self._finish_start_up)
        if self.poller is None:
            # importing httpx and building the client takes a few hundred ms: not on the event loop,
            # so the dashboard paints first
            poller = await asyncio.to_thread(self._make_poller)
            if early is not None and early.snapshot is not None:
                poller.seed(early.snapshot, early.derived)
            self.poller = poller
        while True:
            started = time.monotonic()
            result = await self.poller.poll()
            self.apply_result(result)
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(0.05, self.refresh_seconds - elapsed))

    def start_early_scrapes(self) -> None:
        """The first two scrapes on a thread of their own, started at mount when the launcher has not
        started them (``edge-console`` starts them before Textual loads: screens/launch.py). (Started
        here, the built-in simulated edge starts after the first frame; its port already listens, so
        the first request waits for it.)"""
        if self.poller is not None or self.early_scrapes is not None:
            return
        from console.sources.early import EarlyScrapes

        self.early_scrapes = EarlyScrapes(self.config, self.session.env).start()

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
        self.events.publish(PollCompleted(result))  # a failing handler is logged, the others still run
        for screen in self.visible_screens():
            screen.post_message(PollUpdated(result))

    def _event_handler_failed(self, event: Any, handler: Any, exc: BaseException) -> None:
        self.log.error(f"{type(event).__name__} handler {handler!r} failed: {exc!r}")

    def visible_screens(self) -> list[Any]:
        """The top screen, and the screen a modal dialog floats over (its values and ages stay live)."""
        stack = self.screen_stack
        screens = [stack[-1]] if stack else []
        if len(stack) > 1 and isinstance(stack[-1], ModalScreen):
            screens.append(stack[-2])
        return screens

    # -- actions -------------------------------------------------------------------------
    def get_system_commands(self, screen: Any) -> Iterable[SystemCommand]:
        """Textual's own commands, then every enabled catalogue action that has palette text and runs
        at the app level (flows come from ``screens.commands.FlowCommands``)."""
        yield from super().get_system_commands(screen)
        for action in self.actions:
            if not action.palette or not action.enabled or action.group == "Flows":
                continue
            handler = (
                action.handler
                if action.handler.startswith("app.") or action.scope != "app"
                else f"app.{action.handler}"
            )
            if not handler.startswith("app."):
                continue  # a screen's own action (needs that screen)
            if self.check_action(handler.removeprefix("app."), ()) is False:
                continue  # refused now (a closed incident's close): run_action would do nothing
            key = action.key_label
            yield SystemCommand(
                action.palette,
                action.help + (f" (key {key})" if key else ""),
                partial(self.call_later, self.run_action, handler),
            )

    def action_share_help(self) -> None:
        """How to share this console in browsers (``edge-console serve``); starts nothing."""
        from console.serve.howto import TITLE, share_text

        self.notify(share_text(self.session), title=TITLE, timeout=20, markup=False)

    def action_help(self) -> None:
        """``?``: the keys that work on the screen underneath (its live bindings: keymap applied, disabled
        ones left out), each described by the catalogue."""
        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            action = self.actions.get(active.binding.id or "")
            if action is None or not action.enabled or key in seen:
                continue  # Textual's own focus/copy keys are not in the catalogue
            seen.add(key)
            rows.append((key, action.title + (f": {action.help}" if action.help and action.group != "Flows" else "")))
        palette = self.actions.key_of("app.palette")
        from screens.copy_text import COPY_HELP

        notes = [
            f"ctrl+p{' or ' + palette if palette else ''} opens the command palette (every flow by title).",
            *COPY_HELP,
        ]
        notes.extend(self.flow_key_problems)  # runbook keys that other keys shadow
        if self.session.read_only:
            notes.append("read-only: the flows that change the edge are not bound (edge-console keys lists them).")
        overriding = self._flow_runbook.flows.values() if self._flow_runbook is not None else ()
        notes.extend(
            f"Flow {f.id} ({f.file}:{f.line}) overrides the built-in {f.replaces}." for f in overriding if f.replaces
        )
        if self.session.simulated:
            notes.append(
                "SIMULATED: this is the built-in simulated edge (incidents here are drills; z switches "
                "the scenario). Use --config FILE for a real one."
            )
        self.push_screen(HelpScreen(rows, notes))
