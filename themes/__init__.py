"""Textual CSS for Edge Console. Every ``*.tcss`` file in this package is loaded by the app."""

from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).parent

#: what the dashboard's first frame needs (its panes, the header, the help screen); the app loads the
#: others (flows, incident chrome, log tail, detail and monitoring views) once the first frame is on the
#: terminal: parsing them first cost ~25 ms of CPU before it (screens/later_css.py)
FIRST_FRAME_CSS = ("edge.tcss",)


def css_paths() -> list[Path]:
    """``edge.tcss`` first (the base), then the others in name order."""
    files = sorted(THEME_DIR.glob("*.tcss"))
    return sorted(files, key=lambda p: (p.name != "edge.tcss", p.name))


def first_frame_css_paths() -> list[Path]:
    """The files of :data:`FIRST_FRAME_CSS`, in the order of :func:`css_paths`."""
    return [p for p in css_paths() if p.name in FIRST_FRAME_CSS]


def later_css_paths() -> list[Path]:
    """Every other file, in the order of :func:`css_paths` (so a rule's precedence does not change)."""
    return [p for p in css_paths() if p.name not in FIRST_FRAME_CSS]
