"""The alert engine, fed hand-built metric values (pure, no I/O)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from console.config import parse_config
from console.incident.alerts import HEALTH_KEY, AlertEngine, AlertSettings, suggest_severity
from console.metrics.model import Health, MetricValue, SourceStatus
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, evaluate


def mv(key: str, value: float | None) -> MetricValue:
    return MetricValue(key, key, "ms", value, evaluate(value, DEFAULT_THRESHOLDS[key]))


def result(
    metrics: dict[str, float | None] | None = None,
    *,
    healthy: bool | None = True,
    metrics_state: str = "live",
    health_state: str = "live",
) -> SimpleNamespace:
    health = None if healthy is None else Health(healthy=healthy, status="healthy" if healthy else "down")
    return SimpleNamespace(
        derived=SimpleNamespace(metrics={k: mv(k, v) for k, v in (metrics or {}).items()}),
        health=health,
        metrics=SourceStatus("metrics", metrics_state, error="HTTP 500" if metrics_state == "down" else None),
        health_source=SourceStatus("health", health_state),
    )


def feed(engine: AlertEngine, values: list[float | None], key: str = "p95_latency_ms", t0: float = 1000.0):
    out = []
    for i, value in enumerate(values):
        out.append(engine.observe(result({key: value}), t0 + i))
    return out


def test_latency_alert_raised_only_after_hold_scrapes():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=3, clear_scrapes=3))
    obs = feed(engine, [80, 1500, 1500])
    assert all(not o.transitions for o in obs)
    assert engine.active() == []
    third = engine.observe(result({"p95_latency_ms": 1600}), 2000.0)
    assert [t.kind for t in third.transitions] == ["raised"]
    t = third.transitions[0]
    assert t.alert.level == State.CRITICAL and t.alert.value == 1600
    assert t.alert.flow_id == "high-latency" and t.alert.response.title == "High Latency Alert"
    assert t.alert.severity == "P2" and third.bell
    assert "P95" in t.describe() or "p95_latency_ms" in t.describe()
    assert [a.key for a in engine.active()] == ["p95_latency_ms"]


def test_single_spikes_and_hovering_do_not_flap():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=3, clear_scrapes=3, hysteresis=0.05))
    # hovering around the warning bound (500 ms): never three scrapes in a row above it
    obs = feed(engine, [499, 501, 499, 502, 498, 505, 500, 510, 490] * 3)
    assert sum(len(o.transitions) for o in obs) == 0
    # once raised, hovering just under the bound (within the 5% margin) does not clear it
    obs = feed(engine, [600, 600, 600], t0=2000)
    assert [t.kind for o in obs for t in o.transitions] == ["raised"]
    obs = feed(engine, [490, 499, 480, 510, 481, 495, 520, 476] * 3, t0=3000)
    assert sum(len(o.transitions) for o in obs) == 0
    assert engine.active()[0].level == State.WARNING
    # clearly back (below 475 = 500 * 0.95) for clear_scrapes: cleared once
    obs = feed(engine, [100, 100, 100, 100], t0=4000)
    kinds = [t.kind for o in obs for t in o.transitions]
    assert kinds == ["cleared"]
    assert engine.active() == []


def test_escalation_and_easing_between_levels():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    kinds = [t.kind for o in feed(engine, [600, 600, 1200, 1200, 800, 800, 10, 10]) for t in o.transitions]
    assert kinds == ["raised", "escalated", "eased", "cleared"]


def test_cache_hit_rate_is_bad_when_low_and_maps_to_its_runbook_response():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2))
    obs = feed(engine, [95, 65, 65], key="cache_hit_rate")
    t = [t for o in obs for t in o.transitions][0]
    assert t.kind == "raised" and t.alert.level == State.CRITICAL
    assert t.alert.flow_id == "low-cache-hit-rate"
    obs = feed(engine, [1500, 1500], key="queue_backlog")
    assert [t.alert.flow_id for o in obs for t in o.transitions] == ["queue-processing-delays"]


def test_error_rate_over_one_percent_suggests_p1_and_health_down_p0():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=1))
    obs = engine.observe(result({"error_rate": 2.5}), 1.0)
    (t,) = obs.transitions
    assert t.alert.flow_id == "p1-high-error-rate" and t.alert.severity == "P1"
    assert suggest_severity("error_rate", State.WARNING) == "P2"
    obs = engine.observe(result({"error_rate": 2.5}, healthy=False), 2.0)
    (t,) = obs.transitions
    assert t.alert.key == HEALTH_KEY and t.alert.flow_id == "p0-service-down" and t.alert.severity == "P0"
    assert [a.key for a in engine.active()] == [HEALTH_KEY, "error_rate"]  # P0 first


def test_acknowledged_alert_is_not_raised_again_until_it_clears():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    feed(engine, [600, 600])
    assert [a.key for a in engine.unacknowledged()] == ["p95_latency_ms"]
    assert len(engine.acknowledge("p95_latency_ms")) == 1
    assert engine.unacknowledged() == []
    obs = feed(engine, [1500, 1500, 600, 600, 1500, 1500], t0=50)
    transitions = [t for o in obs for t in o.transitions]
    assert [t.kind for t in transitions] == ["escalated", "eased", "escalated"]
    assert not any(t.bell for t in transitions) and all(t.alert.acknowledged for t in transitions)
    obs = feed(engine, [10, 10, 600, 600], t0=100)
    transitions = [t for o in obs for t in o.transitions]
    assert [t.kind for t in transitions] == ["cleared", "raised"]
    assert transitions[1].bell and not transitions[1].alert.acknowledged


def test_missing_values_neither_raise_nor_clear():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=2, clear_scrapes=2))
    feed(engine, [700, 700])
    obs = feed(engine, [None, None, None, None], t0=10)
    assert not any(o.transitions for o in obs)
    assert engine.active()[0].level == State.WARNING
    # a None between two bad values does not reset the hold count either way
    engine2 = AlertEngine(settings=AlertSettings(hold_scrapes=2))
    obs = feed(engine2, [700, None, 700])
    assert [t.kind for o in obs for t in o.transitions] == ["raised"]


def test_source_down_and_recovery_are_reported_once():
    engine = AlertEngine()
    assert engine.observe(result({}, metrics_state="live"), 1).sources == []
    down = engine.observe(result({}, metrics_state="down"), 2).sources
    assert [(s.source, s.state, s.error) for s in down] == [("metrics", "down", "HTTP 500")]
    assert engine.observe(result({}, metrics_state="down"), 3).sources == []
    back = engine.observe(result({}, metrics_state="live"), 4).sources
    assert [(s.source, s.state) for s in back] == [("metrics", "recovered")]
    assert "recovered" in back[0].describe()


def test_settings_from_config_are_validated_with_file_and_line(tmp_path):
    text = (
        "environments:\n  production:\n    base_url: http://127.0.0.1:1\nalerts:\n  hold_scrapes: 5\n"
        "  hysteresis_percent: 10\n"
    )
    cfg = parse_config(text, tmp_path / "c.yaml")
    settings = AlertSettings.from_config(cfg)
    assert settings.hold_scrapes == 5 and settings.clear_scrapes == 3 and settings.hysteresis == pytest.approx(0.1)
    # the section is declared with the config (console/schema/config_model.py): a bad value fails the load
    with pytest.raises(Exception) as info:
        parse_config(text.replace("hold_scrapes: 5", "hold_scrapes: 0"), tmp_path / "c.yaml")
    assert str(info.value).startswith(f"{tmp_path / 'c.yaml'}:5: alerts.hold_scrapes:")
    with pytest.raises(Exception, match="alerts.hold_scrape: unknown key"):
        parse_config(text.replace("hold_scrapes", "hold_scrape"), tmp_path / "c.yaml")


def test_a_repeated_derivation_is_not_counted_as_a_new_scrape():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=3))
    stale = result({"p95_latency_ms": 1500})
    stale.derived.at = 42.0
    for i in range(5):  # the metrics source failed: the poller keeps handing out the same derivation
        assert engine.observe(stale, 100 + i).transitions == []
    fresh = [result({"p95_latency_ms": 1500}) for _ in range(2)]
    for i, r in enumerate(fresh):
        r.derived.at = 43.0 + i
    assert [t.kind for r in fresh for t in engine.observe(r, 200).transitions] == ["raised"]


def test_warning_then_critical_counts_as_held_bad_and_escalates_on_the_next_critical():
    engine = AlertEngine(settings=AlertSettings(hold_scrapes=3, clear_scrapes=3))
    obs = feed(engine, [80, 700, 1500, 1500, 1500])
    assert [(i, t.kind, t.alert.level) for i, o in enumerate(obs) for t in o.transitions] == [
        (3, "raised", State.WARNING),
        (4, "escalated", State.CRITICAL),
    ]
