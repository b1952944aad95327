"""The alert engine: key-metric states in, alert transitions out (pure, no I/O, no clock).

Each scrape (a ``PollResult``) is fed to :meth:`AlertEngine.observe`. For every key metric the
engine keeps the *alerted level* (normal, warning, critical):

* a higher level is adopted only when each of the last ``hold_scrapes`` scrapes reached it (a
  single spike raises nothing; warning, critical, critical raises a warning, and one more
  critical escalates it);
* a lower level is adopted only when each of the last ``clear_scrapes`` scrapes was back past the
  threshold by a hysteresis margin (``hysteresis`` as a fraction of the threshold), so a value
  hovering at a threshold does not flap;
* a scrape without a value (source down, no traffic) neither raises nor clears, and a poll that
  brings the same derivation again (``derived.at`` unchanged after a failed scrape) is not counted.

Health down (``Health.healthy`` false or the health source down) is an alert of its own, held the
same way. Transitions are ``raised`` (normal -> warning/critical), ``escalated`` (warning ->
critical), ``eased`` (critical -> warning) and ``cleared``. An acknowledged alert stays
acknowledged (no banner, no bell) until it clears; only then can it be raised again.

Source availability (metrics/health going down or recovering) is reported separately as
:class:`SourceChange` for the incident timeline; it is not an alert.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from console.format import format_value  # noqa: F401 - re-exported (widgets import it from here)
from console.incident.responders import Response, default_responses, responses_from_runbook
from console.metrics.catalogue import HEALTH_KEY
from console.metrics.model import KEY_METRICS
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, ThresholdSpec, evaluate


#: The catalogue's built-in alert responses (console.metrics.catalogue); the engine uses the runbook's
#: ``responds_to`` once it knows the runbook (:meth:`AlertEngine.use_runbook`, console.incident.responders).
RESPONSES: dict[str, Response] = default_responses()


def suggest_severity(key: str, level: State) -> str:
    """The severity the runbook suggests for an alert at ``level``."""
    if key == HEALTH_KEY:
        return "P0"
    if key == "error_rate":
        return "P1" if level == State.CRITICAL else "P2"  # >1% is the runbook's P1 high error rate
    if level == State.CRITICAL:
        return "P2"  # slow response / partial issues
    return "P3"


@dataclass(frozen=True)
class AlertSettings:
    hold_scrapes: int = 3
    clear_scrapes: int = 3
    hysteresis: float = 0.05  # fraction of the threshold

    @classmethod
    def from_config(cls, config: Any) -> "AlertSettings":
        """The optional ``alerts:`` section as checked when the config was loaded
        (:class:`console.schema.config_model.AlertsSection`)."""
        section = getattr(getattr(config, "model", None), "alerts", None)
        if section is None:
            return cls()
        return cls(
            hold_scrapes=section.hold_scrapes,
            clear_scrapes=section.clear_scrapes,
            hysteresis=section.hysteresis_percent / 100.0,
        )


@dataclass(frozen=True)
class Alert:
    key: str
    label: str
    unit: str
    level: State  # WARNING or CRITICAL while active
    value: float | None
    since: float  # wall-clock time the alert was raised
    acknowledged: bool = False
    response: Response | None = None
    severity: str = "P3"

    @property
    def flow_id(self) -> str | None:
        return self.response.flow_id if self.response else None

    def describe(self) -> str:
        what = f"{self.label} {format_value(self.value, self.unit)}" if self.key != HEALTH_KEY else "Health DOWN"
        text = f"{self.level.symbol} {what}"
        if self.response:
            text += f" -> {self.response.title}"
        return text + f" (suggest {self.severity})"


@dataclass(frozen=True)
class Transition:
    kind: str  # "raised" | "escalated" | "eased" | "cleared"
    alert: Alert  # the alert after the transition (level NORMAL for cleared)
    previous: State
    at: float

    @property
    def bell(self) -> bool:
        """Ring the bell for a new or worse alert that nobody acknowledged."""
        return self.kind in ("raised", "escalated") and not self.alert.acknowledged

    def describe(self) -> str:
        a = self.alert
        value = "down" if a.key == HEALTH_KEY else format_value(a.value, a.unit)
        if self.kind == "cleared":
            return f"Alert cleared: {a.label} {value} (was {self.previous.value})"
        verb = "triggered" if self.kind == "raised" else self.kind
        text = f"Alert {verb}: {a.label} {value} ({a.level.value})"
        if a.response:
            text += f"; runbook: {a.response.title}"
        return text + f"; suggested severity {a.severity}"


@dataclass(frozen=True)
class SourceChange:
    source: str  # "metrics" | "health"
    state: str  # "down" | "recovered"
    error: str | None
    at: float

    def describe(self) -> str:
        if self.state == "down":
            return f"Source {self.source} down" + (f": {self.error}" if self.error else "")
        return f"Source {self.source} recovered"


@dataclass
class _Track:
    level: State = State.NORMAL
    #: states of the last scrapes with a value (hold_scrapes of them) and the same judged with the
    #: hysteresis margin (clear_scrapes of them)
    raw: deque = field(default_factory=deque)
    relaxed: deque = field(default_factory=deque)
    alert: Alert | None = None


@dataclass
class Observation:
    transitions: list[Transition] = field(default_factory=list)
    sources: list[SourceChange] = field(default_factory=list)

    @property
    def bell(self) -> bool:
        return any(t.bell for t in self.transitions)


def _relaxed(spec: ThresholdSpec, margin: float) -> ThresholdSpec:
    """The thresholds a value must get back past to leave a level."""
    if spec.direction == "below":
        return replace(spec, warning=spec.warning * (1 + margin), critical=spec.critical * (1 + margin))
    return replace(spec, warning=spec.warning * (1 - margin), critical=spec.critical * (1 - margin))


class AlertEngine:
    def __init__(
        self,
        thresholds: Mapping[str, ThresholdSpec] | None = None,
        settings: AlertSettings | None = None,
        responses: Mapping[str, Response] | None = None,
    ) -> None:
        self.thresholds = dict(thresholds or DEFAULT_THRESHOLDS)
        self.settings = settings or AlertSettings()
        #: alert key -> the flow that answers it (the runbook's ``responds_to``; the catalogue's defaults until then)
        self.responses: dict[str, Response] = dict(responses) if responses is not None else default_responses()
        self._tracks: dict[str, _Track] = {}
        self._sources: dict[str, str] = {}
        self._last_derived_at: float | None = None

    def use_runbook(self, runbook: Any) -> None:
        """Answer alerts with the runbook's responding flows (``responds_to``), active alerts included."""
        self.responses = responses_from_runbook(runbook)
        for key, track in self._tracks.items():
            if track.alert is not None:
                track.alert = replace(track.alert, response=self.responses.get(key))

    # -- queries ---------------------------------------------------------------------------
    def active(self) -> list[Alert]:
        """Active alerts, worst first: by suggested severity (P0 first), then level, then age."""
        alerts = [t.alert for t in self._tracks.values() if t.alert is not None and t.level != State.NORMAL]
        return sorted(alerts, key=lambda a: (a.severity, -a.level.rank, a.since))

    def unacknowledged(self) -> list[Alert]:
        return [a for a in self.active() if not a.acknowledged]

    def acknowledge(self, key: str | None = None) -> list[Alert]:
        """Acknowledge one alert (or all); returns those newly acknowledged."""
        done = []
        for k, track in self._tracks.items():
            if track.alert is not None and not track.alert.acknowledged and (key is None or k == key):
                track.alert = replace(track.alert, acknowledged=True)
                done.append(track.alert)
        return done

    # -- feeding ---------------------------------------------------------------------------
    def observe(self, result: Any, now: float) -> Observation:
        """Feed one ``PollResult`` (duck-typed: ``derived.metrics``, ``health``, ``metrics``, ``health_source``)."""
        derived = getattr(result, "derived", None)
        metrics = getattr(derived, "metrics", None) or {}
        derived_at = getattr(derived, "at", None)
        if derived_at is not None and derived_at == self._last_derived_at:
            metrics = {}  # the same derivation again (a failed scrape keeps the last one): not a new scrape
        self._last_derived_at = derived_at if derived_at is not None else self._last_derived_at
        health = getattr(result, "health", None)
        health_src = getattr(result, "health_source", None)
        health_down: bool | None
        if health is not None:
            health_down = not bool(getattr(health, "healthy", True))
        elif health_src is not None and getattr(health_src, "state", None) == "down":
            health_down = True
        else:
            health_down = None
        sources = {}
        for name, status in (("metrics", getattr(result, "metrics", None)), ("health", health_src)):
            if status is not None:
                sources[name] = (getattr(status, "state", ""), getattr(status, "error", None))
        return self.observe_values(metrics, health_down, now, sources=sources)

    def observe_values(
        self,
        metrics: Mapping[str, Any],
        health_down: bool | None,
        now: float,
        *,
        sources: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> Observation:
        obs = Observation()
        for key in KEY_METRICS:
            mv = metrics.get(key)
            if mv is None:
                continue
            spec = self.thresholds.get(key)
            value = getattr(mv, "value", None)
            if spec is None:
                continue
            label, unit = KEY_METRICS[key]
            label = getattr(mv, "label", None) or label
            unit = getattr(mv, "unit", None) or unit
            transition = self._step(key, label, unit, value, spec, now)
            if transition:
                obs.transitions.append(transition)
        if health_down is not None:
            value = 1.0 if health_down else 0.0
            spec = ThresholdSpec(warning=0.5, critical=0.5)  # down is critical straight away
            transition = self._step(HEALTH_KEY, "Health", "", value, spec, now)
            if transition:
                obs.transitions.append(transition)
        for name, (state, error) in (sources or {}).items():
            previous = self._sources.get(name)
            self._sources[name] = state
            if state == "down" and previous != "down":
                obs.sources.append(SourceChange(name, "down", error, now))
            elif state == "live" and previous in ("down", "stale"):
                obs.sources.append(SourceChange(name, "recovered", None, now))
        return obs

    def _step(
        self, key: str, label: str, unit: str, value: float | None, spec: ThresholdSpec, now: float
    ) -> Transition | None:
        track = self._tracks.get(key)
        if track is None:
            track = self._tracks[key] = _Track(
                raw=deque(maxlen=self.settings.hold_scrapes), relaxed=deque(maxlen=self.settings.clear_scrapes)
            )
        settings = self.settings
        raw = evaluate(value, spec)
        if raw == State.UNKNOWN:
            return None  # no value: hold the current level, do not count
        relaxed = evaluate(value, _relaxed(spec, settings.hysteresis)) if key != HEALTH_KEY else raw
        track.raw.append(raw)
        track.relaxed.append(relaxed)
        if track.alert is not None:
            track.alert = replace(track.alert, value=value)
        target = track.level
        if len(track.raw) >= settings.hold_scrapes:
            held = min(track.raw, key=lambda st: st.rank)  # the level every one of the last N scrapes reached
            if held.rank > track.level.rank:
                target = held
        if target == track.level and len(track.relaxed) >= settings.clear_scrapes:
            # the level the last N scrapes stayed under, judged with the hysteresis margin
            below = max(track.relaxed, key=lambda st: st.rank)
            if below.rank < track.level.rank:
                target = below
        if target == track.level:
            return None
        previous = track.level
        track.level = target
        if target == State.NORMAL:
            cleared = (
                replace(track.alert, level=State.NORMAL, value=value)
                if track.alert
                else Alert(key, label, unit, State.NORMAL, value, now, response=self.responses.get(key))
            )
            track.alert = None
            return Transition("cleared", cleared, previous, now)
        if previous == State.NORMAL or track.alert is None:
            kind = "raised"
            track.alert = Alert(
                key, label, unit, target, value, now, False, self.responses.get(key), suggest_severity(key, target)
            )
        else:
            kind = "escalated" if target.rank > previous.rank else "eased"
            track.alert = replace(track.alert, level=target, value=value, severity=suggest_severity(key, target))
        return Transition(kind, track.alert, previous, now)
