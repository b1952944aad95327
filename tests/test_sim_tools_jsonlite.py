"""The simulated tools' JSON (console/sim/tools/jsonlite.py, no ``import json`` at their start-up) gives what the
standard library's gives: the same text for every JSON value in each form the tools write, the same values
read back, the same errors for bad documents, and json's own answer for anything else."""

from __future__ import annotations

import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.sim.tools import jsonlite

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_keys = st.text(max_size=6) | st.integers(-5, 5) | st.booleans() | st.none() | st.floats(allow_nan=False)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)


#: values a tool writes and the corners of the format, each in every form
_CORNERS = [
    {"success": True, "errors": [], "messages": [], "result": {"id": "a1", "n": 3, "ok": None, "x": 1.5}},
    [{"name": "CIRCUIT_BREAKER_ENABLED", "type": "secret_text"}, {}, [], [[]], [{}]],
    {"é\u2028\ud800": '\x00\x1f"\\/\n\t✓', 7: 2.0, 2.5: -0.0, True: 1e16, None: -1e-7, False: float("inf")},
    [2**70, -(2**70), 0, float("nan"), float("-inf"), 123456789.0, 1e-320],
]


@pytest.mark.parametrize("value", _CORNERS)
@pytest.mark.parametrize("indent", [None, 0, 2, 4])
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_dumps_writes_what_json_dumps_writes_at_the_corners(value, indent, ensure_ascii):
    assert jsonlite.dumps(value, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=indent, ensure_ascii=ensure_ascii
    )


@settings(max_examples=60, deadline=None)
@given(_values, st.sampled_from([None, 0, 2, 4]), st.booleans())
def test_dumps_writes_what_json_dumps_writes(value, indent, ensure_ascii):
    assert jsonlite.dumps(value, indent=indent, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=indent, ensure_ascii=ensure_ascii
    )
    handle = io.StringIO()
    jsonlite.dump(value, handle, indent=indent, ensure_ascii=ensure_ascii)
    assert handle.getvalue() == json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=40, deadline=None)
@given(_values, st.sampled_from([None, 2]), st.sampled_from(["", " ", "\n\t ", "\r\n"]))
def test_loads_reads_what_json_loads_reads(value, indent, space):
    text = space + json.dumps(value, indent=indent) + space
    assert _same(jsonlite.loads(text), json.loads(text))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "{", '{"a": 1} x', "[1,]", "\ufeff{}", '"\x01"', "nul", "{'a': 1}", "1 2", '{"a" 1}', "-", "[1e]"],
)
def test_a_bad_document_raises_json_s_own_error(text):
    with pytest.raises(json.JSONDecodeError) as ours:
        jsonlite.loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert (ours.value.msg, ours.value.pos) == (theirs.value.msg, theirs.value.pos)
    assert jsonlite.JSONDecodeError is json.JSONDecodeError


def test_bytes_other_types_and_cycles_get_json_s_answer():
    assert jsonlite.loads(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonlite.dumps({"a": {1, 2}})
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonlite.dumps([object()], indent=2)
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        jsonlite.dumps(loop)
    with pytest.raises((ValueError, RecursionError)):
        jsonlite.dumps(loop, indent=2)
    assert jsonlite.dumps("é\n", ensure_ascii=False) == json.dumps("é\n", ensure_ascii=False)
    assert jsonlite.dumps({"a": 1}, indent="\t") == json.dumps({"a": 1}, indent="\t")
