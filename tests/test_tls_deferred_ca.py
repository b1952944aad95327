"""The shared TLS context loads its CA bundle at the first handshake, not when it is made
(console/sources/tls.py): the same settings and CA certificates as httpx's own context, nothing loaded by a
plain-http client, and a TLS server is still verified (a self-signed certificate is refused, one the
context trusts through $SSL_CERT_FILE is accepted)."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading

import httpx
import pytest

from console.sources import tls
from console.sources.http import make_client
from console.sim.server import SimServer
from tests.util import required_program

SETTINGS = (
    "protocol",
    "verify_mode",
    "check_hostname",
    "options",
    "verify_flags",
    "minimum_version",
    "maximum_version",
    "post_handshake_auth",
    "security_level",
)


@pytest.fixture
def fresh_contexts(monkeypatch):
    monkeypatch.setattr(tls, "_contexts", {})
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.mark.parametrize("trust_env", [False, True])
def test_the_context_is_httpx_s_own_with_the_bundle_loaded_at_the_first_handshake(fresh_contexts, trust_env):
    ours = tls.shared_ssl_context(trust_env=trust_env)
    theirs = httpx.create_ssl_context(trust_env=trust_env)
    assert {name: getattr(ours, name) for name in SETTINGS} == {name: getattr(theirs, name) for name in SETTINGS}
    assert ours.verify_mode == ssl.CERT_REQUIRED and ours.check_hostname
    assert ours.cert_store_stats()["x509_ca"] == 0  # not read yet
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    ours.wrap_bio(incoming, outgoing, server_hostname="edge.example")  # the way asyncio/anyio start TLS
    assert ours.cert_store_stats() == theirs.cert_store_stats() and ours.cert_store_stats()["x509_ca"] > 0
    assert ours.get_ca_certs() == theirs.get_ca_certs()


async def test_a_plain_http_client_never_reads_the_bundle(fresh_contexts, state_dir):
    server = SimServer(host="127.0.0.1", port=0)
    server.start()
    try:
        client = make_client()
        try:
            response = await client.get(server.base_url + "/metrics")
            assert response.status_code == 200
        finally:
            await client.aclose()
        assert tls.shared_ssl_context(trust_env=False).cert_store_stats()["x509_ca"] == 0
    finally:
        server.stop()


@pytest.fixture
def https_server(tmp_path):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for 127.0.0.1 (made by openssl)."""
    openssl = required_program("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler's name in http.server
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/", cert
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_a_tls_server_is_verified_an_untrusted_certificate_refused_a_trusted_one_accepted(
    fresh_contexts, https_server, monkeypatch
):
    url, cert = https_server
    async with httpx.AsyncClient(verify=tls.shared_ssl_context(trust_env=False), trust_env=False) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(url)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust_env: the bundle named in the environment
    async with httpx.AsyncClient(verify=tls.shared_ssl_context(trust_env=True), trust_env=False) as client:
        response = await client.get(url)
    assert response.status_code == 200 and response.text == "hello"
    # a fresh context: the blocking way in (wrap_socket, httpx's sync client) loads its bundle as well
    monkeypatch.setattr(tls, "_contexts", {})
    with httpx.Client(verify=tls.shared_ssl_context(trust_env=True), trust_env=False) as client:
        assert client.get(url).text == "hello"
