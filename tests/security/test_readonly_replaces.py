"""Issue 14 §2: a user runbook may not silently replace a built-in flow (its id or its key): it must say
``replaces: <id>``, and the flow then shows as overriding the built-in in ``flows`` (text and JSON), the
palette and the help."""

from __future__ import annotations

import json
import textwrap

import pytest

from console.cli import main
from console.runbook import RunbookError, load_runbook


def user_file(tmp_path, body: str):
    path = tmp_path / "ours.yaml"
    path.write_text(textwrap.dedent(body))
    return path


SAME_ID = """\
    flows:
      - id: worker-health
        title: Our own health check
        section: Daily
        key: H
    {replaces}
        steps:
          - {{kind: note, title: look at the dashboard}}
    """


def test_same_id_without_replaces_is_a_load_error_naming_the_clash(tmp_path, capsys):
    path = user_file(tmp_path, SAME_ID.format(replaces=""))
    with pytest.raises(RunbookError) as info:
        load_runbook([path])
    err = info.value
    assert err.file == str(path) and err.line == 2
    assert "built-in flow 'worker-health'" in str(err) and "replaces: worker-health" in str(err)
    assert main(["runbook", "validate", str(path)]) == 2
    assert f"{path}:2: " in capsys.readouterr().err


def test_builtin_key_without_replaces_is_a_load_error(tmp_path):
    path = user_file(
        tmp_path,
        """\
        flows:
          - {id: mine, title: t, section: s, key: H, steps: [{kind: note, title: n}]}
        """,
    )
    with pytest.raises(RunbookError) as info:
        load_runbook([path])
    assert info.value.file == str(path) and info.value.line == 2
    assert "already used by flow 'worker-health'" in str(info.value) and "replaces: worker-health" in str(info.value)


def test_replaces_must_name_a_builtin_it_clashes_with(tmp_path):
    path = user_file(
        tmp_path,
        """\
        flows:
          - {id: mine, title: t, section: s, replaces: no-such-flow, steps: [{kind: note, title: n}]}
        """,
    )
    with pytest.raises(RunbookError, match="names no built-in flow 'no-such-flow'"):
        load_runbook([path])
    path = user_file(
        tmp_path,
        """\
        flows:
          - {id: mine, title: t, section: s, replaces: worker-health, steps: [{kind: note, title: n}]}
        """,
    )
    with pytest.raises(RunbookError, match="neither its id nor its key"):
        load_runbook([path])


def test_declared_replacement_loads_and_shows_as_overriding(tmp_path, capsys, monkeypatch):
    path = user_file(tmp_path, SAME_ID.format(replaces="    replaces: worker-health"))
    runbook = load_runbook([path])
    flow = runbook.flows["worker-health"]
    assert flow.title == "Our own health check" and flow.replaces == "worker-health"
    assert runbook.flows["hourly-checks"].replaces is None

    cfg = tmp_path / "config.yaml"
    cfg.write_text("environments:\n  production:\n    base_url: http://127.0.0.1:9\nrunbooks: [ours.yaml]\n")
    monkeypatch.setenv("EDGE_CONSOLE_CONFIG", str(cfg))
    assert main(["flows"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if " worker-health " in row)
    assert "(overrides built-in)" in line
    assert main(["flows", "--json"]) == 0
    described = {f["id"]: f for f in json.loads(capsys.readouterr().out)}
    assert described["worker-health"]["overrides"] == "worker-health"
    assert described["hourly-checks"]["overrides"] is None

    from console.actions import flow_action
    from screens.commands import flow_help

    assert "overrides built-in" in flow_help(flow_action(flow))
    assert "overrides" not in flow_help(flow_action(runbook.flows["hourly-checks"]))


def test_taking_a_builtin_key_with_replaces_moves_the_key(tmp_path, capsys):
    path = user_file(
        tmp_path,
        """\
        flows:
          - {id: mine, title: Mine, section: s, key: H, replaces: worker-health, steps: [{kind: note, title: n}]}
        """,
    )
    runbook = load_runbook([path])
    assert runbook.by_key()["H"].id == "mine" and runbook.flows["mine"].replaces == "worker-health"
    assert runbook.flows["worker-health"].key is None  # still reachable by id and the palette
    assert main(["runbook", "validate", str(path)]) == 0
    assert "overrides built-in worker-health" in capsys.readouterr().out


async def test_help_and_palette_show_the_override(tmp_path):
    from console.config import parse_config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from screens.help import HelpScreen
    from tests.fakes import NORMAL_VALUES, StaticPoller
    from tests.util import wait_for

    user_file(tmp_path, SAME_ID.format(replaces="    replaces: worker-health"))
    text = "environments:\n  production:\n    base_url: http://127.0.0.1:9\nrunbooks: [ours.yaml]\n"
    config = parse_config(text, tmp_path / "config.yaml")
    app = EdgeConsoleApp(
        Session(config=config, env=config.environment(), read_only=False), poller=StaticPoller(dict(NORMAL_VALUES))
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: getattr(app, "_flow_runbook", None) is not None, message="runbook loaded")
        await wait_for(lambda: "H" in app.screen.active_bindings, message="flow keys bound")
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), message="help")
        assert any("worker-health" in note and "overrides the built-in" in note for note in app.screen.notes)
        assert any("overrides built-in" in desc for _, desc in app.screen.rows)
