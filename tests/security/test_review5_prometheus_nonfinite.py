"""Review 5: a Prometheus (or a proxy in front of it) that answers the fleet's target count with ``NaN`` or
``+Inf`` (both legal sample values in the HTTP API) crashed the fleet poll: ``FleetPoller.poll`` did
``int(value)`` on it, so ``edge-console check`` died with a traceback (ValueError / OverflowError) and the
TUI's fleet view lost its poll. A count that is no number is now "unknown" (``targets: null``); a hostile
answer of the wrong shape (``data`` a list, a scalar that is no number) is an error on that query only.
Driven against a loopback fake Prometheus (a real HTTP server) and the simulated edge."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from console.cli import main
from console.config import parse_config
from console.sources.promql import FleetPoller, PromQLError, parse_matrix, parse_vector


class HostilePrometheus:
    """Answers every instant query with one sample of ``value``; the target count with ``count_value``."""

    def __init__(self, value: str, count_value: str) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path.startswith("/api/v1/status/config"):
                    body = {"status": "success", "data": {"yaml": "global: {scrape_interval: 1s}\n"}}
                else:
                    sample = outer.count_value if "count%28count" in self.path else outer.value
                    body = {
                        "status": "success",
                        "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1.0, sample]}]},
                    }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.value = value
        self.count_value = count_value
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("count_value", ["NaN", "+Inf", "-Inf", "1e400"])
async def test_a_target_count_that_is_no_number_is_unknown_not_a_crash(count_value):
    prom = HostilePrometheus("NaN", count_value)
    cfg = parse_config(
        f"environments:\n  p:\n    base_url: 'http://127.0.0.1:9'\n    prometheus_url: '{prom.url}'\n"
        "prometheus: {window: 10s, scrape_interval: 1s}\n"
    )
    poller = FleetPoller(cfg, cfg.environment())
    try:
        result = await poller.poll()
    finally:
        await poller.aclose()
        prom.close()
    assert result.source.state == "live"
    assert result.targets is None
    assert result.metrics["request_rate"].value is None and result.metrics["request_rate"].note == "no traffic"


@pytest.mark.parametrize("count_value", ["NaN", "+Inf"])
def test_check_with_a_prometheus_answering_nan_counts_reports_no_traceback(sim, tmp_path, capsys, count_value):
    prom = HostilePrometheus("0", count_value)
    try:
        path = tmp_path / "c.yaml"
        path.write_text(
            f"environments:\n  p:\n    base_url: '{sim.base_url}'\n    prometheus_url: '{prom.url}'\n"
            "prometheus: {window: 10s, scrape_interval: 1s}\n"
        )
        code = main(["--config", str(path), "check", "--json", "--window", "0.5"])
    finally:
        prom.close()
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1, 2)
    assert report["fleet"]["state"] == "live" and report["fleet"]["targets"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "success", "data": [1, 2]},
        {"status": "success", "data": "x"},
        {"status": "success", "data": {"resultType": "scalar", "result": [1, "abc"]}},
        {"status": "success", "data": {"resultType": "scalar", "result": [1, [2]]}},
        {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": "x7"}]}},
    ],
)
def test_answers_of_the_wrong_shape_are_a_promql_error_naming_it(payload):
    with pytest.raises(PromQLError):
        parse_vector(payload)
    if isinstance(payload.get("data"), (list, str)):
        with pytest.raises(PromQLError):
            parse_matrix(payload)


def test_a_matrix_pair_that_is_a_two_character_string_is_malformed_not_two_numbers():
    payload = {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": ["12"]}]}}
    with pytest.raises(PromQLError, match="malformed sample"):
        parse_matrix(payload)
    good = {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "2"]]}]}}
    assert parse_matrix(good) == [({}, [(1.0, 2.0)])]
