"""Review 5: a recording masks "every secret the console knows of" (``console.record.writer.secret_values``),
but it read only the API and admin token files: a secret kept in a 0600 file, as the config allows for the
Alertmanager token, the PagerDuty routing key, the Slack webhook URL and the Grafana token, was written in
clear into a recording whenever it appeared in a recorded line (a tail event echoing it, a flow record).
Now every secret file of the session's environment and of the integrations is masked too."""

from __future__ import annotations

from console.config import parse_config
from console.record.reader import read_recording
from console.record.writer import Recorder, secret_values

SECRETS = {
    "am": "am-token-review5-7c1d",
    "pd": "pd-routing-review5-0a9e",
    "slack": "https://hooks.slack.example/services/T0/B0/review5hooksecret",
    "grafana": "glsa_review5_grafana_44f1",
    "api": "cf-api-review5-3b2a",
}


def _file(tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.secret"
    path.write_text(SECRETS[name] + "\n")
    path.chmod(0o600)
    return str(path)


def test_secrets_kept_in_files_are_masked_in_a_recording(tmp_path):
    config = parse_config(
        "environments:\n"
        "  production:\n"
        "    base_url: https://api.edge.example\n"
        f"    api_token_file: {_file(tmp_path, 'api')}\n"
        "    alertmanager_url: http://127.0.0.1:9093\n"
        f"    alertmanager_token_file: {_file(tmp_path, 'am')}\n"
        "pagerduty:\n"
        f"  routing_key_file: {_file(tmp_path, 'pd')}\n"
        "slack:\n"
        f"  webhook_url_file: {_file(tmp_path, 'slack')}\n"
        "grafana:\n"
        "  url: https://grafana.example\n"
        f"  token_file: {_file(tmp_path, 'grafana')}\n"
    )
    known = secret_values(config, config.environment())
    for name, value in SECRETS.items():
        assert value in known, name
    path = tmp_path / "rec" / "session.ecrec.gz"
    path.parent.mkdir(mode=0o700)
    recorder = Recorder(path, secrets=known)
    line = "worker echoed: " + " ".join(SECRETS.values())
    recorder.write({"k": "tail", "t": recorder.started + 1, "text": line})
    recorder.close()
    assert recorder.error is None
    rec = read_recording(path)
    text = next(r["text"] for r in rec.records if r["k"] == "tail")
    assert text.count("****") == len(SECRETS), text
    for value in SECRETS.values():
        assert value not in text
