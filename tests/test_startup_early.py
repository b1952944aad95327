"""Start-up order (issue #9, "numbers at once"): the early scrapes start before Textual loads and are
parsed and derived on their own thread (held until the first frame is shown, so that work does not
delay it); with the built-in simulated edge that thread starts the edge's server first (its workspace
waits for the first frame); the numbers are the first result drawn, right after the first frame and
before the rest of start-up (the short window marked)."""

from __future__ import annotations

import threading

from console.config import simulated_config
from console.metrics.model import KEY_METRICS
from console.session import Session, open_session
from console.sources.early import EarlyScrapes, start_for_session
from screens.app import EdgeConsoleApp
from tests.util import wait_for, wait_for_sync
from widgets.metrics_pane import MetricsPane

REFRESH_S = 2.0


def _all_numeric(result) -> bool:
    derived = result.derived
    return derived is not None and all(
        derived.metrics.get(k) is not None and derived.metrics[k].value is not None for k in KEY_METRICS
    )


def test_the_thread_derives_the_two_scrapes_before_anyone_asks(sim):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=REFRESH_S)
    early = EarlyScrapes(cfg, cfg.environment())
    assert early.result_now() is None  # not started: nothing, and no waiting
    early.start()
    wait_for_sync(early.done.is_set, timeout=10, message="early scrapes done")
    result = early.result_now()  # never waits: derived on the thread already
    assert result is not None, early.error
    assert len(early.scrapes) == 2 and early.error is None
    assert _all_numeric(result)
    assert 0 < result.derived.window_s < REFRESH_S * 0.75  # the short window (marked on screen)
    assert early.snapshot is not None and early.derived is result.derived  # the poller's seed
    assert early.result(0.1) is result  # the same object, not derived again


def test_an_edge_that_does_not_answer_gives_no_result_and_an_error():
    # a loopback port that listens and never answers: the request's deadline ends the early scrapes
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        cfg = simulated_config(url, tool_env={}, tools={}, refresh_seconds=REFRESH_S)
        early = EarlyScrapes(cfg, cfg.environment(), timeout=0.3).start()
        assert early.wait(5) is False
        assert early.done.is_set() and early.result_now() is None
        assert early.error is not None and ("TimeoutError" in early.error or "too slow" in early.error), early.error


def test_with_the_built_in_edge_the_thread_starts_its_server_and_the_workspace_waits(state_dir):
    session = open_session(None, None, False, None, defer_sim=True)
    try:
        assert session.sim is None and session.pending_sim is not None
        early = start_for_session(session)
        wait_for_sync(early.done.is_set, timeout=20, message="early scrapes done")
        assert early.result_now() is not None, early.error
        assert session.sim is not None  # started by the early thread
        assert session.sim.base_url == session.pending_sim.base_url
        assert not session.env.paths  # the workspace (git) waits for the first frame
        session.start_sim()  # the app's call after the first frame: the workspace, same server
        assert session.sim is session.pending_sim.server
        assert session.env.paths
        paths = dict(session.env.paths)
        session.start_sim()  # idempotent
        assert session.env.paths == paths
    finally:
        session.close()


def test_concurrent_starts_make_one_server(state_dir):
    session = open_session(None, None, False, None, defer_sim=True)
    try:
        servers = []
        threads = [
            threading.Thread(target=lambda: (session.start_sim_server(), servers.append(session.sim))) for _ in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert len(servers) == 4 and all(s is servers[0] for s in servers) and servers[0] is not None
    finally:
        session.close()


async def test_launch_order_frame_first_then_the_numbers_at_once(sim, state_dir):
    """The launch order: the early scrapes are in before the app mounts (launch starts them before
    Textual loads) and held; the first frame does not wait for their parsing, which is released when it
    is shown; the numbers are the first result drawn, every key metric numeric and marked short, before
    the poller's own scrape; the rest of start-up follows."""
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=REFRESH_S)
    session = Session(config=cfg, env=cfg.environment(), read_only=False)
    early = EarlyScrapes(cfg, session.env, hold=True).start()
    wait_for_sync(lambda: len(early.scrapes) == 2, timeout=10, message="both early scrapes in")
    assert not early.done.is_set() and early.result_now() is None  # held: not parsed before the frame

    at_first_frame: list[tuple[int, bool]] = []
    order: list[str] = []

    class Probe(EdgeConsoleApp):
        def _first_frame_done(self) -> None:
            if not self._first_frame_shown:
                at_first_frame.append((self.poll_count, early.done.is_set()))
            super()._first_frame_done()

        def _finish_start_up(self) -> None:
            if not self._start_up_done:
                order.append("rest of start-up")
            super()._finish_start_up()

        def apply_result(self, result) -> None:
            order.append("early" if result.derived is early.derived else "poller")
            super().apply_result(result)

    app = Probe(session)
    app.early_scrapes = early
    async with app.run_test(size=(120, 40)):
        await wait_for(lambda: at_first_frame, timeout=15, message="the first frame")
        assert at_first_frame[0] == (0, False), "the first frame waited for the early numbers"
        await wait_for(lambda: "rest of start-up" in order, timeout=15, message="start-up finished")
        # the early numbers are the first result drawn; the poller's own first scrape may land before or
        # after the rest of start-up (its client is built in a thread meanwhile): either is fine
        assert order[0] == "early" and order.count("early") == 1, order
        assert _all_numeric(early.result_now())  # the first result drawn had every key metric numeric
        pane = app.screen.query_one(MetricsPane)
        await wait_for(lambda: "SHORT WINDOW" in str(pane.border_subtitle or ""), message="short window marked")
        rendered = [str(row.render()) for row in pane.rows]
        assert len(rendered) == len(KEY_METRICS)
        assert not any("waiting" in text or "warming" in text for text in rendered), rendered


def test_a_held_thread_derives_only_when_released(sim):
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=REFRESH_S)
    early = EarlyScrapes(cfg, cfg.environment(), hold=True).start()
    wait_for_sync(lambda: len(early.scrapes) == 2, timeout=10, message="both early scrapes in")
    assert not early.wait(0.3) and early.result_now() is None
    early.release()
    assert early.wait(10) and early.result_now() is not None and _all_numeric(early.result_now())


async def test_early_scrapes_the_app_starts_itself_give_the_first_result(sim, state_dir):
    """The app starts the early scrapes itself (at mount, not held, as the drill console does): the first
    result drawn is theirs, every key metric numeric, before the poller's first own scrape."""
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=REFRESH_S)
    results: list = []

    class Recording(EdgeConsoleApp):
        def apply_result(self, result) -> None:
            results.append(result)
            super().apply_result(result)

    app = Recording(Session(config=cfg, env=cfg.environment(), read_only=False))
    async with app.run_test(size=(120, 40)):
        await wait_for(lambda: results, timeout=15, message="a first result")
        assert app.early_scrapes is not None and results[0].derived is app.early_scrapes.derived
        assert _all_numeric(results[0])
        await wait_for(lambda: app._start_up_done, timeout=10, message="start-up finished")
