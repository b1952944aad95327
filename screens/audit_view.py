"""The audit trail view: every runbook step that ran (newest first), read from
``state_dir()/audit.jsonl`` (``console.runbook.audit``) in a thread worker when the screen is shown,
on ``r``, and whenever a flow appends a record (an ``AuditRecorded`` event on ``app.events``)."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from console.app.events import AuditRecorded
from console.runbook.audit import AuditLog, environment_label, what_ran
from console.sanitize import clean
from screens.base import EdgeScreen
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.keybindings import bindings

MAX_RECORDS = 2000
STATUS_STYLES = {
    "passed": "green",
    "done": "green",
    "failed": "bold red",
    "timeout": "bold red",
    "refused": "bold red",
    "cancelled": "yellow",
    "skipped": "dim",
    "pending": "dim",
    "unknown": "bold red",
    "running": "yellow",
}


def record_time(record: dict[str, Any]) -> str:
    ts = record.get("ts")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        try:
            return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%m-%d %H:%M:%S")
        except (OverflowError, ValueError, OSError):
            pass  # not a time a calendar can show: the record's own text below
    return str(record.get("start") or record.get("time") or "")[:19]


def record_what(record: dict[str, Any]) -> str:
    what = what_ran(record)
    if what:
        return what
    if record.get("event") == "flow_end":
        ran, not_run = record.get("ran"), record.get("not_run")
        return (
            f"flow {record.get('status', '')}: ran {len(ran) if isinstance(ran, list) else 0}, "
            f"not run {len(not_run) if isinstance(not_run, list) else 0}"
        )
    return str(record.get("message") or "")


def record_code(record: dict[str, Any]) -> str:
    if record.get("exit_code") is not None:
        return f"exit {record['exit_code']}"
    if record.get("http_status") is not None:
        return f"HTTP {record['http_status']}"
    return ""


def shown(value: Any) -> Any:
    """A record with every string shown escaped (the trail holds outside text; the file may have
    been written by anything)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


def record_row(record: dict[str, Any]) -> tuple[Any, ...]:
    record = shown(record)
    status = str(record.get("status") or "")
    step = record.get("step") or ("(end)" if record.get("event") == "flow_end" else "")
    return (
        Text(record_time(record)),
        Text(environment_label(record)),
        Text(f"{record.get('flow', '')}/{step}"),
        Text(status, style=STATUS_STYLES.get(status, "")),
        Text(record_code(record)),
        Text(record_what(record)),
    )


def record_detail(record: dict[str, Any]) -> Text:
    record = shown(record)
    text = Text()
    text.append(f"{record.get('flow', '')} / {record.get('step_title') or record.get('step') or 'end'}", style="bold")
    text.append(f"  {record.get('user', '')} on {environment_label(record)}", style="dim")
    if record.get("start"):
        text.append(f"  {record.get('start')} → {record.get('end') or ''}", style="dim")
    text.append("\n")
    if record.get("message"):
        text.append(str(record["message"]) + "\n")
    if isinstance(record.get("inputs"), dict) and record["inputs"]:
        text.append("inputs: " + ", ".join(f"{k}={v}" for k, v in record["inputs"].items()) + "\n", style="dim")
    what = record_what(record)
    if what:
        text.append(what + "\n")
    envelope = record.get("envelope")
    if isinstance(envelope, dict):
        text.append(
            f"Cloudflare v4: success={str(bool(envelope.get('success'))).lower()} "
            f"errors={envelope.get('errors') or []}\n"
        )
    output = str(record.get("output") or "").strip()
    if output:
        text.append(output.splitlines()[0][:200], style="dim")
    return text


class AuditScreen(EdgeScreen):
    BINDINGS = bindings("audit")

    def __init__(self, audit: AuditLog | None = None) -> None:
        super().__init__()
        self.audit = audit if audit is not None else AuditLog()
        self.records: list[dict[str, Any]] = []
        self.loads = 0
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static("", id="audit-head", markup=False)
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="audit-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time (UTC)", "env", "flow/step", "status", "code", "what ran")
        self._unsubscribe = self.app.events.subscribe(AuditRecorded, self._on_record)  # type: ignore[attr-defined]
        self.reload()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.reload()

    def _on_record(self, event: AuditRecorded) -> None:
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="audit-read", exit_on_error=False)
    def reload(self) -> None:
        from console.runbook.unfinished import listing_record, scan

        try:
            found = scan(self.audit)  # a started step without its finished record shows as unknown
            shown = (listing_record(r, found) for r in self.audit.read())
            records = list(deque((r for r in shown if r is not None), maxlen=MAX_RECORDS))
            error = ""
        except OSError as exc:
            records, error = [], f"cannot read {self.audit.path}: {exc}"
        records.reverse()  # newest first
        self.app.call_from_thread(self.show_records, records, error)

    def show_records(self, records: list[dict[str, Any]], error: str = "") -> None:
        self.records = records
        self.loads += 1
        head = self.query_one("#audit-head", Static)
        if error:
            head.update(Text(f"✗ {error}", style="bold red"))
        else:
            head.update(Text(f"{len(records)} records, newest first · {self.audit.path}", style="dim"))
        table = self.query_one(DataTable)
        table.clear()
        for record in records:
            table.add_row(*record_row(record))
        self.show_detail(0)

    def show_detail(self, row: int) -> None:
        detail = self.query_one("#audit-detail", Static)
        if 0 <= row < len(self.records):
            detail.update(record_detail(self.records[row]))
        else:
            detail.update(Text("No runbook step has run yet.", style="dim"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail(event.cursor_row)

    def table_text(self) -> str:
        return "\n".join(" | ".join(c.plain for c in record_row(r)) for r in self.records)
