"""The action catalogue (console/actions.py): every binding has an id from it, `edge-console keys`, the
README table, the user keymap (`keys:`), read-only at assembly, and `r` during a DDoS."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from textual.binding import Binding

from console.actions import CODE_ACTIONS, README_BEGIN, README_END, SCOPES, build_catalogue, flow_action, readme_table
from console.cli import main
from console.config import ConfigError, parse_config, simulated_config
from console.incident.alerts import RESPONSES, Alert
from console.incident.respond import DDOS_FLOWS, choose_response
from console.metrics.model import SecurityRule
from console.metrics.thresholds import State
from console.runbook import load_for_config
from console.session import Session
from screens.app import EdgeConsoleApp
from screens.flow_modal import FlowModal
from screens.flow_picker import FlowPickerScreen
from screens.help import HelpScreen
from tests.fakes import NORMAL_VALUES, StaticPoller, make_derived
from tests.util import wait_for
from widgets.alert_banner import AlertBanner, banner_text
from tests.util import refresh_model

ROOT = Path(__file__).resolve().parent.parent


def builtin_runbook():
    return load_for_config(None)


# -- every binding has an id from the catalogue -------------------------------------------------------------
def test_every_binding_call_in_the_code_has_an_id():
    """A source scan: each ``Binding(...)`` call in the console's packages names ``id=``."""
    missing = []
    calls = 0
    for package in ("console", "screens", "widgets"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if "Binding" not in text:  # a call counted below names Binding in the file's text (~280 files parsed for 2)
                continue
            tree = ast.parse(text, filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Binding":
                    calls += 1
                    if not any(k.arg == "id" for k in node.keywords):
                        missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls >= 1  # the scan sees the one place bindings are built (widgets/keybindings.py)
    assert not missing, f"Binding(...) without id=: {missing}"


def test_every_class_binding_has_a_catalogue_id():
    """Every screen's and widget's BINDINGS, as Textual will read them, carry a catalogue id."""
    ids = {a.id for a in CODE_ACTIONS}
    seen = 0
    for package in ("screens", "widgets"):
        for info in pkgutil.iter_modules([str(ROOT / package)]):
            module = importlib.import_module(f"{package}.{info.name}")
            for obj in vars(module).values():
                if isinstance(obj, type) and obj.__module__ == module.__name__ and "BINDINGS" in vars(obj):
                    for binding in obj.BINDINGS:
                        assert isinstance(binding, Binding), (obj, binding)
                        assert binding.id in ids, (obj, binding)
                        seen += 1
    assert seen >= 60


def test_catalogue_ids_are_unique_and_scoped():
    catalogue = build_catalogue(builtin_runbook())
    ids = [a.id for a in catalogue]
    assert len(ids) == len(set(ids))
    assert all(a.scope in SCOPES for a in catalogue)
    rollback = catalogue.get("flow.rollback")
    assert rollback.key == "R" and rollback.dangerous and rollback.handler == "app.run_flow('rollback')"


# -- edge-console keys -----------------------------------------------------------------------------------------
def test_keys_json_lists_every_action_with_a_unique_id(capsys):
    assert main(["keys", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    expected = {a.id for a in CODE_ACTIONS} | {f"flow.{f}" for f in builtin_runbook().flows}
    assert set(ids) == expected
    assert all(set(r) == {"id", "key", "scope", "title", "dangerous", "enabled"} for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["flow.respond"]["key"] == "r" and by_id["flow.rollback"]["key"] == "R"
    assert all(r["enabled"] for r in rows)


def test_keys_json_read_only_disables_every_dangerous_action(capsys):
    assert main(["keys", "--json", "--read-only"]) == 0
    rows = json.loads(capsys.readouterr().out)
    mutating = {f"flow.{f.id}" for f in builtin_runbook().flows.values() if f.mutating}
    assert mutating and mutating <= {r["id"] for r in rows if r["dangerous"]}
    assert all(not r["enabled"] for r in rows if r["dangerous"])
    assert all(r["enabled"] for r in rows if not r["dangerous"])


def test_readme_key_table_is_the_catalogue():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_BEGIN) + len(README_BEGIN)
    end = text.index(README_END)
    assert text[start:end].strip() == readme_table(builtin_runbook()).strip(), (
        "README key table differs from console/actions.py: run `make keys-doc`"
    )


# -- the keymap ------------------------------------------------------------------------------------------------
BASE = "environments:\n  production:\n    base_url: http://127.0.0.1:9\n"


def write_config(tmp_path: Path, keys: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(BASE + "keys:\n" + keys, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "keys, line, key, what",
    [
        (
            "  audit.open: x\n  logs.open: f\n",
            6,
            "keys.logs.open",
            "key 'f' is bound twice in dashboard: also dashboard.fleet",
        ),
        ("  logs.open: R\n", 5, "keys.logs.open", "key 'R' is bound twice in dashboard: also flow.rollback"),
        ("  flow.rollback: q\n", 5, "keys.flow.rollback", "key 'q' is bound twice in dashboard: also app.quit"),
        ("  logs.opne: o\n", 5, "keys.logs.opne", "unknown action id"),
        ("  flow.run: x\n", 5, "keys.flow.run", "cannot be remapped"),
        ("  logs.open: ctrl+\n", 5, "keys.logs.open", "is not a key"),
    ],
)
def test_a_bad_keymap_is_a_file_line_error(tmp_path, capsys, keys, line, key, what):
    path = write_config(tmp_path, keys)
    assert main(["keys", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: {key}: " in err and what in err, err


def test_keymap_applies_to_the_catalogue(tmp_path):
    config = parse_config(
        BASE + "keys:\n  logs.open: o\n  flow.rollback: ctrl+r\n  app.help: '?,f1'\n", tmp_path / "c.yaml"
    )
    from console.keymap import read_keymap

    catalogue = build_catalogue(builtin_runbook(), keymap=read_keymap(config), config=config)
    assert catalogue.get("logs.open").key == "o" and catalogue.get("flow.rollback").key == "ctrl+r"
    assert catalogue.get("app.help").keys == ["question_mark", "f1"]
    assert catalogue.keymap() == {"logs.open": "o", "flow.rollback": "ctrl+r", "app.help": "question_mark,f1"}
    assert catalogue.hint("logs.open", "logs") == "o logs"


def static_app(config=None, read_only: bool = False, values: dict | None = None) -> EdgeConsoleApp:
    # one poll (refresh 1 h): the data is static and these tests read keys and bindings, not numbers (a poll
    # every 0.3 s redrew the same panes some ten times a test)
    cfg = config or simulated_config("http://127.0.0.1:9", refresh_seconds=3600.0)
    return EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=read_only), poller=StaticPoller(values))


async def ready(app: EdgeConsoleApp) -> None:
    await wait_for(
        lambda: (
            type(app.screen).__name__ == "DashboardScreen"
            and app.flow_keys_bound
            and type(app.screen.focused).__name__ == "FlowKeys"
            and app.screen.query("AlertBanner")
        ),
        message="dashboard with flow keys",
    )


async def test_keys_in_the_config_remap_the_tui(tmp_path):
    from screens.log_view import LogViewScreen

    config = parse_config(BASE + "keys:\n  logs.open: o\n  flow.rollback: ctrl+r\n", tmp_path / "config.yaml")
    app = static_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app)
        active = app.screen.active_bindings
        assert active["o"].binding.id == "logs.open" and "l" not in active
        assert active["ctrl+r"].binding.id == "flow.rollback" and "R" not in active
        await pilot.press("R")  # the old key does nothing now
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "DashboardScreen"
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        rows = dict(app.screen.rows)
        assert rows["o"].startswith("Logs") and rows["ctrl+r"] == "Roll back the edge"
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, HelpScreen), message="help closed")
        await pilot.press("o")
        await wait_for(lambda: isinstance(app.screen, LogViewScreen), message="log view on o")
        await pilot.press("escape")
        await wait_for(lambda: type(app.screen).__name__ == "DashboardScreen", message="back")
        await pilot.press("ctrl+r")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="rollback on ctrl+r")
        assert app.screen.flow.id == "rollback"


# -- read-only at assembly ------------------------------------------------------------------------------------
async def test_read_only_binds_no_mutating_flow_key():
    from screens.commands import FlowCommands

    runbook = builtin_runbook()
    mutating = {f.id for f in runbook.flows.values() if f.mutating}
    mutating_keys = {f.key for f in runbook.flows.values() if f.mutating and f.key}
    assert {"R", "B", "U", "K"} <= mutating_keys
    app = static_app(read_only=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app)
        active = app.screen.active_bindings  # what the footer shows
        bound_flows = {b.binding.id for b in active.values() if (b.binding.id or "").startswith("flow.")}
        assert "flow.worker-health" in bound_flows  # read-only flows stay
        assert not bound_flows & {f"flow.{f}" for f in mutating}
        assert not mutating_keys & set(active)
        footer = app.screen.query_one("Footer")
        footer_keys = {
            b.key for b in (app.screen.active_bindings[k].binding for k in app.screen.active_bindings) if b.show
        }
        assert footer.is_mounted and not mutating_keys & footer_keys
        await pilot.press("R")  # not bound: nothing opens
        await pilot.pause(0.2)
        assert not isinstance(app.screen, FlowModal)
        palette = {hit.text async for hit in FlowCommands(app.screen).search("flow")}
        assert palette and not any(t == f"Flow: {runbook.flows[f].title}" for f in mutating for t in palette)
        assert "Flow: Check worker health" in palette
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        keys = {key for key, _ in app.screen.rows}
        descriptions = {d for _, d in app.screen.rows}
        assert not mutating_keys & keys and "Roll back the edge" not in descriptions
        assert "H" in keys


# -- respond ------------------------------------------------------------------------------------------------
def alert(key: str, level: State = State.CRITICAL, severity: str = "P2", since: float = 0.0) -> Alert:
    return Alert(key, key, "", level, 1.0, since, response=RESPONSES.get(key), severity=severity)


def test_choose_response_goes_through_the_alerts_in_severity_order():
    ddos = make_derived(dict(NORMAL_VALUES, request_rate=25_000.0))
    ddos.security_per_s = 3800.0
    result = SimpleNamespace(derived=ddos, health=None)
    offer = choose_response(
        [alert("memory_bytes", severity="P2"), alert("request_rate", severity="P2", since=1)], result
    )
    assert offer.targets == DDOS_FLOWS and "rollback" not in offer.targets  # memory has no response: next
    offer = choose_response([alert("request_rate"), alert("error_rate", severity="P1")], result)
    assert offer.targets == ("p1-high-error-rate", *DDOS_FLOWS)  # P1 before P2, the attack's flows beside it
    assert offer.ddos and offer.why.startswith("alert: error_rate CRITICAL; ") and "DDoS" in offer.why
    calm_rate = make_derived(dict(NORMAL_VALUES, request_rate=25_000.0))
    offer = choose_response(
        [alert("request_rate"), alert("error_rate", severity="P1")], SimpleNamespace(derived=calm_rate, health=None)
    )
    assert offer.targets == ("p1-high-error-rate",) and not offer.ddos  # no attack: that alert's response alone
    # no alert yet (held for N scrapes): the worst metric decides, with the same DDoS rule
    assert choose_response([], result).targets == DDOS_FLOWS
    calm = make_derived(dict(NORMAL_VALUES, request_rate=25_000.0))
    calm.security_per_s = 10.0  # a busy day, not an attack
    assert choose_response([alert("request_rate")], SimpleNamespace(derived=calm, health=None)) is None
    calm.security = [SecurityRule("bot", 100.0, 50.0, spike=True)]
    assert choose_response([alert("request_rate")], SimpleNamespace(derived=calm, health=None)).ddos


def test_banner_names_only_the_keys_it_is_given():
    top = alert("p95_latency_ms", State.CRITICAL)
    text = banner_text([top], [("alert.ack", "a ack"), ("flow.respond", "r respond")]).plain
    assert "r respond" in text and "a ack" in text and "R runbook" not in text
    acked = Alert(**{**top.__dict__, "acknowledged": True})
    assert "a ack" not in banner_text([acked], [("alert.ack", "a ack")]).plain


def test_banner_shortens_severity_and_count_before_cutting_the_keys():
    top, more = alert("error_rate", State.CRITICAL, severity="P1"), alert("request_rate", State.WARNING)
    assert top.response is not None  # its title is the last thing given up
    hints = [("alert.ack", "a ack"), ("flow.respond", "r respond"), ("incident.start", "i incident")]
    full = banner_text([top, more], hints).plain
    assert "(suggest P1)" in full and "+1 more" in full and full.endswith("i incident")
    fitted = banner_text([top, more], hints, width=len(full) - 1).plain
    assert len(fitted) < len(full) and "(P1)" in fitted and "+1 " in fitted and "more" not in fitted
    assert fitted.endswith("a ack r respond i incident")
    assert banner_text([top, more], hints, width=len(full)).plain == full  # it fits: nothing shortened
    assert top.response.title in fitted
    bare = banner_text([top, more], hints, width=len(fitted) - 1).plain
    assert top.response.title not in bare and bare.endswith("a ack r respond i incident")
    narrowest = banner_text([top, more], hints, width=len(bare) - 1).plain
    assert "(P1)" not in narrowest and narrowest.endswith("a ack r respond i incident")


async def test_at_80_columns_a_ddos_banner_with_more_alerts_shows_every_key_whole(state_dir):
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.2)
    cfg.raw["alerts"] = {"hold_scrapes": 1}
    refresh_model(cfg)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller(ddos=True))
    async with app.run_test(size=(80, 24)):

        def banner():
            found = app.screen.query(AlertBanner)
            return found.first() if found and len(found.first().alerts) > 1 else None

        line = (await wait_for(banner, message="several alerts")).render()
        assert line.plain.endswith("i incident") and "+" in line.plain and line.cell_length <= 80, line.plain


async def test_r_under_a_ddos_with_a_p1_error_rate_offers_its_response_and_the_ddos_flows(state_dir):
    """The attack raised the error rate to P1 too: r opened the P1 high-error-rate flow alone (severity order),
    and the Under Attack / rate-limit flows were not offered (seen as a flaky ddos test: the simulated
    attack's error rate goes to P1 now and then)."""
    cfg = simulated_config("http://127.0.0.1:9", refresh_seconds=0.2)
    cfg.raw["alerts"] = {"hold_scrapes": 1}
    refresh_model(cfg)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller(ddos=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app)
        engine = app.incident_response.engine
        await wait_for(
            lambda: {"request_rate", "error_rate"} <= {a.key for a in engine.active()}, message="both alerts"
        )
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, FlowPickerScreen), message="the response picker")
        assert [f.id for f in app.screen.flows] == ["p1-high-error-rate", *DDOS_FLOWS]
        assert "DDoS" in app.screen.why


async def test_ddos_banner_names_a_key_that_offers_under_attack_not_rollback(sim):
    # no simulated wrangler: the alert comes from the polls; the dashboard's log tail stays off (nothing reads it)
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), refresh_seconds=0.3)
    cfg.raw["alerts"] = {"hold_scrapes": 2}
    refresh_model(cfg)
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False))
    async with app.run_test(size=(110, 32)) as pilot:
        await ready(app)
        async with httpx.AsyncClient() as client:
            assert (await client.post(sim.base_url + "/admin/scenario", json={"name": "ddos"})).status_code == 200
        engine = app.incident_response.engine
        await wait_for(
            lambda: any(a.key == "request_rate" for a in engine.active()), timeout=30, message="request-rate alert"
        )
        banner = app.screen.query_one(AlertBanner)
        await wait_for(
            lambda: banner.display and "respond" in str(banner.render()), timeout=20, message="banner with hint"
        )
        text = str(banner.render())
        hints = dict(app.incident_response.banner_hints(app.screen))
        key = hints["flow.respond"].split()[0]
        assert f"{key} respond" in text and "R runbook" not in text
        assert app.screen.active_bindings[key].binding.id == "flow.respond"  # the named key is respond
        await pilot.press(key)
        await wait_for(lambda: isinstance(app.screen, FlowPickerScreen), timeout=20, message="DDoS response picker")
        picker = app.screen
        # the DDoS flows, after an alert that outranks the request rate if the attack has raised one (the
        # simulated attack's error rate now and then goes to P1)
        ids = [f.id for f in picker.flows]
        assert ids[-len(DDOS_FLOWS) :] == list(DDOS_FLOWS) and len(ids) <= len(DDOS_FLOWS) + 1, ids
        assert all(f.id != "rollback" for f in picker.flows) and "DDoS" in picker.why
        for _ in range(ids.index("under-attack-mode")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, FlowModal), timeout=20, message="Under Attack flow")
        assert app.screen.flow.id == "under-attack-mode"


def test_flow_action_of_a_replacing_flow_says_so():
    flow = next(iter(builtin_runbook().flows.values()))
    action = flow_action(flow)
    assert action.id == f"flow.{flow.id}" and action.palette == f"Flow: {flow.title}"


def test_unknown_flow_id_without_a_runbook_is_checked_once_it_loads(tmp_path):
    config = parse_config(BASE + "keys:\n  flow.no-such-flow: ctrl+x\n", tmp_path / "c.yaml")
    from console.keymap import read_keymap

    with pytest.raises(ConfigError) as err:
        build_catalogue(builtin_runbook(), keymap=read_keymap(config), config=config)
    assert str(err.value).startswith(f"{tmp_path / 'c.yaml'}:5: keys.flow.no-such-flow: unknown action id")


def test_launch_checks_the_keymap_before_the_ui(tmp_path):
    """`edge-console --config F` with a bad keys: stops before the TUI starts (cli.main prints it, exit 2)."""
    from screens.launch import check_keymap

    good = parse_config(BASE + "keys:\n  logs.open: o\n  flow.rollback: ctrl+r\n", tmp_path / "good.yaml")
    check_keymap(Session(config=good, env=good.environment(), read_only=False))
    bad = parse_config(BASE + "keys:\n  flow.block-ip: r\n", tmp_path / "bad.yaml")
    with pytest.raises(ConfigError) as err:
        check_keymap(Session(config=bad, env=bad.environment(), read_only=False))
    assert str(err.value).startswith(f"{tmp_path / 'bad.yaml'}:5: keys.flow.block-ip: key 'r' is bound twice")


async def test_flow_keys_work_after_a_screen_opened_before_they_were_bound(monkeypatch):
    """The runbook loads while another screen is on top: the flow keys are bound on the dashboard and
    work once it is back on top."""
    import threading

    import screens.flow_app as flow_app
    from screens.audit_view import AuditScreen

    pushed = threading.Event()
    real = flow_app.load_runbook_cached

    def held(config):  # the runbook load (a worker thread) waits until the audit view is up
        pushed.wait(10)
        return real(config)

    monkeypatch.setattr(flow_app, "load_runbook_cached", held)
    app = static_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: type(app.screen).__name__ == "DashboardScreen", message="dashboard")
        app.push_screen(AuditScreen())
        await wait_for(lambda: isinstance(app.screen, AuditScreen), message="audit view")
        assert not app.flow_keys_bound
        pushed.set()
        await wait_for(lambda: app.flow_keys_bound, message="flow keys bound under the audit view")
        assert isinstance(app.screen, AuditScreen)
        await pilot.press("escape")
        await wait_for(lambda: type(app.screen).__name__ == "DashboardScreen", message="back")
        await wait_for(lambda: "H" in app.screen.active_bindings, message="flow keys active")
        await pilot.press("H")
        await wait_for(lambda: isinstance(app.screen, FlowModal), message="flow by key")
        assert app.screen.flow.id == "worker-health"
