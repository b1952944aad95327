"""Loopback fakes of PagerDuty's Events API v2, a Slack incoming webhook and Grafana's annotations
API that check the documented payload shapes and record what they accepted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PD_ACTIONS = {"trigger", "acknowledge", "resolve"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}


def pagerduty_problems(body: Any, routing_key: str) -> list[str]:
    """What developer.pagerduty.com's Events API v2 reference would refuse in this body."""
    if not isinstance(body, dict):
        return ["not a JSON object"]
    problems = []
    if body.get("routing_key") != routing_key:
        problems.append("routing_key wrong")
    if body.get("event_action") not in PD_ACTIONS:
        problems.append("event_action not trigger/acknowledge/resolve")
    key = body.get("dedup_key")
    if not isinstance(key, str) or not key or len(key) > 255:
        problems.append("dedup_key missing or too long")
    if body.get("event_action") == "trigger":
        payload = body.get("payload")
        if not isinstance(payload, dict):
            return problems + ["payload missing"]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary or len(summary) > 1024:
            problems.append("payload.summary missing or over 1024 characters")
        if payload.get("severity") not in PD_SEVERITIES:
            problems.append("payload.severity not critical/error/warning/info")
        if not isinstance(payload.get("source"), str) or not payload["source"]:
            problems.append("payload.source missing")
    return problems


class Fakes:
    def __init__(self, *, routing_key: str, slack_path: str, grafana_token: str) -> None:
        self.routing_key = routing_key
        self.slack_path = slack_path
        self.grafana_token = grafana_token
        self.pagerduty: list[dict] = []
        self.slack: list[dict] = []
        self.grafana: list[dict] = []
        self.refused: list[tuple[str, str]] = []
        #: status the Slack webhook answers (500 to simulate an outage)
        self.slack_status = 200
        fakes = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = (json.dumps(body) if not isinstance(body, str) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    fakes.refused.append((self.path, "not JSON"))
                    return self._answer(400, {"status": "invalid event", "message": "not JSON"})
                if self.path == "/v2/enqueue":
                    problems = pagerduty_problems(body, fakes.routing_key)
                    if problems:
                        fakes.refused.append((self.path, "; ".join(problems)))
                        return self._answer(400, {"status": "invalid event", "errors": problems})
                    fakes.pagerduty.append(body)
                    return self._answer(
                        202, {"status": "success", "message": "Event processed", "dedup_key": body["dedup_key"]}
                    )
                if self.path == fakes.slack_path:
                    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
                        fakes.refused.append((self.path, "no text"))
                        return self._answer(400, "invalid_payload")
                    if fakes.slack_status != 200:
                        return self._answer(fakes.slack_status, "server_error")
                    fakes.slack.append(body)
                    return self._answer(200, "ok")
                if self.path == "/api/annotations":
                    if self.headers.get("Authorization") != f"Bearer {fakes.grafana_token}":
                        fakes.refused.append((self.path, "bad token"))
                        return self._answer(401, {"message": "Unauthorized"})
                    ok = (
                        isinstance(body, dict)
                        and isinstance(body.get("time"), int)
                        and isinstance(body.get("tags"), list)
                        and all(isinstance(t, str) for t in body["tags"])
                        and isinstance(body.get("text"), str)
                    )
                    if not ok:
                        fakes.refused.append((self.path, "bad annotation"))
                        return self._answer(400, {"message": "bad request"})
                    fakes.grafana.append(body)
                    return self._answer(200, {"id": len(fakes.grafana), "message": "Annotation added"})
                fakes.refused.append((self.path, "unknown path"))
                return self._answer(404, {"message": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Fakes":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
