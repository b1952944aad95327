"""Hostile inputs for the sanitiser fuzz tests (tests/security/test_fuzz_sanitize.py), decoded from a few
cheap Hypothesis draws.

Hypothesis pays its bookkeeping per draw (a span, a choice, the data tree: ~30 us each). A tail event built
from nested strategies (a list of one_of(sampled block, text) per string, ``st.recursive`` for values, a
dictionary per header set) was ~1,000 draws, and drawing was 93% of the fuzz test's CPU. Here each value is
decoded from two draws: ``program``, a byte string whose bytes choose every shape (which building block,
how many pieces, which field holds a string, a number or a nested value, how deep, which number), and
``free``, a text drawn by Hypothesis's own text strategy (its choice of characters: ASCII, C0/C1 controls,
any plane) cut into the free-text pieces. The space reachable is the one the composite strategies reached,
and more:

- a string is up to 30 pieces, each a hostile building block (:data:`BLOCKS`: ESC, BEL, CSI/OSC bodies, C1,
  bidi overrides and isolates, zero-width and format characters, a tag character, a lone surrogate, JSON
  quotes/backslashes/braces), 0-8 characters of free text, or any one code point (surrogates included);
- a value is null, a boolean, an integer (boundary values or up to 128 random bits), a float (boundary
  values, infinities, or 64 random bits, never NaN: ``json.loads`` of NaN does not compare equal), a string,
  or a list/object of up to 4 values, nested until 12 leaves are spent;
- an event is wrangler's tail event with each field a string, a value, or the wrong type;
- exposition rows (family, hostile label value, sample value) and junk lines, and health answers (any
  value, a health-shaped object with or without ASCII escapes, or a hostile non-JSON string).

An exhausted program reads as zero bytes, and zero decodes to the simplest choice (an empty piece, null, an
empty list), so Hypothesis's shrinking (shorter programs, smaller bytes) still yields small examples.
"""

from __future__ import annotations

import json
import math
import struct

from hypothesis import strategies as st

#: The building blocks of hostile strings: terminal controls, sequence bodies that follow an ESC, bidi and
#: invisible format characters, a tag character, a lone surrogate, and JSON's own syntax.
BLOCKS = [
    "\x1b",
    "\x07",
    "\x9b",
    "\x9d",
    "\u202e",
    "\u2066",
    "\u200f",
    "\x7f",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\ufeff",
    "\u061c",
    "\u2028",
    "\u200b",
    "\u00ad",
    "\U000e0041",
    "]0;",
    "[2J",
    "]52;c;",
    '"',
    "\\",
    "{",
    "}",
    "\ud800",
]
INTEGERS = [0, 1, -1, 7, 255, 256, 2**31 - 1, -(2**31), 2**53, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 10**30, -(2**200)]
FLOATS = [0.0, -0.0, 0.5, -1.5, 1e16, 1e308, -1e308, 5e-324, 2.2250738585072014e-308, math.inf, -math.inf]
MAX_PIECES = 30
MAX_LEAVES = 12


class ProgramReader:
    """Reads ``program`` byte by byte (zeros once it runs out) and ``free`` in chunks (from its start
    again once it runs out): the two draws a fuzz value is decoded from (also tests/security/fuzz_audit_records)."""

    def __init__(self, program: bytes, free: str) -> None:
        self.program = program
        self.pos = 0
        self.free = free
        self.free_pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.program):
            return 0
        value = self.program[self.pos]
        self.pos += 1
        return value

    def number(self, size: int) -> int:
        return int.from_bytes(bytes(self.byte() for _ in range(size)), "little")

    def _free_chunk(self, size: int) -> str:
        """The next ``size`` characters of the free text, from its start again at its end."""
        if not self.free or not size:
            return ""
        start = self.free_pos % len(self.free)
        self.free_pos = start + size
        chunk = self.free[start : start + size]
        return chunk + self.free[: size - len(chunk)]


class Decoder(ProgramReader):
    """Builds strings, values and events from a program and its free text."""

    def text(self) -> str:
        """Up to 30 pieces: hostile blocks (half the pieces), free-text chunks, single code points.
        Most strings have under 16 pieces; one in eight has 30 (an oversized one)."""
        head = self.byte()
        count = MAX_PIECES if head >= 224 else head % 16
        pieces = []
        for _ in range(count):
            b = self.byte()
            if b & 1:
                pieces.append(BLOCKS[(b >> 1) % len(BLOCKS)])
            elif (b >> 1) & 7 == 7:  # any code point, a lone surrogate too
                pieces.append(chr(self.number(3) % 0x110000))
            else:
                pieces.append(self._free_chunk((b >> 4) % 9))
        return "".join(pieces)

    def scalar(self, b: int | None = None) -> object:
        """null, a boolean, an integer, a float or a string (``b``: the kind byte, when already read)."""
        b = self.byte() if b is None else b
        kind = b % 5
        if kind == 0:
            return None
        if kind == 1:
            return bool(b & 8)
        if kind == 2:
            pick = self.byte()
            if pick < 96:
                return INTEGERS[pick % len(INTEGERS)]
            size = pick % 17
            return int.from_bytes(bytes(self.byte() for _ in range(size)), "little", signed=True)
        if kind == 3:
            pick = self.byte()
            if pick < 96:
                return FLOATS[pick % len(FLOATS)]
            value = struct.unpack("<d", bytes(self.byte() for _ in range(8)))[0]
            return math.inf if math.isnan(value) else value
        return self.text()

    def value(self, leaves: list[int] | None = None) -> object:
        """A JSON value: a scalar, or a list/object of up to 4 values nested until 12 leaves are spent."""
        leaves = [MAX_LEAVES] if leaves is None else leaves
        b = self.byte()
        if b % 2 == 0 or leaves[0] <= 0:  # half are containers, while leaves remain
            leaves[0] -= 1
            return self.scalar(b)
        size = (b >> 1) % 5
        if b & 128:
            return [self.value(leaves) for _ in range(size)]
        return {self.text(): self.value(leaves) for _ in range(size)}

    def pick(self, options: list | tuple) -> object:
        return options[self.byte() % len(options)]

    def latin1(self, max_size: int) -> str:
        """Up to ``max_size`` random bytes read as Latin-1 (every byte a character: C0 and C1 controls too)."""
        return bytes(self.byte() for _ in range(self.byte() % (max_size + 1))).decode("latin-1")

    def rows(self, families: list[str], values: list[str]) -> list[tuple[str, str, str]]:
        """Up to 12 metric rows (family, hostile label value, sample value) for an exposition page."""
        return [(self.pick(families), self.text(), self.pick(values)) for _ in range(self.byte() % 13)]

    def noise(self) -> list[str]:
        """Up to 4 junk lines: hostile strings or random bytes read as Latin-1."""
        return [self.text() if self.byte() & 1 else self.latin1(40) for _ in range(self.byte() % 5)]

    def health_body(self) -> str:
        """A health answer: any JSON value; an object shaped like one (status, version, components as an
        object or as a list of {name, status}), with or without ASCII escapes; or not JSON at all."""
        kind = self.byte() % 3
        if kind == 0:
            return json.dumps(self.value(), ensure_ascii=False)
        if kind == 1:
            if self.byte() & 1:
                components: object = {self.text(): self.value() for _ in range(self.byte() % 5)}
            else:
                components = [{"name": self.value(), "status": self.value()} for _ in range(self.byte() % 4)]
            body = {"status": self.value(), "version": self.value(), "components": components}
            return json.dumps(body, ensure_ascii=bool(self.byte() & 1))
        return self.text()

    def one_of_text_or_value(self, *constants: str) -> object:
        b = self.byte() % (3 if constants else 2)
        if b == 0:
            return self.text()
        if b == 1:
            return self.value()
        return constants[self.byte() % len(constants)]

    def event(self) -> dict:
        """A wrangler tail event (the fields the console reads), every string hostile, every field
        possibly of the wrong type, plus one hostile key."""
        text = self.text()
        return {
            "outcome": self.one_of_text_or_value("ok", "exception"),
            "scriptName": self.text(),
            "eventTimestamp": self.number(6) if self.byte() & 1 else self.scalar(),
            "cpuTime": self.number(1) / 2.55 if self.byte() & 1 else self.scalar(),
            "event": {
                "request": {
                    "method": self.text(),
                    "url": "https://x.example/" + text,
                    "headers": {self.text(): self.text() for _ in range(self.byte() % 4)},
                    "cf": {"colo": self.text(), "country": self.value()},
                },
                "response": {"status": 100 + self.number(2) % 500 if self.byte() & 1 else self.scalar()},
            },
            "logs": [{"level": ("error", "warn", "log")[self.byte() % 3], "message": self.value()}],
            "exceptions": [{"name": self.text(), "message": self.text(), "stack": self.text()}],
            self.text(): self.value(),
        }


#: the bytes of a program are drawn this many at a time (see :func:`program_bytes`)
CHUNK = 128


def _continue_probability(average_extra: float, max_extra: int) -> float:
    """The chance ``p`` of one more byte such that ``min(geometric(p), max_extra)`` averages ``average_extra``:
    how ``st.binary`` sizes its value past ``min_size`` (Hypothesis's ``many``)."""

    def mean(p: float) -> float:
        return p * (1 - p**max_extra) / (1 - p)

    low, high = 0.0, 1.0 - 1e-12
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if mean(mid) < average_extra else (low, mid)
    return low


def program_bytes(min_size: int, max_size: int) -> st.SearchStrategy[bytes]:
    """Uniform random bytes, ``min_size`` to ``max_size`` of them, the length distributed as
    ``st.binary(min_size=min_size, max_size=max_size)`` distributes it, at a fraction of its cost.

    ``st.binary`` with a variable size draws its value a byte at a time, each behind a recorded "one more?"
    choice (~6 us a byte: a 1 KiB audit program took 7 ms to draw, the test 2 ms); a fixed-size draw is one
    loop. Here the bytes are fixed-size draws of :data:`CHUNK` bytes (all of one size, so Hypothesis's
    mutations, which copy a draw into another of the same kind, stay valid): the first three bytes choose
    the length (``min_size`` plus a geometric number of bytes with ``st.binary``'s average, capped at
    ``max_size``), the rest are the program, cut to that length. Shrinking still gives small examples:
    zero length bytes are the shortest program, zero bytes the simplest choices."""
    average = min(max(min_size * 2, min_size + 5), 0.5 * (min_size + max_size))  # st.binary's own average
    if average <= CHUNK:  # a short program: the byte-at-a-time draw costs less than a chunk
        return st.binary(min_size=min_size, max_size=max_size)
    log_p = math.log(_continue_probability(average - min_size, max_size - min_size))
    chunk = st.binary(min_size=CHUNK, max_size=CHUNK)

    @st.composite
    def draw_program(draw) -> bytes:
        chunks = [draw(chunk)]
        u = int.from_bytes(chunks[0][:3], "little") / 2**24
        length = min_size + min(max_size - min_size, int(math.log1p(-u) / log_p))  # P(extra >= k) = p**k
        while len(chunks) * CHUNK < 3 + length:
            chunks.append(draw(chunk))
        return b"".join(chunks)[3 : 3 + length]

    return draw_program()


def _decoded(method: str, min_program: int, max_program: int, min_free: int, *args: object):
    """A strategy: ``Decoder(program, free).<method>(*args)`` over a program of ``min_program`` bytes or
    more (twice that on average) and a free text of ``min_free`` characters or more."""
    return st.builds(
        lambda program, free: getattr(Decoder(program, free), method)(*args),
        program_bytes(min_program, max_program),
        st.text(min_size=min_free, max_size=4 * min_free + 8),
    )


hostile_text = _decoded("text", 12, 256, 8)
json_value = _decoded("value", 48, 1024, 8)
tail_event = _decoded("event", 128, 2048, 32)


def exposition_rows(families: list[str], values: list[str]):
    """Up to 12 (family, hostile label value, sample value) rows (see :meth:`Decoder.rows`)."""
    return _decoded("rows", 64, 1024, 16, families, values)


exposition_noise = _decoded("noise", 24, 512, 8)
health_body = _decoded("health_body", 96, 2048, 16)
