"""The simulated edge's /metrics page written directly (console/sim/exposition_text.py) is byte for byte what
prometheus-client's generate_latest writes over the collector, in every scenario, as the edge lives on, with
each family left out (fault ``missing:<family>``) and with label values that need escaping."""

from __future__ import annotations

import pytest

from console.sim.exposition import FAMILIES, Exposition
from console.sim.scenarios import SCENARIO_NAMES
from console.sim.state import SimState


def _edge(scenario: str) -> tuple[SimState, Exposition, list[float]]:
    now = [1_700_000_000.0]
    state = SimState(scenario=scenario, seed=11, clock=lambda: now[0])
    return state, Exposition(state), now


def _same_page(exposition: Exposition, missing: str | None = None) -> str:
    direct, reference = exposition.render(missing=missing), exposition.render_registry(missing=missing)
    assert direct.decode("utf-8").splitlines() == reference.decode("utf-8").splitlines()  # a readable diff
    assert direct == reference
    return direct.decode("utf-8")


@pytest.mark.parametrize("scenario", SCENARIO_NAMES)
def test_the_direct_page_equals_generate_latest_as_the_edge_lives(scenario):
    state, exposition, now = _edge(scenario)
    for seconds in (0.0, 2.0, 45.0, 120.0):
        now[0] += seconds
        page = _same_page(exposition)
        for family in FAMILIES:
            assert f"# TYPE {family} " in page
        assert "edge_request_duration_seconds_bucket{le=" in page and "_sum{" in page and "_count{" in page


@pytest.mark.parametrize("missing", [*FAMILIES, "edge_requests", "edge_cpu_time_ms_total", "no_such_family", ""])
def test_a_family_left_out_is_left_out_as_generate_latest_leaves_it(missing):
    _state, exposition, _now = _edge("ddos")
    page = _same_page(exposition, missing or None)
    if missing in FAMILIES:
        assert f"# TYPE {missing} " not in page


def test_label_values_are_escaped_as_generate_latest_escapes_them():
    state, exposition, _now = _edge("normal")
    with state.lock:
        state.traffic.blocks['ru"le\\x\nnext'] = 3.0
        state.traffic.memory["wörker-ünïcode"] = 1234.6
    page = _same_page(exposition)
    assert 'edge_security_blocks_total{rule="ru\\"le\\\\x\\nnext"} 3.0' in page
    assert 'edge_memory_usage_bytes{worker="wörker-ünïcode"} 1235.0' in page
