"""Finding 4 (review of #14): a templated URL path segment whose value is ``.``, ``..`` or empty is
refused (httpx removes dot segments, so ``key=..`` turned ``DELETE .../values/{key}`` into the
delete-namespace endpoint, token included); the preview shows the URL exactly as it is sent. The refusals
and the preview run the command line in-process (``run_cli``); the request sent goes through the real
``python -m console``."""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar

import pytest

from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str]]] = []

    def _answer(self) -> None:
        type(self).requests.append((self.command, self.path))
        body = b'{"success": true, "errors": [], "messages": [], "result": {}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


BOOK = """\
flows:
  - id: queue-metrics
    title: One queue's metrics
    section: Mine
    inputs:
      - {name: queue, type: string}
    steps:
      - kind: check
        title: Queue metrics
        http: {method: GET, url: "{env.cloudflare_api_url}/accounts/{env.account_id}/queues/{queue}/metrics", auth: api_token}
  - id: delete-kv-key
    title: Delete one KV key
    section: Mine
    inputs:
      - {name: key, type: string}
    steps:
      - kind: action
        title: "Delete KV key"
        http: {method: DELETE, url: "{env.cloudflare_api_url}/accounts/{env.account_id}/storage/kv/namespaces/{env.kv_namespace_id}/values/{key}", auth: api_token}
"""


@pytest.fixture()
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/client/v4"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path, sim, api):
    book = tmp_path / "mine.yaml"
    book.write_text(BOOK)
    config = write_config(tmp_path / "config.yaml", sim, runbooks=[book])
    config.write_text(
        config.read_text().replace(f"cloudflare_api_url: {sim.base_url}/client/v4", f"cloudflare_api_url: {api}")
    )
    return config


@pytest.mark.parametrize(
    "flow,name,value",
    [
        ("queue-metrics", "queue", ".."),
        ("queue-metrics", "queue", "."),
        ("delete-kv-key", "key", ".."),
        ("delete-kv-key", "key", "."),
    ],
)
def test_dot_path_segment_value_is_refused_and_nothing_is_sent(sim, fake_tools, tmp_path, recorder, flow, name, value):
    config = _config(tmp_path, sim, recorder)
    r = run_cli("--config", str(config), "run", flow, "--set", f"{name}={value}", "--yes")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"input {name}:" in r.stderr and "path segment" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert _Recorder.requests == []


def test_dot_inside_a_segment_is_sent_as_typed_and_preview_shows_the_sent_url(sim, fake_tools, tmp_path, recorder):
    config = _config(tmp_path, sim, recorder)
    r = run_cli("--config", str(config), "run", "delete-kv-key", "--set", "key=..x", "--dry-run")
    assert (
        f"DELETE {recorder}/accounts/5100000000000000000000000000a001/storage/kv/namespaces/5100000000000000000000000000c001/values/..x"
        in r.stdout
    ), r.stdout + r.stderr
    r = cli("--config", str(config), "run", "delete-kv-key", "--set", "key=..x", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _Recorder.requests == [
        (
            "DELETE",
            "/client/v4/accounts/5100000000000000000000000000a001/storage/kv/namespaces/5100000000000000000000000000c001/values/..x",
        )
    ]
