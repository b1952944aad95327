"""Review 4: acking a console alert silences its Alertmanager counterparts with one matcher built from
the firing alerts' names. Those names come from Alertmanager (anyone who can POST an alert chooses
them): joined unescaped into a regex, a name such as ``.*ErrorRate|.+`` made the silence match every
alert of the environment. Each name must match only itself."""

from __future__ import annotations

import re
from types import SimpleNamespace

from console.alertmanager.acksilence import ack_silence_inputs
from console.alertmanager.matchers import parse_matchers
from console.alertmanager.model import AmAlert


def _alert(name: str, fingerprint: str) -> AmAlert:
    return AmAlert(fingerprint=fingerprint, labels={"alertname": name}, annotations={}, starts_at=None, state="active")


def _matches(matcher: dict, value: str) -> bool:
    # Alertmanager anchors regex matchers: ^(?:re)$
    if matcher["isRegex"]:
        hit = re.fullmatch(f"(?:{matcher['value']})", value) is not None
    else:
        hit = matcher["value"] == value
    return hit if matcher["isEqual"] else not hit


def test_hostile_alert_names_do_not_widen_the_ack_silence() -> None:
    alerts = [_alert("EdgeHighErrorRate", "a"), _alert(".*ErrorRate|.+", "b"), _alert("Edge.ErrorRate", "c")]
    env = SimpleNamespace(alertmanager_matchers="env=production")
    inputs = ack_silence_inputs("error_rate", "error rate critical", alerts, env, "15m")
    assert inputs is not None
    matchers = parse_matchers(inputs["matchers"])  # what the silence flow sends
    name = next(m for m in matchers if m["name"] == "alertname")
    for own in ("EdgeHighErrorRate", ".*ErrorRate|.+", "Edge.ErrorRate"):
        assert _matches(name, own), own
    for other in ("EdgeDatabaseDown", "KubePodCrashLooping", "AnyErrorRate", "EdgeXErrorRate", ""):
        assert not _matches(name, other), f"the ack silence would also silence {other!r}: {name}"
    assert {"name": "env", "value": "production", "isRegex": False, "isEqual": True} in matchers
