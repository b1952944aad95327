"""Adversarial review of tests/long_tests_first.py: for any collection (files, classes, parametrized ids
holding ``::`` or ``[``, duplicate ids, a file listed together with tests of its own, listed ids that are
not collected) and any worker count, ``long_first`` is a permutation: nothing lost or repeated, the tests
that do not move keep their order, a listed file's tests stay together and in order, and when anything
moves each long unit starts a slice while slices are left, never a slice of long tests only."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.long_tests_first import long_first, slice_sizes

_FILES = ["tests/a.py", "tests/b.py", "tests/sub/c.py", "tests/d.py"]
_TESTS = ["test_x", "C::test_y", "test_z[p::q]", "test_w[1-a]", "test_v[::]"]


@st.composite
def _collection(draw):
    ids = draw(st.lists(st.tuples(st.sampled_from(_FILES), st.sampled_from(_TESTS)), max_size=40))
    ids = [f"{f}::{t}" for f, t in ids]
    pool = sorted(set(ids)) + _FILES + ["tests/gone.py", "tests/a.py::gone"]
    listed = draw(st.lists(st.sampled_from(pool), unique=True, max_size=6))
    walls = draw(st.lists(st.floats(0.1, 30), min_size=len(listed), max_size=len(listed)))
    longest = tuple(sorted(zip(walls, listed), key=lambda pair: -pair[0]))
    return ids, longest, draw(st.integers(1, 8))


@settings(max_examples=300, deadline=None)
@given(_collection())
def test_adv10_long_first_is_a_permutation_that_keeps_the_rest_in_order(case):
    ids, longest, workers = case
    items = list(range(len(ids)))  # items are positions: duplicates of an id stay distinct
    out = long_first(items, ids, workers, longest)
    assert sorted(out) == items  # nothing lost, nothing repeated
    listed = {nodeid for _wall, nodeid in longest}

    def moves(i: int) -> bool:
        return ids[i] in listed or ids[i].split("::", 1)[0] in listed

    assert [i for i in out if not moves(i)] == [i for i in items if not moves(i)]
    if out == items:
        return
    sizes = slice_sizes(len(items), workers)
    start = 0
    for size in sizes:
        part = out[start : start + size]
        moved = [i for i in part if moves(i)]
        assert part[: len(moved)] == moved and len(moved) < size  # long tests first, and not only them
        start += size
    units = {ids[i] if ids[i] in listed else ids[i].split("::", 1)[0] for i in items if moves(i)}
    starts = sum(1 for s in range(workers) if moves(out[sum(sizes[:s])]))
    assert starts == min(len(units), workers)  # each long unit starts a slice while slices are left
    for f in _FILES:  # a listed file (its test not listed on its own) moves whole, in order
        if f in listed:
            own = [i for i in items if ids[i].split("::", 1)[0] == f and ids[i] not in listed]
            where = [out.index(i) for i in own]
            assert where == list(range(where[0], where[0] + len(own))) if own else True
    assert Counter(ids[i] for i in out) == Counter(ids)
