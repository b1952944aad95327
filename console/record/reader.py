"""Reading a recording back: hostile input. Bounded: a line at most ``MAX_LINE_BYTES`` decompressed, at
most ``MAX_RECORDS`` lines and ``MAX_TOTAL_BYTES`` decompressed in all (a gzip bomb stops there), JSON
depth ``limits.MAX_JSON_DEPTH``. A damaged line is reported as ``file:line: what`` and skipped (counted);
an unfinished compressed stream (a console killed mid-recording) keeps what was read and says so."""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console import safejson

try:  # the tail's parser: C, 2-3x json's speed on a long recording; its own nesting limit (1024)
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - a broken install: the stdlib
    _fast_loads = None
from console.record.encode import HEADER, RecordError, check_record
from console.safefile import open_read
from console.sanitize import clean_line

MAX_LINE_BYTES = 1024 * 1024
MAX_RECORDS = 2_000_000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_PROBLEMS_KEPT = 50
CHUNK = 64 * 1024


class RecordingError(Exception):
    """The file is not a recording at all (not gzip, no header, unreadable)."""


@dataclass
class Recording:
    path: Path
    header: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    damaged: int = 0
    #: ``file:line: what`` for the first damaged lines (at most MAX_PROBLEMS_KEPT) and stream problems
    problems: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def start(self) -> float:
        return float(self.records[0]["t"]) if self.records else float(self.header.get("t", 0.0))

    @property
    def end(self) -> float:
        return float(self.records[-1]["t"]) if self.records else self.start


def _problem(rec: Recording, line_no: int, what: str) -> None:
    rec.damaged += 1
    if len(rec.problems) < MAX_PROBLEMS_KEPT:
        rec.problems.append(f"{rec.path}:{line_no}: {clean_line(what)[:200]}")


def _lines(path: Path, rec: Recording):
    """Decompressed lines with their numbers; an over-long line is yielded as None (skipped)."""
    inflate = zlib.decompressobj(47)  # gzip or zlib header, auto-detected
    buffer = b""
    skipping = False
    line_no = 0
    total = 0
    with open_read(path) as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            while chunk:
                try:
                    data = inflate.decompress(chunk, CHUNK * 16)
                except zlib.error as exc:
                    rec.truncated = True
                    rec.problems.append(f"{path}:{line_no + 1}: damaged compressed data ({exc}): stopped there")
                    return
                chunk = inflate.unconsumed_tail
                if inflate.eof and inflate.unused_data:
                    chunk = inflate.unused_data + chunk  # concatenated gzip members (a resumed file)
                    inflate = zlib.decompressobj(47)
                total += len(data)
                if total > MAX_TOTAL_BYTES:
                    rec.truncated = True
                    rec.problems.append(f"{path}: more than {MAX_TOTAL_BYTES} bytes decompressed: stopped there")
                    return
                buffer += data
                parts = buffer.split(b"\n")
                buffer = parts.pop()  # the unfinished last line (b"" after a newline)
                for line in parts:
                    line_no += 1
                    if skipping or len(line) > MAX_LINE_BYTES:
                        skipping = False
                        yield line_no, None
                    else:
                        yield line_no, line
                if len(buffer) > MAX_LINE_BYTES:
                    buffer = b""
                    skipping = True  # the rest of this line is dropped as it arrives
    if not inflate.eof:
        rec.truncated = True
        rec.problems.append(
            f"{path}: the compressed stream is unfinished (the recording was cut off): "
            f"kept the {line_no} complete lines read"
        )
        return  # the last, partial line is the cut itself
    if buffer.strip():
        line_no += 1
        yield line_no, buffer if len(buffer) <= MAX_LINE_BYTES else None


def _parse(line: bytes) -> Any:
    """One line as JSON, at most ``MAX_JSON_DEPTH`` deep (``safejson``'s rule, with the faster parser)."""
    if _fast_loads is None:
        return safejson.loads(line)
    data = _fast_loads(line)
    if safejson.too_deep(data):
        raise safejson.JsonTooDeep(f"nested deeper than {safejson.MAX_JSON_DEPTH} levels")
    return data


def read_recording(path: str | os.PathLike[str]) -> Recording:
    target = Path(path)
    try:
        with open_read(target) as handle:
            magic = handle.read(2)
    except OSError as exc:
        raise RecordingError(f"{target}: cannot read: {exc.strerror or exc}") from None
    if magic != b"\x1f\x8b":
        raise RecordingError(f"{target}: not a recording (not gzip-compressed JSON lines)")
    rec = Recording(path=target, header={})
    count = 0
    for line_no, line in _lines(target, rec):
        if line is None:
            _problem(rec, line_no, f"line longer than {MAX_LINE_BYTES} bytes: skipped")
            continue
        if not line.strip():
            continue
        count += 1
        if count > MAX_RECORDS:
            rec.truncated = True
            rec.problems.append(f"{target}:{line_no}: more than {MAX_RECORDS} records: stopped there")
            break
        try:
            obj = check_record(_parse(line))
        except RecordError as exc:
            _problem(rec, line_no, str(exc))
            continue
        except ValueError as exc:  # not JSON, too deep, not UTF-8
            _problem(rec, line_no, f"not a JSON record: {exc}")
            continue
        if obj["k"] == HEADER:
            if not rec.header:
                rec.header = obj
            continue
        rec.records.append(obj)
    if not rec.header:
        raise RecordingError(f"{target}:1: no recording header: not a recording, or its start is damaged")
    rec.records.sort(key=lambda r: r["t"])  # stable: records of one moment keep their order
    return rec
