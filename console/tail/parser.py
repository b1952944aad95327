"""Incremental parser for ``wrangler tail --format json`` output.

Wrangler writes each event as pretty-printed JSON: a line that is just ``{``, indented members, and a
line that is just ``}``; objects follow one another with banners and warnings in between. Because
strings in JSON cannot contain raw newlines, a line starting with ``}`` in column 0 always closes the
top-level object, so framing is a ``bytes.find`` on the raw bytes (``\\n`` and ``}`` never occur inside
a multi-byte UTF-8 sequence) and each object is decoded once, by orjson, straight from its bytes.
Compact one-line objects are accepted too. Non-JSON lines become ``noise`` (kept for notices); a broken
object is counted and skipped; invalid UTF-8 is replaced (U+FFFD); an object larger than
``max_event_chars`` bytes is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

try:
    import orjson
except ImportError:  # a broken install: same results with the stdlib, ~2.5x slower
    _loads = json.loads
    _JSONError = json.JSONDecodeError
    _dumps = None
else:
    _loads = orjson.loads
    _JSONError = orjson.JSONDecodeError
    _dumps = orjson.dumps
_SPACE = frozenset(b" \t\r\n")
_OPEN = ord("{")


@dataclass
class ParseResult:
    events: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # the JSON text of each event, same order
    noise: list[str] = field(default_factory=list)
    #: with ``json_lines``: each event as one compact JSON line (UTF-8, not yet sanitised), same order; None
    #: for an object the stdlib decoded (NaN, big integers, lone surrogates: orjson would not write it alike)
    lines: list[bytes | None] = field(default_factory=list)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _line(obj: dict[str, Any]) -> bytes | None:
    """The object as orjson's compact line, or None when orjson will not write it (nested deeper than
    the 254 levels it writes, though it reads 1024): the caller's slower path writes that one."""
    try:
        return _dumps(obj)  # type: ignore[misc]
    except TypeError:  # orjson.JSONEncodeError
        return None


def _load(chunk: bytes) -> tuple[Any, str, bool] | None:
    """The slow path: the value in ``chunk``, its text and whether orjson decoded it, or None if it is not
    JSON. Invalid UTF-8 is replaced; what orjson refuses but JSON allows (integers beyond 64 bits) goes to
    the stdlib."""
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        text = _text(chunk)
    try:
        return _loads(text), text, True
    except _JSONError:
        pass
    except RecursionError:  # without orjson: the stdlib's stack ended (nested ~1000 deep)
        return None
    try:
        return json.loads(text), text, False
    except (ValueError, RecursionError):  # nested deeper than the interpreter's stack: not JSON to us
        return None


class StreamParser:
    def __init__(self, max_event_chars: int = 4_000_000, max_noise_kept: int = 50, json_lines: bool = False) -> None:
        self._buf = b""
        #: also write each event as one compact JSON line while its tree is at hand (``ParseResult.lines``)
        self.json_lines = json_lines and _dumps is not None
        self.max_event_chars = max_event_chars
        self.max_noise_kept = max_noise_kept
        self.events = 0
        self.broken = 0
        self.noise_lines = 0
        self.oversized = 0
        self._skip = False

    def feed(self, data: bytes | bytearray | memoryview | str, final: bool = False) -> ParseResult:
        out = ParseResult()
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        buf = self._buf + data if self._buf else bytes(data)
        if self._skip:
            start = 0 if buf.startswith(b"{") else buf.find(b"\n{")
            if start < 0:
                self._buf = buf[-1:] if buf.endswith(b"\n") else b""
                return out
            buf = buf[start:].lstrip(b"\n")
            self._skip = False
        pos = self._scan(buf, out, final)
        self._buf = buf[pos:]
        if final and self._buf.strip():
            # The stream ended in the middle of something.
            if self._buf.lstrip().startswith(b"{"):
                self.broken += 1
            else:
                self._noise(self._buf.strip(), out)
            self._buf = b""
        return out

    def resync(self) -> None:
        """Data was dropped before reaching the parser: forget the partial object and skip to the
        next line that starts an object."""
        self._buf = b""
        self._skip = True

    def close(self) -> ParseResult:
        return self.feed(b"", final=True)

    # -- internals ------------------------------------------------------------------------------
    def _noise(self, line: bytes, out: ParseResult) -> None:
        self.noise_lines += 1
        if line and len(out.noise) < self.max_noise_kept:
            out.noise.append(_text(line[:500]))

    def _scan(self, buf: bytes, out: ParseResult, final: bool) -> int:
        pos = 0
        n = len(buf)
        events = out.events
        texts = out.texts
        lines = out.lines if self.json_lines else None
        find = buf.find
        startswith = buf.startswith
        space = _SPACE
        limit = self.max_event_chars
        while pos < n:
            ch = buf[pos]
            if ch == _OPEN and startswith(b"{\n", pos):
                eol = pos + 1  # the usual case: wrangler's pretty-printed object
            else:
                if ch in space:  # blank space between objects
                    pos += 1
                    continue
                eol = find(b"\n", pos)
                if ch != _OPEN:
                    if eol < 0:
                        if n - pos > limit:
                            self._noise(buf[pos : pos + 500], out)
                            return n
                        return pos  # wait for the rest of the line
                    line = buf[pos:eol].rstrip()
                    if line.endswith(b"{"):
                        # Garbage glued to the opening brace of a pretty-printed object.
                        brace = pos + line.rfind(b"{")
                        self._noise(buf[pos:brace], out)
                        pos = brace
                        continue
                    self._noise(line, out)
                    pos = eol + 1
                    continue
                if eol < 0:
                    # Maybe a compact object without its newline yet.
                    if final:
                        pos = self._try_compact(buf, pos, n, out)
                        continue
                    if n - pos > limit:
                        self.oversized += 1
                        self.broken += 1
                        return n
                    return pos
                if buf[pos:eol].strip() != b"{":
                    # A compact object on one line (or garbage that starts with a brace).
                    pos = self._try_compact(buf, pos, eol, out)
                    continue
            end = find(b"\n}", eol)
            if end < 0:
                nxt = find(b"\n{", eol)
                if nxt >= 0:
                    # A new top-level object began before this one closed: this one is broken.
                    self.broken += 1
                    pos = nxt + 1
                    continue
                if n - pos > limit:
                    self.oversized += 1
                    self.broken += 1
                    return n  # drop what we have; resynchronise on the next "{" line
                return pos
            stop = end + 2
            if stop - pos > limit:
                nxt = find(b"\n{", eol, end)
                self.broken += 1
                if nxt >= 0:
                    pos = nxt + 1
                else:
                    self.oversized += 1
                    pos = stop
                continue
            chunk = buf[pos:stop]
            # One scan per object: a chunk that holds the start of another object (the first one
            # was cut off) is not valid JSON, so the search for that start waits for a failure.
            exact = True
            try:
                obj = _loads(chunk)
                text = chunk.decode("utf-8")
            except (_JSONError, UnicodeDecodeError, RecursionError):  # RecursionError: the stdlib's, without orjson
                nxt = find(b"\n{", eol, end)
                if nxt >= 0:
                    self.broken += 1
                    pos = nxt + 1
                    continue
                loaded = _load(chunk)
                if loaded is None:
                    self.broken += 1
                    pos = stop
                    continue
                obj, text, exact = loaded
            if type(obj) is dict:
                events.append(obj)
                texts.append(text)
                if lines is not None:
                    lines.append(_line(obj) if exact else None)
                self.events += 1
            else:
                self.broken += 1
            pos = stop + 1 if stop < n and buf[stop] == 10 else stop
        return pos

    def _try_compact(self, buf: bytes, pos: int, eol: int, out: ParseResult) -> int:
        line = buf[pos:eol].rstrip()
        loaded = _load(line)
        if loaded is None:
            # Maybe an object followed by something else on the same line: find where it ends.
            loaded = self._leading_object(line)
            if loaded is None:
                self.broken += 1
                return eol + 1
            self.noise_lines += 1
        obj, text, exact = loaded
        if type(obj) is dict:
            out.events.append(obj)
            out.texts.append(text)
            if self.json_lines:
                out.lines.append(_line(obj) if exact else None)
            self.events += 1
        else:
            self.broken += 1
        return eol + 1

    @staticmethod
    def _leading_object(line: bytes) -> tuple[Any, str, bool] | None:
        """A JSON object at the start of ``line`` with trailing text after it (rare: the stdlib
        decoder finds where the object ends)."""
        text = _text(line)
        try:
            obj, used = json.JSONDecoder().raw_decode(text)
        except (ValueError, RecursionError):
            return None
        if not text[used:].strip():
            return None  # the whole line was the object, and not JSON after all
        return obj, text[:used], False
