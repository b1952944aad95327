"""tests/long_tests_first.py: under worksteal each long test starts one worker's slice, nothing is lost or
repeated, the other tests keep their order, and every listed long test still exists."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.long_tests_first import LONGEST, long_first, slice_sizes

ROOT = Path(__file__).resolve().parent.parent


def test_slices_are_cut_as_worksteal_cuts_them():
    assert slice_sizes(10, 3) == [3, 3, 4]
    assert slice_sizes(1640, 6) == [273, 273, 273, 273, 274, 274]
    assert sum(slice_sizes(7, 4)) == 7


def test_each_long_test_starts_a_slice_and_the_rest_keep_their_order():
    longest = ((9.0, "t::a"), (8.0, "t::b"), (3.0, "t::c"), (2.0, "t::d"))
    ids = [f"t::{n}" for n in range(20)] + ["t::d", "t::c", "t::b", "t::a"]
    out = long_first(ids, ids, 3, longest)
    assert sorted(out) == sorted(ids)
    starts = [0, 8, 16]
    assert [out[s] for s in starts] == ["t::a", "t::b", "t::c"]  # longest first, each to the least loaded slice
    assert out[starts[2] + 1] == "t::d"  # 3 + 2 s < 8 s and 9 s: the third slice takes it after t::c
    assert [i for i in out if i.split("::")[1].isdigit()] == ids[:20]


def test_a_listed_file_moves_whole_to_the_front_of_one_slice():
    """A file named in the list (its module fixture is the long part) is not split over two workers."""
    longest = ((20.0, "f.py"), (9.0, "t::a"))
    ids = [f"t::{n}" for n in range(10)] + ["f.py::x", "t::a", "f.py::y", "f.py::z[1]"] + [f"u::{n}" for n in range(10)]
    out = long_first(ids, ids, 3, longest)
    assert sorted(out) == sorted(ids)
    assert out[:3] == ["f.py::x", "f.py::y", "f.py::z[1]"]  # together, in order, at the front of the first slice
    assert out[8] == "t::a"  # the next long unit starts the next slice
    assert [i for i in out if not i.startswith("f.py") and i != "t::a"] == [
        i for i in ids if not i.startswith("f.py") and i != "t::a"
    ]


def test_nothing_moves_without_long_tests_or_when_slices_are_too_small():
    ids = [f"t::{n}" for n in range(12)]
    assert long_first(ids, ids, 3, ((5.0, "other::x"),)) == ids
    few = ["t::a", "t::b", "t::1", "t::2"]
    assert long_first(few, few, 2, ((9.0, "t::a"), (8.0, "t::b"))) == few  # each slice would be long tests only


def test_every_listed_long_test_exists():
    for _seconds, nodeid in LONGEST:
        if "::" not in nodeid:  # a file whose tests move together
            assert (ROOT / nodeid).is_file(), f"{nodeid} is gone: update tests/long_tests_first.py"
            continue
        path, name = nodeid.split("::")
        name = name.split("[", 1)[0]
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        names = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert name in names, f"{nodeid} is gone: update tests/long_tests_first.py"
    walls = [seconds for seconds, _ in LONGEST]
    assert walls == sorted(walls, reverse=True)
