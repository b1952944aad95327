"""The longest tests start first under `make test` (loaded by tests/conftest.py ``pytest_plugins``).

pytest-xdist's ``--dist worksteal`` gives each of the W workers one contiguous slice of the collection (in
collection order) and, when a worker runs dry, moves the back half of the longest queue to it. A long test
near the end of a slice therefore starts in the last minutes and the run waits for it alone. Here each long
test is moved to the front of one slice (longest first, each to the slice with the least long-test time so
far), so the long tests start at once, side by side, and the short ones fill the gaps and are stolen at the
end. Every worker computes the same order (xdist requires it) from the same list; runs without xdist
(`make test-fast`, a single file) keep the collection order.

A file named instead of a test (no ``::``) moves as one: all its tests, in their order, to the front of one
slice. That is for files whose module-scoped fixture is the long part (a Chromium, a Prometheus, a recorded
minute): split over two workers, each worker set it up again (seen: the browser, both Prometheus files and the
recording, each twice in one run).

:data:`LONGEST` is the one place that names them, from the per-test profile of the suite (wall seconds at
``-n 6`` in a fresh clone of main af42d75, a module fixture's setup counted with its first test); an id that no
longer exists is ignored.
"""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

import pytest

#: (wall seconds, node id or file), longest first
LONGEST: tuple[tuple[float, str], ...] = (
    (25.0, "tests/test_serve_browser.py"),
    (23.0, "tests/test_prometheus_stack.py"),
    (12.0, "tests/test_promql.py"),
    (12.0, "tests/test_record_replay.py"),
    (8.2, "tests/security/test_inject_terminal.py::test_inject_tui"),
    (8.0, "tests/test_look_snapshots.py::test_view_in_theme_at_every_size[log-edge-ansi16]"),
    (7.5, "tests/test_incident_kill.py::test_sigkill_mid_incident_then_resume_in_a_new_console"),
    (
        6.8,
        "tests/security/test_audit_kill9.py::test_kill9_mid_step_leaves_started_no_orphan_and_the_next_start_reports_unknown",
    ),
    (6.7, "tests/test_flows_sim.py::test_p0_procedure_enables_the_breaker_checks_status_and_rolls_back_when_asked"),
    (6.5, "tests/security/test_review4_edge_block_ipv6.py::test_an_ipv6_source_is_blocked_and_unblocked_at_the_edge"),
    (6.4, "tests/test_idle_quiet.py::test_tail_timer_slows_while_only_the_dashboard_pane_is_up"),
    (5.4, "tests/test_dashboard_layout.py::test_dashboard_80x24"),
)

T = TypeVar("T")


def slice_sizes(count: int, workers: int) -> list[int]:
    """How worksteal splits ``count`` tests over ``workers`` idle workers (contiguous, in order)."""
    sizes = []
    left = count
    for i in range(workers):
        sizes.append(left // (workers - i))
        left -= sizes[-1]
    return sizes


def long_first(items: Sequence[T], ids: Iterable[str], workers: int, longest=LONGEST) -> list[T]:
    """``items`` (whose node ids are ``ids``) with each long test at the front of one worker's slice; the
    others keep their order. Unchanged when no long test is selected or a slice would hold only long tests."""
    wall = {nodeid: seconds for seconds, nodeid in longest}
    ids = list(ids)
    # each unit that moves: one long test, or every test of a listed file (in collection order)
    units: dict[str, list[int]] = {}
    for i, nodeid in enumerate(ids):
        key = nodeid if nodeid in wall else nodeid.split("::", 1)[0]
        if key in wall:
            units.setdefault(key, []).append(i)
    long = sorted(units, key=lambda key: -wall[key])
    moved = sum(len(unit) for unit in units.values())
    sizes = slice_sizes(len(items), workers)
    if not long or workers < 2 or moved >= min(sizes):
        return list(items)
    fronts: list[list[int]] = [[] for _ in sizes]
    loads = [0.0] * len(sizes)
    for key in long:
        w = loads.index(min(loads))
        fronts[w] += units[key]
        loads[w] += wall[key]
    chosen = {i for unit in units.values() for i in unit}
    rest = iter(i for i in range(len(items)) if i not in chosen)
    order: list[int] = []
    for front, size in zip(fronts, sizes):
        order += front
        order += [next(rest) for _ in range(size - len(front))]
    return [items[i] for i in order]


@pytest.hookimpl(trylast=True)  # after deselection (-m, -k): the slices are cut from what is run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # only in an xdist worker (it sets its own ``dist`` option to "no": `make test` runs ``--dist worksteal``)
    workers = getattr(config, "workerinput", {}).get("workercount")
    if not workers:
        return
    items[:] = long_first(items, (item.nodeid for item in items), int(workers))
