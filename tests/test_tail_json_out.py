"""The headless tail's fast ``--json`` path: the parser's compact JSON line per event, its sanitising, and the
lazily-filled event (``LazyTailEvent``) used when the filter reads no field.

Each is checked against the path it replaces: the bytes written are the old ``json_dumps(event.raw)``'s,
byte for byte, and every field of a lazy event equals the full ``TailEvent``'s."""

from __future__ import annotations

import json
import re

import pytest

from console.sanitize import clean_json_bytes, json_dumps
from console.sim.tail_events import TailEventGenerator
from console.tail.cli import json_line
from console.tail.filters import Filter
from console.tail.lazy_event import LazyTailEvent
from console.tail.model import TailEvent
from console.tail.parse_budget import BudgetedParser
from console.tail.bytequeue import ByteQueue
from console.tail.parser import StreamParser
from tests.test_tail_core import RECORDED, pretty_stream

#: what a terminal obeys (independent of console.sanitize, as in tests/security/test_fuzz_sanitize.py)
CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\u00ad\u180e\u200b-\u200d\u2028\u2029\u2060-\u2064\ufff9-\ufffb\U000e0000-\U000e007f"
    "\ud800-\udfff]"
)
HOSTILE = "\x1b]0;title\x07 \x9b2J \u202eevil \x7f del \u2066 \ufeff \U000e0041 \u00ad é ✓ \n\t\x00"


def hostile_events() -> list[dict]:
    return [
        {
            "outcome": HOSTILE,
            "scriptName": "vau\x9b",
            "eventTimestamp": 1_700_000_000_000,
            "event": {
                "request": {
                    "method": "GET\x1b[2J",
                    "url": "https://x.example/\u202e/p?q=\x7f",
                    "headers": {"cf-connecting-ip": "203.0.113.7\u2066", HOSTILE: HOSTILE},
                    "cf": {"colo": "FRA\x9d", "country": ["D", "E"]},
                },
                "response": {"status": 500.5},
            },
            "logs": [{"level": "error", "message": [HOSTILE, {"k": HOSTILE}], "timestamp": 1}],
            "exceptions": [{"name": HOSTILE, "message": HOSTILE, "stack": HOSTILE}],
            "cpuTime": 1e300,
            "wallTime": -0.0,
            HOSTILE: [1.5, -2, True, None, {"x": 5e-324}],
        },
        {"outcome": "ok", "event": {"type": "overload", "message": "sampling \u202e on"}, "eventTimestamp": 3},
        {"outcome": {"outcome": "exception", "cpuTime": 4}, "event": {"cron": "*/5 * * * *"}},
        {"event": {"queue": "q\x1b", "batchSize": 2}, "logs": "not a list", "exceptions": [1, {"name": 2}]},
    ]


def sample_events() -> list[dict]:
    gen = TailEventGenerator("vau-processor-production", seed=3)
    scenarios = ["normal", "error-spike", "latency", "ddos"]
    generated = [gen.event(scenarios[i % 4], 1.7e12 + i) for i in range(40)]
    return RECORDED + generated + hostile_events()


def parse(data: bytes, step: int = 4096) -> tuple[list[dict], list[str], list[bytes | None]]:
    parser = StreamParser(json_lines=True)
    raws: list[dict] = []
    texts: list[str] = []
    lines: list[bytes | None] = []
    for i in range(0, len(data), step):
        out = parser.feed(data[i : i + step])
        raws += out.events
        texts += out.texts
        lines += out.lines
    out = parser.close()
    return raws + out.events, texts + out.texts, lines + out.lines


def test_each_json_line_is_the_old_output_byte_for_byte_and_inert():
    events = sample_events()
    raws, texts, lines = parse(pretty_stream(events), step=777)
    assert raws == events and len(lines) == len(raws)
    for raw, text, line in zip(raws, texts, lines):
        assert line is not None  # orjson decoded every one of these
        event = TailEvent(raw, text)
        event.json = line
        shown = json_line(event)
        assert shown == json_dumps(raw, separators=(",", ":")).encode("utf-8")
        decoded = shown.decode("utf-8")
        assert "\n" not in decoded and CONTROLS.search(decoded) is None, decoded[:200]
        assert json.loads(decoded) == raw


def test_the_hostile_payloads_are_escaped_not_dropped():
    raws, texts, lines = parse(pretty_stream(hostile_events()))
    shown = clean_json_bytes(lines[0])  # type: ignore[arg-type]
    for escape in (b"\\u001b]0;title", b"\\u009b2J", b"\\u202eevil", b"\\u007f del", b"\\u2066", b"\\ufeff"):
        assert escape in shown
    assert b"\\udb40\\udc41" in shown  # U+E0041 (a tag character) as a surrogate pair
    assert "é ✓".encode() in shown  # readable text stays as it is


@pytest.mark.parametrize(
    "data, kept",
    [
        (b'{\n    "outcome": "ok",\n    "cpuTime": NaN\n}\n', {"outcome": "ok", "cpuTime": float("nan")}),
        (b'{\n    "s": "lone \\ud800 half"\n}\n', {"s": "lone \ud800 half"}),
        (b'{"compact": 1e999}\n', {"compact": float("inf")}),
    ],
)
def test_an_object_orjson_refuses_has_no_line_and_takes_the_old_path(data, kept):
    raws, texts, lines = parse(data)
    assert len(raws) == 1 and lines == [None]
    assert json.dumps(raws[0]) == json.dumps(kept)  # NaN != NaN: compare the dumps
    event = TailEvent(raws[0], texts[0])
    shown = json_line(event)
    assert shown == json_dumps(event.raw, separators=(",", ":")).encode("utf-8")
    assert CONTROLS.search(shown.decode("utf-8")) is None


def test_clean_json_bytes_escapes_what_json_dumps_escapes():
    for value in ["plain ascii", "del \x7f", "c1 \x85 \x9b", "bidi \u202e\u2067", "é ✓ 日本", "\U000e007f tag", ""]:
        compact = json.dumps({"v": value}, ensure_ascii=False, separators=(",", ":"))
        assert clean_json_bytes(compact.encode("utf-8")) == json_dumps({"v": value}, separators=(",", ":")).encode()
    same = b'{"a":"ascii only"}'
    assert clean_json_bytes(same) is same  # nothing to escape: no copy


def test_the_budgeted_parser_hands_each_event_its_line():
    events = sample_events()
    queue = ByteQueue(1 << 24)
    queue.put(memoryview(pretty_stream(events)))
    parser = BudgetedParser(queue, lambda raws, texts: [TailEvent(r, t) for r, t in zip(raws, texts)], list, True)
    taken = parser.take(10_000, 5.0)
    assert [e.raw for e in taken] == events
    assert all(json.loads(e.json) == raw for e, raw in zip(taken, events))
    plain = BudgetedParser(ByteQueue(1 << 20), lambda raws, texts: [], list)
    assert plain._parser.json_lines is False  # the TUI's parser writes no lines


def test_a_lazy_event_has_every_field_of_the_full_one():
    raws, texts, _ = parse(pretty_stream(sample_events()))
    for raw, text in zip(raws, texts):
        full = TailEvent(raw, text)
        lazy = LazyTailEvent(raw, text)
        lazy.worker, lazy.json = "rate-limiter", b"{}"
        # set at once: what the source and a merged tail read for every event
        assert (lazy.ts, lazy.kind, lazy.notice) == (full.ts, full.kind, full.notice)
        seq = lazy.seq
        assert lazy.severity == full.severity  # the first other field fills them all
        for name in TailEvent.__slots__:
            if name not in ("seq", "worker", "json"):
                assert getattr(lazy, name) == getattr(full, name), name
        assert (lazy.seq, lazy.worker, lazy.json) == (seq, "rate-limiter", b"{}")
        assert (lazy.path, lazy.headline, lazy.raw) == (full.path, full.headline, full.raw)
    with pytest.raises(AttributeError):
        lazy.no_such_field  # noqa: B018


@pytest.mark.parametrize(
    "expr, needs",
    [
        ("", False),
        ("!/health", False),
        ('"two words" timeout', False),
        ("text:salt !cache", False),
        ("cpu>5", True),
        ("!/health level:error", True),
        ("kind:cron", True),
        ("errors", True),
    ],
)
def test_a_filter_says_whether_it_reads_fields(expr, needs):
    assert Filter(expr).needs_fields is needs


@pytest.mark.parametrize("expr", ["", "salt", "!salt", '"salt rotation"', "text:api"])
def test_a_text_filter_matches_lazy_events_as_full_ones(expr):
    flt = Filter(expr)
    raws, texts, _ = parse(pretty_stream(RECORDED))
    assert [flt(LazyTailEvent(r, t)) for r, t in zip(raws, texts)] == [
        flt(TailEvent(r, t)) for r, t in zip(raws, texts)
    ]


def test_the_clock_cached_per_second_answers_as_strftime_does():
    import random
    import time

    from console.tail.format import clock

    def direct(ts_ms: float) -> str:
        try:
            return time.strftime("%H:%M:%S", time.gmtime(ts_ms / 1000.0)) + f".{int(ts_ms % 1000):03d}"
        except (OverflowError, OSError, ValueError):
            return "??:??:??.???"

    rnd = random.Random(5)
    values = [-1500.0, -0.5, 0.5, 999.9999, -999.9999, 1e300, float("inf"), float("nan"), 253402300800000.0]
    values += [1.7e12 + rnd.uniform(0, 5000) for _ in range(3000)] + [rnd.uniform(-1e14, 1e14) for _ in range(3000)]
    for value in values * 2:  # the second round answers from the cache
        assert clock(value) == direct(value), value
    assert clock(0) == "--:--:--.---"


def test_plain_line_is_the_wide_row_of_line_pieces():
    from console.tail.format import line_pieces, plain_line

    raws, texts, _ = parse(pretty_stream(sample_events()))
    events = [TailEvent(raw, text) for raw, text in zip(raws, texts)]
    for event in list(events):
        labelled = TailEvent(event.raw, event.text)
        labelled.worker = "rate-limiter\x1b"
        events.append(labelled)
    events.append(TailEvent({"event": {"type": "overload", "message": "sampling\u202e"}, "eventTimestamp": 5}))
    for event in events:
        assert plain_line(event) == "".join(text for text, _ in line_pieces(event)).rstrip()
