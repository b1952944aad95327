"""Drill scripts: YAML files that play scenarios of the simulated edge on a timeline (pure: load + validate).

A script (shipped examples in ``console/drills/``)::

    name: DDoS at 09:00, then a bad deploy
    description: ...
    duration: 20m                 # when the drill ends and the responder is scored
    targets: {acknowledge: 5m, mitigate: 10m, recover: 15m}   # optional (these are the defaults)
    timeline:
      - at: 0s
        scenario: ddos            # a phase: scored from here to the next scenario (or the end)
        note: "09:00 DDoS from a few IPs"
        expect:                   # optional: the runbook's defaults for the scenario (console.drill.expectations)
          mitigation: [under-attack-mode, tighten-rate-limits]
          risky: [rollback]
      - at: 4m
        fault: {metrics: "500"}   # source faults of the simulated edge (POST /admin/faults keys)
      - at: 5m
        fault: {metrics: none}

Every problem is reported as ``file:line: key: what`` (:class:`DrillScriptError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from console.sim.names import SCENARIO_NAMES
from console.yamlpaths import YamlLimitError, compose_and_load, dotted, line_map, read_yaml_file

#: the shipped drill scripts (package data)
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "drills"
#: the longest drill (and the latest event) a script may ask for
MAX_DRILL_S = 4 * 3600
MAX_TIMELINE_ITEMS = 200
DEFAULT_TARGETS = {"acknowledge": 300, "mitigate": 600, "recover": 900}
FAULT_KEYS = {"metrics": ("none", "500", "html", "truncated", "garbage", "slow"), "health": ("none", "down", "slow")}
TOP_KEYS = ("name", "description", "duration", "targets", "timeline")
ITEM_KEYS = ("at", "scenario", "fault", "note", "expect")
EXPECT_KEYS = ("mitigation", "risky")


class DrillScriptError(ValueError):
    """``file:line: key: what``."""


@dataclass(frozen=True)
class Expectation:
    mitigation: tuple[str, ...]
    risky: tuple[str, ...]


@dataclass(frozen=True)
class TimelineItem:
    at: float
    scenario: str | None = None
    fault: dict[str, str] = field(default_factory=dict)
    note: str = ""
    expect: Expectation | None = None
    line: int = 0


@dataclass(frozen=True)
class DrillScript:
    name: str
    description: str
    duration: float
    targets: dict[str, float]
    timeline: tuple[TimelineItem, ...]
    path: str = ""

    def expectation(self, item: TimelineItem) -> Expectation:
        from console.drill.expectations import default_expectation

        return item.expect or default_expectation(item.scenario or "normal")


def shipped_scripts() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    """A path, or the name of a shipped script (``ddos-then-bad-deploy``)."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in name_or_path:
        return path
    candidate = SHIPPED_DIR / f"{name_or_path}.yaml"
    return candidate if candidate.is_file() else path


class _Checker:
    def __init__(self, where: str, lines: dict[Any, int]) -> None:
        self.where = where
        self.lines = lines

    def err(self, key: tuple, what: str) -> DrillScriptError:
        line = self.lines.get(key)
        probe = key
        while line is None and probe:
            probe = probe[:-1]
            line = self.lines.get(probe)
        return DrillScriptError(f"{self.where}:{line or 1}: {dotted(key) or '(top)'}: {what}")

    def duration(self, value: Any, key: tuple) -> float:
        from console.runbook.inputs import duration_seconds

        if isinstance(value, bool):
            raise self.err(key, f"expected a duration such as 90s, 5m, 1h, got {value!r}")
        if isinstance(value, (int, float)):
            seconds = float(value)
        elif isinstance(value, str):
            try:
                seconds = float(duration_seconds(value))
            except ValueError as exc:
                raise self.err(key, str(exc)) from None
        else:
            raise self.err(key, f"expected a duration such as 90s, 5m, 1h, got {value!r}")
        if not 0 <= seconds <= MAX_DRILL_S:
            raise self.err(key, f"must be between 0s and {MAX_DRILL_S // 3600}h")
        return seconds

    def text(self, value: Any, key: tuple, *, limit: int = 500) -> str:
        from console.sanitize import is_clean

        if not isinstance(value, str):
            raise self.err(key, f"expected text, got {type(value).__name__}")
        if len(value) > limit:
            raise self.err(key, f"too long ({len(value)} characters, at most {limit})")
        if not is_clean(value):
            raise self.err(key, "contains control characters or bidi/format characters")
        return value

    def known(self, mapping: dict, allowed: tuple[str, ...], key: tuple) -> None:
        for name in mapping:
            if name not in allowed:
                raise self.err((*key, str(name)), f"unknown key (known: {', '.join(allowed)})")


def load_script(path: str | Path, *, flow_ids: set[str] | None = None) -> DrillScript:
    """Read and validate a drill script. ``flow_ids``: the flows ``expect`` may name (default: the
    built-in runbook's)."""
    where = str(path)
    try:
        text = read_yaml_file(path)
    except FileNotFoundError:
        raise DrillScriptError(f"{where}: file not found") from None
    except YamlLimitError as exc:
        raise DrillScriptError(f"{where}:{exc.line or 1}: {exc.key or '(file)'}: {exc.message}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DrillScriptError(f"{where}: cannot read: {exc}") from None
    try:
        node, data = compose_and_load(text)
    except YamlLimitError as exc:
        raise DrillScriptError(f"{where}:{exc.line or 1}: {exc.key or '(file)'}: {exc.message}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise DrillScriptError(f"{where}:{line}: (yaml): {getattr(exc, 'problem', None) or exc}") from None
    c = _Checker(where, line_map(node))
    if not isinstance(data, dict):
        raise c.err((), "expected a mapping with name, duration and timeline")
    c.known(data, TOP_KEYS, ())
    for required in ("name", "duration", "timeline"):
        if required not in data:
            raise c.err((), f"missing key {required!r}")
    name = c.text(data["name"], ("name",), limit=200)
    description = c.text(data.get("description", ""), ("description",), limit=4000)
    duration = c.duration(data["duration"], ("duration",))
    if duration <= 0:
        raise c.err(("duration",), "must be longer than 0s")
    targets = dict(DEFAULT_TARGETS)
    raw_targets = data.get("targets", {})
    if not isinstance(raw_targets, dict):
        raise c.err(("targets",), "expected a mapping with acknowledge, mitigate, recover")
    c.known(raw_targets, tuple(DEFAULT_TARGETS), ("targets",))
    for key, value in raw_targets.items():
        targets[key] = c.duration(value, ("targets", key))
    timeline_raw = data["timeline"]
    if not isinstance(timeline_raw, list) or not timeline_raw:
        raise c.err(("timeline",), "expected a non-empty list of events")
    if len(timeline_raw) > MAX_TIMELINE_ITEMS:
        raise c.err(("timeline",), f"at most {MAX_TIMELINE_ITEMS} events")
    if flow_ids is None:
        from console.runbook import load_runbook

        flow_ids = set(load_runbook().flows)
    items: list[TimelineItem] = []
    previous = -1.0
    for index, raw in enumerate(timeline_raw):
        key = ("timeline", index)
        if not isinstance(raw, dict):
            raise c.err(key, "expected a mapping with at and scenario and/or fault")
        c.known(raw, ITEM_KEYS, key)
        if "at" not in raw:
            raise c.err(key, "missing key 'at'")
        at = c.duration(raw["at"], (*key, "at"))
        if at < previous:
            raise c.err((*key, "at"), "events must be in time order")
        if at >= duration:
            raise c.err((*key, "at"), f"is at or after the drill's end (duration {int(duration)}s)")
        previous = at
        scenario = raw.get("scenario")
        if scenario is not None and scenario not in SCENARIO_NAMES:
            raise c.err((*key, "scenario"), f"unknown scenario {scenario!r} (known: {', '.join(SCENARIO_NAMES)})")
        fault: dict[str, str] = {}
        if "fault" in raw:
            if not isinstance(raw["fault"], dict) or not raw["fault"]:
                raise c.err((*key, "fault"), 'expected a mapping such as {metrics: "500"} or {health: down}')
            c.known(raw["fault"], tuple(FAULT_KEYS), (*key, "fault"))
            for source, value in raw["fault"].items():
                value = "none" if value is None else str(value)
                if value not in FAULT_KEYS[source]:
                    raise c.err(
                        (*key, "fault", source), f"unknown fault {value!r} (known: {', '.join(FAULT_KEYS[source])})"
                    )
                fault[source] = value
        if scenario is None and not fault:
            raise c.err(key, "an event needs a scenario, a fault or both")
        expect = None
        if "expect" in raw:
            if scenario is None:
                raise c.err((*key, "expect"), "only an event with a scenario has expectations")
            if not isinstance(raw["expect"], dict):
                raise c.err((*key, "expect"), "expected a mapping with mitigation and risky")
            c.known(raw["expect"], EXPECT_KEYS, (*key, "expect"))
            lists = {}
            for part in EXPECT_KEYS:
                value = raw["expect"].get(part, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise c.err((*key, "expect", part), "expected a list of flow ids (or flow/step)")
                for i, flow in enumerate(value):
                    if flow.split("/", 1)[0] not in flow_ids:
                        raise c.err((*key, "expect", part, i), f"unknown flow {flow!r} (not in the runbook)")
                lists[part] = tuple(value)
            expect = Expectation(lists["mitigation"], lists["risky"])
        note = c.text(raw.get("note", ""), (*key, "note"), limit=500)
        items.append(
            TimelineItem(at=at, scenario=scenario, fault=fault, note=note, expect=expect, line=c.lines.get(key, 0))
        )
    return DrillScript(
        name=name, description=description, duration=duration, targets=targets, timeline=tuple(items), path=where
    )


__all__ = [
    "DrillScript",
    "DrillScriptError",
    "Expectation",
    "TimelineItem",
    "load_script",
    "resolve",
    "shipped_scripts",
    "SHIPPED_DIR",
]
