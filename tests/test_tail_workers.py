"""Tailing every worker of the edge: ``edge-console tail --worker ROLE`` (repeatable) runs ``wrangler tail
<script of ROLE> --format json`` per role (the fake wrangler on PATH records argv and runs the simulated
one, which serves each worker's own event shapes), merged and labelled; the simulated wrangler refuses a
script the account does not have, like the real one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main as cli_main
from console.sim.names import SIM_ACCOUNT_ID
from console.tail.format import plain_line
from console.tail.model import TailEvent

SCRIPTS = {
    "vau-processor": "vau-processor-production",
    "security-waf": "security-waf-production",
    "rate-limiter": "rate-limiter-production",
    "queue-processor": "queue-processor-production",
}


def write_config(tmp_path: Path, sim, workers: dict[str, str] | None = None) -> Path:
    lines = [
        "environments:",
        "  production:",
        f"    base_url: {sim.base_url}",
        f"    account_id: {SIM_ACCOUNT_ID}",
        "    api_token_env: TAIL_TEST_TOKEN",
        "    tools:",
        "      wrangler: [wrangler]",
        "    workers:",
    ]
    lines += [f"      {role}: {script}" for role, script in (workers or SCRIPTS).items()]
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def token(sim, monkeypatch):
    monkeypatch.setenv("TAIL_TEST_TOKEN", sim.api_token)


def test_tail_worker_rate_limiter_json_runs_its_script_and_prints_durable_object_events(
    fake_tools, sim, token, tmp_path, capsys
):
    config = write_config(tmp_path, sim)
    code = cli_main(["tail", "--config", str(config), "--worker", "rate-limiter", "--json", "--count", "25"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert fake_tools.argvs("wrangler") == [["tail", "rate-limiter-production", "--format", "json"]]
    assert "edge-console tail: wrangler tail rate-limiter-production --format json" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 25
    assert {row["scriptName"] for row in rows} == {"rate-limiter-production"}
    assert all(row["executionModel"] == "durableObject" and row["entrypoint"] == "RateLimiter" for row in rows)
    kinds = {next(iter(row["event"])) for row in rows}
    assert "rpcMethod" in kinds and kinds <= {"rpcMethod", "request", "scheduledTime"}
    assert sim.api_token not in out + err


def test_tail_two_workers_merged_each_line_labelled(fake_tools, sim, token, tmp_path, capsys):
    sim.state.set_scenario("queue-backlog")
    config = write_config(tmp_path, sim)
    code = cli_main(
        [
            "tail",
            "--config",
            str(config),
            "--worker",
            "rate-limiter",
            "--worker",
            "queue-processor",
            "--worker",
            "rate-limiter",
            "--count",
            "80",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert sorted(fake_tools.argvs("wrangler")) == [
        ["tail", "queue-processor-production", "--format", "json"],
        ["tail", "rate-limiter-production", "--format", "json"],
    ]
    lines = out.splitlines()
    assert len(lines) == 80
    labels = [line[13:28].strip() for line in lines]  # after "HH:MM:SS.mmm "
    assert set(labels) == {"rate-limiter", "queue-processor"}
    queue_lines = [line for line in lines if line[13:28].strip() == "queue-processor"]
    assert queue_lines and all(
        " queue " in line and any(q in line for q in ("vau-batch", "analytics", "dead-letter")) for line in queue_lines
    )


def test_tail_unknown_role_and_a_script_the_account_lacks(fake_tools, sim, token, tmp_path, capsys):
    config = write_config(
        tmp_path, sim, {"vau-processor": "vau-processor-production", "rate-limiter": "rate-limitr-production"}
    )
    assert cli_main(["tail", "--config", str(config), "--worker", "security-waf"]) == 2
    err = capsys.readouterr().err
    assert (
        "--worker: no worker 'security-waf' in environment 'production' (configured roles: vau-processor, "
        "rate-limiter; set environments.production.workers.security-waf)" in err
    )
    assert fake_tools.argvs("wrangler") == []
    # a misspelled script: wrangler (simulated like the real one) fails creating the tail
    assert cli_main(["tail", "--config", str(config), "--worker", "rate-limiter", "--once"]) == 1
    err = capsys.readouterr().err
    assert "This Worker does not exist on your account. [code: 10007]" in err


def test_a_labelled_row_shows_its_worker_sanitised():
    event = TailEvent({"outcome": "ok", "eventTimestamp": 0, "event": {"queue": "vau-batch", "batchSize": 3}})
    event.worker = "queue\x1b[2Jproc"
    line = plain_line(event)
    assert "\x1b" not in line and "queue\\x1b[2Jpr" in line
    assert plain_line(TailEvent({"outcome": "ok", "event": {"queue": "q", "batchSize": 1}})).startswith(
        "--:--:--.--- ✓ ok"
    )  # a tail that names no worker has no worker column


async def test_log_view_tails_two_workers_merged_each_row_labelled_and_w_switches(sim, fake_tools, monkeypatch):
    """Pilot: tail.workers starts the view on the rate limiter and the queue consumer merged; W moves on to
    the next choice (the default worker alone, then the security WAF ...)."""
    from console.config import simulated_config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from screens.log_view import LogViewScreen, tail_controller
    from tests.fakes import StaticPoller
    from tests.util import wait_for
    from widgets.log_pane import LogPane

    monkeypatch.setenv("EDGE_SIM_TAIL_RATE", "4")
    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={"wrangler": ["wrangler"]})
    from console.schema.config_model import ConfigFile, TailSection

    cfg.model = ConfigFile(tail=TailSection(workers=["rate-limiter", "queue-processor"]))
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=StaticPoller())
    async with app.run_test(size=(150, 40)) as pilot:
        await app.push_screen(LogViewScreen())
        controller = tail_controller(app)
        store = controller.store
        await wait_for(
            lambda: {"rate-limiter", "queue-processor"} <= {e.worker for e in store.events},
            timeout=20,
            message="events of both workers",
        )
        pane = app.screen.query_one("#log-main", LogPane)
        assert pane.border_title == "Log tail: rate-limiter + queue-processor"

        def rows() -> list[str]:
            return [
                line
                for line in (
                    ("".join(s.text for s in pane.log_list.render_line(y))) for y in range(pane.log_list.size.height)
                )
                if line.strip()
            ]

        await wait_for(
            lambda: (
                any(r[13:28].strip() == "queue-processor" for r in rows())
                and any(r[13:28].strip() == "rate-limiter" for r in rows())
            ),
            message="labelled rows drawn",
        )
        assert all(r[13:28].strip() in ("rate-limiter", "queue-processor") for r in rows())
        assert sorted(a[:2] for a in fake_tools.argvs("wrangler")) == [
            ["tail", "queue-processor-production"],
            ["tail", "rate-limiter-production"],
        ]

        merged = controller.source
        before = store.received
        await pilot.press("W")
        await wait_for(
            lambda: (
                controller.roles == []
                and ["tail", "vau-processor-production"] in [a[:2] for a in fake_tools.argvs("wrangler")]
            ),
            timeout=15,
            message="the default worker alone",
        )
        await wait_for(
            lambda: store.received > before and [e.worker for e in list(store.events)[-3:]] == ["", "", ""],
            timeout=15,
            message="unlabelled events of the default worker",
        )
        assert fake_tools.argvs("wrangler")[-1][:2] == ["tail", "vau-processor-production"]
        assert [child.status.state for child in merged.children] == ["stopped", "stopped"]  # both ended
        assert [e.worker for e in list(store.events)[-3:]] == ["", "", ""]
        assert pane.border_title == "Log tail"
        await pilot.press("W")
        await wait_for(lambda: any(e.worker == "security-waf" for e in store.events), timeout=15, message="waf")
        assert controller.roles == ["security-waf"] and pane.border_title == "Log tail: security-waf"
        assert controller.source.command == ["wrangler", "tail", "security-waf-production", "--format", "json"]


def test_tail_workers_setting_is_validated_and_is_the_headless_default(fake_tools, sim, token, tmp_path, capsys):
    config = write_config(tmp_path, sim)
    config.write_text(config.read_text() + "tail:\n  workers: [rate-limiter, nope]\n")
    assert cli_main(["tail", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "config.yaml:14: tail.workers[1]: 'nope' is not one of: queue-processor, rate-limiter, " in err
    config.write_text(config.read_text().replace("[rate-limiter, nope]", "[queue-processor]"))
    assert cli_main(["tail", "--config", str(config), "--json", "--count", "3"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and all(set(row["event"]) == {"queue", "batchSize"} for row in rows)
    assert fake_tools.argvs("wrangler") == [["tail", "queue-processor-production", "--format", "json"]]
