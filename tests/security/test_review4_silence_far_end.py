"""Review 4: ``List Alertmanager silences`` (summary ``am_silences``) printed each silence's end with
``datetime.fromtimestamp``. A silence from Alertmanager whose ``endsAt`` is valid RFC 3339 but past year
9999 in UTC (``9999-12-31T23:59:59-23:59``) raised ``ValueError: year 10000 is out of range``: the step
failed with an internal error and no silence at all was listed. One silence's odd time must cost only
that time."""

from __future__ import annotations

from console.runbook.summaries import SUMMARIES


def test_a_silence_ending_after_year_9999_does_not_hide_the_others():
    payload = [
        {
            "id": "far",
            "status": {"state": "active"},
            "endsAt": "9999-12-31T23:59:59-23:59",
            "matchers": [{"name": "alertname", "value": "Far", "isRegex": False, "isEqual": True}],
        },
        {
            "id": "near",
            "status": {"state": "active"},
            "endsAt": "2026-12-03T12:00:00Z",
            "matchers": [{"name": "alertname", "value": "EdgeHighErrorRate", "isRegex": False, "isEqual": True}],
        },
    ]
    summary = SUMMARIES["am_silences"](payload, "", {})
    text = "\n".join(summary.lines)
    assert summary.ok
    assert summary.lines[0] == "2 silence(s) active/pending"
    assert "near active alertname=EdgeHighErrorRate until 2026-12-03T12:00:00Z" in text
    assert "far active alertname=Far until" in text
