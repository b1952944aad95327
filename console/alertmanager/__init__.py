"""Alertmanager (API v2): firing alerts, their mapping to runbook flows, and silences (core; no Textual).

- :mod:`.matchers`: ``alertname=EdgeHighErrorRate,env=production`` <-> API matcher objects.
- :mod:`.model`: :class:`AmAlert`, :class:`Silence` parsed from bounded, sanitised answers.
- :mod:`.client`: ``GET /api/v2/alerts``, ``GET /api/v2/silences`` (bounded, bearer token optional).
- :mod:`.mapping`: alert -> metric key and alert -> runbook flow (``runbook_flow`` annotation, else
  ``alertname`` against the flows' ``responds_to``).
- :mod:`.merge`: the console's own alerts next to Alertmanager's, one row where they share a metric.
- :mod:`.cli`: ``edge-console alerts [--json]``.

Creating and expiring silences are runbook flows (``console/runbooks/09-alertmanager.yaml``): mutating,
refused read-only, audited before they run, on the incident timeline.
"""
