"""Textual CSS for Edge Console. Every ``*.tcss`` file in this package is loaded by the app."""

from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).parent


def css_paths() -> list[Path]:
    """``edge.tcss`` first (the base), then the others in name order."""
    files = sorted(THEME_DIR.glob("*.tcss"))
    return sorted(files, key=lambda p: (p.name != "edge.tcss", p.name))
