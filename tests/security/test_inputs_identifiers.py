"""Finding 5.2: config identifiers are validated (32 hex characters) and every templated URL path
segment is percent-encoded, so no value can walk the Cloudflare token to another path. The refusals run the
command line in-process (``run_cli``); the encoded request goes through the real ``python -m console``."""

from __future__ import annotations

import http.server
import threading
from typing import ClassVar

import pytest

from tests.security.inprocess_cli import run_cli
from tests.security.inputs_files_util import cli, write_config


@pytest.mark.parametrize("key", ["zone_id", "account_id", "kv_namespace_id"])
def test_config_identifier_that_is_not_32_hex_is_refused_with_file_and_line(tmp_path, key):
    config = tmp_path / "config.yaml"
    ids = {
        "account_id": "0123456789abcdef0123456789abcdef",
        "zone_id": "fedcba9876543210fedcba9876543210",
        "kv_namespace_id": "00112233445566778899aabbccddeeff",
    }
    ids[key] = "../../../admin/x?y="
    lines = ["environments:", "  production:", "    base_url: http://127.0.0.1:9"]
    lines += [f'    {k}: "{v}"' for k, v in ids.items()]
    config.write_text("\n".join(lines) + "\n")
    line = 1 + next(i for i, text in enumerate(lines) if text.strip().startswith(key + ":"))
    r = run_cli("--config", str(config), "flows")
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{config}:{line}: environments.production.{key}: must be 32 hexadecimal characters" in r.stderr
    assert "Traceback" not in r.stderr


def test_queue_identifier_that_is_not_32_hex_is_refused(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        "environments:\n  production:\n    base_url: http://127.0.0.1:9\n"
        "    account_id: 0123456789abcdef0123456789abcdef\n"
        '    queues: {vau-batch: "../../../x"}\n'
    )
    r = run_cli("--config", str(config), "flows")
    assert r.returncode == 2
    assert f"{config}:5: environments.production.queues.vau-batch: must be 32 hexadecimal characters" in r.stderr


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        type(self).paths.append((self.path, self.headers.get("Authorization", "")))
        body = b'{"success": true, "errors": [], "messages": [], "result": {"value": "medium"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_templated_url_path_segments_are_percent_encoded(sim, fake_tools, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        book = tmp_path / "mine.yaml"
        book.write_text("""\
flows:
  - id: my-setting
    title: Read a zone setting
    section: Mine
    inputs:
      - {name: setting, type: string}
    steps:
      - id: get
        kind: check
        title: get
        http:
          method: GET
          url: "{env.cloudflare_api_url}/zones/{env.zone_id}/settings/{setting}"
          auth: api_token
""")
        api = f"http://127.0.0.1:{server.server_address[1]}/client/v4"
        config = write_config(tmp_path / "config.yaml", sim, runbooks=[book], production_extra="")
        text = config.read_text().replace(f"cloudflare_api_url: {sim.base_url}/client/v4", f"cloudflare_api_url: {api}")
        config.write_text(text)
        _Recorder.paths = []
        r = cli("--config", str(config), "run", "my-setting", "--set", "setting=../../../admin/x?y=#z")
        assert r.returncode == 0, r.stdout + r.stderr
        assert [p for p, _ in _Recorder.paths] == [
            "/client/v4/zones/5100000000000000000000000000f001/settings/..%2F..%2F..%2Fadmin%2Fx%3Fy%3D%23z"
        ]
    finally:
        server.shutdown()
        server.server_close()
