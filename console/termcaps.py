"""Which theme and which glyph table suit the terminal (pure: reads only the mapping it is given).

Themes (registered with Textual by ``themes/look.py``):

- ``edge``: the default, for terminals with 256 or more colours;
- ``edge-ansi16``: the 16 ANSI colours the terminal's own palette draws (WARN yellow, CRIT red);
- ``edge-mono``: no colour at all; states by word, symbol, bold, underline and reverse (CRIT reversed).

Choice, first that applies: the ``--theme`` flag, the config's ``theme:`` key (``auto`` means "detect"),
then detection: ``NO_COLOR`` set and not empty (https://no-color.org) -> ``edge-mono``; ``TERM=dumb`` or
``vt*`` (a hardware VT has no colour) -> ``edge-mono``; ``COLORTERM=truecolor|24bit`` or a ``TERM`` naming
256 colours or more -> ``edge``; any other ``TERM`` (``xterm``, ``screen``, ``linux``) -> ``edge-ansi16``.

Glyphs are chosen once at start-up, from ``TERM`` only: ``linux`` (the kernel console) and ``vt*`` get
the ``vt`` table (square box drawing, ASCII marks: the console font has no ``╭ ✓ ✖ ▲ ⏸ ℹ``); everything
else ``unicode``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

DEFAULT_THEME = "edge"
ANSI16_THEME = "edge-ansi16"
MONO_THEME = "edge-mono"
THEME_NAMES = (DEFAULT_THEME, ANSI16_THEME, MONO_THEME)
AUTO = "auto"
#: other spellings accepted by ``--theme`` and ``theme:``
ALIASES = {
    "default": DEFAULT_THEME,
    "ansi16": ANSI16_THEME,
    "ansi": ANSI16_THEME,
    "16": ANSI16_THEME,
    "mono": MONO_THEME,
    "monochrome": MONO_THEME,
    "no-color": MONO_THEME,
}
CHOICES = (AUTO, *THEME_NAMES, *ALIASES)

UNICODE_GLYPHS = "unicode"
VT_GLYPHS = "vt"


@dataclass(frozen=True)
class TermChoice:
    theme: str
    glyphs: str
    #: why this theme (shown by the palette's theme entries and in tests' failure messages)
    reason: str


def normalise(name: str | None) -> str | None:
    """A theme name from the flag or config (``None`` and ``auto`` mean detect); ``ValueError`` if unknown."""
    if name is None:
        return None
    key = str(name).strip().lower()
    if key in ("", AUTO):
        return None
    if key in THEME_NAMES:
        return key
    if key in ALIASES:
        return ALIASES[key]
    raise ValueError(f"unknown theme {name!r} (known: {', '.join((AUTO, *THEME_NAMES))})")


def glyphs_for(environ: Mapping[str, str]) -> str:
    term = environ.get("TERM", "").strip().lower()
    if term == "linux" or term.startswith("linux-") or term.startswith("vt"):
        return VT_GLYPHS
    return UNICODE_GLYPHS


def detect_theme(environ: Mapping[str, str]) -> tuple[str, str]:
    """(theme, reason) from the environment alone."""
    if environ.get("NO_COLOR", ""):
        return MONO_THEME, "NO_COLOR is set"
    term = environ.get("TERM", "").strip().lower()
    if term == "dumb" or term.startswith("vt"):
        return MONO_THEME, f"TERM={term} has no colour"
    colorterm = environ.get("COLORTERM", "").strip().lower()
    if colorterm in ("truecolor", "24bit"):
        return DEFAULT_THEME, f"COLORTERM={colorterm}"
    if "256color" in term or "truecolor" in term or "direct" in term:
        return DEFAULT_THEME, f"TERM={term}"
    if not term:
        return DEFAULT_THEME, "TERM not set"
    return ANSI16_THEME, f"TERM={term} has 16 colours"


def choose(environ: Mapping[str, str], *, flag: str | None = None, config_value: str | None = None) -> TermChoice:
    """The theme and glyph table for this start: flag, then config, then detection."""
    glyphs = glyphs_for(environ)
    requested = normalise(flag)
    if requested is not None:
        return TermChoice(requested, glyphs, "--theme")
    requested = normalise(config_value)
    if requested is not None:
        return TermChoice(requested, glyphs, "config theme:")
    theme, reason = detect_theme(environ)
    return TermChoice(theme, glyphs, reason)


def config_theme(config: Any) -> str | None:
    """The config's ``theme:`` value, checked (a ``ConfigError`` at its line when it names no theme)."""
    value = config.section("theme") if config is not None else None
    if value is None:
        return None
    if not isinstance(value, str):
        raise config.error_at(("theme",), f"must be one of {', '.join((AUTO, *THEME_NAMES))}")
    try:
        normalise(value)
    except ValueError as exc:
        raise config.error_at(("theme",), str(exc)) from None
    return value
