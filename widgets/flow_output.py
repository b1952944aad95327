"""A step's output as it runs: a bounded log of output lines, the live value of a verify step (with a
sparkline), and the result (state, exit or HTTP status, Cloudflare v4 ``success``/``errors``).

Fed by the screen from the engine's ``RunEvent``s: :meth:`FlowOutput.begin`, :meth:`add_line`,
:meth:`add_sample`, :meth:`show_result`. Lines arrive masked by the engine.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Log, Sparkline, Static

from console.runbook.metricfmt import value_text
from console.sanitize import clean_line
from widgets.flow_steps import STATE_MARKS
from widgets.follow_log import FollowLog

LOG_LINES = 400  # the log widget keeps this many lines
SAMPLES = 120  # a verify step keeps this many samples for its sparkline
MAX_LINE = 400  # longer output lines are cut
WRAP_MIN = 20  # a log narrower than this (or not laid out yet) scrolls sideways instead of wrapping


def envelope_text(envelope: dict[str, Any] | None) -> Text | None:
    """``Cloudflare v4: success=true`` plus each error's code and message."""
    if envelope is None:
        return None
    ok = bool(envelope.get("success"))
    text = Text("Cloudflare v4: ")
    text.append(f"success={'true' if ok else 'false'}", style="green" if ok else "bold red")
    errors = envelope.get("errors") or []
    if errors:
        parts = []
        for err in errors[:3]:
            if isinstance(err, dict):
                parts.append(f"[{err.get('code', '?')}] {err.get('message', '')}".strip())
            else:
                parts.append(str(err))
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        text.append(" errors: " + clean_line("; ".join(parts)) + more, style="red")  # the API's words
    else:
        text.append(" errors=[]", style="dim")
    return text


def result_text(result: Any, step: int | None = None) -> Text:
    """The result line; ``step`` (1-based) names the step it is of: it stays in view under the next
    step's confirmation, and a bare "✓ PASSED" there read as that change's result."""
    state = getattr(result.state, "value", str(result.state))
    mark, style = STATE_MARKS.get(state, ("?", ""))
    text = Text()
    if step is not None:
        text.append(f"step {step}: ", style="bold")
    text.append(f"{mark} {state.replace('_', ' ').upper()}", style=style or "bold")
    codes = []
    if result.exit_code is not None:
        codes.append(f"exit {result.exit_code}")
    if result.http_status is not None:
        codes.append(f"HTTP {result.http_status}")
    if codes:
        text.append("  " + ", ".join(codes), style="bold")
    redundant = {f"exit status {result.exit_code}", f"HTTP {result.http_status}", "Cloudflare API: success"}
    if result.message and result.message not in redundant:
        text.append(f"  {result.message}")
    envelope = envelope_text(result.envelope)
    if envelope is not None:
        text.append("\n")
        text.append_text(envelope)
    return text


def sample_text(
    condition: str | None,
    value: float | None,
    elapsed: float | None,
    count: int,
    first: float | None,
    metric: str | None = None,
) -> Text:
    """``watching error rate < 1 % within 90s  now 0.424 % (from 5.000 %)  12s``: values with the metric's
    unit (the catalogue's), never bare numbers."""
    text = Text()
    text.append("watching ", style="dim")
    text.append(condition or "value", style="bold")
    text.append(f"  now {value_text(metric or '', value)}")
    if first is not None and value is not None and count > 1:
        text.append(f" (from {value_text(metric or '', first)})", style="dim")
    if elapsed is not None:
        text.append(f"  {elapsed:.0f}s", style="dim")
    return text


def wrapped_rows(line: str, width: int) -> list[str]:
    """``line`` as rows of at most ``width`` cells, ``↪`` before each continuation; as it is when it fits or
    the width is under ``WRAP_MIN`` (not laid out yet, or too narrow to help)."""
    if width < WRAP_MIN or cell_len(line) <= width:
        return [line]
    first, *rest = chop_cells(line, width)
    return [first, *(f"↪ {part}" for part in (chop_cells("".join(rest), width - 2) if rest else ()))]


class FlowOutput(Vertical):
    _wrapped_at = 0  # the log's width when its rows were last wrapped

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.samples: deque[float] = deque(maxlen=SAMPLES)
        self.first_sample: float | None = None
        self.lines_seen = 0
        self.written: deque[str] = deque(maxlen=LOG_LINES)  # as written, for log_text
        self.condition: str | None = None
        self.metric: str | None = None

    def compose(self) -> ComposeResult:
        yield FollowLog(max_lines=LOG_LINES, id="flow-log", auto_scroll=True)  # its end stays in view as it shrinks
        yield Static("", id="flow-verify", markup=False)
        yield Sparkline([], id="flow-spark")
        yield Static("", id="flow-result", markup=False)

    def on_mount(self) -> None:
        for selector in ("#flow-verify", "#flow-spark", "#flow-result"):
            self.query_one(selector).display = False

    def begin(self, title: str, condition: str | None = None, metric: str | None = None) -> None:
        """A step starts; a verify step gives its condition in words and the metric it watches."""
        self.samples.clear()
        self.first_sample = None
        self.condition = condition
        self.metric = metric
        self.query_one("#flow-verify").display = False
        self.query_one("#flow-spark").display = False
        self.query_one("#flow-result").display = False
        self._write(f"── {title}"[:MAX_LINE])

    def add_line(self, line: str) -> None:
        self.lines_seen += 1
        self._write(clean_line(line[:MAX_LINE]))  # clean already; a cheap guard

    def _write(self, line: str) -> None:
        """One output line, wrapped to the log's width (``↪`` before each continuation row): the log
        scrolled sideways, so a long line (wrangler's "Writing the value ... on namespace ...", an error
        message) was cut at the frame, and the only sign was a one-cell scrollbar thumb on a blank row."""
        self.written.append(line)
        log = self.query_one(Log)
        self._wrapped_at = log.scrollable_content_region.width
        log.write_lines(wrapped_rows(line, self._wrapped_at))

    def on_resize(self) -> None:
        """A new width wraps the lines again (lines written before the first layout too)."""
        log = self.query_one(Log)
        width = log.scrollable_content_region.width
        if width != self._wrapped_at and self.written:
            self._wrapped_at = width
            log.clear()
            log.write_lines([row for line in self.written for row in wrapped_rows(line, width)])

    def add_sample(self, value: float | None, elapsed: float | None) -> None:
        if value is not None:
            if self.first_sample is None:
                self.first_sample = value
            self.samples.append(value)
        verify = self.query_one("#flow-verify", Static)
        verify.update(sample_text(self.condition, value, elapsed, len(self.samples), self.first_sample, self.metric))
        verify.display = True
        spark = self.query_one("#flow-spark", Sparkline)
        if len(self.samples) > 1:
            spark.data = list(self.samples)
            spark.display = True

    def show_result(self, result: Any, step: int | None = None) -> None:
        widget = self.query_one("#flow-result", Static)
        widget.update(result_text(result, step))
        widget.display = True

    def follow_end_after_refresh(self) -> None:
        """:meth:`follow_end` once the new layout is drawn, unless the operator has scrolled back by then: a
        finished flow's output has the focus, and a PgUp read before this ran was undone (seen under load)."""
        at = self.query_one(Log).scroll_y
        self.call_after_refresh(self._follow_end_unless_scrolled_back, at)

    def _follow_end_unless_scrolled_back(self, at: float) -> None:
        if self.query_one(Log).scroll_y >= at:
            self.follow_end()

    def follow_end(self) -> None:
        """Show the newest output lines (the log's height shrinks when the summary appears, and a log
        left scrolled up hid the last step's lines and values)."""
        log = self.query_one(Log)
        log.auto_scroll = True
        log.scroll_end(animate=False, immediate=True)

    def log_text(self) -> str:
        """The output lines as written (not as wrapped on screen)."""
        return "\n".join(self.written)
