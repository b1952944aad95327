"""A served console is read-only whatever it is told, says SHARED READ-ONLY, and the terminal console's
``w`` key / palette entry show how to share without starting anything."""

from __future__ import annotations

import os

from console.config import simulated_config
from console.serve.command import console_argv, console_environment
from console.serve.shared import SHARED_ENV, SIM_URL_ENV
from console.session import Session, open_session
from screens.app import EdgeConsoleApp
from tests.fakes import StaticPoller
from tests.serve_helpers import descendants
from tests.util import wait_for
from widgets.status_header import StatusHeader
from screens.textual_compat import notifications
from tests.util import refresh_model

WRITABLE_CONFIG = "environments:\n  prod:\n    base_url: 'http://127.0.0.1:9'\n    read_only: false\n"


def test_shared_console_is_read_only_even_when_config_and_flags_say_otherwise(tmp_path, monkeypatch):
    path = tmp_path / "config.yaml"
    path.write_text(WRITABLE_CONFIG)
    monkeypatch.delenv(SHARED_ENV, raising=False)
    assert open_session(str(path), read_only=False).read_only is False  # the terminal console: as configured
    monkeypatch.setenv(SHARED_ENV, "1")
    session = open_session(str(path), read_only=False)
    assert session.read_only is True and session.shared is True


def test_shared_console_uses_the_simulated_edge_serve_started(sim, monkeypatch):
    monkeypatch.setenv(SHARED_ENV, "1")
    monkeypatch.setenv(SIM_URL_ENV, sim.base_url)
    session = open_session(None, read_only=False, defer_sim=True)
    try:
        assert session.env.base_url == sim.base_url
        assert session.env.simulated and session.read_only and session.shared
        assert session.sim is None and session.pending_sim is None  # it started no edge of its own
    finally:
        session.close()


def test_shared_sim_url_must_be_loopback_http(monkeypatch):
    monkeypatch.setenv(SHARED_ENV, "1")
    for url in ("http://10.0.0.1:8080", "https://127.0.0.1:8080", "http://127.0.0.1:8080/x?y=1", "file:///etc"):
        monkeypatch.setenv(SIM_URL_ENV, url)
        session = open_session(None, read_only=False, start_sim=False)
        assert session.env.base_url != url.rstrip("/"), url
        assert session.read_only


def test_console_command_always_read_only_and_never_carries_the_token(tmp_path):
    argv = console_argv(str(tmp_path / "c.yaml"), "prod")
    assert argv[3] == "--read-only" and argv[-2:] == ["--env", "prod"]
    base = {
        "PATH": "/usr/bin",
        "WAR_ROOM_TOKEN": "s3cret-war-room-token-0123456789",
        SHARED_ENV: "0",
        "EDGE_CONSOLE_CONFIG": "/elsewhere.yaml",
    }
    env = console_environment(base, token_env="WAR_ROOM_TOKEN", sim_url="http://127.0.0.1:4000")
    assert env[SHARED_ENV] == "1" and env[SIM_URL_ENV] == "http://127.0.0.1:4000"
    assert "WAR_ROOM_TOKEN" not in env and "EDGE_CONSOLE_CONFIG" not in env
    assert not any("s3cret" in part for part in argv + list(env.values()))


def _app(shared: bool) -> EdgeConsoleApp:
    cfg = simulated_config("http://127.0.0.1:9")
    session = Session(config=cfg, env=cfg.environment(), read_only=shared, shared=shared)
    return EdgeConsoleApp(session, poller=StaticPoller())


async def test_header_says_shared_read_only_beside_simulated_at_80_columns():
    app = _app(shared=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        await pilot.pause()
        header = app.screen.query_one(StatusHeader)
        visible = header.build_text().plain[:80]
        assert "SIMULATED" in visible and "SHARED READ-ONLY" in visible
        assert visible.index("SHARED READ-ONLY") > visible.index("SIMULATED")


def _notices(app) -> list[str]:
    return [str(n.message) for n in notifications(app)]


async def test_w_shows_how_to_share_and_starts_nothing():
    app = _app(shared=False)
    before = descendants(os.getpid())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        text = await wait_for(lambda: next((m for m in _notices(app) if "serve" in m), None), message="share notice")
        assert "edge-console serve --port 8000" in text
        assert "http://127.0.0.1:8000/" in text and "ssh -N -L 8000:127.0.0.1:8000" in text
        assert descendants(os.getpid()) == before  # nothing started
    assert any(b.id == "app.share" and b.key == "w" for b in EdgeConsoleApp.BINDINGS)


async def test_palette_entry_shows_how_to_share():
    app = _app(shared=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon")  # the console binds : to the palette
        await pilot.pause()
        await pilot.press(*"share")
        await pilot.pause()

        def top_hit():
            from textual.command import CommandList

            options = app.screen.query(CommandList)
            if not options:
                return None
            command_list = options.first()
            return command_list.option_count and "Share this console" in str(command_list.get_option_at_index(0).prompt)

        await wait_for(top_hit, message="share entry first in the palette")
        await pilot.press("enter")
        await wait_for(lambda: any("edge-console serve" in m for m in _notices(app)), message="share notice")


async def test_w_in_a_shared_console_says_it_is_already_shared():
    app = _app(shared=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("w")
        await wait_for(lambda: any("already a shared view" in m for m in _notices(app)), message="notice")


async def test_shared_console_shows_the_incident_timeline_but_writes_nothing_to_it(state_dir):
    """N browsers on one incident: a shared view records no alert transitions (the operator's console does:
    otherwise each one would be written once per browser) and takes no notes, starts or closes nothing
    (they would be signed with the serve operator's name)."""
    from console.incident.manager import IncidentManager
    from tests.test_incident_tui import ScriptedPoller, ready

    operator = IncidentManager(state_dir=state_dir, user="operator@terminal", drill=True)  # simulated edge
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.1)
    cfg.raw["alerts"] = {"hold_scrapes": 1, "clear_scrapes": 1, "hysteresis_percent": 5}
    refresh_model(cfg)
    session = Session(config=cfg, env=cfg.environment(), read_only=True, shared=True)
    app = EdgeConsoleApp(session, poller=ScriptedPoller([80, 1400]))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)  # the incident chrome is installed
        incident = operator.start("P2", "Latency")  # from the operator's terminal, while the view is open
        path = operator.store.path(incident.id)
        before = path.read_bytes()
        await wait_for(
            lambda: (
                getattr(app, "incident_response", None) is not None
                and app.incident_response.manager.current_id == incident.id
            ),
            message="incident adopted",
        )
        await wait_for(lambda: app.incident_response.engine.active(), message="the latency alert")
        await pilot.pause(0.3)  # a few more polls (0.1 s each) that would record transitions
        manager = app.incident_response.manager
        for write in (
            lambda: manager.note("from a browser"),
            lambda: manager.start("P1", "x"),
            lambda: manager.close("a", "b"),
            lambda: manager.write_report(incident.id),
        ):
            try:
                write()
            except Exception as exc:  # noqa: BLE001 - the refusal names the shared view
                assert "shared read-only view" in str(exc)
            else:
                raise AssertionError("a shared view wrote to the incident timeline")
    assert path.read_bytes() == before
    assert len(list(state_dir.joinpath("incidents", "drills").glob("DRILL-*.jsonl"))) == 1
    assert not list(state_dir.joinpath("incidents").rglob("*.md"))  # the report is not written either


async def test_a_shared_view_saves_no_tail_evidence_on_the_host(state_dir):
    from screens.log_view import LogViewScreen

    app = _app(shared=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="a poll")
        await pilot.press("l")
        await wait_for(lambda: isinstance(app.screen, LogViewScreen), message="log view")
        await pilot.press("s")
        await wait_for(lambda: any("saving evidence is refused" in m for m in _notices(app)), message="refusal")
        await pilot.pause()
    assert not [p for p in state_dir.rglob("*") if p.is_file() and "tail" in p.parts]
