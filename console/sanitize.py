"""Outside text made safe for a terminal: the one sanitiser every boundary uses (no Textual, no I/O).

Text from the edge (tail events, health JSON, metric labels, HTTP answers, child output) and from user
files (runbooks, incident records, the audit trail) may hold bytes a terminal obeys: ESC starts OSC
(title, clipboard), CSI (clear, cursor) and DCS sequences, U+0080-U+009F are the same controls in one
character (U+009B is CSI), and bidi/format characters reorder what the operator reads. Every such
character is shown as a visible escape instead:

- :func:`clean` (multi-line text): C0 controls except ``\\n`` and ``\\t``, DEL, C1, the bidi/format
  characters U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF, and lone surrogates
  become ``\\x1b``, ``\\r``, ``\\x9b``, ``\\u202e``, ...
- :func:`clean_line` (a field that must stay on one line): the same, and ``\\n``/``\\t`` too.
- :func:`json_dumps` (``--json`` output): ``json.dumps`` whose strings carry those characters as
  ``\\u`` escapes (``\\u001b``, ``\\u009b``, ``\\u202e``), so the JSON is unchanged for a parser and
  inert on a terminal.

All are pure and cheap on clean text (one C-level regex search, the input returned as is), since the
log tail calls them for every event shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Every character shown escaped (a regex class body). Kept in one place: the tests read it too.
UNSAFE_CLASS = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
    # invisible format characters (soft hyphen, zero-width space/joiners, word joiner and
    # invisible operators, Mongolian vowel separator, interlinear annotation, tag characters)
    # and the line/paragraph separators: look-alike text otherwise
    r"\u00ad\u180e\u200b-\u200d\u2028\u2029\u2060-\u2064\ufff9-\ufffb\U000e0000-\U000e007f"
    r"\ud800-\udfff"
)
_UNSAFE = re.compile(f"[{UNSAFE_CLASS}]")
_UNSAFE_LINE = re.compile(f"[\\t\\n{UNSAFE_CLASS}]")
#: in ``json.dumps(..., ensure_ascii=False)`` output C0 is already escaped; the rest is not
_UNSAFE_JSON = _UNSAFE

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(char: str) -> str:
    code = ord(char)
    named = _NAMED.get(char)
    if named is not None:
        return named
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_CACHE: dict[str, str] = {}


def _replace(match: re.Match[str]) -> str:
    char = match.group()
    shown = _CACHE.get(char)
    if shown is None:
        shown = _CACHE[char] = _visible(char)
    return shown


def _json_replace(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON has no 6-digit escape: a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def clean(text: Any) -> str:
    """``text`` (any value; not a str is ``str()``-ed) with every unsafe character shown escaped;
    newlines and tabs kept."""
    if type(text) is not str:
        text = "" if text is None else str(text)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_replace, text)


def clean_line(text: Any) -> str:
    """Like :func:`clean`, and newlines and tabs shown as ``\\n``/``\\t``: the result is one line."""
    if type(text) is not str:
        text = "" if text is None else str(text)
    if _UNSAFE_LINE.search(text) is None:
        return text
    return _UNSAFE_LINE.sub(_replace, text)


def is_clean(text: str) -> bool:
    """True when :func:`clean` would return ``text`` unchanged."""
    return _UNSAFE.search(text) is None


def is_clean_line(text: str) -> bool:
    """True when :func:`clean_line` would return ``text`` unchanged."""
    return _UNSAFE_LINE.search(text) is None


def json_dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` for output that may reach a terminal: non-ASCII text stays readable
    (``ensure_ascii=False``) but every unsafe character is a ``\\uXXXX`` escape. The result
    parses to the same value."""
    kwargs.setdefault("ensure_ascii", False)
    text = json.dumps(value, **kwargs)
    if _UNSAFE_JSON.search(text) is None:
        return text
    return _UNSAFE_JSON.sub(_json_replace, text)


def clean_json_bytes(data: bytes) -> bytes:
    """Compact UTF-8 JSON as ``orjson.dumps`` writes it (C0 controls already escaped) made as inert as
    :func:`json_dumps`'s: every other unsafe character a ``\\uXXXX`` escape. ASCII output (most events)
    needs only a check for DEL; the rest one regex search, as :func:`json_dumps`."""
    if data.isascii():
        return data if b"\x7f" not in data else data.replace(b"\x7f", b"\\u007f")
    text = data.decode("utf-8")
    if _UNSAFE_JSON.search(text) is None:
        return data
    return _UNSAFE_JSON.sub(_json_replace, text).encode("utf-8")


class CleanWriter:
    """A text stream wrapper whose every write goes through :func:`clean` (headless commands that
    print outside text to a terminal). Everything else is the wrapped stream's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
