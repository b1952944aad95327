"""Review 5: a slow-loris Slack webhook (or Grafana, or anything posing as one) held the integrations thread.

``console/integrations/dispatch.py`` says ``TIMEOUT_S`` is "seconds for one request (connect + answer)", but
httpx's timeouts are per read: a server that answers its headers and then trickles one byte of the body
every second never trips them. One thread posts every message in order, so a trickling Slack webhook held
back the PagerDuty acknowledgement queued after it for as long as the trickle lasted (here 60 s), in the TUI
where one dispatcher serves the whole session. Now one deadline covers the whole request.

The dispatcher's deadline is shortened to DEADLINE_S here (a real-time wait, TIMEOUT_S = 5 s made this test
take 10 s) and the trickle to a byte every TRICKLE_S, well inside it: a per-read timeout still never trips."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timezone

from console.config import load_config
from console.incident.model import Entry, Incident
from console.integrations.dispatch import Dispatcher
from console.integrations.settings import from_config
from tests.integration_fakes import Fakes
from tests.util import wait_for_sync

ROUTING_KEY = "R0UTINGKEY-review5-slowloris"
DEADLINE_S = 1.0
TRICKLE_S = 0.2
SLACK_PATH = "/services/T000/B000/review5slowlorissecret"


class Trickle:
    """A loopback HTTP server that reads a request, sends its headers, then one body byte every ``interval``
    seconds for ``seconds``."""

    def __init__(self, seconds: float = 60.0, interval: float = 1.0) -> None:
        self.seconds = seconds
        self.interval = interval
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                self.requests += 1
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n")
                end = time.monotonic() + self.seconds
                while time.monotonic() < end and not self.stop.wait(self.interval):
                    conn.sendall(b"o")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_a_trickling_webhook_fails_at_the_deadline_and_does_not_hold_back_the_pager(tmp_path, monkeypatch):
    trickle = Trickle(interval=TRICKLE_S)
    with Fakes(routing_key=ROUTING_KEY, slack_path=SLACK_PATH, grafana_token="unused") as fakes:
        monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
        monkeypatch.setenv("SLACK_WEBHOOK_URL", trickle.url + SLACK_PATH)
        config = tmp_path / "config.yaml"
        config.write_text(
            "environments:\n  production:\n    base_url: https://api.edge.example\n"
            f"pagerduty:\n  routing_key_env: PD_ROUTING_KEY\n  events_url: {fakes.url}/v2/enqueue\n"
            "slack:\n  webhook_url_env: SLACK_WEBHOOK_URL\n"
        )
        reports = []
        dispatcher = Dispatcher(from_config(load_config(config)), lambda i, o: reports.append(o), timeout_s=DEADLINE_S)
        try:
            now = datetime.now(timezone.utc)
            incident = Incident(id="INC-2026-12-03-901", title="Slow webhook", severity="P1", started=now)
            started = time.monotonic()
            dispatcher.on_entry(incident, Entry(seq=1, ts=now, kind="start", text="started"))
            ack = Entry(seq=2, ts=now, kind="phase", text="acknowledged", data={"phase": "acknowledged"})
            dispatcher.on_entry(incident, ack)
            # trigger, Slack (trickles), acknowledge, Slack (trickles): each Slack post ends at the deadline
            wait_for_sync(
                lambda: [e["event_action"] for e in fakes.pagerduty] == ["trigger", "acknowledge"],
                timeout=DEADLINE_S * 2 + 5,
                message="the PagerDuty acknowledgement behind a trickling Slack webhook",
            )
            assert time.monotonic() - started < DEADLINE_S * 2 + 5
            wait_for_sync(lambda: len(reports) == 2, timeout=DEADLINE_S * 2 + 5, message="both Slack failures")
            assert all(o.channel == "Slack" and not o.ok for o in reports)
            assert all(f"no answer within {DEADLINE_S:g} s" in o.detail for o in reports), [o.detail for o in reports]
            assert all(SLACK_PATH not in o.detail for o in reports)
            assert trickle.requests == 2
        finally:
            dispatcher.close()
            trickle.close()
