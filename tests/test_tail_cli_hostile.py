"""``edge-console tail`` end to end against the fake wrangler, with what an adversary sends or types: an
event nested deeper than orjson writes is printed (``--json`` and text) and the stream goes on; a
negative ``--count`` is a usage error, not a silent early exit."""

from __future__ import annotations

import json

import orjson
import pytest

from console.cli import main as cli_main
from tests.test_tail_core import RECORDED, pretty_stream
from tests.test_tail_hostile_depth import CONTROLS, deep_event
from tests.test_tail_source import FakeWrangler, chunks, write_config

pytestmark = pytest.mark.integration


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeWrangler:
    return FakeWrangler(tmp_path, monkeypatch)


@pytest.mark.parametrize("as_json", [True, False])
def test_a_deep_event_is_printed_between_ordinary_ones(fake, tmp_path, capsys, as_json):
    data = pretty_stream(RECORDED[:1]) + deep_event(600) + deep_event(1020) + pretty_stream(RECORDED[1:2])
    fake.set_runs({"steps": chunks(data, 4096), "exit": 0})
    config = write_config(tmp_path, fake)
    code = cli_main(["tail", "--config", str(config), "--once", "--count", "4", *(["--json"] if as_json else [])])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and CONTROLS.search(out) is None
    if as_json:
        assert json.loads(lines[0]) == RECORDED[0] and json.loads(lines[3]) == RECORDED[1]
        assert [line.count("[") for line in lines[1:3]] == [600 - 2, 1020 - 2]  # logs, the nested lists, "[2J"
        assert orjson.loads(lines[2])["logs"][0]["level"] == "error"
    else:
        assert "[nested too deep to show]" in lines[2]


@pytest.mark.parametrize("count", ["-1", "-5"])
def test_a_negative_count_is_a_usage_error(fake, tmp_path, capsys, count):
    fake.set_runs({"steps": chunks(pretty_stream(RECORDED), 200), "exit": 0})
    config = write_config(tmp_path, fake)
    assert cli_main(["tail", "--config", str(config), "--once", "--json", "--count", count]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--count" in err
    assert fake.calls() == []  # refused before wrangler started
