"""The shipped runbook's parsed flows kept between processes (console/runbook/builtin_disk_cache.py): the next
process reads them back equal to a parse without parsing; a changed file or parsing module, a damaged, foreign
or group-writable entry means a parse; only a program run of the console writes entries."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import msgspec
import pytest

from console.runbook import builtin_disk_cache as disk
from console.runbook.builtin_cache import forget, load_builtin_file
from console.runbook.loader import builtin_runbook_files, load_file
from tests.util import REPO_ROOT


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """A shipped runbook file copied to its own folder, with this process allowed to write entries."""
    path = tmp_path / "runbooks" / "02-incident.yaml"
    path.parent.mkdir()
    shutil.copy(next(p for p in builtin_runbook_files() if p.name == "02-incident.yaml"), path)
    monkeypatch.setattr(disk, "_writes_enabled", True)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    forget()
    yield path
    forget()


READ_IN_A_NEW_PROCESS = """
import json, pathlib, sys
from console.runbook import builtin_disk_cache as disk
kept = [disk.read(pathlib.Path(path)) for path in sys.argv[1:]]
parsed = "yaml" in sys.modules or "console.runbook.loader" in sys.modules
print(json.dumps([[None if flows is None else repr(flows) for flows in kept], parsed]))
"""


def read_in_a_new_process(*paths) -> tuple[list[str | None], bool]:
    """What one fresh interpreter reads back for each of ``paths`` (a repr per file), and whether it parsed."""
    out = subprocess.run(
        [sys.executable, "-c", READ_IN_A_NEW_PROCESS, *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    kept, parsed = json.loads(out.stdout)
    return kept, parsed


def test_the_next_process_reads_the_flows_back_equal_to_a_parse_without_parsing(copy):
    flows = load_builtin_file(copy)
    entry = disk.cache_path(copy)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    (kept,), parsed = read_in_a_new_process(copy)
    assert kept == repr(flows) == repr(load_file(copy))  # types and values as parsed
    assert not parsed  # neither PyYAML nor the loader was needed


def test_a_changed_file_or_parsing_module_is_parsed_again(copy):
    load_builtin_file(copy)
    assert disk.read(copy) is not None
    # a dependency (a module of the parser) that changed since the entry was written
    data = disk.cache_path(copy).read_bytes()
    entry = msgspec.msgpack.decode(data, type=disk._entry())
    path, size, mtime_ns = entry.depends[0]
    entry.depends[0] = (path, size, mtime_ns + 1)
    disk.cache_path(copy).write_bytes(msgspec.msgpack.encode(entry))
    assert disk.read(copy) is None
    # the file itself changed: parsed again, and the new entry holds the new text
    forget()
    copy.write_text(copy.read_text().replace("title: Enable circuit breaker", "title: Trip the breaker"))
    st = copy.stat()
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert disk.read(copy) is None
    assert "Trip the breaker" in [f.title for f in load_builtin_file(copy)]
    (kept,), _ = read_in_a_new_process(copy)
    assert kept is not None and "Trip the breaker" in kept


def test_a_damaged_foreign_writable_or_linked_entry_is_not_read(copy, tmp_path):
    load_builtin_file(copy)
    entry = disk.cache_path(copy)
    good = entry.read_bytes()
    assert disk.read(copy) is not None
    entry.write_bytes(good[: len(good) // 2])
    assert disk.read(copy) is None  # damaged
    entry.write_bytes(good)
    os.chmod(entry, 0o620)
    assert disk.read(copy) is None  # group-writable: someone else could have written it
    os.chmod(entry, 0o600)
    assert disk.read(copy) is not None
    elsewhere = tmp_path / "planted"
    elsewhere.write_bytes(good)
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert disk.read(copy) is None  # never through a link
    entry.unlink()
    entry.write_bytes(b"\x00" * 10 + good)
    assert disk.read(copy) is None


def test_entries_are_written_only_by_a_program_run_and_never_with_dont_write_bytecode(copy, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    load_builtin_file(copy)
    assert not disk.cache_path(copy).exists()
    forget()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(disk, "_writes_enabled", False)
    from console.cli import main

    user = copy.parent / "team.yaml"
    user.write_text("flows:\n  - {id: team-note, title: Team note, section: Team, steps: [{kind: note, title: n}]}\n")
    assert main(["runbook", "validate", str(user)]) == 0  # a caller passing argv: library use
    assert not disk.writes_enabled()
    # a program run (python -m console) writes the shipped files' entries, which the next process reads
    for shipped in builtin_runbook_files():
        disk.cache_path(shipped).unlink(missing_ok=True)  # (other processes only parse again meanwhile)
    subprocess.run(
        [sys.executable, "-m", "console", "runbook", "validate", str(user)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
        capture_output=True,
        timeout=60,
        check=True,
    )
    shipped = builtin_runbook_files()
    kept, parsed = read_in_a_new_process(*shipped)
    assert kept == [repr(load_file(path)) for path in shipped] and not parsed


def test_a_value_msgpack_would_not_give_back_as_parsed_is_not_kept(copy):
    flows = load_file(copy)
    odd = [flows[0].__class__(**{**flows[0].__dict__, "steps": list(flows[0].steps)})]
    step = odd[0].steps[0]
    odd[0].steps[0] = step.__class__(**{**step.__dict__, "summary_args": {"window": (1, 2)}})  # a tuple in Any
    assert not disk.write(copy, odd)
    assert not disk.cache_path(copy).exists()
    assert disk.write(copy, flows)
