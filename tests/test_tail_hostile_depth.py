"""A tail event nested deep (a console.log of a deep object, or a hostile stream) is shown or counted
broken, never a traceback: the parser, the event's fields, the ``--json`` line and the text line all
survive depths around each JSON library's limit (orjson writes 254 levels and reads 1024; the stdlib
stops near the interpreter's recursion limit, ~1000)."""

from __future__ import annotations

import re

import orjson
import pytest

from console.tail.cli import json_line
from console.tail.format import plain_line
from console.tail.lazy_event import LazyTailEvent
from console.tail.model import TailEvent
from console.tail.parser import StreamParser

#: what a terminal obeys (independent of console.sanitize)
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

#: depths either side of each library's limit
DEPTHS = [254, 255, 300, 990, 1000, 1023, 1024, 1025, 5000, 100_000]


def deep_event(depth: int) -> bytes:
    """A request event whose error log's message holds lists nested so that the whole object is ``depth`` deep."""
    inner = depth - 4  # object > logs list > log object > message list > ...
    nested = "[" * inner + '"\\u001b[2J\u202edeep"' + "]" * inner  # ESC escaped (JSON), U+202E raw
    return (
        '{"outcome":"ok","eventTimestamp":1700000000000,"event":{"request":{"method":"GET","url":"https://x/"}},'
        f'"logs":[{{"level":"error","message":{nested},"timestamp":1}}]}}\n'
    ).encode()


def same(a: object, b: object) -> bool:
    """``a == b`` without recursion (``==`` on 1000-deep lists is a RecursionError)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if x.keys() != y.keys():  # type: ignore[union-attr]
                return False
            stack.extend((x[k], y[k]) for k in x)  # type: ignore[index]
        elif isinstance(x, list):
            if len(x) != len(y):  # type: ignore[arg-type]
                return False
            stack.extend(zip(x, y))  # type: ignore[arg-type]
        elif x != y:
            return False
    return True


def parse(data: bytes, json_lines: bool) -> tuple[StreamParser, list[dict], list[str], list[bytes | None]]:
    parser = StreamParser(json_lines=json_lines)
    out = parser.feed(data)
    end = parser.close()
    return parser, out.events + end.events, out.texts + end.texts, out.lines + end.lines


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("json_lines", [False, True])
def test_a_deep_event_is_kept_or_counted_broken_and_the_next_one_still_parses(depth, json_lines):
    after = b'{"outcome":"ok","next":true}\n'
    parser, raws, texts, lines = parse(deep_event(depth) + after, json_lines)
    assert raws[-1] == {"outcome": "ok", "next": True}  # the stream goes on
    assert len(raws) + parser.broken == 2
    if json_lines:
        assert len(lines) == len(raws)
    if depth <= 1024:  # JSON that orjson reads is kept
        assert len(raws) == 2


@pytest.mark.parametrize("depth", [d for d in DEPTHS if d <= 1024])
@pytest.mark.parametrize("lazy", [False, True])
def test_a_deep_event_is_printed_as_one_inert_json_line_and_a_text_line(depth, lazy):
    _, raws, texts, lines = parse(deep_event(depth), json_lines=True)
    make = LazyTailEvent if lazy else TailEvent
    event = make(raws[0], texts[0])
    event.json = lines[0]
    shown = json_line(event).decode("utf-8")
    assert "\n" not in shown and CONTROLS.search(shown) is None, shown[:200]
    assert shown.startswith("{") and "\\u001b[2J\\u202edeep" in shown
    assert same(orjson.loads(shown), raws[0])  # the same value (orjson reads 1024 levels; the stdlib fewer)
    full = TailEvent(raws[0], texts[0])  # the text line reads the fields (the error log's message)
    assert event.severity == full.severity == 3 and event.errors == full.errors
    row = plain_line(full)
    assert "\n" not in row and CONTROLS.search(row) is None


def deep_unknown_field(depth: int) -> bytes:
    """An event whose unknown field ``extra`` nests ``depth - 1`` lists (the detail view lists it)."""
    inner = depth - 1
    return ('{"outcome":"ok","extra":' + "[" * inner + '"x"' + "]" * inner + "}\n").encode()


@pytest.mark.parametrize("depth", [300, 1000, 1024])
def test_the_detail_view_and_a_save_take_a_deep_event(depth, tmp_path):
    from console.tail.format import detail_pieces
    from console.tail.save import save_events

    _, raws, texts, _ = parse(deep_unknown_field(depth), json_lines=False)
    event = TailEvent(raws[0], texts[0])
    pieces = detail_pieces(event)
    shown = "".join(text for text, _ in pieces)
    assert "extra" in shown and CONTROLS.search(shown.replace("\n", "")) is None
    path, count = save_events([event], tmp_path / "saved.jsonl")
    (line,) = path.read_text(encoding="utf-8").splitlines()
    assert count == 1 and same(orjson.loads(line), raws[0])


@pytest.mark.parametrize("pretty", [False, True])
def test_without_orjson_a_deep_event_is_counted_broken(monkeypatch, pretty):
    """A broken install (no orjson): the stdlib parses, and its RecursionError is "not JSON" too."""
    from tests.test_tail_parser import parser_without_orjson

    module = parser_without_orjson(monkeypatch, "parser_without_orjson_depth")
    deep = deep_event(5000)
    if pretty:  # the pretty-printed shape wrangler writes: "{" alone on the first line, "}" on the last
        deep = b"{\n" + deep[1:-2] + b"\n}\n"
    parser = module.StreamParser()
    out = parser.feed(deep + b'{"outcome":"ok","next":true}\n')
    end = parser.close()
    assert (out.events + end.events)[-1] == {"outcome": "ok", "next": True} and parser.broken == 1
