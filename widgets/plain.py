"""Outside text for places Textual reads as markup (border titles and subtitles take a ``str`` as markup):
``plain(text)`` is that text escaped for the terminal (``console.sanitize.clean_line``) as plain Content,
so a ``[`` from a server is shown, never parsed (a stray ``[/]`` raised MarkupError and closed the console)."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from console.sanitize import clean_line


def plain(text: Any) -> Content:
    return Content(clean_line(text))
