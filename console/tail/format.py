"""Text for one event: a line for the list / headless output, and the expanded detail.

Pure functions returning ``(text, style_key)`` pieces; the widget maps style keys to colours and the
headless CLI joins the text. Severity is always shown by a symbol and a word, not colour alone.
"""

from __future__ import annotations

import json
import math
import time

from rich.cells import cell_len, set_cell_size

from console.sanitize import clean_line, is_clean_line
from console.tail.model import SEV_ERROR, SEV_NOTICE, SEV_OK, SEV_WARN, TailEvent, message_text

SEV_SYMBOL = {SEV_OK: "✓", SEV_NOTICE: "ℹ", SEV_WARN: "▲", SEV_ERROR: "✖"}
SEV_STYLE = {SEV_OK: "ok", SEV_NOTICE: "notice", SEV_WARN: "warn", SEV_ERROR: "error"}
OUTCOME_SHORT = {
    "ok": "ok",
    "exception": "EXCEPTION",
    "exceededCpu": "CPU-LIMIT",
    "exceededMemory": "MEM-LIMIT",
    "canceled": "CANCELED",
    "responseStreamDisconnected": "DISCONNECT",
    "loadShed": "LOAD-SHED",
    "unknown": "unknown",
}
LEVEL_STYLE = {"error": "error", "warn": "warn", "info": "plain", "log": "plain", "debug": "dim"}

Piece = tuple[str, str]


#: "HH:MM:SS" of the last whole seconds seen (a flood's events share a few): one strftime per second, not per event
_HMS: dict[int, str] = {}


def clock(ts_ms: float) -> str:
    if not ts_ms:
        return "--:--:--.---"
    seconds = ts_ms / 1000.0
    try:
        whole = int(seconds // 1)
        hms = _HMS.get(whole)
        if hms is None:
            hms = time.strftime("%H:%M:%S", time.gmtime(seconds))
            if len(_HMS) >= 256:
                _HMS.clear()
            _HMS[whole] = hms
        return hms + f".{int(ts_ms % 1000):03d}"
    except (OverflowError, OSError, ValueError):  # a hostile timestamp (1e300, inf, nan)
        return "??:??:??.???"


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)


#: columns before the headline other than the path (time, outcome, method, colo, status, cpu)
FIXED_COLUMNS = 55
#: the worker role column of a tail that names its workers (the longest role, queue-processor, fits)
WORKER_WIDTH = 15


#: from this width on, every column at its full size (below, the narrow layout)
WIDE_LINE = 120


def path_width(width: int | None) -> int:
    """The path column for a line ``width`` wide: up to 34, leaving ~30 for the headline."""
    if width is None:
        return 34
    return max(12, min(34, width - FIXED_COLUMNS - 30))


def _row_text(event: TailEvent) -> tuple[str, str, str, str, str]:
    """(headline, method or kind, path, colo, outcome word) of a row, every one through ``clean_line`` (one
    search over all of them first, so a clean event costs one regex call)."""
    headline = event.headline
    method = event.method if event.kind == "request" else event.kind
    path = event.path or "-"
    colo = event.colo or "-"
    outcome = event.outcome
    if not is_clean_line(" ".join((headline, method, path, colo, outcome))):
        headline, method, path, colo, outcome = (
            clean_line(headline),
            clean_line(method),
            clean_line(path),
            clean_line(colo),
            clean_line(outcome),
        )
    outcome = OUTCOME_SHORT.get(outcome, outcome)
    if event.outcome == "ok":
        sev = event.severity
        if sev == SEV_ERROR:
            outcome = "ERROR"
        elif sev == SEV_WARN:
            outcome = "warn"
    return headline, method, path, colo, outcome


def line_pieces(event: TailEvent, width: int | None = None) -> list[Piece]:
    """time, severity+outcome, method, path, colo, status, cpu ms, first exception / error log.

    Every field from the event is outside text: it is shown through ``clean_line`` (one search over
    all of them first, so a clean event costs one regex call). With ``width`` the row fits it: a longer
    one ends in ``…`` at the edge, as the path does (the list cut it there and said nothing: an outage's
    rows read 'upstream fetch failed: 502 Ba')."""
    pieces = _line_pieces(event, width)
    return pieces if width is None else fit_pieces(pieces, width)


def fit_pieces(pieces: list[Piece], width: int) -> list[Piece]:
    """``pieces`` cut to ``width`` cells, the last one kept ending in ``…`` when anything was cut (trailing
    spaces do not count: they are the gap after a column)."""
    if cell_len("".join(text for text, _ in pieces).rstrip()) <= width:
        return pieces
    if width <= 0:
        return []
    out: list[Piece] = []
    room = max(0, width - 1)  # the cells left before the "…"
    for text, style in pieces:
        cells = cell_len(text)
        if cells <= room:
            out.append((text, style))
            room -= cells
            continue
        out.append((set_cell_size(text, room).rstrip() + "…", style))
        break
    return out


def _line_pieces(event: TailEvent, width: int | None) -> list[Piece]:
    sev = event.severity
    style = SEV_STYLE[sev]
    if event.kind == "notice":
        label = [(_fit(clean_line(event.worker), WORKER_WIDTH) + " ", "worker")] if event.worker else []
        return [
            (clock(event.ts) + " ", "time"),
            *label,
            (f"{SEV_SYMBOL[sev]} NOTICE     ", style),
            (clean_line(event.notice), style),
        ]
    headline, method, path, colo, outcome = _row_text(event)
    status = str(event.status) if event.status is not None else "-"
    cpu = f"{event.cpu:.1f}ms" if event.cpu is not None else "-"
    cpu_style = "error" if (event.cpu or 0) > 50 else "warn" if (event.cpu or 0) > 25 else "dim"
    status_style = "error" if (event.status or 0) >= 500 else "warn" if (event.status or 0) >= 400 else "dim"
    worker = [(_fit(clean_line(event.worker), WORKER_WIDTH) + " ", "worker")] if event.worker else []
    if width is not None and width < WIDE_LINE:
        # narrow: the headline keeps at least half the line; colo and CPU go below 100 columns
        path_w = max(10, min(24, (width - 30) // 3))
        pieces = [
            (clock(event.ts)[:8] + " ", "time"),
            (f"{SEV_SYMBOL[sev]} {_fit(outcome, 9)} ", style),
            (_fit(method, 4) + " ", "plain"),
            (status.rjust(3) + " ", status_style),
            (_fit(path, path_w) + " ", "plain"),
        ]
        if width < 70:  # the method goes too
            del pieces[2]
        if width >= 100:
            pieces[4:4] = [(cpu.rjust(8) + " ", cpu_style)]
            pieces.append((_fit(colo, 4) + " ", "dim"))
        pieces[1:1] = worker  # a tail that names its worker(s): each row says which one
        if headline:
            pieces.append((headline, style if sev >= SEV_WARN else "plain"))
        return pieces
    pieces: list[Piece] = [(clock(event.ts) + " ", "time"), *worker]
    pieces += [
        (f"{SEV_SYMBOL[sev]} {_fit(outcome, 10)} ", style),
        (_fit(method, 7) + " ", "plain"),
        (_fit(path, path_width(width)) + " ", "plain"),
        (_fit(colo, 4) + " ", "dim"),
        (status.rjust(3) + " ", status_style),
        (cpu.rjust(8) + "  ", cpu_style),
    ]
    if headline:
        pieces.append((headline, style if sev >= SEV_WARN else "plain"))
    return pieces


def plain_line(event: TailEvent) -> str:
    """The wide row of :func:`line_pieces` as one string (the headless tail's text output), built without
    the pieces and their styles."""
    if event.kind == "notice":
        return "".join([text for text, _ in line_pieces(event)]).rstrip()
    headline, method, path, colo, outcome = _row_text(event)
    status, cpu = event.status, event.cpu
    worker = _fit(clean_line(event.worker), WORKER_WIDTH) + " " if event.worker else ""
    line = (
        f"{clock(event.ts)} {worker}{SEV_SYMBOL[event.severity]} {_fit(outcome, 10)} {_fit(method, 7)} "
        f"{_fit(path, path_width(None))} {_fit(colo, 4)} {(str(status) if status is not None else '-').rjust(3)} "
        f"{(f'{cpu:.1f}ms' if cpu is not None else '-').rjust(8)}  {headline}"
    )
    return line.rstrip()


def detail_pieces(event: TailEvent) -> list[Piece]:
    """The expanded event: summary, all logs, exceptions with stacks, headers, cf, other fields."""
    out: list[Piece] = []

    def line(text: str = "", style: str = "plain") -> None:
        out.append((clean_line(text) + "\n", style))  # every line holds outside text

    sev = event.severity
    outcome = event.outcome
    if outcome == "ok" and sev in (SEV_ERROR, SEV_WARN):  # its logs said so: both, or ✖ read beside "ok"
        outcome = f"{'ERROR' if sev == SEV_ERROR else 'WARN'} (outcome ok)"
    line(f"{SEV_SYMBOL[sev]} {outcome}  {event.kind}  {event.method} {event.url}".rstrip(), SEV_STYLE[sev])
    stamp = int(event.ts) if math.isfinite(event.ts) else event.ts  # inf and nan from a hostile event
    line(f"time {clock(event.ts)} UTC ({stamp})   script {event.script or '-'}", "dim")
    cpu = f"{event.cpu:.2f} ms" if event.cpu is not None else "-"
    wall = f"{event.wall:.2f} ms" if event.wall is not None else "-"
    line(
        f"cpu {cpu}   wall {wall}   status {event.status if event.status is not None else '-'}   "
        f"colo {event.colo or '-'}   country {event.country or '-'}   ip {event.ip or '-'}"
    )
    if event.notice:
        line(f"notice: {event.notice}", "notice")
    raw = event.raw
    exceptions = [e for e in raw.get("exceptions") or [] if isinstance(e, dict)]
    line()
    line(f"Exceptions ({len(exceptions)})", "heading")
    for exc in exceptions:
        line(f"  {exc.get('name') or 'Error'}: {exc.get('message', '')}", "error")
        stack = exc.get("stack")
        if stack:
            for frame in str(stack).splitlines():
                line(f"      {frame}", "dim")
    logs = [log for log in raw.get("logs") or [] if isinstance(log, dict)]
    line()
    line(f"Logs ({len(logs)})", "heading")
    for log in logs:
        level = str(log.get("level") or "log")
        ts = log.get("timestamp")
        stamp = clock(float(ts)) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else "            "
        line(f"  {stamp} {level:<5} {message_text(log.get('message'))}", LEVEL_STYLE.get(level, "plain"))
    ev = raw.get("event")
    if isinstance(ev, dict):
        request = ev.get("request")
        if isinstance(request, dict):
            headers = request.get("headers")
            if isinstance(headers, dict):
                line()
                line(f"Request headers ({len(headers)})", "heading")
                for key in sorted(headers):
                    line(f"  {key}: {headers[key]}")
            cf = request.get("cf")
            if isinstance(cf, dict):
                line()
                line(f"cf ({len(cf)})", "heading")
                for key in sorted(cf):
                    line(f"  {key}: {_short(cf[key])}")
        others = {k: v for k, v in ev.items() if k != "request"}
        if others:
            line()
            line("Event", "heading")
            for key in sorted(others):
                line(f"  {key}: {_short(others[key])}")
    extra = {
        k: v
        for k, v in raw.items()
        if k not in ("outcome", "scriptName", "eventTimestamp", "cpuTime", "wallTime", "event", "logs", "exceptions")
    }
    if extra:
        line()
        line("Other fields", "heading")
        for key in sorted(extra):
            line(f"  {key}: {_short(extra[key])}")
    return out


def _short(value: object, limit: int = 400) -> str:
    try:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:  # nested deeper than the stdlib writes (orjson reads 1024 levels)
        text = "[nested too deep to show]"
    return text if len(text) <= limit else text[: limit - 1] + "…"


STATE_SYMBOL = {
    "streaming": ("●", "ok"),
    "connecting": ("◌", "notice"),
    "reconnecting": ("↻", "warn"),
    "stopped": ("■", "error"),
}


def status_pieces(
    status: "object", store: "object", server_filters: str = "", note: str = "", now: float | None = None
) -> list[Piece]:
    """The pane's status line, most important first: lifecycle, PAUSED, filter, drops, counts, notice.

    ``status`` is a TailStatus and ``store`` a TailStore (duck-typed to keep this module light)."""
    state = getattr(status, "state", "stopped")
    symbol, style = STATE_SYMBOL.get(state, ("?", "warn"))
    summary = status.summary(now)  # type: ignore[attr-defined]
    out: list[Piece] = [(f"{symbol} {clean_line(summary)}", style)]
    if getattr(store, "paused", False):
        out.append((f"  ⏸ PAUSED +{store.paused_new:,} new", "warn"))  # type: ignore[attr-defined]
    flt = getattr(store, "filter", None)
    if flt is not None and flt.active:
        out.append((f"  filter: {clean_line(flt.expr)}", "heading"))
        out.append((f"  {len(store.view):,} of {len(store.events):,}", "dim"))  # type: ignore[attr-defined]
    else:
        out.append((f"  {len(store.events):,}/{store.capacity:,} events", "dim"))  # type: ignore[attr-defined]
    if server_filters:
        out.append((f"  wrangler: {clean_line(server_filters)}", "dim"))
    dropped = getattr(status, "dropped", 0)
    if dropped:
        out.append((f"  ⚠ dropped {dropped:,} (display behind)", "error"))
    broken = getattr(status, "broken", 0)
    if broken:
        out.append((f"  broken {broken:,}", "warn"))
    notice = getattr(status, "notice", "")
    if notice:
        out.append((f"  ℹ {clean_line(notice)}", "notice"))
    if note:
        out.append((f"  {clean_line(note)}", "notice"))
    return out
