"""The simulated tools' own URL helpers (console.sim.tools._urls) against urllib.parse, which they replace
to save start-up time."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

import pytest

from console.sim.tools import _urls

TEXTS = ["vau-processor-production", "a b", "a+b/c?d#e&f=g", "ünïcødé ⛅️", "~._-", "%41", "", "x y%z\n\t"]


@pytest.mark.parametrize("text", TEXTS)
def test_quote_is_urllib_quote_with_nothing_safe(text):
    assert _urls.quote(text, safe="") == quote(text, safe="")
    assert _urls.quote(text, safe="/") == quote(text, safe="/")


@pytest.mark.parametrize("query", [{"limit": "1000"}, {"prefix": "a b/c", "cursor": "x+y=z&"}, {"k": "ü"}, {}])
def test_urlencode_is_urllib_urlencode(query):
    assert _urls.urlencode(query) == urlencode(query)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8787",
        "http://127.0.0.1:8787/",
        "http://LOCALHOST:80/base/path?x=1#frag",
        "http://[::1]:9000/p",
        "http://[::1]",
        "http://host",
        "http://user@host:81/a",
        "HTTP://host:0",
    ],
)
def test_split_http_url_reads_what_urlsplit_reads(url):
    parts = urlsplit(url)
    assert _urls.split_http_url(url) == (parts.hostname, parts.port or 80, parts.path)


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1:8787", "127.0.0.1:8787", "http://", "http://:80", "http://h:99999", "http://h:x"]
)
def test_split_http_url_refuses_what_the_tools_cannot_reach(url):
    with pytest.raises(OSError):
        _urls.split_http_url(url)
