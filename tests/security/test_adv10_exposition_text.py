"""Adversarial review of the simulator's direct /metrics writer (console/sim/exposition_text.py): for any
snapshot (label values with backslashes, quotes, newlines, carriage returns, any unicode and lone
surrogates; values NaN, +-inf, -0.0, huge, tiny, ints; negative and odd histogram bounds; many label sets,
more than the writer's label cache holds) it writes what prometheus-client's generate_latest writes, or
fails as it fails."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from console.sim.exposition import Exposition
from console.sim.exposition_text import _LABEL_TEXT_MAX
from tests.util import FUZZ_EXAMPLES

_label = st.text(st.characters(codec=None, categories=None), max_size=8) | st.sampled_from(
    ["\\", '"', "\n", "\r\n", "\\n", '\\"', "é", "\u202e", "\x00", "\ud800", "{", "}", ",", "=", " "]
)
_number = st.floats() | st.integers(-(2**64), 2**64) | st.sampled_from([-0.0, 1e308, 5e-324, float("nan")])
_count = st.integers(0, 2**60) | st.floats(min_value=0, allow_nan=False)


@st.composite
def _histogram(draw):
    bounds = sorted(draw(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=4, unique=True)))
    names = [repr(b) for b in bounds] + ["+Inf"]
    counts = sorted(draw(st.lists(_count, min_size=len(names), max_size=len(names))))
    return list(zip(names, counts)), draw(st.none() | _number)


def _snapshot():
    return st.fixed_dictionaries(
        {
            "requests": st.dictionaries(st.tuples(_label, _label, _label), _number, max_size=4),
            "errors": st.dictionaries(st.tuples(_label, _label), _number, max_size=4),
            "duration": st.dictionaries(_label, _histogram(), max_size=2),
            "cpu": _histogram(),
            "cache_hits": _number,
            "cache_misses": _number,
            "memory": st.dictionaries(_label, _number, max_size=3),
            "backlog": st.dictionaries(_label, _number, max_size=3),
            "queue_processing": st.dictionaries(_label, _histogram(), max_size=2),
            "blocks": st.dictionaries(_label, _number, max_size=3),
            "rate_limit_violations": _number,
        }
    )


def _outcome(render):
    try:
        return render()
    except Exception as exc:  # noqa: BLE001 - the kind of failure is what is compared
        return type(exc).__name__


def _exposition(snap) -> Exposition:
    return Exposition(SimpleNamespace(lock=threading.RLock(), metrics_snapshot=lambda: snap))


@settings(max_examples=max(1, FUZZ_EXAMPLES // 2), deadline=None)  # tests/test_sim_exposition_text.py covers the rest
@given(_snapshot(), st.sampled_from([None, "edge_requests", "edge_cpu_time_ms", "edge_queue_backlog"]))
def test_adv10_direct_page_is_generate_latest_for_any_snapshot(snap, missing):
    exposition = _exposition(snap)
    direct = _outcome(lambda: exposition.render(missing=missing))
    reference = _outcome(lambda: exposition.render_registry(missing=missing))
    if isinstance(reference, str) and missing is not None:
        return  # the collector converts a left-out family's values too (and fails on them); the writer skips it
    assert direct == reference


def test_adv10_more_label_sets_than_the_cache_holds_are_written_alike():
    blocks = {f'rule-{i}\\"\n': float(i) for i in range(_LABEL_TEXT_MAX + 10)}
    snap = {
        "requests": {},
        "errors": {},
        "duration": {},
        "cpu": ([("+Inf", 0)], 0.0),
        "cache_hits": 0,
        "cache_misses": 0,
        "memory": {},
        "backlog": {},
        "queue_processing": {},
        "blocks": blocks,
        "rate_limit_violations": 0,
    }
    exposition = _exposition(snap)
    for _ in range(2):
        assert exposition.render() == exposition.render_registry()
