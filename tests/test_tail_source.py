"""The tail source and headless CLI against a fake ``wrangler`` on PATH that replays recorded-format
events (pretty-printed, split across writes, garbage between), exits, or refuses without a token."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from console.cli import main as cli_main
from console.config import Environment
from console.tail.settings import ServerFilters
from console.tail.source import TailSource, build_child_env, build_command
from tests.test_tail_core import RECORDED, pretty_stream
from tests.util import wait_for

#: these start child processes (fake tools) or the simulated edge
pytestmark = pytest.mark.integration

TOKEN = "cf-test-token-6f2b9d0e8a1c"

FAKE = r"""#!{python} -S
import json, os, sys, time
plan_path = os.environ["TAIL_FAKE_PLAN"]
plan = json.load(open(plan_path))
counter = plan_path + ".count"
n = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(n + 1))
with open(os.environ["TAIL_FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv, "token": os.environ.get("CLOUDFLARE_API_TOKEN"),
                          "metrics": os.environ.get("WRANGLER_SEND_METRICS"),
                          "extra": os.environ.get("TAIL_TOOL_ENV")}}) + "\n")
run = plan["runs"][min(n, len(plan["runs"]) - 1)]
if run.get("need_token") and not os.environ.get("CLOUDFLARE_API_TOKEN"):
    sys.stderr.write("\u2718 [ERROR] In a non-interactive environment, it's necessary to set a "
                     "CLOUDFLARE_API_TOKEN environment variable for wrangler to work.\n")
    sys.exit(1)
for step in run["steps"]:
    if "out" in step:
        sys.stdout.buffer.write(bytes.fromhex(step["out"])); sys.stdout.flush()
    elif "err" in step:
        sys.stderr.write(step["err"] + "\n"); sys.stderr.flush()
    elif "sleep" in step:
        time.sleep(step["sleep"])
    elif "wait" in step:
        while not os.path.exists(step["wait"]):
            time.sleep(0.02)
sys.exit(run.get("exit", 0))
"""


class FakeWrangler:
    def __init__(self, tmp_path: Path, monkeypatch) -> None:
        self.dir = tmp_path / "fakewrangler"
        self.dir.mkdir()
        self.path = self.dir / "wrangler"
        self.path.write_text(FAKE.format(python=sys.executable))
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR)
        self.plan = tmp_path / "plan.json"
        self.log = tmp_path / "calls.jsonl"
        monkeypatch.setenv("TAIL_FAKE_PLAN", str(self.plan))
        monkeypatch.setenv("TAIL_FAKE_LOG", str(self.log))
        monkeypatch.setenv("PATH", f"{self.dir}{os.pathsep}{os.environ.get('PATH', '')}")
        monkeypatch.setenv("TEST_CF_TOKEN", TOKEN)

    def set_runs(self, *runs: dict) -> None:
        self.plan.write_text(json.dumps({"runs": list(runs)}))

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


def chunks(data: bytes, size: int, garbage_every: int = 0) -> list[dict]:
    """Split into writes of ``size`` bytes with short pauses, so reads see partial objects."""
    steps: list[dict] = []
    for i in range(0, len(data), size):
        steps.append({"out": data[i : i + size].hex()})
        if i // size % 4 == 3:
            steps.append({"sleep": 0.01})
    return steps


def recorded_with_garbage() -> bytes:
    return (
        pretty_stream(RECORDED[:3])
        + b"\xff\xfe binary junk\n"
        + b'{\n    "truncated": \n'
        + pretty_stream(RECORDED[3:])
    )


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


def environment(**kw) -> Environment:
    base = dict(
        name="staging",
        base_url="http://127.0.0.1:9",
        metrics_url="http://127.0.0.1:9/metrics",
        health_url="http://127.0.0.1:9/health",
        worker="vau-processor-staging",
        api_token_env="TEST_CF_TOKEN",
        tools={"wrangler": ["wrangler"]},
        tool_env={"TAIL_TOOL_ENV": "from-config"},
    )
    base.update(kw)
    return Environment(**base)


async def run_source(source: TailSource, until, timeout: float = 10.0) -> None:
    """Run the source until ``until()``; the events parsed meanwhile are in ``source.taken``."""
    source.taken = []
    task = asyncio.ensure_future(source.run())

    def check():
        source.taken.extend(source.take())
        return until()

    try:
        await wait_for(check, timeout=timeout, message="source condition")
    finally:
        source.stop()
        await asyncio.wait_for(task, timeout=5)
        source.taken.extend(source.take())


async def test_parses_split_stream_with_garbage_and_reports_exit(fake):
    fake.set_runs({"steps": chunks(recorded_with_garbage(), 37), "exit": 3}, {"steps": [{"sleep": 30}]})
    seen: list[tuple[str, str]] = []
    source = TailSource(environment(), backoff_start=5.0, on_status=lambda s: seen.append((s.state, s.summary())))
    await run_source(source, lambda: source.status.state == "reconnecting")
    assert [e.raw for e in source.taken] == RECORDED
    assert source.status.broken == 1
    assert source.status.received == len(RECORDED)
    states = [state for state, _ in seen]
    assert states[:2] == ["connecting", "streaming"]
    reconnecting = [text for state, text in seen if state == "reconnecting"]
    assert reconnecting and reconnecting[0].startswith("reconnecting in 5 s — wrangler exited with code 3")
    assert seen[-1] == ("stopped", "stopped — stopped by the operator")
    assert any("Connected to vau-processor-production" in line for line in source.noise)


async def test_reconnects_with_backoff_after_the_fake_exits(fake):
    first = pretty_stream(RECORDED[:2])
    second = pretty_stream(RECORDED[2:4])
    fake.set_runs({"steps": chunks(first, 100), "exit": 1}, {"steps": chunks(second, 100) + [{"sleep": 30}]})
    source = TailSource(environment(), backoff_start=0.2)
    await run_source(source, lambda: len(source.taken) >= 4)
    assert [e.raw for e in source.taken] == RECORDED[:4]
    assert len(fake.calls()) == 2
    assert source.status.attempts == 2


async def test_not_authenticated_message(fake, monkeypatch):
    monkeypatch.delenv("TEST_CF_TOKEN")
    fake.set_runs({"need_token": True, "steps": []})
    source = TailSource(environment(), backoff_start=5.0)
    await run_source(source, lambda: source.status.state == "reconnecting")
    detail = source.status.last_error
    assert detail.startswith("not authenticated: wrangler needs CLOUDFLARE_API_TOKEN")
    assert "$TEST_CF_TOKEN" in detail
    assert fake.calls()[0]["token"] is None


async def test_wrangler_missing_is_a_clear_message(tmp_path):
    source = TailSource(environment(tools={"wrangler": [str(tmp_path / "no-such-wrangler")]}), backoff_start=5.0)
    summaries: list[str] = []
    source.on_status = lambda s: summaries.append(s.summary())
    await run_source(source, lambda: source.status.state == "reconnecting")
    assert any(text.startswith("reconnecting in 5 s — wrangler not found") for text in summaries)
    assert "wrangler not found" in source.status.last_error and "tools.wrangler" in source.status.last_error


async def test_token_only_in_child_environment_never_in_argv(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED[:1]), 500) + [{"sleep": 30}]})
    filters = ServerFilters(
        status=["error"], method=["POST"], search="salt rotation", ip=["203.0.113.7"], sampling_rate=0.5
    )
    source = TailSource(environment(tools={"wrangler": ["env", "wrangler"]}), filters)
    await run_source(source, lambda: source.status.received >= 1)
    call = fake.calls()[0]
    assert TOKEN not in " ".join(call["argv"])
    assert all(TOKEN not in arg for arg in call["argv"])
    assert call["argv"][1:] == [
        "tail",
        "vau-processor-staging",
        "--format",
        "json",
        "--status",
        "error",
        "--method",
        "POST",
        "--search=salt rotation",
        "--ip",
        "203.0.113.7",
        "--sampling-rate",
        "0.5",
    ]
    assert call["token"] == TOKEN
    assert call["metrics"] == "false"
    assert call["extra"] == "from-config"
    assert TOKEN not in source.status.command


def test_command_and_env_builders():
    env = environment(tools={"wrangler": ["npx", "wrangler"]})
    assert build_command(env) == ["npx", "wrangler", "tail", "vau-processor-staging", "--format", "json"]
    child = build_child_env(env, "tok", base={"PATH": "/bin", "CLOUDFLARE_API_TOKEN": "stale"})
    assert child["CLOUDFLARE_API_TOKEN"] == "tok" and child["WRANGLER_SEND_METRICS"] == "false"
    assert "CLOUDFLARE_API_TOKEN" not in build_child_env(env, None, base={"CLOUDFLARE_API_TOKEN": "stale"})


async def test_restart_applies_new_server_filters(fake):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED[:1]), 500) + [{"sleep": 30}]})
    source = TailSource(environment())
    task = asyncio.ensure_future(source.run())
    got: list = []

    def received(n: int):
        return lambda: got.extend(source.take()) or len(got) >= n

    try:
        await wait_for(received(1), message="first event")
        source.restart(ServerFilters(status=["error"]))
        await wait_for(lambda: len(fake.calls()) >= 2 and received(2)(), message="restart")
    finally:
        source.stop()
        await asyncio.wait_for(task, timeout=5)
    assert "--status" not in fake.calls()[0]["argv"]
    assert fake.calls()[1]["argv"][-2:] == ["--status", "error"]


async def test_take_is_bounded_and_a_slow_consumer_drops_oldest_bytes_counted(fake):
    many = pretty_stream([RECORDED[0]] * 3000)
    fake.set_runs({"steps": chunks(many, 65536) + [{"sleep": 30}]})
    source = TailSource(environment(), max_pending=100, max_buffered_bytes=1 << 16)
    task = asyncio.ensure_future(source.run())
    try:
        # nobody takes while wrangler writes ~2.7 MB: all but the last 64 KiB are dropped
        await wait_for(lambda: source.bytes_read == len(many), message="all bytes read")
        await wait_for(lambda: source.status.dropped > 0, message="drops counted")
        assert source.backlog_bytes <= (1 << 16) + (1 << 20)  # the bound, plus at most one read
        first = source.take()
        assert len(first) <= 100
        rest = first + source.take(limit=10_000)
    finally:
        source.stop()
        await asyncio.wait_for(task, timeout=5)
    assert 0 < len(rest) < 3000
    assert all(e.raw == RECORDED[0] for e in rest)
    # the estimate of lost events is in the right range
    assert 2400 <= source.status.dropped + len(rest) <= 3600


def write_config(tmp_path: Path, fake: FakeWrangler) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "environments:\n"
        "  staging:\n"
        "    base_url: http://127.0.0.1:9\n"
        "    worker: vau-processor-staging\n"
        "    api_token_env: TEST_CF_TOKEN\n"
        f"    tools:\n      wrangler: [{fake.path}]\n"
    )
    return path


def test_headless_json_prints_only_filtered_objects(fake, tmp_path, capsys):
    fake.set_runs({"steps": chunks(recorded_with_garbage(), 61), "exit": 0})
    config = write_config(tmp_path, fake)
    code = cli_main(["tail", "--config", str(config), "--filter", "level:error", "--json", "--once"])
    out, err = capsys.readouterr()
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows == [RECORDED[1], RECORDED[2]]
    assert "edge-console tail:" in err and "wrangler exited with code 0" in err
    assert TOKEN not in out + err


def test_headless_json_with_a_text_filter_prints_the_same_objects(fake, tmp_path, capsys):
    # a free-text filter reads no field: the events are lazy (LazyTailEvent) and printed from the parser's lines
    fake.set_runs({"steps": chunks(recorded_with_garbage(), 61), "exit": 0})
    config = write_config(tmp_path, fake)
    code = cli_main(["tail", "--config", str(config), "--filter", "!salt", "--json", "--once", "--count", "4"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [RECORDED[i] for i in (0, 2, 3, 4)]
    assert out.splitlines()[0] == json.dumps(RECORDED[0], separators=(",", ":"), ensure_ascii=False)


def test_headless_lines_and_count(fake, tmp_path, capsys):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 200) + [{"sleep": 30}]})
    config = write_config(tmp_path, fake)
    code = cli_main(["tail", "--config", str(config), "--filter", "!kind:cron", "--count", "3", "--status", "error"])
    out, err = capsys.readouterr()
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert "GET" in lines[0] and "/api/v1/session" in lines[0]
    assert "EXCEPTION" in lines[1] and "TypeError" in lines[1]
    assert fake.calls()[0]["argv"][-2:] == ["--status", "error"]


def test_headless_bad_filter_and_not_authenticated(fake, tmp_path, capsys, monkeypatch):
    config = write_config(tmp_path, fake)
    assert cli_main(["tail", "--config", str(config), "--filter", "cpu>fast"]) == 2
    assert "--filter: filter column 1: 'cpu>fast': cpu needs a number" in capsys.readouterr().err
    monkeypatch.delenv("TEST_CF_TOKEN")
    fake.set_runs({"need_token": True, "steps": []})
    assert cli_main(["tail", "--config", str(config), "--once"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "not authenticated: wrangler needs CLOUDFLARE_API_TOKEN" in err
