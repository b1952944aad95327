"""``edge-console alerts [--json]``: Alertmanager's firing alerts next to the console's own.

The console's alerts headless are the key metrics in warning or critical over two scrapes
``--window`` seconds apart (``check``'s rule); Alertmanager's come from ``GET /api/v2/alerts`` of the
environment's ``alertmanager_url`` (labels, start time, silenced/inhibited). Where both are about the
same metric they are one row. Each Alertmanager alert names the runbook flow that responds to it.
Exit 0: nothing firing; 1: something firing; 2: a source could not be read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from console.alertmanager.client import AlertmanagerClient, AlertmanagerError
from console.alertmanager.mapping import flow_for_alert
from console.alertmanager.merge import ConsoleAlert, merge_alerts
from console.sanitize import CleanWriter, clean_line, json_dumps


async def _console_alerts(config: Any, env: Any, window: float) -> tuple[list[ConsoleAlert], str | None]:
    from console.check import collect
    from console.metrics.thresholds import State

    second, _ = await collect(config, env, max(0.2, min(window, 60.0)))
    derived = second.derived
    if derived is None:
        return [], f"edge metrics: {second.metrics.error or second.metrics.state}"
    out = []
    for key, metric in derived.metrics.items():
        if metric.state in (State.WARNING, State.CRITICAL):
            out.append(
                ConsoleAlert(
                    key,
                    metric.state.name,
                    f"{metric.label} {metric.state.value}: {metric.value:g} {metric.unit}"
                    if metric.value is not None
                    else metric.label,
                    derived.at,
                )
            )
    return out, None


async def _am_alerts(config: Any, env: Any) -> tuple[list[Any], str | None]:
    if not getattr(env, "alertmanager_url", None):
        return [], None
    try:
        client = AlertmanagerClient.for_env(config, env)
    except AlertmanagerError as exc:
        return [], f"alertmanager: {exc}"
    try:
        return await client.alerts(), None
    except AlertmanagerError as exc:
        return [], f"alertmanager: {exc}"
    finally:
        await client.aclose()


async def gather(config: Any, env: Any, window: float) -> tuple[list[Any], list[str]]:
    (console_alerts, e1), (am, e2) = await asyncio.gather(_console_alerts(config, env, window), _am_alerts(config, env))
    return merge_alerts(console_alerts, am), [e for e in (e1, e2) if e]


def run(args: argparse.Namespace) -> int:
    from console.runbook.loader import load_for_config
    from console.session import open_session_from_args

    session = open_session_from_args(args)
    try:
        rows, problems = asyncio.run(gather(session.config, session.env, args.window))
        runbook = load_for_config(session.config)
    finally:
        session.close()
    report_rows = []
    for row in rows:
        item = row.as_json()
        response = flow_for_alert(row.alertmanager[0], runbook) if row.alertmanager else None
        if row.source in ("console", "both") and row.metric:
            flows = runbook.responses_for(row.metric)
            item["flow"] = flows[0].id if flows else (response.target if response else None)
        else:
            item["flow"] = response.target if response else None
        report_rows.append(item)
    firing = [r for r in report_rows if r["status"] == "firing"]
    code = 2 if problems else (1 if firing else 0)
    report = {
        "environment": session.env.name,
        "alertmanager_url": session.env.alertmanager_url,
        "alerts": report_rows,
        "problems": problems,
        "exit_code": code,
    }
    if args.json:
        print(json_dumps(report, allow_nan=False))
        return code
    out = CleanWriter(sys.stdout)
    if not report_rows:
        out.write("No alerts firing.\n")
    for item in report_rows:
        since = item["since"]
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since)) if since else "?"
        flow = f"  -> {item['flow']}" if item["flow"] else ""
        out.write(
            f"[{item['level'].upper()}] {item['status'].upper()} {item['source']}: "
            f"{clean_line(item['text'])} since {started}{flow}\n"
        )
    for problem in problems:
        out.write(f"problem: {problem}\n")
    return code
