"""The shipped runbook files are parsed once per file version (console/runbook/builtin_cache.py): loads share
the parsed flows, a changed file is parsed again, an error is never cached, and a user runbook merged into one
load leaves the next load's built-in flows as shipped."""

from __future__ import annotations

import os
import shutil

import pytest

from console.runbook import RunbookError, load_runbook
from console.runbook.builtin_cache import forget, load_builtin_file
from console.runbook.loader import builtin_runbook_files, load_file


def test_two_loads_share_the_parsed_builtin_flows_and_equal_a_fresh_parse():
    first = load_runbook()
    second = load_runbook()
    assert first.flows is not second.flows  # each load has its own dict to merge user flows into
    assert set(first.flows) == set(second.flows)
    for flow_id, flow in first.flows.items():
        assert second.flows[flow_id] is flow
    fresh = {flow.id: flow for path in builtin_runbook_files() for flow in load_file(path)}
    assert fresh.keys() == first.flows.keys()
    for flow_id, flow in fresh.items():
        assert first.flows[flow_id] is not flow and first.flows[flow_id] == flow


def test_a_changed_file_is_parsed_again(tmp_path):
    path = tmp_path / "01-daily.yaml"
    shutil.copy(builtin_runbook_files()[0], path)
    before = load_builtin_file(path)
    assert load_builtin_file(path)[0] is before[0]
    text = path.read_text()
    path.write_text(text.replace("title: Check worker health", "title: Check the workers"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a coarse clock: still a new version
    after = load_builtin_file(path)
    assert [f.title for f in after if f.id == "worker-health"] == ["Check the workers"]
    assert [f.title for f in before if f.id == "worker-health"] == ["Check worker health"]


def test_an_error_is_raised_on_every_load_not_cached(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("flows:\n  - {id: a, title: t, section: s, steps: [{kind: nope, title: n}]}\n")
    for _ in range(2):
        with pytest.raises(RunbookError) as info:
            load_builtin_file(path)
        assert info.value.file == str(path) and info.value.line == 2
    path.unlink()
    with pytest.raises(RunbookError, match="file not found"):
        load_builtin_file(path)


def test_a_user_flow_taking_a_builtin_key_leaves_the_next_load_as_shipped(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(
        "flows:\n  - {id: mine, title: Mine, section: Team, key: H, replaces: worker-health,\n"
        "     steps: [{kind: note, title: n}]}\n"
    )
    merged = load_runbook([user])
    assert merged.flows["mine"].key == "H" and merged.flows["worker-health"].key is None
    assert load_runbook().flows["worker-health"].key == "H"


def test_forget_parses_again():
    path = builtin_runbook_files()[0]
    before = load_builtin_file(path)
    forget()
    after = load_builtin_file(path)
    assert after[0] is not before[0] and after == before
