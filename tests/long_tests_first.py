"""The longest tests start first under `make test` (loaded by tests/conftest.py ``pytest_plugins``).

pytest-xdist's ``--dist worksteal`` gives each of the W workers one contiguous slice of the collection (in
collection order) and, when a worker runs dry, moves the back half of the longest queue to it. A long test
near the end of a slice therefore starts in the last minutes and the run waits for it alone. Here each long
test is moved to the front of one slice (longest first, each to the slice with the least long-test time so
far), so the long tests start at once, side by side, and the short ones fill the gaps and are stolen at the
end. Every worker computes the same order (xdist requires it) from the same list; runs without xdist
(`make test-fast`, a single file) keep the collection order.

:data:`LONGEST` is the one place that names them, from the per-test profile of the suite (wall seconds at
``-n 6`` in a fresh clone of main c837c05, a module fixture's setup counted with its first test); an id that no
longer exists is ignored.
"""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

import pytest

#: (wall seconds, node id), longest first
LONGEST: tuple[tuple[float, str], ...] = (
    (12.0, "tests/security/test_inject_terminal.py::test_inject_tui"),
    (12.0, "tests/test_prometheus_stack.py::test_selector_keeps_each_environments_numbers_apart"),
    (
        12.0,
        "tests/test_record_replay.py::test_record_ddos_minute_then_replay_shows_crit_rate_and_alert_at_recorded_moments",
    ),
    (9.4, "tests/test_incident_kill.py::test_sigkill_mid_incident_then_resume_in_a_new_console"),
    (7.4, "tests/test_promql.py::test_fleet_numbers_from_a_real_prometheus"),
    (
        7.4,
        "tests/security/test_review5_notify_output.py::test_a_notify_hook_printing_300_mib_does_not_grow_the_console_by_it",
    ),
    (7.1, "tests/test_flows_sim.py::test_p0_procedure_enables_the_breaker_checks_status_and_rolls_back_when_asked"),
    (7.0, "tests/test_serve_browser.py::test_note_from_the_cli_appears_in_the_page"),
    (6.6, "tests/test_incident_tui.py::test_start_p1_note_phases_flow_steps_close_and_report"),
    (
        6.4,
        "tests/test_incident_flow_sim.py::test_p1_from_an_alert_runs_a_flow_whose_steps_land_on_the_timeline_and_report",
    ),
    (6.0, "tests/security/test_review4_edge_block_ipv6.py::test_an_ipv6_source_is_blocked_and_unblocked_at_the_edge"),
    (5.8, "tests/test_tail_view.py::test_pane_fills_on_simulated_edge_and_error_spike_ranks_exceptions"),
    (5.6, "tests/test_idle_quiet.py::test_tail_timer_slows_while_only_the_dashboard_pane_is_up"),
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
