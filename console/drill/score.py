"""Scoring a drill from what was observed (pure; times are drill seconds from the drill's start).

Each phase (a timeline event with a scenario other than ``normal``, up to the next one or the end) is
scored out of 100:

- acknowledge (20): the first acknowledgement after the phase began (an alert acknowledged, an incident
  started or its "acknowledged" phase marked); full points within ``targets.acknowledge``, half later;
- mitigate (40): the first step that changed something and passed, of a flow the runbook prescribes for
  the scenario (``expect.mitigation``); full within ``targets.mitigate``, half later;
- recover (40): the first moment the edge was back (metrics live, nothing critical, health up, for two
  polls in a row) after it had been critical in the phase; full within ``targets.recover``, half later.

A wrong or risky action (a step of ``expect.risky`` that was started, e.g. a rollback during a DDoS) costs
25 points of its phase and is listed with the reason. The drill's score is the mean of its phases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.drill.expectations import matches, risk_reason
from console.drill.script import DrillScript, Expectation

POINTS = {"acknowledge": 20, "mitigate": 40, "recover": 40}
RISKY_PENALTY = 25
#: polls in a row that must show the edge back before it counts as recovered
RECOVERY_POLLS = 2
#: statuses of a step record that mean it ran and succeeded
PASSED = ("passed", "ok", "done")


@dataclass
class Phase:
    scenario: str
    start: float
    end: float
    note: str
    expect: Expectation
    acknowledged: float | None = None
    ack_how: str = ""
    mitigated: float | None = None
    mitigation: str = ""
    seen_critical: bool = False
    #: the metrics that were critical in this phase (their values decide when it is over)
    critical_keys: set[str] = field(default_factory=set)
    recovered: float | None = None
    _good_since: float | None = None
    _good_polls: int = 0
    wrong: list[dict[str, Any]] = field(default_factory=list)
    _risky_runs: set[str] = field(default_factory=set)

    def contains(self, at: float) -> bool:
        return self.start <= at < self.end


class DrillObserver:
    """Collects what the responder did and what the edge showed, into the phases of a script."""

    def __init__(self, script: DrillScript) -> None:
        self.script = script
        self.phases: list[Phase] = []
        scenario_items = [item for item in script.timeline if item.scenario is not None]
        for index, item in enumerate(scenario_items):
            end = scenario_items[index + 1].at if index + 1 < len(scenario_items) else script.duration
            if item.scenario == "normal" or end <= item.at:
                continue
            self.phases.append(
                Phase(scenario=item.scenario, start=item.at, end=end, note=item.note, expect=script.expectation(item))
            )

    def phase_at(self, at: float) -> Phase | None:
        return next((p for p in self.phases if p.contains(at)), None)

    # -- what the responder did ----------------------------------------------------------------
    def acknowledged(self, at: float, how: str) -> None:
        phase = self.phase_at(at)
        if phase is not None and phase.acknowledged is None:
            phase.acknowledged, phase.ack_how = at, how

    def audit(self, record: dict[str, Any], at: float) -> None:
        """A runbook audit record (as the engine writes it) at drill time ``at``."""
        if not isinstance(record, dict) or record.get("event") not in ("step", "step_started"):
            return
        if not record.get("mutating"):
            return
        phase = self.phase_at(at)
        if phase is None:
            return
        flow, step = str(record.get("flow", "")), str(record.get("step", ""))
        run = str(record.get("step_run") or record.get("run_id") or f"{flow}/{step}@{at}")
        if any(matches(name, flow, step) for name in phase.expect.risky):
            if run not in phase._risky_runs:
                phase._risky_runs.add(run)
                phase.wrong.append(
                    {
                        "flow": flow,
                        "step": step,
                        "at_s": round(at, 1),
                        "scenario": phase.scenario,
                        "why": risk_reason(phase.scenario, flow),
                    }
                )
            return
        if record.get("event") == "step" and str(record.get("status")) in PASSED and phase.mitigated is None:
            if any(matches(name, flow, step) for name in phase.expect.mitigation):
                phase.mitigated, phase.mitigation = at, f"{flow}/{step}"

    # -- what the edge showed ------------------------------------------------------------------
    def poll(
        self,
        at: float,
        *,
        live: bool,
        critical: list[str] | tuple[str, ...],
        health_down: bool = False,
        unknown: list[str] | tuple[str, ...] = (),
    ) -> None:
        """``unknown``: metrics without a value in this poll (the first scrape after an outage has no rate).
        A poll where a metric that was critical has no value says nothing about recovery."""
        phase = self.phase_at(at)
        if phase is None:
            return
        bad = bool(critical) or health_down
        if bad:
            phase.seen_critical = True
            phase.critical_keys.update(critical)
        elif phase.critical_keys & set(unknown):
            return
        if live and not bad and phase.seen_critical and phase.recovered is None:
            if phase._good_since is None:
                phase._good_since = at
            phase._good_polls += 1
            if phase._good_polls >= RECOVERY_POLLS:
                phase.recovered = phase._good_since
        elif phase.recovered is None:
            phase._good_since, phase._good_polls = None, 0

    # -- the score -------------------------------------------------------------------------------
    def score(self) -> dict[str, Any]:
        targets = self.script.targets
        phases_out = []
        wrong_all = []
        for phase in self.phases:
            points = {}
            times = {"acknowledge": phase.acknowledged, "mitigate": phase.mitigated, "recover": phase.recovered}
            for measure, when in times.items():
                if when is None:
                    points[measure] = 0
                elif when - phase.start <= targets[measure]:
                    points[measure] = POINTS[measure]
                else:
                    points[measure] = POINTS[measure] // 2
            penalty = RISKY_PENALTY * len(phase.wrong)
            total = max(0, sum(points.values()) - penalty)
            wrong_all.extend(phase.wrong)
            phases_out.append(
                {
                    "scenario": phase.scenario,
                    "start_s": phase.start,
                    "end_s": phase.end,
                    "note": phase.note,
                    "expected_mitigation": list(phase.expect.mitigation),
                    "risky": list(phase.expect.risky),
                    "time_to_acknowledge_s": _since(phase.acknowledged, phase.start),
                    "acknowledged_by": phase.ack_how,
                    "time_to_mitigation_s": _since(phase.mitigated, phase.start),
                    "mitigation": phase.mitigation,
                    "time_to_recovery_s": _since(phase.recovered, phase.start),
                    "points": points,
                    "penalty": penalty,
                    "score": total,
                    "wrong_actions": list(phase.wrong),
                }
            )
        score = round(sum(p["score"] for p in phases_out) / len(phases_out)) if phases_out else 0
        return {
            "drill": self.script.name,
            "file": self.script.path,
            "simulated": True,
            "duration_s": self.script.duration,
            "targets_s": dict(targets),
            "score": score,
            "max": 100,
            "full_marks": bool(phases_out) and score == 100 and not wrong_all,
            "phases": phases_out,
            "wrong_actions": wrong_all,
        }


def _since(when: float | None, start: float) -> float | None:
    return None if when is None else round(when - start, 1)


def score_lines(score: dict[str, Any]) -> list[str]:
    """The score as lines of text (the TUI's modal and the headless summary)."""
    from console.incident.model import format_duration

    def t(value: Any) -> str:
        return "never" if value is None else format_duration(float(value))

    lines = [
        f"SIMULATED DRILL {score['drill']}: {score['score']}/{score['max']}"
        + (" (full marks)" if score.get("full_marks") else "")
    ]
    for phase in score["phases"]:
        pts = phase["points"]
        lines.append(f"{phase['scenario']} at {t(phase['start_s'])}: {phase['score']}/100")
        lines.append(
            f"  acknowledge {t(phase['time_to_acknowledge_s'])} ({pts['acknowledge']})"
            f" · mitigate {t(phase['time_to_mitigation_s'])}"
            + (f" by {phase['mitigation']}" if phase["mitigation"] else "")
            + f" ({pts['mitigate']})"
            f" · recover {t(phase['time_to_recovery_s'])} ({pts['recover']})"
        )
        if not phase["mitigation"] and phase["expected_mitigation"]:
            lines.append(f"  the runbook prescribes: {', '.join(phase['expected_mitigation'])}")
        for wrong in phase["wrong_actions"]:
            lines.append(
                f"  WRONG ACTION at {t(wrong['at_s'])}: {wrong['flow']}/{wrong['step']}: {wrong['why']} "
                f"(-{RISKY_PENALTY})"
            )
    return lines


__all__ = ["DrillObserver", "Phase", "score_lines", "POINTS", "RISKY_PENALTY"]
