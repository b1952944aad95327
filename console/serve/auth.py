"""Who may reach a served console: aiohttp middleware, checked before any handler (so before any process).

* ``Host``: a server without a token answers only requests addressed to a loopback name (a DNS-rebinding
  page on another site resolving to 127.0.0.1 gets 403).
* ``Origin``: a request that names another origin than the one it is addressed to gets 403 (a page on
  another site must not open a console over a WebSocket with the operator's browser).
* token: when set, every request carries it: ``?token=...`` on the first load (answered by a redirect
  that sets an HttpOnly, SameSite=Strict cookie and drops the token from the address bar), then the
  cookie. The cookie holds an HMAC of the token, not the token. Anything else gets 401.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from console.serve import pages
from console.serve.hosts import host_of, is_loopback_host
from console.serve.token_rules import MAX_TOKEN, MIN_TOKEN, token_problem  # noqa: F401 (declared there)

COOKIE = "edge_console_session"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def cookie_value(token: str) -> str:
    return hmac.new(token.encode("utf-8"), b"edge-console serve session v1", hashlib.sha256).hexdigest()


def access_middleware(token: str | None) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    expected_cookie = cookie_value(token) if token else None

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        if token is None and not is_loopback_host(host_of(host)):
            return pages.refusal(403, "This console answers only on a loopback address (127.0.0.1, localhost).")
        origin = request.headers.get("Origin")
        if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != host.lower()):
            return pages.refusal(403, "Requests from another site are refused.")
        if token is None:
            return await handler(request)
        given = request.query.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode("utf-8")):
                return pages.refusal(401, "This link's token is wrong: ask the operator for the current link.")
            # always to this server's own root: a path like //evil.example/ would make the redirect leave it
            response = web.HTTPSeeOther(location="/")
            response.set_cookie(COOKIE, expected_cookie, path="/", httponly=True, samesite="Strict")
            return response
        cookie = request.cookies.get(COOKIE, "")
        if expected_cookie and hmac.compare_digest(
            cookie.encode("utf-8", "surrogateescape"), expected_cookie.encode("ascii")
        ):
            return await handler(request)
        return pages.refusal(401, "This console needs its link with the token: ask the operator for it.")

    return check
