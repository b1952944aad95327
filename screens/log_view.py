"""The log tail in the TUI: the controller that runs ``wrangler tail`` in a Textual worker, the
full-screen log view (filter, server-side filters, pause, breakdown, save) and the event detail.

One :class:`TailController` per app (``tail_controller(app)``) owns the source and the bounded store
(their state and lifecycle: ``console.app.tail.LogTail``, no Textual; here the worker, timer and panes);
the dashboard pane and the full-screen view both render that store. Parsing happens on a thread
(``console.tail.pump.ParsePump``) while the UI's loop is idle; the controller's timer (``tail.batch_ms``,
default 100 ms) moves parsed events into the store and redraws: a flood coalesces into bigger batches,
frames under a flood are limited to FLOOD_FRAME_S, and only visible rows are drawn.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from console.app.tail import LogTail
from console.tail.breakdown import cpu_distribution, top_errors
from console.tail.filters import Filter, FilterError
from console.tail.model import TailEvent
from console.tail.save import default_save_path, save_events
from console.tail.settings import ServerFilters
from screens.base import EdgeScreen
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.keybindings import bindings, key_hints
from screens.typing_guard import TypingGuard
from widgets.log_breakdown import LogBreakdown
from widgets.log_detail import LogDetail
from widgets.log_list import LogList
from widgets.log_pane import LogPane
from widgets.plain import plain
from widgets.text_input import TextInput

#: under a flood (more than FLOOD_EVENTS per tick) the list is redrawn at most every FLOOD_FRAME_S:
#: frames are coalesced so the time goes to parsing, and the pane says so
FLOOD_EVENTS = 300
FLOOD_FRAME_S = 0.3
#: without a flood new events are shown at most every CALM_FRAME_S in the full log view (4 frames/s reads
#: as live); the dashboard's pane, a glance next to the metrics, is redrawn in the frame of each poll
#: (``glance_frame``: a frame of its own costs the idle dashboard as much CPU as the poll's frame),
#: or after GLANCE_MAX_S when polls are slow. Keys (pause, filter) redraw at once regardless.
CALM_FRAME_S = 0.25
GLANCE_MAX_S = 4.0
#: the timer's cadence while only the dashboard's pane is up and the stream is calm: it only looks for the
#: start of a flood and covers slow polls (GLANCE_MAX_S), the poll frames draw the pane; at ``tail.batch_ms``
#: it woke the idle console ten times a second to find nothing to do. The full view and a flood use batch_ms.
GLANCE_TICK_S = 1.0

WINDOWS: list[tuple[str, float | None]] = [
    ("whole buffer", None),
    ("last 1 min", 60.0),
    ("last 5 min", 300.0),
    ("last 15 min", 900.0),
]


class TailController(LogTail):
    """The log tail's Textual glue (the state is :class:`console.app.tail.LogTail`): runs the feed in a
    worker and feeds every registered pane from the one store."""

    def __init__(self, app: Any, session: Any) -> None:
        super().__init__(session)
        self.app = app
        self.panes: list[LogPane] = []
        self.worker: Any = None
        self.timer: Any = None
        self.ticks = 0
        self.flooding = False
        self.frames_skipped = 0
        self._synced_at = 0.0
        self._synced_received = 0
        self.tick_interval: float | None = None  #: the timer's current interval (``_pace``)

    def start(self) -> None:
        if self.worker is not None and not self.worker.is_finished:
            return
        if not self.start_feed(asyncio.get_running_loop()):
            self.refresh_panes(hidden=True)
            return
        self.worker = self.app.run_worker(self.source.run(), name="log tail", group="tail", exit_on_error=False)
        self._pace(fast=any(pane.interactive for pane in self.panes))

    def _pace(self, fast: bool = False) -> None:
        """The timer at ``tail.batch_ms`` while the full view is up (or ``fast``: it is coming) or a flood
        runs, else at GLANCE_TICK_S; (re)started only when the cadence changes."""
        batch = self.settings.batch_ms / 1000.0
        quick = fast or self.flooding or self._full_view_up()
        interval = batch if quick else max(batch, GLANCE_TICK_S)
        if self.timer is not None and interval == self.tick_interval:
            return
        if self.timer is not None:
            self.timer.stop()
        self.tick_interval = interval
        self.timer = self.app.set_interval(interval, self.tick)

    async def switch_workers(self, roles: list[str] | None = None) -> list[str]:
        """Tail ``roles`` (default: the next of :meth:`worker_choices`): end the running wrangler(s), start the
        new ones; the buffer keeps what it has (rows carry their worker)."""
        if roles is None:
            roles = self.next_roles()
        await self.stop()
        self.worker = None
        self.note = self.config_error
        self.roles = list(roles)
        self.start()  # a new source for self.roles, with the current wrangler filters
        self.refresh_panes()
        return self.roles

    async def stop(self) -> None:
        """End wrangler and wait (briefly) for the worker, so the child is reaped."""
        self.stop_feed()
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
            self.tick_interval = None
        worker = self.worker
        if worker is not None and not worker.is_finished:
            try:
                await asyncio.wait_for(worker.wait(), timeout=3)
            except Exception:  # cancelled, failed or slow: the source already sent SIGTERM
                pass

    def attach(self, pane: LogPane) -> None:
        if pane not in self.panes:
            self.panes.append(pane)
        pane.on_close = self.pane_closed
        pane.show_status(self.source.status, self.source.filters.describe(), self.note)
        if pane.interactive and self.timer is not None:
            self._pace(fast=True)  # the full view: its cadence at once, not after the glance's tick

    async def pane_closed(self, pane: LogPane) -> None:
        self.detach(pane)
        if not self.panes:
            await self.stop()

    def detach(self, pane: LogPane) -> None:
        if pane in self.panes:
            self.panes.remove(pane)

    def tick(self) -> None:
        """On the UI thread, on the timer (``_pace``) and with each poll's frame: redraw what the parse
        pump put in the store."""
        self._tick()
        if self.timer is not None:
            self._pace()

    def _tick(self) -> None:
        self.ticks += 1
        pump = self.pump
        if (
            not self.flooding
            and pump is not None
            and pump.pending < FLOOD_EVENTS
            and time.monotonic() - self._synced_at < GLANCE_MAX_S
            and not self._full_view_up()
        ):
            return  # only the dashboard's pane is up: its poll frames drain and draw (glance_frame)
        self.drain()
        self.source.status.rate = self.source.rate()
        now = time.monotonic()
        arrived = self.store.received - self._synced_received
        self.flooding = arrived > FLOOD_EVENTS
        if self.flooding and now - self._synced_at < FLOOD_FRAME_S:
            self.frames_skipped += 1
            return
        if not self.flooding and now - self._synced_at < self._calm_frame_s():
            return
        self._synced_at = now
        self._synced_received = self.store.received
        self.note = self._flood_note() or self.note
        for pane in list(self.panes):
            if not pane.is_attached:
                self.detach(pane)
                continue
            if not self.visible(pane):
                continue
            pane.sync()
            pane.show_status(self.source.status, self.source.filters.describe(), self.note)

    def _full_view_up(self) -> bool:
        """An interactive pane (the full log view) is on screen; else only the dashboard's glance."""
        return any(pane.interactive and pane.is_attached and self.visible(pane) for pane in self.panes)

    def _calm_frame_s(self) -> float:
        """The full view's cadence while it is up, else the dashboard pane's fallback."""
        return CALM_FRAME_S if self._full_view_up() else GLANCE_MAX_S

    def glance_frame(self) -> None:
        """A poll is being drawn: bring the dashboard's pane up to date in the same frame."""
        if self.flooding or self._full_view_up():
            return  # the tick draws those on its own cadence
        self._synced_at = 0.0
        self.tick()

    def _flood_note(self) -> str:
        if self.flooding:
            return f"flood: frames coalesced ({1 / FLOOD_FRAME_S:.0f}/s)"
        if self.note.startswith("flood:"):
            return " "
        return ""

    def visible(self, pane: LogPane) -> bool:
        """The pane's screen is on top, or shows through a translucent screen on top. (Textual counts
        the screen under an opaque one as current too, and a redraw there repaints the whole top
        screen: the dashboard's pane is left alone while the full log view covers it.)"""
        screen = pane.screen
        top = self.app.screen
        if screen is top:
            return True
        return screen.is_current and top.styles.background.a < 1

    def refresh_panes(self, hidden: bool = False, lists: bool | None = None) -> None:
        """Redraw the visible panes now (``hidden``: all of them); the others on the tick once seen.
        Under a flood the lists wait for the next frame of the budget (``lists`` forces them): a key
        gets its answer in the status line at once, and pressing it often cannot multiply the
        full-pane redraws."""
        if lists is None:
            lists = not self.flooding
        for pane in self.panes:
            if pane.is_attached and (hidden or self.visible(pane)):
                if lists:
                    pane.sync()
                pane.show_status(self.source.status, self.source.filters.describe(), self.note)

    def set_filter(self, flt: Filter) -> None:
        super().set_filter(flt)
        self.refresh_panes(lists=True)

    def set_server_filters(self, filters: ServerFilters) -> None:
        super().set_server_filters(filters)
        self.refresh_panes()

    def toggle_pause(self) -> bool:
        paused = super().toggle_pause()
        self.refresh_panes()
        return paused


def tail_controller(app: Any) -> TailController:
    controller = app.tail
    if controller is None:
        controller = TailController(app, app.session)
        app.tail = controller
    return controller


def mount_log_pane(screen: Any, container_id: str = "log-area") -> LogPane:
    """Put the live pane into the dashboard's ``#log-area`` (replacing its placeholder) and start."""
    controller = tail_controller(screen.app)
    area = screen.query_one(f"#{container_id}")
    area.remove_children()
    pane = LogPane(controller.store, interactive=False, id="log-pane")
    area.mount(pane)
    controller.attach(pane)
    controller.start()
    return pane


class LogDetailScreen(ModalScreen[None]):
    BINDINGS = bindings("logs.event")

    def action_copy(self) -> None:
        from screens.copy_text import copy_to_terminal

        copy_to_terminal(self.app, str(self.query_one(LogDetail).render()), what="the event")

    def __init__(self, event: TailEvent) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="log-detail-box"):
            yield LogDetail(self.event, id="log-detail")
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one("#log-detail-box")
        box.border_title = "Event"
        box.border_subtitle = plain(key_hints(self.app, ("logs.detail.copy", "copies"), ("logs.event.close", "closes")))
        box.focus()


class LogViewScreen(EdgeScreen):
    """Full-screen log tail: `/` filter, `f` wrangler filters, space pause, `b` breakdown, `s` save."""

    BINDINGS = bindings("logs")

    def __init__(self) -> None:
        super().__init__()
        self.input_mode = ""
        self.window_index = 0
        self._breakdown_timer: Any = None
        self.last_saved: str = ""
        #: letters typed right after the filter box closed are not commands (screens/typing_guard.py)
        self.typing_guard = TypingGuard()

    @property
    def controller(self) -> TailController:
        return tail_controller(self.app)

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        with Horizontal(id="log-body"):
            yield LogPane(self.controller.store, id="log-main")
            yield LogBreakdown(id="log-breakdown")
        with Vertical(id="log-input-box"):
            yield Label("", id="log-input-label")
            yield TextInput(id="log-input", select_on_focus=False)  # `/` edits the filter, not replaces it
            yield Static("", id="log-input-error")
        yield Footer()

    def on_mount(self) -> None:
        controller = self.controller
        pane = self.query_one("#log-main", LogPane)
        controller.attach(pane)
        controller.start()
        pane.sync()
        self.query_one("#log-breakdown").display = False
        self.query_one("#log-input-box").display = False
        pane.border_title = self._title()
        pane.log_list.focus()

    #: below this width the breakdown goes under the list (themes/tail.tcss): side by side the list
    #: would keep less than 100 columns and its messages a few characters
    NARROW_WIDTH = 160

    def on_resize(self, event: Any) -> None:
        self.set_class(event.size.width < self.NARROW_WIDTH, "-narrow")

    # -- keys -----------------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.input_mode:
            self._close_input()
            return
        self.app.pop_screen()

    def action_pause(self) -> None:
        self.controller.toggle_pause()

    async def action_switch_workers(self) -> None:
        """Tail the next worker (or all of them merged): each row then shows its worker."""
        roles = await self.controller.switch_workers()
        self.query_one("#log-main", LogPane).border_title = self._title()
        self.notify(f"Tailing {self.controller.workers_text()}" + (" (merged)" if len(roles) > 1 else ""), timeout=3)

    def _title(self) -> str:
        controller = self.controller
        return "Log tail" if not controller.roles else f"Log tail: {controller.workers_text()}"

    def action_reconnect(self) -> None:
        self.controller.source.restart()
        self.notify("Restarting wrangler tail", timeout=3)

    def action_filter(self) -> None:
        self._open_input(
            "filter",
            "Filter (text !text level:error outcome:exception exceptions cpu>25 "
            "method:POST colo:FRA status:5xx) — empty clears",
            self.controller.store.filter.expr,
        )

    def action_server_filter(self) -> None:
        self._open_input(
            "server",
            "wrangler filters (status:error method:POST search:TEXT ip:IP sampling:0.5) "
            "— restarts the stream; empty clears",
            self.controller.source.filters.describe(),
        )

    def action_breakdown(self) -> None:
        box = self.query_one("#log-breakdown", LogBreakdown)
        box.display = not box.display
        if box.display:
            self.refresh_breakdown()
            if self._breakdown_timer is None:
                self._breakdown_timer = self.set_interval(1.0, self.refresh_breakdown)
        elif self._breakdown_timer is not None:
            self._breakdown_timer.stop()
            self._breakdown_timer = None

    def action_window(self) -> None:
        self.window_index = (self.window_index + 1) % len(WINDOWS)
        box = self.query_one("#log-breakdown", LogBreakdown)
        if not box.display:
            self.action_breakdown()
        else:
            self.refresh_breakdown()
        self.notify(f"Breakdown window: {WINDOWS[self.window_index][0]}", timeout=2)

    def action_save(self) -> None:
        if self.app.session.shared:  # type: ignore[attr-defined]
            # a browser viewer of `edge-console serve` writes nothing on the host (evidence holds client IPs)
            self.notify(
                "shared read-only view: saving evidence is refused (save it from the terminal console)",
                severity="warning",
                markup=False,
            )
            return
        store = self.controller.store
        events = list(store.view if store.filter.active else store.events)
        path = default_save_path(self.app.session.env.name)  # type: ignore[attr-defined]
        self._save(events, str(path), store.filter.expr)

    @work(thread=True, exclusive=True, group="tail-save", exit_on_error=False)
    def _save(self, events: list[TailEvent], path: str, expr: str) -> None:
        try:
            target, count = save_events(events, path)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Could not save: {exc}", severity="error", timeout=8)
            return
        what = f"{count:,} events" + (f" matching {expr!r}" if expr else "")
        self.app.call_from_thread(self._saved, f"saved {what} → {target}")

    def _saved(self, message: str) -> None:
        self.last_saved = message
        self.controller.note = message
        self.controller.refresh_panes()
        self.notify(message, title="Evidence saved", timeout=10)

    # -- breakdown ------------------------------------------------------------------------------
    def refresh_breakdown(self) -> None:
        store = self.controller.store
        label, seconds = WINDOWS[self.window_index]
        events = store.events
        since = None
        if seconds is not None and events:
            since = events[-1].ts - seconds * 1000.0
        total = len(events) if since is None else sum(1 for e in events if e.ts >= since)
        self.query_one("#log-breakdown", LogBreakdown).show(
            top_errors(events, 20, since), cpu_distribution(events, since), label, total
        )

    # -- input ----------------------------------------------------------------------------------
    def _open_input(self, mode: str, label: str, value: str) -> None:
        self.input_mode = mode
        self.query_one("#log-input-box").display = True
        self.query_one("#log-input-label", Label).update(label)
        self.query_one("#log-input-error", Static).update("")
        field = self.query_one("#log-input", Input)
        field.value = value
        field.cursor_position = len(value)
        field.focus()

    def _close_input(self) -> None:
        self.input_mode = ""
        self.query_one("#log-input-box").display = False
        self.query_one("#log-main", LogPane).log_list.focus()
        self.typing_guard.closed()

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "log-input":
            self.typing_guard.typed()

    def on_key(self, event: events.Key) -> None:
        """Keys reach the screen (and the app's keys) after the focused widget: those typed in the
        burst that closed the filter box stop here instead of running commands."""
        if self.input_mode:
            return
        guard = self.typing_guard
        first = not guard.swallowed
        if guard.swallow(event.key, event.character):
            event.stop()
            event.prevent_default()
            if first:
                self.notify(
                    "Typed after the filter box closed: not run as a command. Press / to edit the "
                    "filter; keys work again after a pause.",
                    title="Filter box closed",
                    timeout=4,
                    markup=False,
                )

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        text = message.value.strip()
        error = self.query_one("#log-input-error", Static)
        if self.input_mode == "filter":
            try:
                flt = Filter(text)
            except FilterError as exc:
                error.update(f"✖ {exc}")
                return
            self.controller.set_filter(flt)
        elif self.input_mode == "server":
            try:
                filters = ServerFilters.parse(text)
            except ValueError as exc:
                error.update(f"✖ {exc}")
                return
            self.controller.set_server_filters(filters)
        self._close_input()
        if self.query_one("#log-breakdown").display:
            self.refresh_breakdown()

    def on_log_list_selected(self, message: LogList.Selected) -> None:
        message.stop()
        self.app.push_screen(LogDetailScreen(message.event))

    def on_log_list_follow_requested(self, message: LogList.FollowRequested) -> None:
        """``end``: back to the newest events, following; a paused view resumes."""
        message.stop()
        if self.controller.store.paused:
            self.controller.toggle_pause()

    def on_log_breakdown_selected(self, message: LogBreakdown.Selected) -> None:
        """enter on an error row of the breakdown: the whole message (the table cuts it)."""
        message.stop()
        from screens.full_text import FullTextScreen

        row = message.row
        fields = [
            ("rank", str(message.rank)),
            ("count", f"{row.count:,}"),
            ("source", "exception" if row.source == "exception" else "console.error"),
            ("outcomes", ", ".join(f"{k} {v:,}" for k, v in sorted(row.outcomes.items())) or "-"),
            ("message", row.message),
        ]
        self.app.push_screen(FullTextScreen(f"Error #{message.rank}", fields))


def open_log_view(app: Any) -> None:
    app.push_screen(LogViewScreen())
