"""Review 4: ``alertmanager_url`` and ``prometheus_url`` took credentials in the URL
(``https://admin:s3cret@alertmanager.example``). Those URLs are printed (``alerts --json`` reports
``alertmanager_url``), shown in a silence flow's preview and written to the audit trail with each
silence request: the password with them. Their tokens have their own keys (``alertmanager_token_env``,
``alertmanager_token_file``, ``prometheus_token_env``), so a URL with credentials is refused, as
Grafana's and PagerDuty's are."""

from __future__ import annotations

import textwrap

import pytest

from console.config import ConfigError, parse_config


def test_credentials_in_monitoring_urls_are_refused(tmp_path):
    text = textwrap.dedent("""\
        environments:
          production:
            base_url: https://edge.example.com
            alertmanager_url: https://admin:s3cret@alertmanager.example.com
            prometheus_url: https://reader:hunter22@prometheus.example.com/prom
        """)
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "c.yaml")
    keys = [(e.line, e.key) for e in info.value.errors]
    assert keys == [(4, "environments.production.alertmanager_url"), (5, "environments.production.prometheus_url")]
    assert "s3cret" not in str(info.value) and "hunter22" not in str(info.value)


def test_plain_monitoring_urls_stay_accepted(tmp_path):
    config = parse_config(
        textwrap.dedent("""\
        environments:
          production:
            base_url: https://edge.example.com
            alertmanager_url: http://127.0.0.1:9093
            prometheus_url: https://prometheus.example.com/prom/
        """),
        tmp_path / "c.yaml",
    )
    env = config.environment("production")
    assert env.alertmanager_url == "http://127.0.0.1:9093"
    assert env.prometheus_url.startswith("https://prometheus.example.com/prom")
