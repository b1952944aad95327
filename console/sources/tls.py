"""One TLS context per process for the console's HTTP clients (no Textual).

httpx builds a new ``ssl.SSLContext`` for every client or transport it creates and loads certifi's CA bundle
into it: about 45 ms of CPU each time, paid by every poller, every HTTP step of a flow and every notifier,
even when the URL is plain ``http://`` on loopback. :func:`shared_ssl_context` builds the context httpx would
build, once per process and set of inputs, and the clients share it (``verify=shared_ssl_context(...)``).

The same settings as httpx's default: certifi's bundle; with ``trust_env`` the ``SSL_CERT_FILE`` or
``SSL_CERT_DIR`` named in the environment when the client is made (a changed variable gets its own context).
Sharing is safe: nobody changes a context after it is made but httpcore, which sets its ALPN protocols to
``http/1.1`` on every connection (no client of the console speaks HTTP/2, so they all set the same).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

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
            import httpx

            context = _contexts[key] = httpx.create_ssl_context(trust_env=trust_env)
        return context
