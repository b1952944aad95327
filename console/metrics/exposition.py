"""A fast parser for the Prometheus text exposition format (version 0.0.4).

It is purpose-built for the console: it keeps only the metric families it is asked for and
skips every other line with one ``str.startswith`` call, stores each kept sample under its raw
label text (labels are parsed lazily, only where a label value is needed), and never raises on
bad input. Problems come back as :class:`Problem` records with line numbers, and a page that
cannot be used at all (HTML, empty, truncated, garbage) gets a one-line ``Page.error``.

prometheus-client's ``text_string_to_metric_families`` parses every line and builds objects
for every sample; this parser is several times faster on a large page (``bench/bench_parse.py``).
It runs in a worker thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from console.sanitize import UNSAFE_CLASS, clean_line

#: Suffixes a family's samples may carry (histograms, summaries, counters, OpenMetrics).
SAMPLE_SUFFIXES = ("", "_total", "_bucket", "_sum", "_count", "_created")

#: At most this many line problems are kept (the count is still exact).
MAX_PROBLEMS = 50

#: Lines of skipped (unwanted) families that are still checked for syntax, so a page of
#: garbage is recognised even when none of its lines would be kept.
VALIDATE_SKIPPED = 20

_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
#: One label pair; used with ``finditer`` from the left so quoted values are consumed whole.
_PAIR_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\\n]|\\.)*)"\s*(,|\Z)')
_ESCAPE_RE = re.compile(r"\\(.)")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
#: Terminal controls on a page (outside text): shown escaped before parsing, so every label value,
#: raw label text and problem message is safe to show. Line ends (``\n``, ``\r\n``) are kept.
_PAGE_UNSAFE = re.compile("[" + UNSAFE_CLASS.replace(r"\x0b-\x1f", r"\x0b\x0c\x0e-\x1f") + "]|\r(?!\n)")
_ASCII_CONTROLS = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line number in the page
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Page:
    """The kept samples of one exposition page."""

    #: sample name (``edge_requests_total``, ``edge_cpu_time_ms_bucket``) -> raw label text -> value
    samples: dict[str, dict[str, float]] = field(default_factory=dict)
    #: family name -> type from ``# TYPE`` (kept families only)
    types: dict[str, str] = field(default_factory=dict)
    #: kept families named by a ``# TYPE``/``# HELP`` line (a labelled counter with no children
    #: yet has only these lines: it is present, with no series)
    declared: set[str] = field(default_factory=set)
    #: non-fatal problems with line numbers (bad lines, duplicate series); at most MAX_PROBLEMS kept
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    #: a reason the page cannot be used at all, or None
    error: str | None = None
    #: requested families that have no sample on the page
    missing: list[str] = field(default_factory=list)
    lines: int = 0
    kept: int = 0  # kept sample lines
    #: sample name -> series lines over its cap (``max_series``) that were counted, not kept
    dropped: dict[str, int] = field(default_factory=dict)
    #: sample name -> most distinct label sets kept (from ``max_series``)
    caps: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def series(self, sample_name: str) -> dict[str, float]:
        return self.samples.get(sample_name, {})

    def has(self, sample_name: str) -> bool:
        return bool(self.samples.get(sample_name))

    def present(self, family: str) -> bool:
        """The family is on the page (with samples, or declared by # TYPE/# HELP)."""
        return family not in self.missing and (
            family in self.declared or any(name in self.samples for name in sample_names(family))
        )

    def _problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, message))


def sample_names(family: str) -> list[str]:
    """Every sample name a family called ``family`` may use on a page."""
    names = [family + suffix for suffix in SAMPLE_SUFFIXES]
    if family.endswith("_total"):  # a counter named with its suffix: its _created sample drops _total
        names.append(family[: -len("_total")] + "_created")
    return names


def _unescape(value: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), value)


def parse_labels(raw: str) -> dict[str, str] | None:
    """The labels of a raw label text (between the braces); None when it is malformed."""
    out: dict[str, str] = {}
    pos = 0
    end = len(raw)
    while pos < end:
        m = _PAIR_RE.match(raw, pos)
        if m is None:
            if raw[pos:].strip() == "":
                break
            return None
        value = m.group(2)
        out[m.group(1)] = _unescape(value) if "\\" in value else value
        pos = m.end()
        if m.group(3) == "" and pos < end:
            return None
    return out


def split_le(raw: str) -> tuple[str, str] | None:
    """``(labels without le, le value)`` of a bucket's raw label text, by string search.

    Handles the usual layout (``le`` last, as prometheus-client and most exporters write it)
    without a full parse; returns None when unsure (then parse with :func:`parse_labels`).
    A ``,le="`` that is really the end of another label's value is rejected because the
    rest of the text would not be a single quoted value.
    """
    i = raw.rfind('le="')
    if i < 0 or (i > 0 and raw[i - 1] != ","):
        return None
    rest = raw[i + 4 :]
    if len(rest) < 2 or rest[-1] != '"' or rest.find('"') != len(rest) - 1 or "\\" in rest:
        return None
    return (raw[: i - 1] if i > 0 else ""), rest[:-1]


def _looks_like_html(text: str) -> bool:
    head = text[:512].lstrip().lower()
    return head.startswith(("<!doctype", "<html", "<head", "<body", "<?xml")) or (
        head.startswith("<") and "<html" in text[:4096].lower()
    )


def _check_line(line: str) -> str | None:
    """A full syntax check of one sample line; the problem, or None when it is valid."""
    brace = line.find("{")
    if brace != -1 and (brace < line.find(" ") or " " not in line):
        name = line[:brace]
        close = line.rfind("}")
        if close < brace:
            return "unclosed label set"
        if parse_labels(line[brace + 1 : close]) is None:
            return "malformed labels"
        rest = line[close + 1 :].split()
    else:
        parts = line.split()
        if not parts:  # only Unicode white space (U+00A0, ...), which str.split also splits on
            return "no metric name"
        name, rest = parts[0], parts[1:]
    if not _NAME_RE.match(name):
        return f"invalid metric name {name[:40]!r}"
    if not rest:
        return "no value"
    if len(rest) > 2:
        return "unexpected text after the value"
    try:
        float(rest[0])
    except ValueError:
        return f"invalid value {rest[0][:40]!r}"
    if len(rest) == 2:
        try:
            int(rest[1])
        except ValueError:
            return f"invalid timestamp {rest[1][:40]!r}"
    return None


def _safe_page(text: str) -> str:
    """``text`` with terminal controls shown escaped (see :data:`_PAGE_UNSAFE`); an ASCII page with
    none (the usual case) costs one C-level pass and is returned as is."""
    if text.isascii():
        data = text.encode("ascii")
        if len(data.translate(None, _ASCII_CONTROLS)) == len(data) and "\r" not in text:
            return text
    return _PAGE_UNSAFE.sub(lambda m: clean_line(m.group()) if m.group() != "\r" else "\\r", text)


def parse_exposition(
    text: str,
    families: Iterable[str] | None = None,
    *,
    validate_labels: bool = True,
    max_series: Mapping[str, int] | None = None,
) -> Page:
    """Parse ``text``, keeping only samples of ``families`` (all when None).

    ``max_series`` (family -> n) caps the distinct label sets kept per sample name of a family: the
    first n are kept, further series lines are counted in ``Page.dropped`` and not built (a long run
    of them is counted with C-level string calls, not looked at line by line, and not validated).

    Never raises: bad lines become ``Page.problems``; an unusable page sets ``Page.error``
    (``"not a metrics page (HTML)"``, ``"empty page"``, ``"truncated page (line N has no
    newline)"``, ``"not a metrics page (line N: ...)"``).
    """
    page = Page()
    if not isinstance(text, str):  # bytes by mistake: decode leniently rather than fail obscurely
        text = bytes(text).decode("utf-8", "replace")
    text = _safe_page(text)
    if not text.strip():
        page.error = "empty page"
        page.missing = sorted(set(families or ()))
        return page
    if _looks_like_html(text):
        page.error = "not a metrics page (HTML)"
        page.missing = sorted(set(families or ()))
        return page

    fams = list(dict.fromkeys(families)) if families is not None else None
    wanted: dict[str, str] | None = None  # sample name -> family
    prefixes: tuple[str, ...] = ()
    if fams is not None:
        wanted = {}
        for fam in fams:
            for name in sample_names(fam):
                wanted.setdefault(name, fam)
        # prefixes: the family names and the base of *_total names (for their _created samples)
        prefixes = tuple({n for n in fams} | {f[: -len("_total")] for f in fams if f.endswith("_total")})

    if max_series:
        for fam, cap in max_series.items():
            for name in sample_names(fam):
                page.caps[name] = max(0, int(cap))

    truncated = not text.endswith("\n")
    lines_count = text.count("\n") + (1 if truncated else 0)
    page.lines = lines_count
    samples = page.samples
    state = [0, 0, 0, 0]  # checked_skipped, bad_skipped, bad_kept, good_any

    # Skipping whole blocks: the lines between two comment lines that contain no line starting
    # with the prefix all kept families share ("edge_" by default) hold nothing to keep, so they
    # are passed over with one C-level search instead of line by line. Only the block's first
    # line (a comment, possibly "# TYPE <kept family>") is looked at.
    common = os.path.commonprefix(list(prefixes)) if prefixes else ""
    if wanted is not None and len(common) >= 3:
        marker = "\n" + common
        base = 1
        for index, chunk in enumerate(text.split("\n#")):
            if index:
                chunk = "#" + chunk
            if chunk.startswith(common) or marker in chunk or state[0] < VALIDATE_SKIPPED:
                tail = ""
                head_len = _head_len(chunk, page.caps) if page.caps else 0
                lines = chunk.split("\n", head_len) if head_len else chunk.split("\n")
                if head_len and len(lines) > head_len:
                    tail = lines.pop()  # the rest of a long block, still one string
                head = chunk[: len(chunk) - len(tail)] if tail else chunk
                simple = "\r" not in head and "\n " not in head and "\n\t" not in head
                if not (simple and _scan_block(page, lines, base, wanted, prefixes, state, validate_labels)):
                    _scan(page, lines, base, wanted, prefixes, state, validate_labels)
                if tail and not _skip_capped(page, lines[-1], tail, state):
                    rest = tail.split("\n")
                    tbase = base + len(lines)
                    simple = "\r" not in tail and "\n " not in tail and "\n\t" not in tail
                    if not (simple and _scan_block(page, rest, tbase, wanted, prefixes, state, validate_labels)):
                        _scan(page, rest, tbase, wanted, prefixes, state, validate_labels)
            elif chunk[0] == "#":
                end = chunk.find("\n")
                head = chunk if end < 0 else chunk[:end]
                if head.startswith(prefixes, 7):
                    _comment(page, head.rstrip("\r"), base, wanted)
            base += chunk.count("\n") + 1
    else:
        _scan(page, text.split("\n"), 1, wanted, prefixes, state, validate_labels)
    checked_skipped, bad_skipped, bad_kept, good_any = state

    page.kept = sum(len(s) for s in samples.values())
    if truncated:
        page.error = f"truncated page (line {lines_count} has no newline)"
    elif good_any == 0 and (bad_kept or bad_skipped):
        first = page.problems[0] if page.problems else None
        page.error = "not a metrics page" + (f" ({first})" if first else "")
    elif good_any == 0 and wanted is None:
        page.error = "no samples on the page"
    if fams is not None:
        present = {wanted[name] for name in samples if wanted and name in wanted} | page.declared
        page.missing = [f for f in fams if f not in present]
    return page


def _scan(
    page: Page,
    lines: list[str],
    first_lineno: int,
    wanted: dict[str, str] | None,
    prefixes: tuple[str, ...],
    state: list[int],
    validate_labels: bool = True,
) -> None:
    """Parse ``lines`` (numbered from ``first_lineno``) into ``page`` (the hot loop).

    ``state`` carries [checked_skipped, bad_skipped, bad_kept, good_any] between calls.
    """
    samples = page.samples
    caps = page.caps
    checked_skipped, bad_skipped, bad_kept, good_any = state
    find_brace = str.find
    lineno = first_lineno - 1
    for line in lines:
        lineno += 1
        if not line:
            continue
        if line[-1] == "\r":
            line = line[:-1]
            if not line:
                continue
        first = line[0]
        if first == "#":
            # "# TYPE name ..." / "# HELP name ...": the name starts at column 7
            if wanted is None or line.startswith(prefixes, 7):
                _comment(page, line, lineno, wanted)
            continue
        if first == " " or first == "\t":
            line = line.lstrip()
            if not line:
                continue
            if line[0] == "#":
                continue
        if wanted is not None and not line.startswith(prefixes):
            if checked_skipped < VALIDATE_SKIPPED:
                checked_skipped += 1
                problem = _check_line(line)
                if problem is not None:
                    bad_skipped += 1
                    page._problem(lineno, problem)
                else:
                    good_any += 1
            continue

        # -- a line of a kept family (fast path) ----------------------------------------------
        brace = find_brace(line, "{")
        if brace != -1:
            space = find_brace(line, " ", 0, brace)
            if space != -1:
                brace = -1  # the brace is in a later token: malformed; let the slow path name it
        if brace != -1:
            name = line[:brace]
            close = line.rfind("}")
            if close < brace:
                bad_kept += 1
                page._problem(lineno, "unclosed label set")
                continue
            raw = line[brace + 1 : close]
            rest = line[close + 1 :].split()
        else:
            parts = line.split()
            name = parts[0]
            raw = ""
            rest = parts[1:]
        fam = wanted.get(name) if wanted is not None else name
        if fam is None:
            continue  # same prefix, another family (edge_requests_total_foo)
        nrest = len(rest)
        if nrest == 0 or nrest > 2:
            bad_kept += 1
            page._problem(lineno, "no value" if nrest == 0 else "unexpected text after the value")
            continue
        try:
            value = float(rest[0])
        except ValueError:
            bad_kept += 1
            page._problem(lineno, f"invalid value {rest[0][:40]!r}")
            continue
        if nrest == 2:
            try:
                int(rest[1])
            except ValueError:
                bad_kept += 1
                page._problem(lineno, f"invalid timestamp {rest[1][:40]!r}")
                continue
        if wanted is None and not _NAME_RE.match(name):
            bad_kept += 1
            page._problem(lineno, f"invalid metric name {name[:40]!r}")
            continue
        # labels: a cheap structural check in C string calls - ends with a quote, no escapes, and
        # every quote pairs with an `="` opening - else ("unsure") the full parse decides
        if (
            raw
            and validate_labels
            and not (raw[-1] == '"' and "\\" not in raw and raw.count('"') == 2 * raw.count('="'))
            and parse_labels(raw) is None
        ):
            bad_kept += 1
            page._problem(lineno, "malformed labels")
            continue
        series = samples.get(name)
        if series is None:
            series = samples[name] = {}
        size = len(series)
        if caps and size >= caps.get(name, size + 1) and raw not in series:
            page.dropped[name] = page.dropped.get(name, 0) + 1  # over the cap: counted, not kept
            good_any += 1
            continue
        series[raw] = value
        if len(series) == size:
            page._problem(lineno, f"duplicate series {name}{{{raw[:60]}}}")
        good_any += 1
    state[:] = [checked_skipped, bad_skipped, bad_kept, good_any]


def _scan_block(
    page: Page,
    lines: list[str],
    first_lineno: int,
    wanted: dict[str, str],
    prefixes: tuple[str, ...],
    state: list[int],
    validate_labels: bool,
) -> bool:
    """The fast path for a block of ordinary kept lines: list operations instead of a loop.

    It handles only what it can vouch for - every sample line starts with a kept prefix, is
    ``name{labels} value`` or ``name value`` with one space, no timestamp, labels that pass the
    cheap check, names of kept families not seen in an earlier block, no duplicates - and
    returns False without touching ``page`` otherwise; the caller then runs :func:`_scan`,
    which gives exactly the same samples and names every problem with its line.
    """
    first = lines[0] if lines else ""
    body = lines[1:] if first[:1] == "#" else lines
    body = [line for line in body if line]
    if len([line for line in body if line.startswith(prefixes)]) != len(body):
        return False
    parts = [line.rpartition(" ") for line in body]
    try:
        values = list(map(float, [p[2] for p in parts]))
    except ValueError:
        return False
    heads = [p[0] for p in parts]
    # a head with a space or an opening brace must end with the closing brace (no timestamp,
    # no unclosed label set, no second token)
    if [h for h in heads if h[-1:] != "}" and (" " in h or "{" in h or not h)]:
        return False
    split = [h.partition("{") for h in heads]
    names = [x[0] for x in split]
    if [n for n in set(names) if n not in wanted]:
        return False
    raws = [x[2][:-1] for x in split]
    if validate_labels and [
        r for r in raws if r and not (r[-1] == '"' and "\\" not in r and r.count('"') == 2 * r.count('="'))
    ]:
        return False
    blocks: dict[str, dict[str, float]] = {}
    for name, raw, value in zip(names, raws, values):
        series = blocks.get(name)
        if series is None:
            series = blocks[name] = {}
        series[raw] = value
    if sum(map(len, blocks.values())) != len(body):
        return False  # a duplicate series: let the line scan name it
    caps = page.caps
    for name, series in blocks.items():
        kept = page.samples.get(name)
        if kept is not None and not series.keys().isdisjoint(kept):
            return False  # a series seen in an earlier block: the line scan names the duplicate
        if name in caps and len(series) + (len(kept) if kept else 0) > caps[name]:
            return False  # over the cap: the line scan keeps the first ones and counts the rest
    for name, series in blocks.items():
        kept = page.samples.get(name)
        if kept is None:
            page.samples[name] = series
        else:
            kept.update(series)
    if first[:1] == "#" and first.startswith(prefixes, 7):
        _comment(page, first, first_lineno, wanted)
    state[3] += len(body)
    return True


def _head_len(chunk: str, caps: dict[str, int]) -> int:
    """Lines of ``chunk`` to split off and read (its comment line and the cap of its first sample's
    name) before the rest is counted by :func:`_skip_capped`; 0 (read it all) when that name is not capped."""
    start = chunk.find("\n") + 1 if chunk[:1] == "#" else 0
    end = chunk.find("{", start, start + 256)
    cap = caps.get(chunk[start:end]) if start >= 0 and end > 0 else None
    return 0 if cap is None else cap + (1 if start else 0)


def _skip_capped(page: Page, last: str, tail: str, state: list[int]) -> bool:
    """Count ``tail`` (the rest of a long block, after the line ``last``) as dropped when it is only
    lines of ``last``'s sample name and that name is at its cap: C-level counts, no line-by-line work.
    False (nothing done) otherwise; the caller then scans the tail."""
    name = last.partition("{")[0]
    cap = page.caps.get(name)
    kept = page.samples.get(name)
    if cap is None or kept is None or len(kept) < cap or "{" not in last:
        return False
    if not tail:
        return True
    # every line (the pieces between newlines, but for an empty last one) starts with "name{"
    n = tail.count("\n") + (0 if tail[-1] == "\n" else 1)
    if tail.count("\n" + name + "{") + tail.startswith(name + "{") != n:
        return False
    page.dropped[name] = page.dropped.get(name, 0) + n
    state[3] += n
    return True


def _comment(page: Page, line: str, lineno: int, wanted: dict[str, str] | None) -> None:
    parts = line.split(None, 3)
    if len(parts) < 3 or parts[1] not in ("TYPE", "HELP"):
        return  # an ordinary comment
    name = parts[2]
    if wanted is not None and name not in wanted:
        return
    family = wanted.get(name, name) if wanted is not None else name
    page.declared.add(family)
    if parts[1] == "TYPE" and name == family:  # not "# TYPE edge_requests_created gauge"
        kind = parts[3].strip() if len(parts) > 3 else ""
        if kind not in (
            "counter",
            "gauge",
            "histogram",
            "summary",
            "untyped",
            "unknown",
            "info",
            "stateset",
            "gaugehistogram",
        ):
            page._problem(lineno, f"unknown type {kind[:20]!r} for {name}")
            return
        page.types[family] = kind


def is_finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
