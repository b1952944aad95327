"""The byte-level framing of wrangler's stream (orjson from the bytes): the cases the fast path must
hand to its slow path without losing an event or the stream."""

from __future__ import annotations

import json

import pytest

from console.tail.model import TailEvent
from console.tail.parser import StreamParser
from tests.test_tail_core import RECORDED, parse_all, pretty_stream


def test_integers_beyond_64_bits_still_parse():
    # JSON.stringify prints integers up to 1e21 without an exponent; orjson stops at 64 bits.
    event = dict(RECORDED[0], logs=[{"level": "log", "message": [{"bytes": 10**20}], "timestamp": 1}])
    events, parser = parse_all(json.dumps(event, indent=4).encode() + b"\n", 100)
    assert events == [event] and parser.broken == 0
    assert TailEvent(events[0], json.dumps(event, indent=4)).raw["logs"][0]["message"][0]["bytes"] == 10**20


@pytest.mark.parametrize("step", [1, 5, 1 << 16])
def test_invalid_utf8_inside_a_multibyte_character_split_across_reads(step):
    good = json.dumps(
        {"outcome": "ok", "logs": [{"level": "log", "message": ["größe ✓"]}]}, indent=4, ensure_ascii=False
    ).encode()
    bad = good.replace("größe".encode(), b"gr\xc3\xb6\xdfe")  # \xdf without its continuation byte
    events, parser = parse_all(good + b"\n" + bad + b"\n" + good + b"\n", step)
    assert [e["logs"][0]["message"][0] for e in events] == ["größe ✓", "grö\ufffde ✓", "größe ✓"]
    assert parser.broken == 0


def test_crlf_lines_and_compact_objects_with_trailing_text():
    pretty = json.dumps(RECORDED[1], indent=4).replace("\n", "\r\n").encode() + b"\r\n"
    compact = json.dumps(RECORDED[2]).encode() + b" trailing words\n"
    events, parser = parse_all(pretty + compact + b"[1, 2]\n", 3)
    assert events == [RECORDED[1], RECORDED[2]]
    assert parser.broken == 0
    assert parser.noise_lines == 2  # the words after the compact object, and the line that is no object


def test_texts_are_the_objects_json_and_noise_is_text():
    parser = StreamParser()
    out = parser.feed(pretty_stream(RECORDED[:2]))
    assert [json.loads(t) for t in out.texts] == RECORDED[:2]
    assert out.texts[0].startswith("{\n    ") and out.texts[0].endswith("\n}")
    assert all(isinstance(line, str) for line in out.noise) and "wrangler 4.42.0" in out.noise[0]


def test_resync_after_dropped_bytes_skips_to_the_next_object():
    data = pretty_stream(RECORDED)
    parser = StreamParser()
    first = parser.feed(data[: len(data) // 2])
    parser.resync()  # the middle of the stream was dropped
    rest = data[len(data) // 2 + 37 :]
    second = parser.feed(rest)
    second.events += parser.close().events
    got = first.events + second.events
    assert got and all(event in RECORDED for event in got)
    assert len(got) < len(RECORDED) and parser.broken == 0


def test_event_fields_from_odd_shapes():
    # The field extraction takes plain-typed fast paths; anything else must still give sane fields.
    odd = TailEvent(
        {
            "outcome": {"type": "exceededCpu", "cpuTime": 55},
            "scriptName": 7,
            "eventTimestamp": True,
            "cpuTime": "12",
            "wallTime": 3,
            "event": {
                "request": {"url": None, "method": ["GET"], "cf": "FRA", "headers": {"x-real-ip": "10.0.0.1"}},
                "response": {"status": 502.0},
            },
            "exceptions": ["not an object", {"message": "boom\nsecond line"}, {"name": "E", "message": None}],
            "logs": [
                {"level": 5, "message": "x"},
                {"level": "warn", "message": "w"},
                "junk",
                {"level": "error", "message": ["a", {"k": 1}, 2]},
            ],
        }
    )
    assert (odd.outcome, odd.script, odd.ts, odd.cpu, odd.wall) == ("exceededCpu", "7", 0.0, 55.0, 3)
    assert (odd.kind, odd.url, odd.method, odd.colo, odd.country, odd.ip, odd.status) == (
        "request",
        "",
        "['GET']",
        "",
        "",
        "10.0.0.1",
        502,
    )
    assert odd.n_exceptions == 2 and odd.error_logs == 1
    assert odd.errors == (("exception", "Error: boom second line"), ("exception", "E: None"), ("log", 'a {"k":1} 2'))
    assert odd.has_level("warn") and odd.has_level("error") and not odd.has_level("log")
    assert odd.severity == 3 and odd.headline == "Error: boom second line"

    plain = TailEvent(
        {
            "outcome": "ok",
            "event": {"request": {"url": "https://x.io/a?b=1", "method": "GET"}, "response": {"status": 404}},
            "logs": [],
        }
    )
    assert (plain.severity, plain.path, plain.status, plain.colo, plain.ip) == (2, "/a?b=1", 404, "", "")
    warn = TailEvent({"outcome": "ok", "logs": [{"level": "warn", "message": ["slow"]}]})
    assert (warn.severity, warn.kind, warn.status, warn.outcome) == (2, "unknown", None, "ok")
    notice = TailEvent({"outcome": "ok", "event": {"type": "overload", "message": "Tail is sampling events"}})
    assert (notice.kind, notice.notice, notice.severity, notice.headline) == (
        "notice",
        "Tail is sampling events",
        1,
        "Tail is sampling events",
    )
    cron = TailEvent({"outcome": "", "event": {"cron": "*/5 * * * *"}, "exceptions": None})
    assert (cron.kind, cron.url, cron.outcome, cron.severity, cron.errors) == ("cron", "*/5 * * * *", "unknown", 0, ())
    nan_status = TailEvent({"outcome": "ok", "event": {"request": {}, "response": {"status": float("nan")}}})
    assert nan_status.status is None and nan_status.severity == 0


def parser_without_orjson(monkeypatch, name: str = "parser_without_orjson"):
    """A fresh copy of console.tail.parser loaded as on a broken install with no orjson (the stdlib parses)."""
    import importlib.util
    import sys

    import console.tail.parser as real

    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson -> ImportError
    spec = importlib.util.spec_from_file_location(name, real.__file__)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    assert module._loads is json.loads
    return module


def test_without_orjson_the_stdlib_gives_the_same_results(monkeypatch):
    import console.tail.parser as real

    module = parser_without_orjson(monkeypatch)
    data = (
        pretty_stream(RECORDED)
        + b'\xff garbage\n{\n    "outcome": "ok",\n'
        + json.dumps(RECORDED[3], indent=4).encode()
        + b"\n"
        + json.dumps(RECORDED[4]).encode()
        + b"\n"
    )
    for step in (1, 7, 4096):
        results = []
        for parser in (module.StreamParser(), real.StreamParser()):
            events, texts = [], []
            for i in range(0, len(data), step):
                out = parser.feed(data[i : i + step])
                events += out.events
                texts += out.texts
            events += parser.close().events
            results.append((events, texts, parser.broken, parser.noise_lines))
        assert results[0] == results[1]
        assert results[0][0] == RECORDED + [RECORDED[3], RECORDED[4]] and results[0][2] == 1
