"""The tail's byte queue and parsing budget on their own (console.tail.bytequeue, console.tail.parse_budget)."""

from __future__ import annotations

import json

from console.tail.bytequeue import EMPTY, ByteQueue
from console.tail.model import TailEvent
from console.tail.parse_budget import PARSE_PIECE, BudgetedParser


def _event(i: int) -> bytes:
    return (
        json.dumps({"outcome": "ok", "eventTimestamp": 1700000000000 + i, "logs": [], "exceptions": []}, indent=2)
        + "\n"
    ).encode()


def test_queue_wakes_once_until_the_consumer_finds_it_empty() -> None:
    queue = ByteQueue(1 << 20)
    assert queue.put(memoryview(b"a")).wake is True
    assert queue.put(memoryview(b"b")).wake is False  # the consumer has not drained yet
    assert queue.pop(10) == (memoryview(b"a"), False)
    assert queue.pop(10)[0] == memoryview(b"b")
    assert queue.pop(10) == (EMPTY, False)  # found empty: the next put wakes again
    assert queue.put(None).wake is True
    assert bool(queue) and queue.pop(10) == (None, False)


def test_queue_splits_long_chunks_and_counts_buffered_bytes() -> None:
    queue = ByteQueue(1 << 20)
    queue.put(memoryview(b"x" * 25))
    assert queue.buffered == 25
    first, _ = queue.pop(10)
    assert bytes(first) == b"x" * 10 and queue.buffered == 15
    assert bytes(queue.pop(10)[0]) == b"x" * 10
    assert bytes(queue.pop(10)[0]) == b"x" * 5 and queue.buffered == 0 and not queue


def test_queue_drops_the_oldest_past_its_bound_and_asks_for_a_resync() -> None:
    queue = ByteQueue(100)
    queue.put(memoryview(b"a" * 60))
    put = queue.put(memoryview(b"b" * 60))
    assert put.dropped == 60 and queue.buffered == 60
    chunk, resync = queue.pop(1000)
    assert bytes(chunk) == b"b" * 60 and resync is True
    assert queue.pop(1000) == (EMPTY, False)  # the resync is asked once


def test_queue_keeps_the_newest_chunk_even_when_it_alone_is_over_the_bound() -> None:
    queue = ByteQueue(10)
    assert queue.put(memoryview(b"z" * 50)).dropped == 0
    assert queue.buffered == 50


def _parser(queue: ByteQueue, noise: list[str]) -> BudgetedParser:
    def wrap(raws, texts):
        return [TailEvent(raw, text) for raw, text in zip(raws, texts)]

    return BudgetedParser(queue, wrap, noise.extend)


def test_budget_returns_at_most_limit_and_carries_the_rest() -> None:
    queue = ByteQueue(1 << 20)
    queue.put(memoryview(b"".join(_event(i) for i in range(5))))
    parser = _parser(queue, [])
    first = parser.take(limit=2, budget_s=1.0)
    assert len(first) == 2 and parser.has_carry
    rest = parser.take(limit=10, budget_s=1.0)
    assert len(rest) == 3 and not parser.has_carry
    stamps = [e.raw["eventTimestamp"] for e in first + rest]
    assert stamps == sorted(stamps)


def test_budget_parses_in_pieces_and_stops_when_the_time_is_spent() -> None:
    queue = ByteQueue(16 << 20)
    blob = b"".join(_event(i) for i in range(2000))
    assert len(blob) > 4 * PARSE_PIECE
    queue.put(memoryview(blob))
    parser = _parser(queue, [])
    assert parser.take(limit=100_000, budget_s=0.0) == []  # no time: nothing parsed, nothing lost
    assert queue.buffered == len(blob)
    got: list[TailEvent] = []
    while queue or parser.has_carry:
        got += parser.take(limit=100_000, budget_s=1.0)
    assert len(got) == 2000


def test_budget_counts_noise_and_broken_objects_across_runs() -> None:
    queue = ByteQueue(1 << 20)
    noise: list[str] = []
    parser = _parser(queue, noise)
    queue.put(memoryview(b'Connected to vau-processor, waiting for logs...\n{\n  "broken": \n}\n'))
    queue.put(None)  # the end of one wrangler run: the parser is closed and a new one starts
    queue.put(memoryview(_event(1)))
    events = parser.take(limit=10, budget_s=1.0)
    assert len(events) == 1
    assert parser.broken == 1 and parser.noise == 1
    assert noise == ["Connected to vau-processor, waiting for logs..."]


def test_budget_resyncs_on_the_next_object_after_a_drop() -> None:
    queue = ByteQueue(1 << 16)
    parser = _parser(queue, [])
    half = _event(0)[:20]
    queue.put(memoryview(half))
    parser.take(limit=10, budget_s=1.0)  # the parser holds half an object
    queue.put(memoryview(b"x" * (1 << 16)))
    queue.put(memoryview(b"\n" + _event(7)))  # the filler is dropped: the parser must skip to the next '{'
    events = parser.take(limit=10, budget_s=1.0)
    assert [e.raw["eventTimestamp"] for e in events] == [1700000000007]
