"""tests/collect_cost.py makes collection cheaper without changing what the tests see: the garbage collector
runs during the tests, pytest still loads assertion-rewritten modules, and Hypothesis still draws on the
console's own constants (its scan is deferred to the first example, not dropped)."""

from __future__ import annotations

import gc
import marshal

import console.sanitize
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import constants_from_module


def test_the_collector_runs_during_the_tests_and_what_collection_built_is_frozen():
    assert gc.isenabled()
    assert gc.get_freeze_count() > 1000  # the modules, items and fixture definitions collection made


def test_rewritten_bytecode_read_whole_is_the_code_pytest_wrote(tmp_path):
    from _pytest.assertion import rewrite

    code = compile("def f(x):\n    assert x == [1, 2], 'no'\n", "m.py", "exec")
    pyc = tmp_path / "m.pyc"
    pyc.write_bytes(b"\0" * 16 + rewrite.marshal.dumps(code))
    with pyc.open("rb") as fp:
        fp.read(16)
        assert rewrite.marshal.load(fp) == code
    assert rewrite.marshal.load is not marshal.load  # the whole-file read is the one in use


def test_this_module_was_loaded_with_its_asserts_rewritten():
    try:
        assert [1, 2, 3] == [1, 5, 3]
    except AssertionError as exc:
        message = str(exc)
    assert "At index 1 diff: 2 != 5" in message  # pytest's introspection: only rewritten asserts explain


def test_hypothesis_still_draws_on_the_consoles_constants():
    # the plugin's scan at collection was skipped, so it is pending (or already done by an earlier example)
    assert providers._sys_modules_len is None or providers._seen_modules
    local = providers._get_local_constants()
    sanitize = constants_from_module(console.sanitize)
    assert sanitize.strings and sanitize.integers
    assert set(sanitize.strings) <= set(local.strings)
    assert set(sanitize.integers) <= set(local.integers)
