"""Secrets come from an environment variable or a 0600 file, never from argv or config values."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class SecretError(Exception):
    pass


def read_secret(env_var: str | None, file: str | os.PathLike[str] | None = None) -> str | None:
    """The secret from ``$env_var``, else from ``file`` (which must not be readable by others)."""
    if env_var:
        value = os.environ.get(env_var)
        if value:
            return value.strip()
    if file:
        path = Path(os.path.expanduser(str(file)))
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise SecretError(f"{path}: cannot read secret file: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretError(f"{path}: secret file must be mode 0600 (is {stat.S_IMODE(mode):04o})")
        return path.read_text(encoding="utf-8").strip() or None
    return None


def mask(text: str, secrets: "list[str | None]") -> str:
    """Replace every occurrence of each secret value with ``****``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "****")
    return text
