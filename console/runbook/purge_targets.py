"""Cache purge targets checked before the call (``{targets!prefixes}``, ``{targets!urls}`` in a runbook body).

Cloudflare's purge API (``POST /zones/{zone_id}/purge_cache``):

- ``prefixes`` are ``host/path`` with no scheme (``www.example.com/foo``); a prefix written as a URL
  (``https://www.example.com/foo``) is refused;
- ``files`` are whole URLs with their scheme (``https://www.example.com/app.js``);
- ``hosts`` are bare host names (``www.example.com``), ``tags`` cache-tag values (no comma, no control
  character, at most 1024 characters);
- at most 30 of each go in one call, and an empty list is refused.

The simulated edge refuses the same bodies (``console.sim.cfapi``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_PER_CALL = 30
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}"
    r"[A-Za-z0-9])?)*$"
)


class PurgeTargetError(ValueError):
    pass


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "…")


def check_prefix(prefix: str) -> None:
    if _SCHEME.match(prefix) or prefix.startswith("//"):
        raise PurgeTargetError(
            f"prefix {_shown(prefix)} carries a scheme: write host/path without it, "
            f"e.g. {_shown(re.sub(r'^[A-Za-z][A-Za-z0-9+.-]*:/*|^//', '', prefix))}"
        )
    host = prefix.split("/", 1)[0]
    if not _HOST.match(host) or any(c.isspace() for c in prefix):
        raise PurgeTargetError(
            f"prefix {_shown(prefix)} must start with a host name (host/path, e.g. www.example.com/static/)"
        )


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise PurgeTargetError(f"file {_shown(url)} must be a whole URL with http:// or https:// and a host")


MAX_TAG_CHARS = 1024


def check_host(host: str) -> None:
    if not _HOST.match(host):
        raise PurgeTargetError(f"host {_shown(host)} must be a bare host name (www.example.com), no scheme or path")


def check_tag(tag: str) -> None:
    if len(tag) > MAX_TAG_CHARS or any(c == "," or not c.isprintable() for c in tag):
        raise PurgeTargetError(
            f"tag {_shown(tag)} must be printable text without commas, at most {MAX_TAG_CHARS} characters"
        )


#: converter -> (noun, the check of one item)
KINDS = {"prefixes": ("prefixes", check_prefix), "urls": ("URLs", check_url), "hosts": ("hosts", check_host)}
KINDS["tags"] = ("tags", check_tag)


def check_targets(kind: str, items: list[str]) -> None:
    """Refuse what the API would: ``kind`` is ``prefixes``, ``urls``, ``hosts`` or ``tags``."""
    noun, check = KINDS[kind]
    if not items:
        raise PurgeTargetError(f"give at least one of the {noun} to purge (comma-separated)")
    if len(items) > MAX_PER_CALL:
        raise PurgeTargetError(f"{len(items)} {noun}: at most {MAX_PER_CALL} go in one purge call; split them")
    for item in items:
        check(item)
