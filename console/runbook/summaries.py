"""Named summaries over a step's output (pure functions): what the paper runbook did with
``| jq | sort | uniq -c | sort -nr | head``.

Each takes ``(data, text, args)`` — ``data`` is the parsed JSON (a list of events for tail steps), ``text``
the raw output — and returns a :class:`Summary` with display lines and structured data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from console.safejson import too_deep


@dataclass
class Summary:
    lines: list[str]
    data: Any = None
    #: False when the summary itself shows a problem (e.g. exceptions in the tail)
    ok: bool = True
    notes: list[str] = field(default_factory=list)


def parse_json_stream(text: str) -> list[Any]:
    """Every JSON value in ``text``: JSON lines, or pretty-printed values one after another
    (``wrangler tail --format json``). Non-JSON lines are skipped."""
    decoder = json.JSONDecoder()
    out: list[Any] = []
    index = 0
    length = len(text)
    while index < length:
        while index < length and text[index] in " \t\r\n":
            index += 1
        if index >= length:
            break
        if text[index] not in "{[":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
            continue
        try:
            value, end = decoder.raw_decode(text, index)
        except (json.JSONDecodeError, RecursionError):  # nested ~1000 deep: skipped like bad JSON
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
            continue
        if not too_deep(value):
            out.append(value)
        index = end
    return out


def _outcome(event: dict) -> str:
    outcome = event.get("outcome")
    if isinstance(outcome, dict):
        return str(outcome.get("outcome") or outcome.get("status") or "unknown")
    return str(outcome or "unknown")


def _outcome_field(event: dict, *names: str) -> Any:
    outcome = event.get("outcome")
    for name in names:
        if isinstance(outcome, dict) and name in outcome:
            return outcome[name]
        if name in event:
            return event[name]
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _message(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) if not isinstance(v, (dict, list)) else json.dumps(v) for v in value)
    return str(value)


def _url(event: dict) -> str:
    request = (event.get("event") or {}).get("request") if isinstance(event.get("event"), dict) else None
    if isinstance(request, dict) and request.get("url"):
        return str(request["url"])
    return str(event.get("url") or event.get("path") or "?")


def _cache_status(event: dict) -> str | None:
    ev = event.get("event") if isinstance(event.get("event"), dict) else {}
    response = ev.get("response") if isinstance(ev.get("response"), dict) else {}
    headers = response.get("headers") if isinstance(response.get("headers"), dict) else {}
    for key in ("cf-cache-status", "CF-Cache-Status"):
        if key in headers:
            return str(headers[key]).upper()
    for key in ("cacheStatus", "cache_status", "CacheCacheStatus"):
        value = _outcome_field(event, key)
        if value is not None:
            return str(value).upper()
    return None


def _events(data: Any) -> list[dict]:
    if isinstance(data, list):
        return [e for e in data if isinstance(e, dict)]
    return []


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(q * (len(ordered) - 1)))))
    return ordered[rank]


def tail_status(data: Any, text: str, args: dict) -> Summary:
    events = _events(data)
    outcomes = Counter(_outcome(e) for e in events)
    exceptions = [x for e in events for x in (e.get("exceptions") or []) if isinstance(x, dict)]
    errors = sum(
        1
        for e in events
        for log in (e.get("logs") or [])
        if isinstance(log, dict) and str(log.get("level", "")).lower() == "error"
    )
    lines = [f"{len(events)} events: " + (", ".join(f"{k} {v}" for k, v in outcomes.most_common()) or "none")]
    lines.append(f"exceptions: {len(exceptions)}, error logs: {errors}")
    for exc in exceptions[-5:]:
        lines.append(f"  {exc.get('name', 'Error')}: {exc.get('message', '')}")
    bad = sum(v for k, v in outcomes.items() if k not in ("ok", "unknown"))
    ok = bool(events) and bad <= len(events) * 0.5
    notes = [] if events else ["no events arrived: is the worker receiving traffic?"]
    return Summary(
        lines,
        {"events": len(events), "outcomes": dict(outcomes), "exceptions": len(exceptions), "error_logs": errors},
        ok,
        notes,
    )


def error_breakdown(data: Any, text: str, args: dict) -> Summary:
    top = int(args.get("top", 20))
    counts: Counter[str] = Counter()
    for event in _events(data):
        for log in event.get("logs") or []:
            if isinstance(log, dict) and str(log.get("level", "")).lower() == "error":
                counts[_message(log.get("message"))] += 1
        for exc in event.get("exceptions") or []:
            if isinstance(exc, dict):
                counts[f"{exc.get('name', 'Error')}: {exc.get('message', '')}"] += 1
    rows = counts.most_common(top)
    lines = [f"{n:>6}  {msg}" for msg, n in rows] or ["no errors in the sampled events"]
    return Summary(lines, [{"message": m, "count": n} for m, n in rows])


def cpu_time(data: Any, text: str, args: dict) -> Summary:
    slow_ms = float(args.get("slow_ms", 25))
    samples: list[tuple[float, dict]] = []
    for event in _events(data):
        value = _number(_outcome_field(event, "cpuTime", "cpu_time_ms"))
        if value is not None:
            samples.append((value, event))
    if not samples:
        return Summary(["no CPU time in the sampled events"], {"count": 0}, True)
    values = [v for v, _ in samples]
    slow = [(v, e) for v, e in samples if v > slow_ms]
    lines = [
        f"CPU time over {len(values)} requests: p50 {_percentile(values, 0.5):.1f} ms, "
        f"p95 {_percentile(values, 0.95):.1f} ms, max {max(values):.1f} ms",
        f"slower than {slow_ms:g} ms: {len(slow)}",
    ]
    paths = Counter(_url(e) for _, e in slow)
    for path, n in paths.most_common(int(args.get("top", 10))):
        lines.append(f"  {n:>5}  {path}")
    return Summary(
        lines,
        {
            "count": len(values),
            "p50": _percentile(values, 0.5),
            "p95": _percentile(values, 0.95),
            "max": max(values),
            "slow": len(slow),
        },
    )


def memory(data: Any, text: str, args: dict) -> Summary:
    values = [
        v for v in (_number(_outcome_field(e, "memoryUsage", "memory_bytes")) for e in _events(data)) if v is not None
    ]
    if not values:
        return Summary(["no memory usage in the sampled events"], {"count": 0})
    mib = 1024 * 1024
    return Summary(
        [
            f"memory over {len(values)} requests: p50 {_percentile(values, 0.5) / mib:.1f} MiB, "
            f"max {max(values) / mib:.1f} MiB (limit 128 MiB)"
        ],
        {"count": len(values), "max": max(values)},
    )


def cache_misses(data: Any, text: str, args: dict) -> Summary:
    events = _events(data)
    statuses = [(s, e) for s, e in ((_cache_status(e), e) for e in events) if s is not None]
    misses = Counter(_url(e) for s, e in statuses if s == "MISS")
    total = len(statuses)
    lines = [f"cache status known for {total} of {len(events)} events; misses: {sum(misses.values())}"]
    lines += [f"{n:>6}  {url}" for url, n in misses.most_common(int(args.get("top", 20)))]
    return Summary(lines, [{"url": u, "count": n} for u, n in misses.most_common(int(args.get("top", 20)))])


def tail_match(data: Any, text: str, args: dict) -> Summary:
    needle = str(args.get("text", "")).lower()
    hits = []
    for event in _events(data):
        for log in event.get("logs") or []:
            if isinstance(log, dict) and needle in _message(log.get("message")).lower():
                hits.append(f"[{log.get('level', 'log')}] {_message(log.get('message'))}")
    failing = [h for h in hits if h.startswith("[error]")]
    lines = hits[-20:] or [f"no log lines mention {needle!r} in the sampled events"]
    return Summary(lines, {"matches": len(hits), "errors": len(failing)}, ok=not failing)


def deployments(data: Any, text: str, args: dict) -> Summary:
    items = data if isinstance(data, list) else (data or {}).get("deployments") if isinstance(data, dict) else []
    items = [d for d in (items or []) if isinstance(d, dict)]
    key = lambda d: str(d.get("created_on") or d.get("createdOn") or d.get("created_at") or "")  # noqa: E731
    ordered = sorted(items, key=key, reverse=True)
    lines = []
    for d in ordered[: int(args.get("top", 10))]:
        author = d.get("author_email") or (d.get("metadata") or {}).get("author_email") or ""
        message = (d.get("annotations") or {}).get("workers/message") or d.get("message") or ""
        source = d.get("source") or (d.get("metadata") or {}).get("source") or ""
        lines.append(f"{key(d)[:19]}  {str(d.get('id', ''))[:12]:<12}  {source:<10} {author} {message}".rstrip())
    return Summary(lines or ["no deployments"], ordered)


def gh_runs(data: Any, text: str, args: dict) -> Summary:
    runs = [r for r in (data if isinstance(data, list) else []) if isinstance(r, dict)]
    lines = [
        f"{r.get('databaseId')}  {r.get('status', '')}/{r.get('conclusion') or '-'}  {r.get('createdAt', '')}  "
        f"{r.get('url', '')}"
        for r in runs[:10]
    ]
    return Summary(lines or ["no runs found"], runs, ok=bool(runs))


def gh_runs_any(data: Any, text: str, args: dict) -> Summary:
    """Like ``gh_runs``, but no runs yet is fine (the first rollback ever)."""
    summary = gh_runs(data, text, args)
    summary.ok = True
    return summary


def kv_keys(data: Any, text: str, args: dict) -> Summary:
    keys = [k.get("name") if isinstance(k, dict) else str(k) for k in (data if isinstance(data, list) else [])]
    lines = [f"{len(keys)} keys"] + [f"  {k}" for k in keys[:50]]
    if len(keys) > 50:
        lines.append(f"  ... {len(keys) - 50} more")
    return Summary(lines, keys)


def status_page(data: Any, text: str, args: dict) -> Summary:
    status = (data or {}).get("status") if isinstance(data, dict) else None
    if not isinstance(status, dict):
        return Summary(["no status in the response"], None, ok=False)
    indicator = status.get("indicator", "?")
    return Summary(
        [f"indicator: {indicator}", f"description: {status.get('description', '')}"],
        {"indicator": indicator, "description": status.get("description")},
        ok=indicator == "none",
    )


def queue_metrics(data: Any, text: str, args: dict) -> Summary:
    result = (data or {}).get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        return Summary(["no queue metrics in the response"], None, ok=False)
    backlog = result.get("backlog_count")
    lines = [f"backlog: {backlog} messages, {result.get('backlog_bytes', '?')} bytes"]
    oldest = result.get("oldest_message_timestamp_ms")
    if oldest:
        lines.append(f"oldest message: {oldest} ms epoch")
    return Summary(lines, result)


_SAMPLE_RE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def metric_totals(data: Any, text: str, args: dict) -> Summary:
    """Prometheus samples summed per family, and per value of the ``by`` labels (``curl /metrics | grep``
    made readable): ``edge_requests_total 1,234,567`` then ``status=500  1,234``."""
    by = args.get("by") or []
    by = [by] if isinstance(by, str) else list(by)
    totals: dict[str, float] = {}
    groups: dict[str, Counter[str]] = {}
    for line in text.splitlines():
        match = _SAMPLE_RE.match(line.strip())
        if not match:
            continue
        name, labels, value = match.group(1), dict(_LABEL_RE.findall(match.group(2) or "")), _number(match.group(3))
        if value is None:
            continue
        totals[name] = totals.get(name, 0.0) + value
        for label in by:
            if label in labels:
                groups.setdefault(name, Counter())[f"{label}={labels[label]}"] += value
    lines: list[str] = []
    for name, total in totals.items():
        lines.append(f"{name}  {total:,.0f}")
        for key, value in sorted((groups.get(name) or {}).items(), key=lambda kv: -kv[1])[: int(args.get("top", 12))]:
            lines.append(f"    {key:<28} {value:>14,.0f}")
    return Summary(
        lines or ["no samples"], {"totals": totals, "groups": {k: dict(v) for k, v in groups.items()}}, ok=bool(totals)
    )


SUMMARIES: dict[str, Callable[[Any, str, dict], Summary]] = {
    "metric_totals": metric_totals,
    "tail_status": tail_status,
    "error_breakdown": error_breakdown,
    "cpu_time": cpu_time,
    "memory": memory,
    "cache_misses": cache_misses,
    "tail_match": tail_match,
    "deployments": deployments,
    "gh_runs": gh_runs,
    "gh_runs_any": gh_runs_any,
    "kv_keys": kv_keys,
    "status_page": status_page,
    "queue_metrics": queue_metrics,
    "am_silences": lambda data, text, args: _am_silences(data, args),
}


def _am_silences(data: Any, args: dict) -> Summary:
    """Alertmanager's ``GET /api/v2/silences`` as lines (``states: [active, pending]`` by default)."""
    from console.alertmanager.model import AnswerError, silence_lines

    try:
        lines = silence_lines(data, states=tuple(args.get("states") or ("active", "pending")))
    except AnswerError as exc:
        return Summary([str(exc)], None, ok=False)
    return Summary(lines, data)


# wrangler/gh/terraform summaries that choose or show what a change will do (their own module)
from console.runbook.tool_summaries import TOOL_SUMMARIES  # noqa: E402

SUMMARIES.update(TOOL_SUMMARIES)
