"""One TLS context per process for the console's HTTP clients (no Textual).

httpx builds a new ``ssl.SSLContext`` for every client or transport it creates and loads certifi's CA bundle
into it: about 45 ms of CPU each time, paid by every poller, every HTTP step of a flow and every notifier,
even when the URL is plain ``http://`` on loopback. :func:`shared_ssl_context` builds the context httpx would
build, once per process and set of inputs, and the clients share it (``verify=shared_ssl_context(...)``).

The same settings as httpx's default: certifi's bundle; with ``trust_env`` the ``SSL_CERT_FILE`` or
``SSL_CERT_DIR`` named in the environment when the client is made (a changed variable gets its own context).
Sharing is safe: nobody changes a context after it is made but httpcore, which sets its ALPN protocols to
``http/1.1`` on every connection (no client of the console speaks HTTP/2, so they all set the same).

The CA bundle is loaded before the context's first TLS handshake, not when it is made
(:class:`DeferredCAContext`): a console on plain ``http://`` (the simulated edge, a loopback Prometheus) never
reads it, which was ~45 ms of CPU in every console process, served browser tab, ``run`` and ``record``. A
handshake cannot start without it: both ways in (``wrap_socket``, ``wrap_bio``) load it first, under a lock.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl

_lock = threading.Lock()
_contexts: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def shared_ssl_context(trust_env: bool = True) -> ssl.SSLContext:
    """The verifying TLS context for an httpx client made with this ``trust_env`` (built on first use)."""
    key = (True, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else (False, None, None)
    with _lock:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = _verifying_context(trust_env)
        return context


def _verifying_context(trust_env: bool) -> ssl.SSLContext:
    """What ``httpx.create_ssl_context(trust_env=trust_env)`` makes (``ssl.create_default_context`` with
    certifi's bundle, or ``$SSL_CERT_FILE`` / ``$SSL_CERT_DIR``), with the bundle loaded at the first handshake."""
    import ssl
    import sys

    cafile = capath = None
    if trust_env and os.environ.get("SSL_CERT_FILE"):
        cafile = os.environ["SSL_CERT_FILE"]
    elif trust_env and os.environ.get("SSL_CERT_DIR"):
        capath = os.environ["SSL_CERT_DIR"]
    else:
        import certifi

        cafile = certifi.where()
    context = _deferred_ca_class()(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED  # as create_default_context(SERVER_AUTH) sets them
    context.check_hostname = True
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment and hasattr(context, "keylog_filename"):
        context.keylog_filename = keylog
    context.defer_ca(cafile, capath)
    return context


_DEFERRED: type | None = None


def _deferred_ca_class() -> type:
    """:class:`DeferredCAContext`, defined on first use (``ssl`` is imported only by a process that needs it)."""
    global _DEFERRED
    if _DEFERRED is None:
        import ssl

        class DeferredCAContext(ssl.SSLContext):
            """A verifying client context whose CA certificates are loaded before its first handshake."""

            def defer_ca(self, cafile: str | None, capath: str | None) -> None:
                self._ca_where = (cafile, capath)
                self._ca_lock = threading.Lock()
                self._ca_loaded = False

            def load_deferred_ca(self) -> None:
                with self._ca_lock:
                    if not self._ca_loaded:
                        cafile, capath = self._ca_where
                        self.load_verify_locations(cafile=cafile, capath=capath)
                        self._ca_loaded = True

            def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
                self.load_deferred_ca()
                return super().wrap_socket(*args, **kwargs)

            def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
                self.load_deferred_ca()
                return super().wrap_bio(*args, **kwargs)

        _DEFERRED = DeferredCAContext
    return _DEFERRED
