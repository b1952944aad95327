"""The runbook's Complete Service Recovery checklist, checked against live data where possible (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.metrics.catalogue import format_metric
from console.metrics.thresholds import State

#: (key, runbook wording)
RECOVERY_STEPS: list[tuple[str, str]] = [
    ("workers", "Verify all workers are responding"),
    ("queues", "Check queue processing has resumed"),
    ("cache", "Verify cache is working"),
    ("metrics", "Confirm metrics are being collected"),
    ("smoke", "Run smoke tests"),
    ("status-page", "Update status page"),
    ("all-clear", "Send all-clear notification"),
]


@dataclass(frozen=True)
class RecoveryCheck:
    key: str
    text: str
    status: str  # "pass" | "fail" | "unknown" (no live data) | "manual" (the operator confirms)
    detail: str = ""

    @property
    def automatic(self) -> bool:
        return self.status in ("pass", "fail", "unknown")


def recovery_checks(result: Any | None) -> list[RecoveryCheck]:
    """Evaluate the checklist against the latest ``PollResult`` (None: nothing live to check)."""
    derived = getattr(result, "derived", None)
    metrics = getattr(derived, "metrics", None) or {}
    out = []
    for key, text in RECOVERY_STEPS:
        if key == "workers":
            health = getattr(result, "health", None)
            if health is None:
                out.append(RecoveryCheck(key, text, "unknown", "no health answer yet"))
            else:
                bad = {k: v for k, v in (getattr(health, "components", None) or {}).items() if v != "healthy"}
                if not getattr(health, "healthy", False):
                    out.append(RecoveryCheck(key, text, "fail", f"health {getattr(health, 'status', 'down')}"))
                elif bad:
                    out.append(RecoveryCheck(key, text, "fail", ", ".join(f"{k} {v}" for k, v in sorted(bad.items()))))
                else:
                    out.append(RecoveryCheck(key, text, "pass", f"health {getattr(health, 'status', 'ok')}"))
        elif key == "queues":
            queues = getattr(derived, "queues", None) or []
            mv = metrics.get("queue_backlog")
            growing = [
                q.name
                for q in queues
                if getattr(q, "trend_per_s", None)
                and q.trend_per_s > 0
                and getattr(q, "state", State.NORMAL) != State.NORMAL
            ]
            if mv is None or mv.value is None:
                out.append(RecoveryCheck(key, text, "unknown", "no queue backlog value"))
            elif growing or mv.state == State.CRITICAL:
                out.append(
                    RecoveryCheck(
                        key,
                        text,
                        "fail",
                        "backlog "
                        + format_metric("queue_backlog", mv.value)
                        + (f", growing: {', '.join(growing)}" if growing else ""),
                    )
                )
            else:
                backlog = format_metric("queue_backlog", mv.value)
                out.append(RecoveryCheck(key, text, "pass", f"backlog {backlog} ({mv.state.value})"))
        elif key == "cache":
            mv = metrics.get("cache_hit_rate")
            if mv is None or mv.value is None:
                out.append(RecoveryCheck(key, text, "unknown", "no cache hit rate"))
            elif mv.state == State.NORMAL:
                out.append(RecoveryCheck(key, text, "pass", "hit rate " + format_metric("cache_hit_rate", mv.value)))
            else:
                hit_rate = format_metric("cache_hit_rate", mv.value)
                out.append(RecoveryCheck(key, text, "fail", f"hit rate {hit_rate} ({mv.state.value})"))
        elif key == "metrics":
            status = getattr(result, "metrics", None)
            state = getattr(status, "state", None)
            if state is None:
                out.append(RecoveryCheck(key, text, "unknown", "no scrape yet"))
            elif state == "live":
                out.append(RecoveryCheck(key, text, "pass", "metrics live"))
            else:
                out.append(
                    RecoveryCheck(
                        key,
                        text,
                        "fail",
                        f"metrics {state}" + (f": {status.error}" if getattr(status, "error", None) else ""),
                    )
                )
        else:
            out.append(RecoveryCheck(key, text, "manual"))
    return out


def summarize(checks: list[RecoveryCheck], confirmed: set[str] | None = None) -> str:
    confirmed = confirmed or set()
    parts = []
    for c in checks:
        if c.status == "manual":
            parts.append(f"{c.text}: {'confirmed' if c.key in confirmed else 'not confirmed'}")
        else:
            parts.append(f"{c.text}: {c.status}" + (f" ({c.detail})" if c.detail else ""))
    return "; ".join(parts)
