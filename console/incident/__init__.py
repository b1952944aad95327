"""Incident response: alerts, incidents with a durable timeline, escalation, closing and the report.

Core only (no Textual). Modules:

* ``alerts``    ``AlertEngine(thresholds, AlertSettings).observe(poll_result, now) -> Observation``
                (``transitions`` raised/escalated/eased/cleared with the runbook response and a suggested
                severity, ``sources`` down/recovered); ``acknowledge(key)``; ``active()``.
* ``model``     severities P0-P3 (runbook descriptions, response times), phases, ``Entry``, ``Incident``.
* ``store``     ``IncidentStore(state_dir)``: ``<state>/incidents/INC-YYYY-MM-DD-NNN.jsonl``, file locks,
                fsync per entry, corrupt/truncated lines reported in ``Incident.warnings`` and skipped.
* ``manager``   ``IncidentManager(state_dir=None, clock=None, user=None)``: ``start``, ``note``,
                ``mark_phase``, ``set_severity``, ``correct``, ``record_alert``, ``record_source``,
                ``record_flow_step(audit_record)``, ``record_escalation``, ``record_notify``,
                ``record_recovery``, ``close``, ``mark_review``, ``write_report``; ``refresh()`` says
                whether another process appended to the current incident.
* ``report``    ``render_report(incident)``: the runbook's Incident Report template.
* ``review``    post-incident review checklist with due times, ``overdue_summary``.
* ``recovery``  the Complete Service Recovery checklist checked against a ``PollResult``.
* ``contacts``  ``load_contacts(config)`` from ``contacts``/``escalation``/``channels``/``notify``.
* ``notify``    ``run_notify(channel, argv, message, read_only=, env_name=, confirmation=)``: an action (refused
                in read-only, confirmed like a runbook action); argv, message on stdin, timeout, outcome.
* ``cli``       ``edge-console incident start|list|show|note|phase|close|report``.
"""
