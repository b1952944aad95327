"""The page and its files, all served from this machine (the war room may have no Internet).

textual-serve's own page loads its font from fonts.googleapis.com; ``page.html`` declares the same font
(Roboto Mono, shipped in the textual-serve package) with ``@font-face`` instead. ``textual.js`` (xterm.js
and textual-serve's glue) is served with xterm's ``screenReaderMode`` turned on: the terminal's rows are
then also in the page as text (its accessibility tree), for screen readers and for the browser tests.
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from string import Template

import textual_serve

log = logging.getLogger("edge-console.serve")

STATIC_DIR = Path(textual_serve.__file__).resolve().parent / "static"
TERMINAL_OPTIONS = re.compile(r"(\.Terminal\(\{)(allowProposedApi:!0,)")


@lru_cache(maxsize=1)
def textual_js() -> bytes:
    source = (STATIC_DIR / "js" / "textual.js").read_text(encoding="utf-8")
    patched, count = TERMINAL_OPTIONS.subn(r"\1screenReaderMode:!0,\2", source)
    if count != 1:
        log.warning("textual.js: the terminal options were not found (%d matches): screen reader mode is off", count)
        return source.encode("utf-8")
    return patched.encode("utf-8")


@lru_cache(maxsize=1)
def _page_template() -> Template:
    return Template(files("console.serve").joinpath("page.html").read_text(encoding="utf-8"))


def page(title: str, font_size: int) -> str:
    return _page_template().substitute(title=html.escape(title), font_size=int(font_size))
