"""Copying a value out of the console: Textual's ``App.copy_to_clipboard`` sends it to the terminal
as an OSC 52 sequence, which the terminal puts on the system clipboard if it allows it (xterm with
``allowWindowOps``, kitty, WezTerm, iTerm2, Windows Terminal, foot; tmux with ``set -g set-clipboard
on``; over ssh too, since it travels in the terminal stream). Mouse selection inside the console is
Textual's own (drag, then ctrl+c); most terminals also select natively with shift+drag."""

from __future__ import annotations

from typing import Any

from console.sanitize import clean

#: what ``?`` help says about copying (one line each)
COPY_HELP = [
    "Copy a value: enter on a row opens its full text, c copies it to the clipboard (OSC 52: the terminal "
    "must allow it; in tmux: set -g set-clipboard on).",
    "Or select with the mouse (drag) and press ctrl+c; shift+drag uses the terminal's own selection. "
    "The mouse is optional: every action has a key.",
]

#: the largest text copied at once (an OSC 52 sequence is base64: terminals cap it, often ~100 KB)
MAX_COPY_CHARS = 64_000


def copy_to_terminal(app: Any, text: str, *, what: str = "text") -> str:
    """Copy ``text`` (escaped: no control characters reach the clipboard) and say so; returns what was
    copied."""
    value = clean(text)
    cut = len(value) > MAX_COPY_CHARS
    value = value[:MAX_COPY_CHARS]
    app.copy_to_clipboard(value)
    note = f"copied {len(value):,} characters" + (" (cut)" if cut else "")
    app.notify(
        f"{note} of {clean(what)[:60]} (needs a terminal that accepts OSC 52)", title="Copy", timeout=4, markup=False
    )
    return value
