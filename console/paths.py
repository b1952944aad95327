"""XDG base directories for config and state (the spec is four environment variables)."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR = "edge-console"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "").strip()
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP_DIR


def state_dir() -> Path:
    """Where incident, audit and session records are appended (created on demand, mode 0700). Raises
    :class:`console.safefile.UnsafePath` for a directory another user owns or group/others can write."""
    from console.safefile import ensure_private_dir

    override = os.environ.get("EDGE_CONSOLE_STATE_DIR", "").strip()
    path = Path(override) if override else _xdg("XDG_STATE_HOME", ".local/state") / APP_DIR
    return ensure_private_dir(path, "state directory")


def default_config_path() -> Path:
    return config_dir() / "config.yaml"
