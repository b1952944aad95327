"""Issue 14 acceptance: random bytes and text full of control characters through the tail parser, the
exposition parser and the health reader, into what the console shows: no exception, and no terminal
control (C0 but newline/tab, DEL, C1, bidi/format characters, lone surrogates) in the output.

Bounded: FUZZ_EXAMPLES examples each (200; fewer in `make test-fast`), no deadline (the machine is shared).
The hostile strings, values and events are decoded from a few cheap draws each
(tests/security/fuzz_hostile_inputs.py): nested strategies spent 93% of this file's CPU drawing."""

from __future__ import annotations

import json
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.metrics.derive import Snapshot, derive, families
from console.metrics.exposition import parse_exposition, parse_labels
from console.sanitize import clean, clean_line, json_dumps
from console.sources.health import interpret
from console.tail.format import detail_pieces, line_pieces, plain_line, status_pieces
from console.tail.cli import json_line
from console.tail.lazy_event import LazyTailEvent
from console.tail.model import TailEvent
from console.tail.parser import StreamParser
from tests.security.fuzz_hostile_inputs import (
    exposition_noise,
    exposition_rows,
    health_body,
    hostile_text,
    json_value,
    tail_event,
)
from tests.util import FUZZ_EXAMPLES

#: What a terminal obeys, independent of console.sanitize (so the test does not grade itself).
CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    "\u00ad\u180e\u200b-\u200d\u2028\u2029\u2060-\u2064\ufff9-\ufffb\U000e0000-\U000e007f"
    "\ud800-\udfff]"
)
FIELDS = [name for name in TailEvent.__slots__ if name not in ("seq", "worker", "json")]
LINE_CONTROLS = re.compile(CONTROLS.pattern[:-1] + "\t\n]")
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def assert_line(text: str, where: str) -> None:
    assert isinstance(text, str), where
    found = LINE_CONTROLS.search(text)
    assert found is None, f"{where}: {found.group()!r} in {text[:200]!r}"


def assert_text(text: str, where: str) -> None:
    found = CONTROLS.search(text)
    assert found is None, f"{where}: {found.group()!r} in {text[:200]!r}"


@FUZZ
@given(
    events=st.lists(tail_event, min_size=1, max_size=4),
    junk=st.lists(st.binary(max_size=64), max_size=4),
    cuts=st.lists(st.integers(1, 400), max_size=6),
    pretty=st.booleans(),
)
def test_fuzz_tail_parser_to_screen_and_json(events, junk, cuts, pretty):
    chunks = [
        json.dumps(e, indent=2 if pretty else None, ensure_ascii=False).encode("utf-8", "surrogatepass") for e in events
    ]
    stream = b"\n".join(c for pair in zip(chunks, junk + [b""] * len(chunks)) for c in pair) + b"\n"
    parser = StreamParser(json_lines=True)  # the lines edge-console tail --json writes
    parsed, texts, noise, lines = [], [], [], []
    pos = 0
    for cut in cuts + [len(stream)]:
        result = parser.feed(stream[pos : pos + cut])
        parsed += result.events
        texts += result.texts
        noise += result.noise
        lines += result.lines
        pos += cut
    result = parser.close()
    parsed += result.events
    texts += result.texts
    noise += result.noise
    lines += result.lines
    assert len(lines) == len(parsed)
    for raw, text, line in zip(parsed, texts, lines):
        event = TailEvent(raw, text)
        lazy = LazyTailEvent(raw, text)  # what a --json tail with a text filter reads
        assert [getattr(lazy, n) for n in FIELDS] == [getattr(event, n) for n in FIELDS]
        assert_line(plain_line(event), "plain_line")
        for piece, _ in line_pieces(event, 120):
            assert_line(piece, "line piece")
        for piece, _ in detail_pieces(event):
            assert piece.endswith("\n")
            assert_line(piece[:-1], "detail line")
        shown = json_dumps(event.raw, separators=(",", ":"))
        assert_text(shown, "--json")
        assert json.loads(shown) == event.raw
        event.json = line
        fast = json_line(event).decode("utf-8")  # the parser's line, as edge-console tail --json prints it
        assert_text(fast, "--json (parser's line)")
        assert "\n" not in fast and json.loads(fast) == event.raw  # the same value; floats may be spelled
        # otherwise (orjson writes 1e-9 where json.dumps writes 1e-09)
    for line in noise:  # wrangler's banners become the status notice
        status = type(
            "S",
            (),
            {
                "state": "streaming",
                "summary": lambda self, now=None, line=line: line,
                "notice": line,
                "dropped": 0,
                "broken": 0,
            },
        )()
        store = type("T", (), {"paused": False, "filter": None, "events": [], "capacity": 10})()
        for piece, _ in status_pieces(status, store, note=line):
            assert_line(piece, "status line")


def _page(draw_lines: list[tuple[str, str, str]]) -> str:
    out = []
    for family, label, value in draw_lines:
        escaped = label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out.append(f'{family}{{queue="{escaped}",rule="{escaped}",worker="{escaped}"}} {value}')
    return "\n".join(out) + "\n"


@FUZZ
@given(
    lines=exposition_rows(families(None), ["1", "2.5", "NaN", "x", "1e3"]),
    noise=exposition_noise,
)
def test_fuzz_exposition_to_screen(lines, noise):
    text = _page(lines) + "\n".join(noise)
    wanted = families(None)
    page = parse_exposition(text, wanted)
    for problem in page.problems:
        assert_text(str(problem), "problem")
    if page.error:
        assert_text(page.error, "page error")
    for series in page.samples.values():
        for raw in series:
            assert_text(raw, "raw labels")
            for key, value in (parse_labels(raw) or {}).items():
                assert_text(key + value, "label value")
    prev = Snapshot(at=time.time() - 5, mono=time.monotonic() - 5, page=parse_exposition(text, wanted))
    derived = derive(prev, Snapshot(at=time.time(), mono=time.monotonic(), page=page))
    for queue in derived.queues:
        assert_text(queue.name, "queue name")
    for rule in derived.security:
        assert_text(rule.rule, "rule name")
    for warning in derived.warnings:
        assert_text(warning, "warning")


@FUZZ
@given(
    body=health_body,
    raw=st.booleans(),
    status=st.sampled_from([200, 204, 500, 503]),
)
def test_fuzz_health_reader_to_screen(body, raw, status):
    data = body.encode("utf-8", "surrogatepass") if raw else body
    health = interpret(status, data)
    assert_line(health.status, "health status")
    if health.version is not None:
        assert_line(health.version, "health version")
    if health.error is not None:
        assert_line(health.error, "health error")
    for name, state in health.components.items():
        assert_line(name, "component name")
        assert_line(state, "component status")


@FUZZ
@given(text=st.one_of(hostile_text, st.text()), value=json_value)
def test_fuzz_sanitiser_itself(text, value):
    once = clean(text)
    assert_text(once, "clean")
    assert clean(once) == once
    assert_line(clean_line(text), "clean_line")
    if not CONTROLS.search(text):
        assert clean(text) is text or clean(text) == text
    shown = json_dumps(value)
    assert_text(shown, "json_dumps")
    assert json.loads(shown) == value
