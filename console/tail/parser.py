"""Incremental parser for ``wrangler tail --format json`` output.

Wrangler writes each event as pretty-printed JSON: a line that is just ``{``, indented members, and a
line that is just ``}``; objects follow one another with banners and warnings in between. Because
strings in JSON cannot contain raw newlines, a line starting with ``}`` in column 0 always closes the
top-level object, so framing is a ``str.find`` and each object is decoded once. Compact one-line
objects are accepted too. Non-JSON lines become ``noise`` (kept for notices); a broken object is
counted and skipped; invalid UTF-8 is replaced; an object larger than ``max_event_chars`` is dropped.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass, field
from typing import Any

_decode = json.JSONDecoder().raw_decode


@dataclass
class ParseResult:
    events: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)     # the JSON text of each event, same order
    noise: list[str] = field(default_factory=list)


class StreamParser:
    def __init__(self, max_event_chars: int = 4_000_000, max_noise_kept: int = 50) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buf = ""
        self.max_event_chars = max_event_chars
        self.max_noise_kept = max_noise_kept
        self.events = 0
        self.broken = 0
        self.noise_lines = 0
        self.oversized = 0
        self._skip = False

    def feed(self, data: bytes | str, final: bool = False) -> ParseResult:
        out = ParseResult()
        text = data if isinstance(data, str) else self._decoder.decode(data, final)
        buf = self._buf + text if self._buf else text
        if self._skip:
            start = 0 if buf.startswith("{") else buf.find("\n{")
            if start < 0:
                self._buf = buf[-1:] if buf.endswith("\n") else ""
                return out
            buf = buf[start:].lstrip("\n")
            self._skip = False
        pos = self._scan(buf, out, final)
        self._buf = buf[pos:]
        if final and self._buf.strip():
            # The stream ended in the middle of something.
            if self._buf.lstrip().startswith("{"):
                self.broken += 1
            else:
                self._noise(self._buf.strip(), out)
            self._buf = ""
        return out

    def resync(self) -> None:
        """Data was dropped before reaching the parser: forget the partial object and skip to the
        next line that starts an object."""
        self._decoder.reset()
        self._buf = ""
        self._skip = True

    def close(self) -> ParseResult:
        return self.feed(b"", final=True)

    @property
    def pending_chars(self) -> int:
        return len(self._buf)

    # -- internals ------------------------------------------------------------------------------
    def _noise(self, line: str, out: ParseResult) -> None:
        self.noise_lines += 1
        if line and len(out.noise) < self.max_noise_kept:
            out.noise.append(line[:500])

    def _scan(self, buf: str, out: ParseResult, final: bool) -> int:
        pos = 0
        n = len(buf)
        events = out.events
        texts = out.texts
        while pos < n:
            # Skip blank space between objects.
            ch = buf[pos]
            if ch in " \t\r\n":
                pos += 1
                continue
            eol = buf.find("\n", pos)
            if ch != "{":
                if eol < 0:
                    if n - pos > self.max_event_chars:
                        self._noise(buf[pos:pos + 500], out)
                        return n
                    return pos  # wait for the rest of the line
                line = buf[pos:eol].rstrip("\r")
                if line.rstrip().endswith("{"):
                    # Garbage glued to the opening brace of a pretty-printed object.
                    brace = pos + line.rstrip().rfind("{")
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
                if n - pos > self.max_event_chars:
                    self.oversized += 1
                    self.broken += 1
                    return n
                return pos
            first = buf[pos:eol].rstrip("\r")
            if first.strip() != "{":
                # A compact object on one line (or garbage that starts with a brace).
                pos = self._try_compact(buf, pos, eol, out)
                continue
            end = buf.find("\n}", eol)
            nxt = buf.find("\n{", eol)
            if nxt >= 0 and (end < 0 or nxt < end):
                # A new top-level object began before this one closed: this one is broken.
                self.broken += 1
                pos = nxt + 1
                continue
            if end < 0:
                if n - pos > self.max_event_chars:
                    self.oversized += 1
                    self.broken += 1
                    return n  # drop what we have; resynchronise on the next "{" line
                return pos
            stop = end + 2
            if stop - pos > self.max_event_chars:
                self.oversized += 1
                self.broken += 1
                pos = stop
                continue
            chunk = buf[pos:stop]
            try:
                obj, _ = _decode(chunk)
            except ValueError:
                self.broken += 1
            else:
                if isinstance(obj, dict):
                    events.append(obj)
                    texts.append(chunk)
                    self.events += 1
                else:
                    self.broken += 1
            pos = stop
        return pos

    def _try_compact(self, buf: str, pos: int, eol: int, out: ParseResult) -> int:
        line = buf[pos:eol]
        try:
            obj, used = _decode(line)
        except ValueError:
            self.broken += 1
            return eol + 1
        if isinstance(obj, dict):
            out.events.append(obj)
            out.texts.append(line[:used])
            self.events += 1
        else:
            self.broken += 1
        if line[used:].strip():
            self.noise_lines += 1
        return eol + 1
