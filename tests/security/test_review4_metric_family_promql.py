"""Review 4: every PromQL query is ``family{environment matchers}``. The environment's
``prometheus_selector`` is parsed and re-quoted so nothing typed there can add PromQL, but the family
names of ``metric_names`` went into the same queries unchecked: ``requests: 'x{env=~".*"} or edge_requests_total'``
made every query mix every environment's series (or anything else). A family must be a metric name."""

from __future__ import annotations

import textwrap

import pytest

from console.config import ConfigError, parse_config
from console.metrics.fleet import fleet_queries

HOSTILE = 'edge_requests_total{env=~".*"} or edge_requests_total'


def test_a_metric_family_that_is_not_a_metric_name_is_refused(tmp_path):
    text = textwrap.dedent(f"""\
        environments:
          production:
            base_url: https://edge.example.com
            prometheus_url: http://127.0.0.1:9090
            prometheus_selector: '{{env="production"}}'
        metric_names:
          requests: '{HOSTILE}'
          errors: edge_errors_total
          cache_hits: 'edge:cache_hits:total'
        """)
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "c.yaml")
    keys = [(e.line, e.key) for e in info.value.errors]
    assert keys == [(7, "metric_names.requests")], info.value.errors


def test_recording_rule_names_stay_accepted(tmp_path):
    text = textwrap.dedent("""\
        environments:
          production: {base_url: https://edge.example.com}
        metric_names: {cache_hits: 'edge:cache_hits:total', requests: edge_requests_total}
        """)
    config = parse_config(text, tmp_path / "c.yaml")
    queries = fleet_queries(config.metric_names, "1m", '{env="production"}')
    assert any("edge:cache_hits:total{" in q for q in queries.values())
