"""``edge-console check``: the runbook's "Check All Systems", headless.

Health, two scrapes ``--window`` seconds apart, every key metric with its value and state,
queues and a security summary; a rich table, or with ``--json`` exactly one JSON object.

Exit codes: 0 when everything is normal; 1 on any warning (a metric or queue in warning,
health degraded, a security rule spiking, families missing from the page); 2 on any critical
value, an unhealthy edge, or an endpoint that cannot be read (refused, timed out, HTTP error,
not a metrics page). Values that cannot be computed ("no traffic", "warming up") are
``unknown`` and do not change the exit code by themselves.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from typing import Any

from console.metrics.catalogue import format_metric as format_value  # (key, value): one formatter everywhere
from console.metrics.model import KEY_METRICS, Derived, Health, MetricValue
from console.metrics.thresholds import State, worst
from console.sanitize import clean_line, json_dumps
from console.sources.health import component_ok, health_state
from console.sources.poller import EdgePoller, PollResult


def run(args: argparse.Namespace) -> int:
    from console.session import open_session_from_args

    session = open_session_from_args(args)
    try:
        if session.notice and not args.json:
            print(clean_line(session.notice), file=sys.stderr)
        result, first = asyncio.run(collect(session.config, session.env, args.window))
        fleet = asyncio.run(collect_fleet(session.config, session.env)) if session.env.prometheus_url else None
        scenario = session.scenario  # the simulated edge's (a joined console's too)
    finally:
        session.close()
    report = build_report(session.env, result, first)
    if scenario:
        report["scenario"] = scenario
    if fleet is not None:
        add_fleet(report, fleet)
    if args.json:
        print(json_dumps(report, allow_nan=False))  # outside text as \u escapes
    else:
        print_human(report)
    return int(report["exit_code"])


async def collect(config: Any, env: Any, window: float) -> tuple[PollResult, PollResult]:
    """Two polls ``window`` seconds apart: ``(second, first)``."""
    poller = EdgePoller(config, env)
    try:
        first = await poller.poll()
        unreachable = first.derived is None and first.metrics.state == "down" and first.health_source.state == "down"
        if unreachable:
            return first, first  # nothing answers: do not make the operator wait for the window
        await asyncio.sleep(window)
        second = await poller.poll()
        return second, first
    finally:
        await poller.aclose()


async def collect_fleet(config: Any, env: Any) -> Any:
    """Fleet-wide key metrics from the environment's Prometheus (one round of instant queries)."""
    from console.sources.promql import FleetPoller

    poller = FleetPoller(config, env)
    try:
        return await poller.poll()
    finally:
        await poller.aclose()


def add_fleet(report: dict[str, Any], fleet: Any) -> None:
    """Add the ``fleet`` section; fleet states count toward the exit code, an unreachable
    Prometheus is a warning (the edge itself may be fine)."""
    metrics = {key: _metric_json(fleet.metrics.get(key), key, "no answer") for key in KEY_METRICS}
    report["fleet"] = {
        "state": fleet.source.state,
        "error": fleet.source.error,
        "targets": fleet.targets,
        "metrics": metrics,
    }
    down = list(getattr(fleet, "down_targets", ()))
    report["fleet"]["down_targets"] = down
    report["warnings"].extend(getattr(fleet, "warnings", ()))  # e.g. a rate window under 4x the scrape interval
    level = int(report["exit_code"])
    if fleet.source.state != "live":
        level = max(level, 1)
        report["problems"].append(f"prometheus: {fleet.source.error or fleet.source.state}")
    if down:
        level = max(level, 1)
        report["problems"].append(f"prometheus: {len(down)} target(s) down (up == 0): {', '.join(down[:10])}")
    for key, m in metrics.items():
        if m["state"] == "critical":
            level = 2
        elif m["state"] == "warning":
            level = max(level, 1)
        if m["state"] in ("warning", "critical"):
            report["problems"].append(f"fleet {KEY_METRICS[key][0]} {m['state']}")
    report["exit_code"] = level
    report["status"] = ("ok", "warning", "critical")[level]


# -- the report -----------------------------------------------------------------------------------


def _num(value: float | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _metric_json(mv: MetricValue | None, key: str, fallback_note: str) -> dict[str, Any]:
    label, unit = KEY_METRICS[key]
    if mv is None:
        return {"value": None, "unit": unit, "state": State.UNKNOWN.value, "label": label, "note": fallback_note}
    out: dict[str, Any] = {
        "value": _num(mv.value),
        "unit": unit,
        "state": mv.state.value,
        "label": label,
        "note": mv.note,
    }
    if mv.stale:
        out["stale"] = True
    return out


def _health_json(health: Health | None) -> dict[str, Any]:
    if health is None:
        return {
            "healthy": False,
            "status": "unknown",
            "state": State.UNKNOWN.value,
            "components": {},
            "version": None,
            "error": "not checked",
        }
    return {
        "healthy": health.healthy,
        "status": health.status,
        "state": health_state(health).value,
        "components": dict(health.components),
        "version": health.version,
        "error": health.error,
        "http_status": health.http_status,
    }


def build_report(env: Any, result: PollResult, first: PollResult | None = None) -> dict[str, Any]:
    """The JSON-ready report and its exit code (pure: tests feed it PollResults)."""
    derived: Derived | None = result.derived
    source_ok = result.metrics.state == "live"
    fallback = result.metrics.error or "no metrics"
    metrics = {key: _metric_json(derived.metrics.get(key) if derived else None, key, fallback) for key in KEY_METRICS}
    queues = [
        {
            "name": q.name,
            "backlog": _num(q.backlog),
            "state": q.state.value,
            "trend_per_s": _num(q.trend_per_s),
            "drain_eta_s": _num(q.drain_eta_s),
            "processing_p95_ms": _num(q.processing_p95_ms),
            "invalid": q.invalid or None,
        }
        for q in (derived.queues if derived else [])
    ]
    rules = [
        {"rule": r.rule, "per_second": _num(r.per_second), "total": _num(r.total), "spike": r.spike}
        for r in (derived.security if derived else [])
    ]
    security = {
        "per_second": _num(derived.security_per_s) if derived else None,
        "total": _num(derived.security_total) if derived else None,
        "rate_limit_violations_per_s": _num(derived.rate_limit_violations_per_s) if derived else None,
        "rules": rules,
        # rules not listed (only the MAX_SERIES_SHOWN busiest are); per_second and total count all
        "more_rules": derived.security_more if derived else 0,
        # of more_rules: series over the parser's cap, not read (per_second and total leave them out)
        "unread_rules": derived.security_unread if derived else 0,
    }
    health = _health_json(result.health)

    problems: list[str] = []
    states = [State(m["state"]) for m in metrics.values()] + [State(q["state"]) for q in queues]
    level = 0
    top = worst([s for s in states if s is not State.UNKNOWN]) if states else State.UNKNOWN
    if top is State.CRITICAL:
        level = 2
    elif top is State.WARNING:
        level = 1
    for key, m in metrics.items():
        if m["state"] in ("warning", "critical"):
            problems.append(f"{KEY_METRICS[key][0]} {m['state']}")
        elif m["note"].startswith("invalid"):  # the exporter sent a value that cannot be right
            level = max(level, 1)
            problems.append(f"{KEY_METRICS[key][0]} {m['note']}")
    hstate = State(health["state"])
    if hstate is State.CRITICAL:
        level = 2
        problems.append(f"health: {health['error'] or health['status']}")
    elif hstate is State.WARNING:
        level = max(level, 1)
        bad = [f"{name} {status}" for name, status in health["components"].items() if not component_ok(status)]
        problems.append(f"health: {health['status']}" + (f" ({', '.join(bad)})" if bad else ""))
    if not source_ok:
        level = 2
        problems.append(f"metrics: {result.metrics.error or result.metrics.state}")
    elif derived is not None and derived.missing:
        level = max(level, 1)
        problems.append("missing families: " + ", ".join(derived.missing))
    spikes = [r["rule"] for r in rules if r["spike"]]
    if spikes:
        level = max(level, 1)
        problems.append("security spike: " + ", ".join(spikes))

    return {
        "environment": getattr(env, "name", ""),
        "target": getattr(env, "base_url", ""),
        "simulated": bool(getattr(env, "simulated", False)),
        "checked_at": result.at,
        "window_s": _num(derived.window_s) if derived else None,
        "status": ("ok", "warning", "critical")[level],
        "exit_code": level,
        "problems": problems,
        "health": health,
        "metrics": metrics,
        "queues": queues,
        # queues not listed (only the MAX_SERIES_SHOWN fullest are); metrics.queue_backlog is the total
        "more_queues": derived.queues_more if derived else 0,
        # of more_queues: series over the parser's cap, not read (metrics.queue_backlog leaves them out)
        "unread_queues": derived.queues_unread if derived else 0,
        "security": security,
        "sources": {
            "metrics": {
                "url": getattr(env, "metrics_url", ""),
                "state": result.metrics.state,
                "error": result.metrics.error,
                "last_ok": result.metrics.last_ok,
            },
            "health": {
                "url": getattr(env, "health_url", ""),
                "state": result.health_source.state,
                "error": result.health_source.error,
                "last_ok": result.health_source.last_ok,
            },
        },
        "warnings": list(derived.warnings) if derived else [],
    }


# -- human output ---------------------------------------------------------------------------------

_STYLE = {"normal": "green", "warning": "yellow", "critical": "bold red", "unknown": "dim"}


def _state_cell(state: str) -> str:
    return f"[{_STYLE.get(state, '')}]{State(state).symbol} {state}[/]"


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def print_human(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape as markup_escape
    from rich.table import Table

    def escape(text: str) -> str:  # outside text: terminal controls shown escaped, then no markup
        return markup_escape(clean_line(text))

    console = Console(highlight=False)
    sim = " [bold magenta]SIMULATED[/]" if report["simulated"] else ""
    if report.get("scenario"):
        sim += f" scenario {escape(str(report['scenario']))}"
    console.print(
        f"[bold]Edge check[/] {escape(report['environment'])} ({escape(report['target'])}){sim} - "
        f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(report['checked_at']))}"
    )  # UTC, like the rest
    h = report["health"]
    comps = ", ".join(f"{escape(k)}={escape(v)}" for k, v in h["components"].items())
    console.print(
        f"Health: {_state_cell(h['state'])} {escape(str(h['status']))}"
        + (f" ({escape(h['error'])})" if h["error"] else "")
        + (f" version {escape(str(h['version']))}" if h.get("version") else "")
        + (f"\n  components: {comps}" if comps else "")
    )
    src = report["sources"]["metrics"]
    if src["state"] != "live":
        console.print(f"Metrics endpoint: [bold red]{escape(src['state'])}[/] - {escape(str(src['error']))}")

    window = report["window_s"]
    title = f"Key metrics (window {window:.1f} s)" if window else "Key metrics (no window: values need two scrapes)"
    table = Table(title=title, title_justify="left")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    table.add_column("State")
    table.add_column("Note")
    for key, m in report["metrics"].items():
        table.add_row(
            m["label"],
            format_value(key, m["value"]),
            _state_cell(m["state"]),
            escape(m["note"] + (" (stale)" if m.get("stale") else "")),
        )
    console.print(table)

    if report["queues"]:
        qt = Table(title="Queues", title_justify="left")
        for col, just in (
            ("Queue", "left"),
            ("Backlog", "right"),
            ("State", "left"),
            ("Trend", "right"),
            ("Drain ETA", "right"),
            ("Processing P95", "right"),
        ):
            qt.add_column(col, justify=just)  # type: ignore[arg-type]
        for q in report["queues"]:
            trend = "-" if q["trend_per_s"] is None else f"{q['trend_per_s']:+.1f}/s"
            p95 = "-" if q["processing_p95_ms"] is None else f"{q['processing_p95_ms']:,.0f} ms"
            backlog = f"{q['backlog']:,.0f}" if q["backlog"] is not None else "-"
            state = _state_cell(q["state"]) + (f" invalid: {escape(q['invalid'])}" if q.get("invalid") else "")
            qt.add_row(escape(q["name"]), backlog, state, trend, _eta(q["drain_eta_s"]), p95)
        if report.get("more_queues"):
            total = format_value("queue_backlog", report["metrics"]["queue_backlog"]["value"])
            qt.add_row(f"+{report['more_queues']:,} more", "", "", "", "", "")
            count = len(report["queues"]) + report["more_queues"]
            unread = report.get("unread_queues") or 0
            qt.caption = (
                f"{count:,} queues, total backlog {total}"
                if not unread
                else f"{count:,} queues; {unread:,} over the cap not read; total backlog of the rest {total}"
            )
        console.print(qt)

    sec = report["security"]
    if sec["rules"]:
        st = Table(title="Security blocks", title_justify="left")
        st.add_column("Rule")
        st.add_column("Blocks/s", justify="right")
        st.add_column("Total", justify="right")
        st.add_column("Spike")
        for r in sec["rules"]:
            st.add_row(
                escape(r["rule"]),
                "-" if r["per_second"] is None else f"{r['per_second']:,.2f}",
                f"{r['total'] or 0:,.0f}",
                "[bold red]SPIKE[/]" if r["spike"] else "",
            )
        if sec.get("more_rules"):
            per_s = "-" if sec["per_second"] is None else f"{sec['per_second']:,.2f}"
            st.add_row(f"+{sec['more_rules']:,} more", "", "", "")
            count = len(sec["rules"]) + sec["more_rules"]
            unread = sec.get("unread_rules") or 0
            label = f"all {count:,} rules" if not unread else f"first {count - unread:,} rules ({unread:,} not read)"
            st.add_row(label, per_s, f"{sec['total'] or 0:,.0f}", "")
        console.print(st)
        rl = sec["rate_limit_violations_per_s"]
        console.print(f"Rate-limit violations: {'-' if rl is None else f'{rl:,.2f}/s'}")

    fleet = report.get("fleet")
    if fleet:
        ft = Table(
            title=f"Fleet (Prometheus, {fleet['targets'] if fleet['targets'] is not None else '?'} targets)",
            title_justify="left",
        )
        ft.add_column("Metric")
        ft.add_column("Value", justify="right")
        ft.add_column("State")
        for key, m in fleet["metrics"].items():
            ft.add_row(m["label"], format_value(key, m["value"]), _state_cell(m["state"]), escape(m["note"]))
        console.print(ft)
        if fleet["state"] != "live":
            console.print(f"Prometheus: [bold red]{escape(fleet['state'])}[/] - {escape(str(fleet['error']))}")

    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    verdict = {"ok": "[green]OK[/]", "warning": "[yellow]WARNING[/]", "critical": "[bold red]CRITICAL[/]"}
    detail = "; ".join(report["problems"])
    console.print(
        f"Result: {verdict[report['status']]}"
        + (f" - {escape(detail)}" if detail else "")
        + f" (exit {report['exit_code']})"
    )
