"""The small HTML pages ``serve`` answers with when it refuses (401, 403, 503)."""

from __future__ import annotations

import html

from aiohttp import web

TITLES = {401: "401 Unauthorized", 403: "403 Forbidden", 503: "503 Busy"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def refusal(status: int, message: str) -> web.Response:
    title = TITLES.get(status, str(status))
    body = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)} · Edge Console'
        f'</title></head>\n<body style="background:#0c181f;color:#eee;font-family:monospace;padding:2em">'
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(message)}</p>\n</body></html>\n"
    )
    return web.Response(status=status, text=body, content_type="text/html", headers=SECURITY_HEADERS)


def sessions_full(limit: int) -> web.Response:
    return refusal(
        503,
        f"All {limit} shared sessions are in use. Try again when someone closes their tab, "
        f"or ask the operator to raise --max-sessions.",
    )
