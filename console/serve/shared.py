"""What a served console reads from its environment (set by ``edge-console serve``, never by a flag).

``EDGE_CONSOLE_SHARED=1``: this console is a shared browser view; it is read-only whatever its flags and
config say, and its header says ``SHARED READ-ONLY``. ``EDGE_CONSOLE_SIM_URL``: with no config, use this
already running simulated edge (``serve`` starts one for every browser) instead of starting another.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

SHARED_ENV = "EDGE_CONSOLE_SHARED"
SIM_URL_ENV = "EDGE_CONSOLE_SIM_URL"
MAX_URL = 200


def is_shared(environ: dict[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get(SHARED_ENV) == "1"


def attached_sim_url(environ: dict[str, str] | None = None) -> str | None:
    """The shared simulated edge's base URL: ``http://`` on a loopback address only, else None."""
    value = (os.environ if environ is None else environ).get(SIM_URL_ENV, "")
    if not value or len(value) > MAX_URL:
        return None
    try:
        parts = urlsplit(value)
        address = ipaddress.ip_address(parts.hostname or "")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "http" or not address.is_loopback or port is None or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    return value.rstrip("/")
