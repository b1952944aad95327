"""The few URL operations the simulated tools need, without importing ``urllib.parse``.

A tool runs one short command per process, so each import is paid on every call; these three match
``urllib.parse`` for what the tools give them (``tests/test_sim_tool_urls.py`` checks them against it).
"""

from __future__ import annotations

#: the bytes ``urllib.parse.quote`` never escapes (RFC 3986 unreserved)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def quote(text: str, safe: str = "") -> str:
    """``urllib.parse.quote(text, safe)``: UTF-8, every other byte as ``%XX``."""
    keep = _UNRESERVED | frozenset(safe.encode("ascii"))
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in text.encode("utf-8"))


def urlencode(query: dict[str, str]) -> str:
    """``urllib.parse.urlencode(query)`` for string keys and values (``quote_plus``: a space is ``+``)."""
    return "&".join(f"{_quote_plus(str(k))}={_quote_plus(str(v))}" for k, v in query.items())


def _quote_plus(text: str) -> str:
    return quote(text, " ").replace(" ", "+") if " " in text else quote(text)


def split_http_url(url: str) -> tuple[str, int, str]:
    """(host, port, path) of ``http://host[:port][/path]`` (``[v6]`` hosts unbracketed, the host in lower
    case, port 80 when none or 0), as ``urlsplit`` reads it; raises ``OSError`` for any other URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != "http":
        raise OSError(f"unsupported simulator URL {url!r} (expected http://host:port)")
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc, path = rest[:cut], rest[cut:].split("?", 1)[0].split("#", 1)[0]
    netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        host, bracket, tail = netloc[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise OSError(f"unsupported simulator URL {url!r} (expected http://host:port)")
        port_text = tail[1:]
    else:
        host, _, port_text = netloc.partition(":")
    if not host:
        raise OSError(f"unsupported simulator URL {url!r} (expected http://host:port)")
    if port_text and not (port_text.isascii() and port_text.isdigit() and 0 <= int(port_text) <= 65535):
        raise OSError(f"unsupported simulator URL {url!r}: bad port {port_text!r}")
    return host.lower(), (int(port_text) if port_text else 0) or 80, path
