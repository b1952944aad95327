"""What makes a ``serve --token-env`` token usable: checked before ``serve`` starts anything, so a refused
start loads no web server (aiohttp and its TLS context were ~0.4 CPU-s of every refusal)."""

from __future__ import annotations

MAX_TOKEN = 4096
MIN_TOKEN = 16


def token_problem(name: str, value: str | None) -> str | None:
    """Why the token in ``$name`` cannot be used, or None."""
    if value is None or value == "":
        return f"--token-env {name}: the variable {name} is not set (or empty)"
    if len(value) < MIN_TOKEN:
        return f"--token-env {name}: the token is {len(value)} characters; use at least {MIN_TOKEN}"
    if len(value) > MAX_TOKEN:
        return f"--token-env {name}: the token is longer than {MAX_TOKEN} characters"
    if not value.isprintable() or any(c.isspace() for c in value):
        return f"--token-env {name}: the token has spaces or control characters"
    return None
