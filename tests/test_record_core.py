"""The recording core: encoding round trip, the masked writer, the hostile-input reader, the timeline."""

from __future__ import annotations

import gzip
import json
import os
from datetime import datetime, timezone

import pytest

from console.config import ConfigError, simulated_config
from console.metrics.model import Derived, Health, MetricValue, QueueInfo, SecurityRule, SourceStatus
from console.metrics.thresholds import State
from console.record.encode import poll_from_json, poll_to_json
from console.record.reader import MAX_LINE_BYTES, RecordingError, read_recording
from console.record.settings import record_settings
from console.record.timeline import ReplayTimeline, parse_from
from console.record.writer import Recorder, masker
from console.sources.poller import PollResult

T0 = 1_800_000_000.0


def poll(at: float, rate: float = 25_000.0, state: State = State.CRITICAL) -> PollResult:
    metrics = {"request_rate": MetricValue("request_rate", "Request rate", "req/s", rate, state, as_of=at - 0.5)}
    derived = Derived(
        at=at - 0.5,
        window_s=2.0,
        metrics=metrics,
        queues=[QueueInfo("vau-batch", 12.0, State.NORMAL, trend_per_s=-1.0, drain_eta_s=12.0)],
        security=[SecurityRule("waf-sqli", 100.0, 5.0, spike=True, baseline_per_s=1.0)],
        security_per_s=5.0,
        security_total=100.0,
    )
    return PollResult(
        derived=derived,
        metrics=SourceStatus("metrics", "live", last_ok=at - 0.5),
        health=Health(True, "degraded", {"waf": "degraded"}, version="1.2"),
        health_source=SourceStatus("health", "live", last_ok=at - 0.2),
        at=at,
        environment="production",
    )


def write_lines(path, lines: list[str]) -> None:
    path.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode()))
    os.chmod(path, 0o600)


def header() -> str:
    return json.dumps({"k": "header", "t": T0, "version": 1, "codec": "gzip"})


def test_poll_round_trip_keeps_values_and_moves_times_with_the_record():
    original = poll(T0)
    obj = json.loads(json.dumps(poll_to_json(original, t=T0 + 100)))
    back = poll_from_json(obj)
    assert back.at == T0 + 100
    assert back.derived.metrics["request_rate"].value == 25_000.0
    assert back.derived.metrics["request_rate"].state is State.CRITICAL
    assert back.derived.at == pytest.approx(T0 + 99.5)  # relative times follow the record's time
    assert back.metrics.last_ok == pytest.approx(T0 + 99.5)
    assert back.health == original.health
    assert back.derived.queues == original.derived.queues
    assert back.derived.security == original.derived.security


def test_nan_values_are_recorded_as_null():
    bad = poll(T0, rate=float("nan"), state=State.UNKNOWN)
    text = json.dumps(poll_to_json(bad), allow_nan=False)  # would raise on NaN
    assert poll_from_json(json.loads(text)).derived.metrics["request_rate"].value is None


def test_recorder_masks_secrets_raw_and_json_escaped(tmp_path):
    secret = 'tok"en\\with-quotes-123'
    path = tmp_path / "r.jsonl.gz"
    recorder = Recorder(path, secrets=[secret, "abc"], header={"environment": "x"})
    recorder.write({"k": "flow", "t": T0, "record": {"output": f"token={secret}"}})
    recorder.close()
    text = gzip.decompress(path.read_bytes()).decode()
    assert secret not in text and json.dumps(secret)[1:-1] not in text and "token=****" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(FileExistsError):
        Recorder(path)  # never overwrites
    assert masker(["abcd"])("xabcdx") == "x****x"


def test_recorder_refuses_a_symlink(tmp_path):
    target = tmp_path / "victim"
    target.write_text("keep")
    link = tmp_path / "r.jsonl.gz"
    link.symlink_to(target)
    with pytest.raises(OSError):
        Recorder(link)
    assert target.read_text() == "keep"


def test_damaged_lines_are_reported_with_file_and_line_and_skipped(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    good = json.dumps(poll_to_json(poll(T0 + 2)))
    deep = "[" * 100 + "]" * 100
    write_lines(
        path,
        [
            header(),
            good,
            "{not json",
            json.dumps({"k": "poll", "t": T0 + 4, "derived": {"x": 1}}),
            json.dumps({"k": "bogus", "t": T0}),
            deep,
            "x" * (MAX_LINE_BYTES + 10),
            json.dumps({"k": "tail", "t": T0 + 5, "text": "{}"}),
            json.dumps({"k": "alerts", "t": T0 + 6, "alerts": [{"text": "x", "level": "purple"}]}),
        ],
    )
    rec = read_recording(path)
    assert [r["k"] for r in rec.records] == ["poll", "tail"]
    assert rec.damaged == 6
    assert rec.problems[0].startswith(f"{path}:3: not a JSON record")
    assert rec.problems[1].startswith(f"{path}:4: derived.metrics: expected an object") or rec.problems[1].startswith(
        f"{path}:4: derived"
    )
    assert rec.problems[2] == f"{path}:5: unknown record kind 'bogus'"
    assert rec.problems[3].startswith(f"{path}:6: not a JSON record: nested deeper")
    assert rec.problems[4] == f"{path}:7: line longer than {MAX_LINE_BYTES} bytes: skipped"
    assert rec.problems[5] == f"{path}:9: alerts[0].level: unknown state 'purple'"


def test_cut_off_recording_keeps_what_was_read(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    recorder = Recorder(path)
    for i in range(200):
        recorder.write(poll_to_json(poll(T0 + 2 * i)))
    recorder.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    rec = read_recording(path)
    assert rec.truncated and any("unfinished" in p for p in rec.problems)
    assert rec.damaged == 0  # the line the cut went through is not blamed on the recording's content
    assert 0 < len(rec.records) < 201


def test_not_a_recording_is_refused(tmp_path):
    path = tmp_path / "plain.jsonl"
    path.write_text(header() + "\n")
    with pytest.raises(RecordingError, match="not a recording"):
        read_recording(path)
    no_header = tmp_path / "nohead.jsonl.gz"
    write_lines(no_header, [json.dumps(poll_to_json(poll(T0)))])
    with pytest.raises(RecordingError, match=":1: no recording header"):
        read_recording(no_header)


def records(n: int = 31) -> list[dict]:
    out = []
    for i in range(n):
        out.append({"k": "poll", "t": T0 + 2 * i, "_poll": poll(T0 + 2 * i)})
        out.append({"k": "tail", "t": T0 + 2 * i + 1, "text": "{}"})
    out.append({"k": "alerts", "t": T0 + 10, "alerts": [{"key": "request_rate", "level": "critical"}]})
    out.append({"k": "flow", "t": T0 + 40, "record": {}})
    return sorted(out, key=lambda r: r["t"])


def test_timeline_advances_on_virtual_time_with_pause_and_speed():
    timeline = ReplayTimeline(records(), speed=60)
    assert timeline.now == T0
    due = timeline.advance(0.1)  # 6 recorded seconds
    assert [r["t"] - T0 for r in due] == [0, 1, 2, 3, 4, 5, 6]
    timeline.toggle_pause()
    assert timeline.advance(10) == []
    timeline.toggle_pause()
    assert timeline.faster() == 120 and timeline.slower() == 60
    timeline.advance(1000)
    assert timeline.finished and timeline.now == timeline.end


def test_timeline_seek_and_next_mark():
    timeline = ReplayTimeline(records())
    assert timeline.next_mark() == T0 + 10
    state = timeline.seek(T0 + 10)
    assert state.polls[-1].at == T0 + 10 and len(state.polls) == 6 and len(state.tail) == 5
    assert timeline.next_mark() == T0 + 40
    assert timeline.advance_to(T0 + 11)[0]["t"] == T0 + 11  # records at the seek point came with the state
    timeline.seek(T0 - 100)
    assert timeline.now == T0


def test_parse_from():
    assert parse_from("90", T0, T0 + 600) == T0 + 90
    assert parse_from("5m", T0, T0 + 600) == T0 + 300
    assert parse_from("+1h", T0, T0 + 600) == T0 + 3600
    day = parse_from("00:00:00", T0, T0)
    assert parse_from("12:03:30", T0, T0) == day + 12 * 3600 + 3 * 60 + 30
    assert parse_from("2027-01-15T08:00:00Z", T0, T0) == datetime(2027, 1, 15, 8, tzinfo=timezone.utc).timestamp()
    assert parse_from("2027-01-15T08:00:00", T0, T0) == datetime(2027, 1, 15, 8, tzinfo=timezone.utc).timestamp()
    with pytest.raises(ValueError, match="--from"):
        parse_from("yesterday", T0, T0)


def test_record_settings():
    cfg = simulated_config("http://127.0.0.1:1")
    assert record_settings(cfg).auto_on_incident is True
    cfg.raw["record"] = {"auto_on_incident": False}
    assert record_settings(cfg).auto_on_incident is False
    cfg.raw["record"] = {"auto_on_incident": "yes"}
    with pytest.raises(ConfigError, match="auto_on_incident"):
        record_settings(cfg)
    cfg.raw["record"] = {"auto": True}
    with pytest.raises(ConfigError, match="unknown key"):
        record_settings(cfg)


def test_follower_reads_new_complete_lines_and_skips_damaged_ones(tmp_path):
    from console.record.follow import AppendFollower, StateFollower

    audit = tmp_path / "audit.jsonl"
    audit.write_text('{"old": 1}\n')
    os.chmod(audit, 0o600)
    follower = StateFollower(tmp_path)
    with audit.open("a") as handle:
        handle.write('{"flow": "a"}\nnot json\n[1]\n{"flow": "b"}\n{"flow": "partial"')
    steps, entries = follower.read()
    assert steps == [{"flow": "a"}, {"flow": "b"}] and entries == []
    assert follower.audit.skipped == 2
    with audit.open("a") as handle:
        handle.write("}\n")
    assert follower.read()[0] == [{"flow": "partial"}]
    (tmp_path / "incidents" / "drills").mkdir(parents=True)
    (tmp_path / "incidents" / "drills" / "DRILL-1.jsonl").write_text('{"kind": "start"}\n')
    assert follower.read()[1] == [("DRILL-1", {"kind": "start"})]
    assert AppendFollower(tmp_path / "missing.jsonl").read() == []


HOSTILE = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202egnp.exe\u2066x\r\n"


def test_a_hostile_recording_decodes_to_text_without_controls():
    """A recording is a file from outside (replayed from someone else's machine): every string it brings to the
    screen is cleaned where it is decoded, as the live sources clean theirs, and its health components are
    capped as a live /health answer's are."""
    from console.limits import MAX_HEALTH_COMPONENTS
    from console.sanitize import is_clean

    obj = json.loads(json.dumps(poll_to_json(poll(T0), t=T0)))
    obj["env"] = HOSTILE
    obj["warnings"] = [HOSTILE]
    obj["metrics"]["error"] = HOSTILE
    obj["health"]["status"] = HOSTILE
    obj["health"]["version"] = HOSTILE
    obj["health"]["components"] = {f"{HOSTILE}{i}": HOSTILE for i in range(MAX_HEALTH_COMPONENTS * 3)}
    obj["derived"]["metrics"]["request_rate"]["label"] = HOSTILE
    obj["derived"]["queues"][0]["name"] = HOSTILE
    obj["derived"]["security"][0]["rule"] = HOSTILE
    obj["derived"]["warnings"] = [HOSTILE]
    back = poll_from_json(obj)
    health = back.health
    texts = [back.environment, *back.warnings, back.metrics.error, health.status, health.version]
    texts += [*health.components, *health.components.values()]
    texts += [back.derived.metrics["request_rate"].label, back.derived.queues[0].name, back.derived.security[0].rule]
    texts += back.derived.warnings
    assert all(is_clean(t) and "\n" not in t and "\x1b" not in t for t in texts), texts
    assert "gnp.exe" in health.status  # shown, escaped
    assert len(health.components) <= MAX_HEALTH_COMPONENTS + 1  # the first ones and one line for the rest
