"""The console's HTTP clients share one verifying TLS context per process (console/sources/tls.py)
instead of building one (and loading the CA bundle, ~45 ms of CPU) per client."""

from __future__ import annotations

import re
import ssl

import certifi

from console.sources.http import make_client
from console.sources.tls import shared_ssl_context


def _pool_context(client) -> ssl.SSLContext:
    return client._transport._pool._ssl_context


async def test_pollers_clients_share_one_verifying_context():
    first, second = make_client(), make_client()
    try:
        context = _pool_context(first)
        assert context is _pool_context(second) is shared_ssl_context(trust_env=False)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        context.load_deferred_ca()  # what its first TLS handshake loads (tests/test_tls_deferred_ca.py)
        assert context.cert_store_stats()["x509_ca"] > 100  # certifi's bundle, as httpx loads it
    finally:
        await first.aclose()
        await second.aclose()


def test_a_client_that_trusts_the_environment_gets_the_ca_file_it_names(tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    default = shared_ssl_context()
    one_ca = re.search(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", open(certifi.where()).read(), re.S)
    bundle = tmp_path / "one-ca.pem"
    bundle.write_text(one_ca.group(0))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    named = shared_ssl_context()
    assert named is not default and named is shared_ssl_context()
    named.load_deferred_ca()  # what its first TLS handshake loads (tests/test_tls_deferred_ca.py)
    assert named.cert_store_stats()["x509_ca"] == 1
    # a client that does not trust the environment keeps certifi's bundle whatever the variable says
    untrusting = shared_ssl_context(trust_env=False)
    untrusting.load_deferred_ca()
    assert untrusting.cert_store_stats()["x509_ca"] > 100
