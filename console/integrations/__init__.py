"""Integrations with the monitoring stack a team already runs: PagerDuty (Events API v2), Slack
(incoming webhook) and Grafana (annotations, dashboard links). Each is optional and configured at
the top level of the config; each is fed by the incident timeline and never blocks the response."""
