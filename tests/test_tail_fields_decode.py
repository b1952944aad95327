"""The tail's fields-only decode (console/tail/fields_decode.py): every event it builds equals the one a full
parse builds, for real-shaped events, the recorded stream and hostile shapes; what it cannot take goes to the
full parse, and the stream parser's results and counts are unchanged."""

from __future__ import annotations

import json

import orjson
import pytest

from console.sim.tail_events import TailEventGenerator
from console.tail.fields_decode import decode_fields
from console.tail.model import TailEvent
from console.tail.parser import StreamParser
from tests.test_tail_core import RECORDED

SLOTS = [s for s in TailEvent.__slots__ if s != "seq"]


def same_event(text: str) -> None:
    fast = TailEvent(decode_fields(text.encode()), text)
    full = TailEvent(orjson.loads(text), text)
    for slot in SLOTS:
        assert getattr(fast, slot) == getattr(full, slot), (slot, text[:200])
    assert fast.raw == full.raw and fast.path == full.path and fast.headline == full.headline


def generated() -> list[str]:
    gen = TailEventGenerator("vau-processor-production", seed=3)
    scenarios = ["normal", "error-spike", "latency", "ddos"]
    return [json.dumps(gen.event(scenarios[i % 4], 1.7e12 + i), indent=4) for i in range(400)]


def test_generated_and_recorded_events_equal_the_full_parse():
    texts = generated() + [json.dumps(r, indent=4) for r in RECORDED]
    for text in texts:
        same_event(text)
    assert any(isinstance(decode_fields(t.encode())["event"]["request"], dict) for t in texts)


HOSTILE = [
    {"event": {"request": None}, "outcome": "ok"},
    {"event": {"request": {}}, "outcome": None},
    {"event": {"request": "GET /"}},
    {"event": {"request": {"cf": ["FRA"], "url": "https://x/a"}}},
    {"event": {"request": {"cf": {"colo": {"nested": 1}}, "headers": {"cf-connecting-ip": 7}}}},
    {"event": {"request": {"headers": None, "method": 5, "url": 12}, "response": {"status": "503"}}},
    {"event": {"request": {"url": "/x"}, "response": None}},
    {"event": {"request": {"url": "/x"}, "response": {"status": 4.9e2}}},
    {"event": {"request": {"url": "/x"}, "response": []}},
    {"event": {"cron": "*/5 * * * *"}, "outcome": {"outcome": "exceededCpu", "cpuTime": 51}},
    {"event": {"type": "overload", "message": "Tail is sampling events"}},
    {"event": "x", "outcome": 3, "scriptName": ["a"]},
    {"eventTimestamp": True, "cpuTime": "9", "wallTime": None, "event": {"request": {"url": "/y"}}},
    {"event": {"request": {"url": "/z\u0000\u001b[31m", "headers": {"x-real-ip": "10.0.0.1"}}}},
    {
        "exceptions": [{"name": None, "message": 3}, "x"],
        "logs": [{"level": "error", "message": [{"a": 1}]}, 2],
        "event": {"request": {"method": "POST", "url": "https://h/p?q=1"}},
    },
    {"event": {"request": {"url": "/big"}}, "logs": [{"level": "log", "message": [10**30]}]},
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_shapes_equal_the_full_parse(raw):
    same_event(json.dumps(raw, indent=4))


def test_duplicate_keys_read_like_the_full_parse():
    for text in (
        '{"event": {"request": {"url": "/a"}}, "event": "x"}',
        '{"event": "x", "event": {"request": {"url": "/b"}}}',
        '{"event": {"request": {"url": "/a", "url": "/c"}}, "outcome": "ok", "outcome": "exception"}',
    ):
        same_event(text)


def test_not_json_and_deep_nesting_raise_or_parse_as_the_full_parse():
    for bad in (b'{"event": {"request": {"url": "/a"}', b'{"a": nan}', b"{\xff}"):
        with pytest.raises(orjson.JSONDecodeError):
            decode_fields(bad)
    deep = b'{"logs": ' + b"[" * 5000 + b"]" * 5000 + b', "event": {"request": {}}}'
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(deep)
    with pytest.raises(orjson.JSONDecodeError):
        decode_fields(deep)


def test_stream_parser_counts_are_unchanged_with_the_fields_decode():
    texts = generated()[:60]
    noise = b'Connected, waiting for logs...\n{\n    "cut": \n' + b"{\n}\n" + b"[1]\n"
    data = noise + b"".join(t.encode() + b"\n" for t in texts) + b'{\n"event": {"request": {"url": "\xff"}}\n}\n'
    results = []
    for loads in (None, decode_fields):
        parser = StreamParser(loads=loads)
        events, out_texts = [], []
        for i in range(0, len(data), 777):
            out = parser.feed(data[i : i + 777])
            events += out.events
            out_texts += out.texts
        events += parser.close().events
        built = [TailEvent(e, t) for e, t in zip(events, out_texts)]
        results.append(([[getattr(b, s) for s in SLOTS] for b in built], out_texts, parser.broken, parser.noise_lines))
    assert results[0] == results[1]
    assert len(results[0][1]) == 62 and results[0][2] >= 1
