"""The application layer (console/app/): Textual-free, the old screens paths re-export what moved, and the
core's poll sources, tail feeds and pumps satisfy the Protocols the screens are typed against."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.app import flows
from console.app.protocols import PollSource, TailFeed, TailPump
from console.config import simulated_config
from console.tail.pump import ParsePump
from console.tail.workers import MergedTailSource, tail_source
from tests.fakes import StaticPoller

ROOT = Path(__file__).resolve().parents[1]


def test_the_application_layer_loads_no_textual_and_no_ui_package():
    probe = (
        "import sys, console.app.flows, console.app.protocols, console.app.events, console.app.incidents, "
        "console.app.tail; "
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('textual', 'screens', 'widgets')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_old_screens_paths_re_export_what_moved():
    import screens.flow_modal
    import screens.flow_reach

    assert screens.flow_modal.FlowContext is flows.FlowContext
    for name in ("resolve_target", "section_slug", "worst_metric", "ResponseChoice", "RESPONSE_ORDER"):
        assert getattr(screens.flow_reach, name) is getattr(flows, name), name


def test_flow_context_keeps_its_fields_and_defaults():
    ctx = flows.FlowContext(config="c", env="e", read_only=True)
    assert (ctx.get_metric, ctx.tail_events, ctx.open_flow) == (None, None, None)
    assert ctx.listeners == [] and ctx.titles == {}
    assert flows.FlowContext(config=1, env=2, read_only=False).listeners is not ctx.listeners


async def test_the_pollers_are_poll_sources():
    from console.sources.poller import EdgePoller

    config = simulated_config("http://127.0.0.1:9")
    poller = EdgePoller(config, config.environment(None))
    try:
        assert isinstance(poller, PollSource)
    finally:
        await poller.aclose()
    assert isinstance(StaticPoller(), PollSource)

    class NoClose:
        async def poll(self) -> None: ...

    assert not isinstance(NoClose(), PollSource)


def test_tail_sources_are_tail_feeds_and_pumps_are_tail_pumps():
    from screens.replay_app import ReplayPump

    env = simulated_config("http://127.0.0.1:9").environment(None)
    single = tail_source(env, [])
    merged = tail_source(env, env.worker_roles()[:2])
    assert isinstance(merged, MergedTailSource)
    for feed in (single, merged):
        assert isinstance(feed, TailFeed), type(feed)
    assert isinstance(ParsePump(single), TailPump)
    assert isinstance(ReplayPump(), TailPump)
    assert not isinstance(ReplayPump(), TailFeed)  # a pump is not a feed: the check can fail


class ListPump:
    """Parsed events handed over by the test instead of a parse thread (the consumer side of ParsePump)."""

    def __init__(self, events: list) -> None:
        self.events = list(events)
        self.stopped = False

    @property
    def pending(self) -> int:
        return len(self.events)

    @property
    def alive(self) -> bool:
        return not self.stopped

    def start(self) -> None:
        pass

    def drain(self) -> list:
        events, self.events = self.events, []
        return events

    def stop(self, timeout: float = 1.0) -> None:
        self.stopped = True


def _log_tail(tools: dict | None = None):
    from console.app.tail import LogTail
    from console.session import Session

    config = simulated_config("http://127.0.0.1:9", tools=tools)
    return LogTail(Session(config=config, env=config.environment(None), read_only=True))


def test_log_tail_cycles_workers_without_a_ui():
    tail = _log_tail()
    roles = tail.session.env.worker_roles()
    assert len(roles) > 1
    assert tail.roles == [] and tail.workers_text() == tail.session.env.worker
    seen = []
    for _ in range(len(tail.worker_choices())):
        tail.roles = tail.next_roles()
        seen.append(tail.roles)
    assert seen[-1] == [] and seen[-2] == roles  # each role alone, all merged, then back to the default
    assert tail.workers_text() == tail.session.env.worker
    merged = tail._new_source(tail.source.filters, roles)
    assert isinstance(merged, MergedTailSource) and tail.roles == roles
    assert tail.workers_text() == " + ".join(roles)


def test_log_tail_drains_through_its_filter_and_pause():
    from console.tail.filters import Filter
    from console.tail.model import TailEvent

    tail = _log_tail()
    assert tail.drain() == 0  # no pump yet
    ok = TailEvent({"outcome": "ok", "eventTimestamp": 1, "event": {"request": {"url": "https://e/a"}}})
    bad = TailEvent({"outcome": "exception", "eventTimestamp": 2, "event": {"request": {"url": "https://e/b"}}})
    tail.pump = ListPump([ok, bad])
    assert isinstance(tail.pump, TailPump)
    tail.set_filter(Filter("errors"))
    assert tail.drain() == 2
    assert list(tail.store.view) == [bad]
    assert tail.toggle_pause() is True
    tail.pump = ListPump([bad])
    tail.drain()
    assert list(tail.store.view) == [bad] and tail.store.paused_new == 1
    assert tail.toggle_pause() is False
    assert list(tail.store.view) == [bad, bad]
    tail.stop_feed()
    assert tail.pump.stopped


def test_log_tail_will_not_tail_a_simulated_edge_without_its_wrangler():
    tail = _log_tail(tools={})
    assert tail.session.env.simulated and "wrangler" not in tail.session.env.tools
    assert tail.start_feed(None) is False  # type: ignore[arg-type]
    assert tail.pump is None
    assert tail.source.status.state == "stopped" and "nothing to tail" in tail.source.status.detail


def test_the_app_declares_every_attribute_screens_read():
    """``ConsoleApp`` (console/app/protocols.py) is what screens read from the app: each attribute is set
    when the app is built (or is a class attribute, a property, a method), so no screen needs
    ``getattr(app, name, default)``."""
    from console.app.protocols import ConsoleApp
    from console.session import Session
    from screens.app import EdgeConsoleApp

    config = simulated_config("http://127.0.0.1:9")
    app = EdgeConsoleApp(Session(config=config, env=config.environment(None), read_only=True))
    members = set(ConsoleApp.__annotations__) | {n for n in vars(ConsoleApp) if not n.startswith("__")}
    members -= {"_abc_impl", "_is_protocol", "_is_runtime_protocol"}
    assert {"events", "actions", "tail", "am_alerts", "prom_window", "incident_response", "keys_text"} <= members
    missing = sorted(name for name in members if name not in dir(app) and name not in vars(app))
    assert missing == [], f"ConsoleApp names these, EdgeConsoleApp does not have them: {missing}"
    assert app.tail is None and app.am_alerts == [] and app.prom_window is None and app.REPLAY is False


def test_screens_and_widgets_read_app_attributes_without_getattr_defaults():
    import re

    pattern = re.compile(r"(getattr|hasattr)\((self\.)?app\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("screens", "widgets")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
