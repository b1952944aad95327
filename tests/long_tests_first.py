"""The longest tests start first under `make test` (loaded by tests/conftest.py ``pytest_plugins``).

pytest-xdist's ``--dist worksteal`` gives each of the W workers one contiguous slice of the collection (in
collection order) and, when a worker runs dry, moves the back half of the longest queue to it. A long test
near the end of a slice therefore starts in the last minutes and the run waits for it alone. Here each long
test is moved to the front of one slice (longest first, each to the slice with the least long-test time so
far), so the long tests start at once, side by side, and the short ones fill the gaps and are stolen at the
end. Every worker computes the same order (xdist requires it) from the same list; runs without xdist
(`make test-fast`, a single file) keep the collection order.

:data:`LONGEST` is the one place that names them, from the per-test profile of the suite (wall seconds at
``-n 4`` on main 1f2b725); an id that no longer exists is ignored.
"""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

import pytest

#: (wall seconds, node id), longest first
LONGEST: tuple[tuple[float, str], ...] = (
    (16.9, "tests/security/test_inject_terminal.py::test_inject_tui"),
    (16.1, "tests/test_incident_tui.py::test_start_p1_note_phases_flow_steps_close_and_report"),
    (
        9.0,
        "tests/test_record_replay.py::test_record_ddos_minute_then_replay_shows_crit_rate_and_alert_at_recorded_moments",
    ),
    (7.8, "tests/test_incident_tui.py::test_contacts_screen_escalates_and_notifies_and_severity_changes"),
    (
        7.7,
        "tests/test_incident_flow_sim.py::test_p1_from_an_alert_runs_a_flow_whose_steps_land_on_the_timeline_and_report",
    ),
    (7.7, "tests/test_incident_kill.py::test_sigkill_mid_incident_then_resume_in_a_new_console"),
    (7.2, "tests/test_promql.py::test_dashboard_toggles_to_fleet_view"),
    (7.0, "tests/test_flows_sim.py::test_p0_procedure_enables_the_breaker_checks_status_and_rolls_back_when_asked"),
    (7.0, "tests/test_look.py::test_term_linux_draws_only_glyphs_of_the_vt_font"),
    (
        6.4,
        "tests/security/test_audit_hostile_records.py::test_random_records_are_formatted_and_scanned_without_exception",
    ),
    (5.9, "tests/test_drill_tui.py::test_edge_console_drill_runs_in_a_terminal_and_prints_and_writes_the_score"),
    (5.2, "tests/security/test_review4_edge_block_ipv6.py::test_an_ipv6_source_is_blocked_and_unblocked_at_the_edge"),
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
    long = sorted((i for i, nodeid in enumerate(ids) if nodeid in wall), key=lambda i: -wall[ids[i]])
    sizes = slice_sizes(len(items), workers)
    if not long or workers < 2 or len(long) >= min(sizes):
        return list(items)
    fronts: list[list[int]] = [[] for _ in sizes]
    loads = [0.0] * len(sizes)
    for i in long:
        w = loads.index(min(loads))
        fronts[w].append(i)
        loads[w] += wall[ids[i]]
    chosen = set(long)
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
