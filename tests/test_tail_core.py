"""Tail core: incremental parsing of wrangler's pretty-printed stream, the event model, filter
expressions (each kind and negation), pause/resume counts, breakdown counts, save contents, config."""

from __future__ import annotations

import json

import pytest

from console.config import ConfigError, parse_config
from console.tail.breakdown import cpu_distribution, outcome_counts, top_errors
from console.tail.filters import Filter, FilterError
from console.tail.format import detail_pieces, plain_line
from console.tail.model import TailEvent
from console.tail.parser import StreamParser
from console.tail.save import save_events
from console.tail.settings import ServerFilters, tail_settings
from console.tail.store import TailStore

T0 = 1_764_000_000_000


def request_event(
    i: int = 0,
    *,
    outcome: str = "ok",
    method: str = "GET",
    path: str = "/api/v1/session",
    colo: str = "FRA",
    status: int = 200,
    cpu: float = 2.0,
    logs=None,
    exceptions=None,
    ip: str = "81.2.3.4",
    extra: dict | None = None,
) -> dict:
    event = {
        "outcome": outcome,
        "scriptName": "vau-processor-production",
        "diagnosticsChannelEvents": [],
        "exceptions": exceptions or [],
        "logs": logs or [],
        "eventTimestamp": T0 + i * 1000,
        "event": {
            "request": {
                "url": f"https://api.twist.io{path}",
                "method": method,
                "headers": {"cf-connecting-ip": ip, "user-agent": "okhttp/4.12.0"},
                "cf": {"colo": colo, "country": "DE"},
            },
            "response": {"status": status},
        },
        "wallTime": cpu * 3,
        "cpuTime": cpu,
        "truncated": False,
    }
    event.update(extra or {})
    return event


def log(level: str, *message, ts: int = T0) -> dict:
    return {"message": list(message), "level": level, "timestamp": ts}


def exc(name: str, message: str) -> dict:
    return {
        "name": name,
        "message": message,
        "stack": f"{name}: {message}\n    at handle (worker.js:10:5)",
        "timestamp": T0,
    }


RECORDED = [
    request_event(0, logs=[log("log", "GET /api/v1/session", {"colo": "FRA"})]),
    request_event(
        1,
        outcome="exception",
        method="POST",
        path="/api/v1/vau/process",
        status=500,
        cpu=31.5,
        exceptions=[exc("TypeError", "Cannot read properties of undefined (reading 'salt')")],
        logs=[log("error", "unhandled exception in vau handler")],
    ),
    request_event(
        2,
        method="POST",
        path="/api/v1/vau/verify",
        colo="AMS",
        status=502,
        cpu=4.0,
        logs=[log("error", "upstream fetch failed: 502"), log("warn", "retrying")],
    ),
    request_event(3, outcome="exceededCpu", path="/api/v1/vau/process", colo="LHR", status=503, cpu=61.0),
    request_event(
        4, path="/health", colo="IAD", cpu=0.4, logs=[log("debug", "cache", {"hit": True})], ip="203.0.113.7"
    ),
    {
        "outcome": "ok",
        "scriptName": "vau-processor-production",
        "exceptions": [],
        "eventTimestamp": T0 + 5000,
        "logs": [log("info", "salt rotation check: current epoch 2025-W48")],
        "event": {"cron": "*/5 * * * *", "scheduledTime": T0 + 5000},
        "cpuTime": 1.2,
        "wallTime": 10.0,
    },
    request_event(6, outcome="someFutureOutcome", cpu=3.0, extra={"newField": {"kept": True}}),
]


def pretty_stream(events: list[dict]) -> bytes:
    parts = [
        " ⛅️ wrangler 4.42.0\n",
        "Successfully created tail, expires at 2026-11-28T18:00:00Z\n",
        "Connected to vau-processor-production, waiting for logs...\n",
    ]
    for i, event in enumerate(events):
        parts.append(json.dumps(event, indent=4, ensure_ascii=False) + "\n")
        if i == 2:
            parts.append("▲ [WARNING] something non-JSON in between\n")
    return "".join(parts).encode("utf-8")


def parse_all(data: bytes, step: int) -> tuple[list[dict], StreamParser]:
    parser = StreamParser()
    out: list[dict] = []
    for i in range(0, len(data), step):
        out += parser.feed(data[i : i + step]).events
    out += parser.close().events
    return out, parser


@pytest.mark.parametrize("step", [1, 7, 64, 4096, 1 << 20])
def test_parser_any_split_gives_same_events(step):
    events, parser = parse_all(pretty_stream(RECORDED), step)
    assert events == RECORDED
    assert parser.broken == 0
    assert parser.noise_lines == 4  # three banner lines and the warning


def test_parser_broken_object_counted_and_stream_continues():
    good = json.dumps(RECORDED[0], indent=4)
    data = ('{\n    "outcome": "ok",\n    "logs": [\n' + good + "\n" + "}\n" + good + "\n").encode()
    events, parser = parse_all(data, 5)
    assert events == [RECORDED[0], RECORDED[0]]
    assert parser.broken == 1


def test_parser_invalid_utf8_garbage_and_compact_objects():
    data = (
        b"\xff\xfe garbage \x80\n"
        + json.dumps(RECORDED[1], indent=4).encode()
        + b"\n"
        + b"\xc3"
        + json.dumps(RECORDED[2], indent=4).encode()
        + b"\n"
        + json.dumps(RECORDED[3]).encode()
        + b"\n"
        + b"{not json at all}\n"
        + json.dumps(RECORDED[4], indent=4).encode().replace(b"okhttp", b"ok\xffhttp")
        + b"\n"
    )
    events, parser = parse_all(data, 3)
    assert [e["outcome"] for e in events] == ["exception", "ok", "exceededCpu", "ok"]
    assert events[3]["event"]["request"]["headers"]["user-agent"] == "ok\ufffdhttp/4.12.0"
    assert parser.broken == 1
    assert parser.noise_lines >= 1


def test_parser_very_long_event_and_oversize_limit():
    big = request_event(0, logs=[log("log", "x" * 300_000)])
    events, parser = parse_all(json.dumps(big, indent=4).encode() + b"\n", 65536)
    assert events == [big]
    small = StreamParser(max_event_chars=10_000)
    out = small.feed(json.dumps(big, indent=4).encode() + b"\n" + json.dumps(RECORDED[0], indent=4).encode() + b"\n")
    out2 = small.close()
    assert small.oversized == 1 and small.broken == 1
    assert (out.events + out2.events) == [RECORDED[0]]


def test_stream_truncated_at_end_counts_broken():
    data = json.dumps(RECORDED[0], indent=4).encode() + b"\n" + json.dumps(RECORDED[1], indent=4).encode()[:100]
    events, parser = parse_all(data, 50)
    assert events == [RECORDED[0]]
    assert parser.broken == 1


def test_event_model_fields_and_unknown_kept():
    events = [TailEvent(raw) for raw in RECORDED]
    first, exc_event, err_log, cpu_event, health, cron, future = events
    assert (first.outcome, first.method, first.path, first.colo, first.status, first.cpu) == (
        "ok",
        "GET",
        "/api/v1/session",
        "FRA",
        200,
        2.0,
    )
    assert first.severity == 0 and first.headline == ""
    assert exc_event.headline == "TypeError: Cannot read properties of undefined (reading 'salt')"
    assert exc_event.severity == 3 and exc_event.n_exceptions == 1
    assert err_log.headline == "upstream fetch failed: 502" and err_log.has_level("warn")
    assert cpu_event.outcome == "exceededCpu" and cpu_event.severity == 3
    assert health.ip == "203.0.113.7" and health.has_level("debug")
    assert cron.kind == "cron" and cron.method == ""
    assert future.outcome == "someFutureOutcome" and future.raw["newField"] == {"kept": True}
    line = plain_line(exc_event)
    for part in ("EXCEPTION", "POST", "/api/v1/vau/process", "FRA", "500", "31.5ms", "TypeError: Cannot read"):
        assert part in line
    assert "✖" in line
    detail = "".join(t for t, _ in detail_pieces(exc_event))
    assert "at handle (worker.js:10:5)" in detail and "cf-connecting-ip: 81.2.3.4" in detail
    assert "colo: FRA" in detail and "unhandled exception in vau handler" in detail
    assert "newField" in "".join(t for t, _ in detail_pieces(future))


def test_runbook_outcome_object_shape_is_accepted():
    # The runbook's jq reads `.outcome.cpuTime`; accept that shape as well as the real one.
    event = TailEvent({"outcome": {"outcome": "ok", "cpuTime": 30.0}, "eventTimestamp": T0})
    assert event.outcome == "ok" and event.cpu == 30.0


def matching(expr: str) -> list[int]:
    flt = Filter(expr)
    return [i for i, raw in enumerate(RECORDED) if flt(TailEvent(raw))]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("", [0, 1, 2, 3, 4, 5, 6]),
        ("salt", [1, 5]),
        ('"salt rotation"', [5]),
        ("!salt", [0, 2, 3, 4, 6]),
        ("level:error", [1, 2]),
        ("level:warn,debug", [2, 4]),
        ("!level:error", [0, 3, 4, 5, 6]),
        ("outcome:exception", [1]),
        ("outcome:exceededCpu,exceededMemory", [3]),
        ("!outcome:ok", [1, 3, 6]),
        ("exceptions", [1]),
        ("!exc", [0, 2, 3, 4, 5, 6]),
        ("errors", [1, 2, 3, 6]),  # an unknown non-ok outcome counts as an error
        ("cpu>25", [1, 3]),
        ("cpu<=1.2", [4, 5]),
        ("wall>100", [3]),
        ("method:POST", [1, 2]),
        ("method:post !status:5xx", []),
        ("colo:ams,lhr", [2, 3]),
        ("country:DE", [0, 1, 2, 3, 4, 6]),
        ("status:5xx", [1, 2, 3]),
        ("status:502,503", [2, 3]),
        ("status>=500", [1, 2, 3]),
        ("status=200", [0, 4, 6]),
        ("ip:203.0.113.7", [4]),
        ("path:/api/v1/vau", [1, 2, 3]),
        ("kind:cron", [5]),
        ("method:POST cpu>25", [1]),
        ("POST !exceptions", [2]),
    ],
)
def test_filters(expr, expected):
    assert matching(expr) == expected


@pytest.mark.parametrize(
    "expr, column, needle",
    [
        ("cpu>abc", 1, "cpu needs a number"),
        ("method:POST level:fatal", 13, "unknown level 'fatal'"),
        ("colour:red", 1, "unknown field"),
        ("status:5x1", 1, "expected a code or class"),
        ('"unclosed', 1, "unclosed quote"),
        ("ok !", 4, "'!' must be followed"),
        ("level:", 1, "needs a value"),
    ],
)
def test_filter_errors_say_where_and_what(expr, column, needle):
    with pytest.raises(FilterError) as info:
        Filter(expr)
    assert info.value.column == column
    assert needle in str(info.value)
    assert f"column {column}" in str(info.value)


def test_store_bounded_filter_and_pause_counts():
    store = TailStore(capacity=100)
    store.add(TailEvent(request_event(i, status=500 if i % 10 == 0 else 200)) for i in range(250))
    assert len(store.events) == 100 and len(store.view) == 100 and store.received == 250
    store.set_filter(Filter("status:5xx"))
    assert len(store.view) == 10
    store.pause()
    added = store.add([TailEvent(request_event(300, status=500)), TailEvent(request_event(301))])
    assert added == 0 and store.paused_new == 2 and len(store.view) == 10
    store.resume()
    assert store.paused_new == 0
    # resuming appends what arrived (filtered) without refiltering the buffer
    assert len(store.view) == 11
    assert store.view[-1].raw["eventTimestamp"] == T0 + 300 * 1000
    store.set_filter(Filter(""))
    assert len(store.view) == 100


def test_breakdown_ranks_error_messages_and_cpu_distribution():
    raws = []
    for i in range(30):
        if i % 3 == 0:
            raws.append(
                request_event(
                    i,
                    outcome="exception",
                    cpu=40.0,
                    exceptions=[exc("TypeError", "salt missing")],
                    logs=[log("error", "unhandled exception")],
                )
            )
        elif i % 5 == 0:
            raws.append(request_event(i, status=502, cpu=8.0, logs=[log("error", "upstream fetch failed")]))
        else:
            raws.append(request_event(i, cpu=float(i % 4) + 0.5))
    events = [TailEvent(r) for r in raws]
    rows = top_errors(events)
    assert [(r.message, r.count, r.source) for r in rows] == [
        ("TypeError: salt missing", 10, "exception"),  # tie with the log line: same last time, by text
        ("unhandled exception", 10, "log"),
        ("upstream fetch failed", 4, "log"),
    ]
    window = top_errors(events, since_ms=T0 + 20_000)
    assert {r.message: r.count for r in window} == {
        "TypeError: salt missing": 3,
        "unhandled exception": 3,
        "upstream fetch failed": 2,
    }
    cpu = cpu_distribution(events)
    assert cpu.count == 30 and cpu.over_25 == 10 and cpu.over_50 == 0 and cpu.max == 40.0
    assert sum(c for _, c in cpu.buckets) == 30
    assert dict(cpu.buckets)[50.0] == 10
    assert outcome_counts(events)[0] == ("ok", 20)


def test_save_writes_json_lines_with_all_fields(tmp_path):
    events = [TailEvent(r) for r in RECORDED]
    path, count = save_events(events, tmp_path / "evidence" / "tail.jsonl")
    assert count == len(RECORDED)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == RECORDED
    with pytest.raises(FileExistsError):
        save_events(events, path)


def test_tail_config_section_validated_with_line_numbers():
    good = parse_config(
        "environments:\n  p:\n    base_url: http://127.0.0.1:1\ntail:\n  buffer: 500\n"
        "  filter: '!healthz'\n  server:\n    status: [error]\n    sampling_rate: 0.5\n"
    )
    settings = tail_settings(good)
    assert settings.buffer == 500 and settings.filter == "!healthz"
    assert settings.server.args() == ["--status", "error", "--sampling-rate", "0.5"]
    # the section is declared with the config (console/schema/config_model.py): a bad value fails the load
    with pytest.raises(ConfigError) as info:
        parse_config("environments:\n  p:\n    base_url: http://127.0.0.1:1\ntail:\n  buffer: 5\n")
    assert ":5: tail.buffer: must be between 100" in str(info.value)
    with pytest.raises(ConfigError) as info:
        parse_config("environments:\n  p:\n    base_url: http://127.0.0.1:1\ntail:\n  filter: 'cpu>x'\n")
    assert ":5: tail.filter:" in str(info.value) and "cpu needs a number" in str(info.value)
    with pytest.raises(ConfigError) as info:
        parse_config("environments:\n  p:\n    base_url: http://127.0.0.1:1\ntail:\n  server:\n    status: [fatal]\n")
    assert ":6: tail.server.status:" in str(info.value)


def test_server_filters_parse_and_args():
    filters = ServerFilters.parse('status:error,canceled method:post search:"salt rotation" ip:1.2.3.4 sampling:0.25')
    assert filters.args() == [
        "--status",
        "error",
        "--status",
        "canceled",
        "--method",
        "POST",
        "--search=salt rotation",
        "--ip",
        "1.2.3.4",
        "--sampling-rate",
        "0.25",
    ]
    assert ServerFilters.parse(filters.describe()).args() == filters.args()
    assert ServerFilters.parse("").args() == []
    for bad, needle in (
        ("status:fatal", "wrangler accepts"),
        ("sampling:2", "between 0 and 1"),
        ("colour:red", "unknown name"),
        ("method", "expected name:value"),
    ):
        with pytest.raises(ValueError, match=needle):
            ServerFilters.parse(bad)
