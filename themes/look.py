"""The console's look, in one place: its Textual themes, the style and symbol of every state in each
theme, and the glyph table for terminals whose font has only the VT set (``TERM=linux``, ``vt*``).

Which theme and glyph table apply is decided by ``console/termcaps.py`` (pure; flag, config, terminal).
Widgets never name a colour for a state: they ask ``state_style(self, state)`` and ``state_mark(state)``.
Widgets write Unicode glyphs; with the VT table, ``VTGlyphFilter`` (a Textual line filter the app adds)
turns every glyph outside the VT font into one of the same width that it has (``╭`` -> ``┌``, ``✓`` -> ``+``,
``▲`` -> ``^``), so Textual's own widgets (borders, scrollbars, the command palette) are covered too.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from textual.filter import LineFilter
from textual.theme import Theme

from console.metrics.thresholds import State
from console.termcaps import ANSI16_THEME, DEFAULT_THEME, MONO_THEME

# -- themes ----------------------------------------------------------------------------------------

#: the default: Textual's dark palette (what the console always used), under the console's name
EDGE = Theme(
    name=DEFAULT_THEME,
    primary="#0178D4",
    secondary="#004578",
    accent="#ffa62b",
    warning="#ffa62b",
    error="#ba3c5b",
    success="#4EBF71",
    foreground="#e0e0e0",
    dark=True,
)

#: the terminal's own 16 colours: WARN yellow, CRIT red, as the terminal's palette draws them
EDGE_ANSI16 = Theme(
    name=ANSI16_THEME,
    ansi=True,
    dark=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    accent="ansi_cyan",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border-blurred": "ansi_black",
        "block-cursor-foreground": "ansi_black",
        "block-cursor-background": "ansi_white",
        "block-cursor-text-style": "bold",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-selection-background": "ansi_blue",
        "input-selection-foreground": "ansi_bright_white",
        "screen-selection-background": "ansi_blue",
        "screen-selection-foreground": "ansi_bright_white",
        "footer-key-foreground": "ansi_cyan",
        "footer-description-foreground": "ansi_default",
        "footer-background": "ansi_default",
        "footer-item-background": "ansi_default",
    },
)

#: no colour at all (NO_COLOR): every colour is the terminal's default; states are words, symbols and
#: text styles; the cursor and focus are reverse video
EDGE_MONO = Theme(
    name=MONO_THEME,
    ansi=True,
    dark=True,
    primary="ansi_default",
    secondary="ansi_default",
    warning="ansi_default",
    error="ansi_default",
    success="ansi_default",
    accent="ansi_default",
    foreground="ansi_default",
    background="ansi_default",
    surface="ansi_default",
    panel="ansi_default",
    boost="ansi_default",
    variables={
        "ansi-background": "ansi_default",
        "ansi-foreground": "ansi_default",
        "border": "ansi_default",
        "border-blurred": "ansi_default",
        "block-cursor-foreground": "ansi_default",
        "block-cursor-background": "ansi_default",
        "block-cursor-text-style": "bold reverse",
        "block-cursor-blurred-foreground": "ansi_default",
        "block-cursor-blurred-background": "ansi_default",
        "block-cursor-blurred-text-style": "underline",
        "input-cursor-background": "ansi_default",
        "input-cursor-foreground": "ansi_default",
        "input-cursor-text-style": "reverse",
        "input-selection-background": "ansi_default",
        "input-selection-foreground": "ansi_default",
        "screen-selection-background": "ansi_default",
        "screen-selection-foreground": "ansi_default",
        "button-focus-text-style": "bold reverse",
        "footer-key-foreground": "ansi_default",
        "footer-description-foreground": "ansi_default",
        "footer-background": "ansi_default",
        "footer-item-background": "ansi_default",
        "text-muted": "ansi_default",
        "text-disabled": "ansi_default",
        "scrollbar": "ansi_default",
        "scrollbar-hover": "ansi_default",
        "scrollbar-active": "ansi_default",
        "scrollbar-background": "ansi_default",
        "scrollbar-background-hover": "ansi_default",
        "scrollbar-background-active": "ansi_default",
        "scrollbar-corner-color": "ansi_default",
    },
)

THEMES: dict[str, Theme] = {t.name: t for t in (EDGE, EDGE_ANSI16, EDGE_MONO)}
#: what the command palette shows for each
THEME_TITLES = {DEFAULT_THEME: "default colours", ANSI16_THEME: "16 ANSI colours", MONO_THEME: "monochrome (no colour)"}

# -- states ----------------------------------------------------------------------------------------

#: a symbol for every state, beside its word (``State.symbol``: OK, WARN, CRIT, ??); never colour alone
STATE_MARKS = {State.NORMAL: "✓", State.WARNING: "!", State.CRITICAL: "✖", State.UNKNOWN: "?"}

#: CRIT is the most prominent thing on screen in every theme: reversed (a solid block) and bold
STATE_STYLES: dict[str, dict[State, str]] = {
    DEFAULT_THEME: {
        State.NORMAL: "green",
        State.WARNING: "bold yellow",
        State.CRITICAL: "bold reverse red",
        State.UNKNOWN: "dim",
    },
    ANSI16_THEME: {
        State.NORMAL: "green",
        State.WARNING: "bold yellow",
        State.CRITICAL: "bold reverse red",
        State.UNKNOWN: "dim",
    },
    MONO_THEME: {
        State.NORMAL: "",
        State.WARNING: "bold underline",
        State.CRITICAL: "bold reverse",
        State.UNKNOWN: "dim",
    },
}
#: the same for text that only follows a state (a sparkline, a trend): colour without the block
STATE_TINTS: dict[str, dict[State, str]] = {
    DEFAULT_THEME: {State.NORMAL: "green", State.WARNING: "yellow", State.CRITICAL: "red", State.UNKNOWN: "dim"},
    ANSI16_THEME: {State.NORMAL: "green", State.WARNING: "yellow", State.CRITICAL: "red", State.UNKNOWN: "dim"},
    MONO_THEME: {State.NORMAL: "", State.WARNING: "", State.CRITICAL: "bold", State.UNKNOWN: "dim"},
}


def theme_of(node: Any) -> str:
    """The active console theme for a widget, screen or app (the default outside the console's app)."""
    try:
        app = node if hasattr(node, "available_themes") else node.app
        name = app.theme
    except Exception:  # noqa: BLE001 - no app (a widget rendered on its own): the default look
        return DEFAULT_THEME
    return name if name in STATE_STYLES else DEFAULT_THEME


def state_style(node: Any, state: State) -> str:
    """The Rich style of a state's word (and mark) in ``node``'s theme."""
    return STATE_STYLES[theme_of(node)][state]


def state_tint(node: Any, state: State) -> str:
    return STATE_TINTS[theme_of(node)][state]


def state_mark(state: State) -> str:
    return STATE_MARKS[state]


def state_label(state: State) -> str:
    """Symbol and word, 6 cells: ``✖ CRIT``, ``! WARN``, ``✓ OK  ``."""
    return f"{STATE_MARKS[state]} {state.symbol:<4}"


# -- the VT glyph table ----------------------------------------------------------------------------

#: what the Linux console's font (and a VT220's) can draw: ASCII, Latin-1, single and double box
#: drawing, the CP437 blocks
VT_BOX = "─│┌┐└┘├┤┬┴┼═║╒╓╔╕╖╗╘╙╚╛╜╝╞╟╠╡╢╣╤╥╦╧╨╩╪╫╬"
VT_BLOCKS = "░▒▓█▄▀▌▐■"
VT_CHARS = (
    frozenset(chr(c) for c in range(0x20, 0x7F))
    | frozenset(chr(c) for c in range(0xA0, 0x100))
    | frozenset(VT_BOX)
    | frozenset(VT_BLOCKS)
    | frozenset("\n")
)

#: glyphs the console and Textual draw, and what they become on a VT
VT_MAP = {
    "✓": "+",
    "✔": "+",
    "✗": "x",
    "✘": "x",
    "✖": "X",
    "▲": "^",
    "▼": "v",
    "▶": ">",
    "◀": "<",
    "►": ">",
    "◄": "<",
    "⏸": "|",
    "ℹ": "i",
    "⚠": "!",
    "●": "*",
    "•": "*",
    "◌": "o",
    "○": "o",
    "◉": "*",
    "↻": "~",
    "…": "~",
    "—": "-",
    "–": "-",
    "→": ">",
    "←": "<",
    "↑": "^",
    "↓": "v",
    "⊘": "/",
    "⏎": "<",
    "≤": "<",
    "≥": ">",
    "»": ">",
    "«": "<",
    "❯": ">",
    "✚": "+",
    "⬆": "^",
    "⬇": "v",
    "⏵": ">",
    "⏷": "v",
    "⏶": "^",
    "▁": "_",
    "▂": "_",
    "▃": "▄",
    "▅": "▄",
    "▆": "█",
    "▇": "█",
    "▔": "▀",
    "▏": "▌",
    "▎": "▌",
    "▍": "▌",
    "▋": "▌",
    "▊": "█",
    "▉": "█",
    "▕": "▐",
    "▛": "█",
    "▜": "█",
    "▙": "█",
    "▟": "█",
    "▝": "▐",
    "▘": "▌",
    "▗": "▐",
    "▖": "▌",
    "▚": "▒",
    "▞": "▒",
    "\u2800": " ",
}
_BOX_BY_NAME = (
    ("VERTICAL AND HORIZONTAL", "┼"),
    ("DOWN AND HORIZONTAL", "┬"),
    ("UP AND HORIZONTAL", "┴"),
    ("VERTICAL AND RIGHT", "├"),
    ("VERTICAL AND LEFT", "┤"),
    ("DOWN AND RIGHT", "┌"),
    ("DOWN AND LEFT", "┐"),
    ("UP AND RIGHT", "└"),
    ("UP AND LEFT", "┘"),
    ("HORIZONTAL", "─"),
    ("VERTICAL", "│"),
    ("LEFT", "─"),
    ("RIGHT", "─"),
    ("UP", "│"),
    ("DOWN", "│"),
    ("DIAGONAL", "/"),
)


@lru_cache(maxsize=4096)
def vt_glyph(char: str) -> str:
    """``char`` as the VT font can draw it, in the same number of cells."""
    if char in VT_CHARS:
        return char
    width = cell_len(char)
    out = VT_MAP.get(char)
    if out is None and "\u2500" <= char <= "\u257f":
        name = unicodedata.name(char, "")
        out = next((box for words, box in _BOX_BY_NAME if words in name), "+")
    if out is None:
        decomposed = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out = decomposed if decomposed and decomposed.isprintable() else "?"
    if width <= 0:
        return ""
    out = out[:width]
    return out + " " * (width - cell_len(out))


def vt_text(text: str) -> str:
    if text.isascii():
        return text
    return "".join(vt_glyph(c) for c in text)


class VTGlyphFilter(LineFilter):
    """Every rendered line through the VT glyph table (the app adds it when ``TERM`` is a VT)."""

    def apply(self, segments: list[Segment], background: Any) -> list[Segment]:
        return [
            seg if seg.control or seg.text.isascii() else Segment(vt_text(seg.text), seg.style, seg.control)
            for seg in segments
        ]


# -- header badges ---------------------------------------------------------------------------------

#: SIMULATED and READ-ONLY badges: coloured blocks, or reverse video without colour
BADGE_STYLES = {
    "simulated": {MONO_THEME: "bold reverse", None: "bold black on yellow"},
    "read-only": {MONO_THEME: "bold reverse", None: "bold white on blue"},
}
#: a data source's state as a metric state (live is fine, stale a warning, down critical)
SOURCE_STATES = {"live": State.NORMAL, "stale": State.WARNING, "down": State.CRITICAL, "connecting": State.UNKNOWN}


def badge_style(node: Any, kind: str) -> str:
    styles = BADGE_STYLES[kind]
    return styles.get(theme_of(node), styles[None])


def source_style(node: Any, source_state: str) -> str:
    """The style of ``LIVE``/``STALE``/``DOWN`` in the header."""
    state = SOURCE_STATES.get(source_state, State.UNKNOWN)
    if state is State.NORMAL:
        return "bold " + STATE_TINTS[theme_of(node)][state]
    return state_style(node, state)
