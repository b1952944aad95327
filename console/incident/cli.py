"""``edge-console incident start|list|show|note|phase|close|report`` (headless; no TUI, no network)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.incident.model import DRILL_LABEL, IncidentInputError, format_duration
from console.incident.review import overdue_summary, review_checklist, review_required
from console.incident.store import IncidentNotFound
from console.sanitize import CleanWriter


def _manager(args: argparse.Namespace, drill: bool = False) -> Any:
    from console.incident.manager import IncidentManager

    manager = IncidentManager(drill=drill)
    _attach_integrations(manager, args)
    return manager


def _is_drill(args: argparse.Namespace) -> bool:
    """An incident started with no configuration (or on a configured simulated environment) is a drill:
    it is on the simulated edge."""
    from console.config import load_config, resolve_config_path

    path = resolve_config_path(getattr(args, "config", None))
    if path is None:
        return True
    return bool(load_config(path).environment(getattr(args, "env", None)).simulated)


def _attach_integrations(manager: Any, args: argparse.Namespace) -> None:
    """PagerDuty, Slack and Grafana hear about what this command writes (when configured)."""
    from console.config import load_config, resolve_config_path

    path = resolve_config_path(getattr(args, "config", None))
    if path is None:
        return
    config = load_config(path)
    from console.integrations.dispatch import attach

    failures: list[tuple[str, Any]] = []
    dispatcher = attach(
        manager,
        config,
        config.environment(getattr(args, "env", None)),
        lambda incident_id, outcome: failures.append((incident_id, outcome)),
    )
    if dispatcher is not None:
        args.integrations = (manager, dispatcher, failures)


def _finish_integrations(args: argparse.Namespace) -> None:
    """Wait (bounded) for the messages this command queued; failures go on the timeline and stderr."""
    attached = getattr(args, "integrations", None)
    if not attached:
        return
    manager, dispatcher, failures = attached
    if not dispatcher.flush():
        print("warning: integrations: some messages were still being sent when the command ended", file=sys.stderr)
    dispatcher.close()
    manager.listeners.remove(dispatcher.on_entry)
    for incident_id, outcome in failures:
        print(f"warning: {outcome.describe()}", file=sys.stderr)
        try:
            manager.record_notify(outcome, incident_id)
        except (IncidentInputError, IncidentNotFound, OSError) as exc:
            print(f"warning: could not record it on {incident_id}: {exc}", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"edge-console incident: {message}", file=sys.stderr)
    return 2


def _guard(fn: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        # titles, notes and timeline entries are outside text (and the records may have been written
        # by anything): everything printed goes through console.sanitize.clean
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = CleanWriter(stdout), CleanWriter(stderr)
        try:
            try:
                return fn(args)
            finally:
                _finish_integrations(args)
        except (IncidentInputError, IncidentNotFound) as exc:
            return _fail(str(exc))
        except BrokenPipeError:
            raise  # the reader went away (| head): console.cli.main exits quietly
        except OSError as exc:
            return _fail(f"{getattr(exc, 'filename', '') or 'state dir'}: {exc.strerror or exc}")
        finally:
            sys.stdout, sys.stderr = stdout, stderr

    run.__name__ = fn.__name__
    return run


def _warn(incident: Any) -> None:
    for warning in incident.warnings:
        print(f"warning: {warning}", file=sys.stderr)


@_guard
def cmd_start(args: argparse.Namespace) -> int:
    drill = _is_drill(args)
    incident = _manager(args, drill).start(args.severity, args.title, args.impact)
    if drill:
        print(
            f"{DRILL_LABEL}: no configuration (the simulated edge): {incident.id} is a drill, listed with "
            "`incident list --drills`",
            file=sys.stderr,
        )
    print(incident.id)
    return 0


@_guard
def cmd_list(args: argparse.Namespace) -> int:
    drills = bool(getattr(args, "drills", False))
    manager = _manager(args)
    now = manager.clock()
    incidents = sorted(manager.store.all(drills=drills), key=lambda i: i.id, reverse=True)
    if drills:
        print(f"{DRILL_LABEL}S (simulated edge; real incidents: `incident list`)")
    if not incidents:
        print("no drills" if drills else "no incidents")
        _drills_hint(manager, drills)
        return 0
    overdue_total = 0
    for inc in incidents:
        status = "open" if inc.is_open else "closed"
        print(
            f"{inc.id}  {inc.severity}  {status:<6}  {inc.phase:<21}  {format_duration(inc.elapsed(now)):>8}  "
            f"{'[DRILL] ' if inc.is_drill else ''}{inc.title}"
        )
        for line in overdue_summary(inc, now):
            overdue_total += 1
            print(f"    OVERDUE: {line}")
        if not inc.is_open and review_required(inc):
            pending = [i for i in review_checklist(inc) if i.done_at is None and not i.overdue(now)]
            for item in pending:
                print(f"    due {item.due.strftime('%Y-%m-%d %H:%M')} UTC: {item.text}")
        _warn(inc)
    if overdue_total:
        print(f"{overdue_total} overdue item(s)")
    _drills_hint(manager, drills)
    return 0


def _drills_hint(manager: Any, drills: bool) -> None:
    if not drills:
        hidden = len(manager.store.ids(drills=True))
        if hidden:
            print(f"({hidden} drill(s) not shown: `incident list --drills`)")


@_guard
def cmd_show(args: argparse.Namespace) -> int:
    manager = _manager(args)
    inc = manager.get(args.id)
    now = manager.clock()
    sev = inc.severity_info
    print(f"{inc.id}  {'[' + DRILL_LABEL + '] ' if inc.is_drill else ''}{inc.title}")
    print(f"severity: {sev.label} (respond within {sev.response_text})")
    print(
        f"phase: {inc.phase}   status: {'open' if inc.is_open else 'closed'}   "
        f"elapsed: {format_duration(inc.elapsed(now))}"
    )
    clock, delta = inc.response_clock(now)
    print(f"response clock: {clock} {format_duration(delta)}")
    if inc.impact:
        print(f"impact: {inc.impact}")
    print(f"timeline (UTC, {DRILL_LABEL}):" if inc.is_drill else "timeline (UTC):")
    for e in inc.entries:
        print(f"  #{e.seq:<3} {e.ts.strftime('%Y-%m-%d %H:%M:%S')}  {e.kind:<10} {e.text}  [{e.by}]")
    if not inc.is_open and review_required(inc):
        print("post-incident review:")
        for item in review_checklist(inc):
            mark = "x" if item.done_at else " "
            late = "  OVERDUE" if item.overdue(now) else ""
            print(f"  [{mark}] {item.text} (due {item.due.strftime('%Y-%m-%d %H:%M')} UTC){late}")
    for line in overdue_summary(inc, now):
        print(f"OVERDUE: {line}")
    _warn(inc)
    return 0


@_guard
def cmd_note(args: argparse.Namespace) -> int:
    entry = _manager(args).note(" ".join(args.text), args.id)
    print(f"{args.id} #{entry.seq}")
    return 0


@_guard
def cmd_phase(args: argparse.Namespace) -> int:
    entry = _manager(args).mark_phase(args.phase, args.id)
    print(f"{args.id} #{entry.seq} {entry.text}")
    return 0


@_guard
def cmd_close(args: argparse.Namespace) -> int:
    manager = _manager(args)
    inc = manager.close(args.root_cause, args.resolution, args.action_item, args.id)
    print(f"{inc.id} closed after {format_duration(inc.elapsed(manager.clock()))}")
    if review_required(inc):
        for item in review_checklist(inc):
            mark = "x" if item.done_at else " "
            print(f"  [{mark}] {item.text} (due {item.due.strftime('%Y-%m-%d %H:%M')} UTC)")
    return 0


@_guard
def cmd_report(args: argparse.Namespace) -> int:
    manager = _manager(args)
    incident = manager.get(args.id)
    if incident.is_open:  # as in the TUI: a draft, and the review item "report" stays open
        print(f"note: {incident.id} is open: this report is a draft (close it for the final report)", file=sys.stderr)
    if args.out == "-":
        from console.incident.report import render_report

        sys.stdout.write(render_report(incident, manager.links_for(incident)))
        return 0
    path, _ = manager.write_report(args.id, Path(args.out) if args.out else None)
    print(path)
    return 0
