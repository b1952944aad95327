"""Playing a drill script against the simulated edge (no Textual; the TUI and the tests drive it).

``DrillRunner(script, control, clock)``: ``clock()`` gives drill seconds since the start (real time times
``speed`` in the TUI, a virtual clock in tests). ``tick()`` applies every timeline event that is due
(scenario switches and source faults through ``control``) and says when the drill is over;
``observe_poll``, ``observe_audit`` and ``observe_ack`` feed the :class:`DrillObserver` that scores it.
``finish()`` scores it once and writes the score as JSON (0600) under ``<state_dir>/drills/scores/``
(and to ``score_out`` when given).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Callable, Protocol

from console.drill.score import DrillObserver
from console.drill.script import DrillScript, TimelineItem


class SimControl(Protocol):
    def set_scenario(self, name: str) -> Any: ...

    def set_faults(self, faults: dict[str, Any]) -> Any: ...


class SessionControl:
    """The running console's own simulated edge (``Session.set_scenario`` republishes it)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def set_scenario(self, name: str) -> Any:
        return self.session.set_scenario(name)

    def set_faults(self, faults: dict[str, Any]) -> Any:
        if self.session.sim is None:
            raise ValueError("no simulated edge in this console")
        return self.session.sim.state.set_faults(dict(faults))


class DrillRunner:
    def __init__(
        self,
        script: DrillScript,
        control: SimControl,
        clock: Callable[[], float],
        *,
        speed: float = 1.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.script = script
        self.control = control
        self.clock = clock
        self.speed = speed
        self.wall = wall
        self.observer = DrillObserver(script)
        self.started_wall = wall()
        self.next_index = 0
        self.applied: list[tuple[float, TimelineItem]] = []
        #: problems applying an event (shown by the TUI; the drill goes on)
        self.errors: list[str] = []
        self.result: dict[str, Any] | None = None
        self.score_path: Path | None = None
        #: the listeners told each applied event (the TUI shows a toast)
        self.listeners: list[Callable[[TimelineItem], None]] = []

    @property
    def now(self) -> float:
        return float(self.clock())

    @property
    def finished(self) -> bool:
        return self.result is not None

    def tick(self) -> bool:
        """Apply the events that are due; True once the drill's duration has passed."""
        now = self.now
        while self.next_index < len(self.script.timeline) and self.script.timeline[self.next_index].at <= now:
            item = self.script.timeline[self.next_index]
            self.next_index += 1
            self._apply(item)
        return now >= self.script.duration

    def _apply(self, item: TimelineItem) -> None:
        try:
            if item.fault:
                self.control.set_faults(dict(item.fault))
            if item.scenario is not None:
                self.control.set_scenario(item.scenario)
        except Exception as exc:  # noqa: BLE001 - a refused event is reported; the drill goes on
            self.errors.append(f"{self.script.path}:{item.line}: timeline event at {int(item.at)}s: {exc}")
        self.applied.append((self.now, item))
        for listener in list(self.listeners):
            listener(item)

    # -- observations --------------------------------------------------------------------------
    def observe_poll(self, result: Any) -> None:
        """A ``PollResult`` of the console (metrics source state, derived metric states, health)."""
        from console.metrics.thresholds import State

        metrics_source = getattr(result, "metrics", None)
        live = getattr(metrics_source, "state", "live") == "live"
        derived = getattr(result, "derived", None)
        metrics = getattr(derived, "metrics", None) or {}
        critical = [
            key
            for key, m in metrics.items()
            if getattr(m, "state", None) == State.CRITICAL and not getattr(m, "stale", False)
        ]
        unknown = [key for key, m in metrics.items() if getattr(m, "value", None) is None]
        health = getattr(result, "health", None)
        health_down = (
            health is not None and not getattr(health, "healthy", True) and getattr(health, "status", "") == "down"
        )
        if derived is None:
            live = False
        self.observer.poll(self.now, live=live, critical=critical, health_down=health_down, unknown=unknown)

    def observe_audit(self, record: dict[str, Any]) -> None:
        self.observer.audit(record, self.now)

    def observe_ack(self, how: str) -> None:
        self.observer.acknowledged(self.now, how)

    # -- the end ---------------------------------------------------------------------------------
    def finish(
        self, *, score_out: Path | None = None, state_dir: Path | None = None, ended_early: bool = False
    ) -> dict[str, Any]:
        """Score the drill (once), restore the edge's faults and write the score as JSON."""
        if self.result is not None:
            return self.result
        try:
            self.control.set_faults({"metrics": "none", "health": "none"})
        except Exception:  # noqa: BLE001 - the score matters more than the clean-up
            pass
        result = self.observer.score()
        result.update(
            speed=self.speed,
            started=_iso(self.started_wall),
            ended=_iso(self.wall()),
            errors=list(self.errors),
            ended_early=ended_early,
            drill_time_s=round(self.now, 1),
        )
        self.result = result
        self.score_path = write_score(result, score_out=score_out, state_dir=state_dir)
        result["score_file"] = str(self.score_path)
        return result


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def write_score(result: dict[str, Any], *, score_out: Path | None = None, state_dir: Path | None = None) -> Path:
    """Write the score (0600, never through a symlink): ``score_out``, else
    ``<state_dir>/drills/scores/<name>-<UTC time>.json``."""
    from console.safefile import ensure_private_dir, write_replace

    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    if score_out is not None:
        path = Path(score_out)
        ensure_private_dir(path.parent, "score directory", check=False)
    else:
        if state_dir is None:
            from console.paths import state_dir as default_state_dir

            state_dir = default_state_dir()
        directory = ensure_private_dir(Path(state_dir) / "drills", "drill directory")
        directory = ensure_private_dir(directory / "scores", "drill score directory")
        slug = re.sub(r"[^a-z0-9]+", "-", str(result.get("drill", "drill")).lower()).strip("-")[:60] or "drill"
        path = directory / f"{slug}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    write_replace(path, text)
    return path


__all__ = ["DrillRunner", "SessionControl", "SimControl", "write_score"]
