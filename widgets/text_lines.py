"""Drawing a Static's rich ``Text`` straight into screen lines (issue #9, idle under 1% of a core).

A pane updated every poll (the key metrics, queues, security blocks) spent most of its frame in
Textual's general text path: the ``Text`` converted to ``Content``, then wrapped, formatted and cut
into strips, about 0.5 ms a line. The panes build lines that already fit (no wrapping, one line per
row), so :class:`TextLines` draws each line from the ``Text``'s own segments over the widget's base
style, and keeps the strips until the content, width or style changes. The ``Static`` API stays as it
is (``update``, ``content``, ``render()``): only the drawing is shorter. Whatever the short path does
not cover (a line wider than the widget, which Textual ends with an ellipsis; a tab; a mouse selection;
a content that is not a ``Text``; aligned content) is drawn by Textual's own path.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widgets import Static


class TextLines(Static):
    """A ``Static`` whose ``Text`` content is drawn line by line (see the module's docstring). ``update``
    with a ``Text`` of as many lines as before (and no layout) repaints only the lines whose text or
    styles changed: a pane's border and unchanged rows are not drawn again. :meth:`set_lines` gives
    the lines as a list (no split)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: the content shown when set by a line-level update (Static's own is then out of date)
        self._text: Text | None = None
        #: the content the lines below belong to (None: split the content at the next draw)
        self._lines_of: object = None
        self._lines: list[Text] = []
        self._line_strips: list[Strip | None] = []
        #: (width, base style) the strips were drawn for
        self._strips_for: tuple | None = None
        #: (span style, x, y) -> the drawn segment's style over the current base
        self._line_styles: dict = {}
        self._given: list[Text] | None = None

    @property
    def content(self) -> object:
        return self._text if self._text is not None else super().content

    @content.setter
    def content(self, content: object) -> None:
        self._text = None
        self._lines_of = None
        Static.content.fset(self, content)  # type: ignore[attr-defined]

    def render(self) -> object:
        return self._text if self._text is not None else super().render()

    def set_lines(self, lines: list[Text], *, layout: bool = True) -> None:
        """Show ``lines`` (each one line, no newline)."""
        self._given = lines
        try:
            self.update(Text("\n").join(lines), layout=layout)
        finally:
            self._given = None

    def update(self, content: object = "", *, layout: bool = True) -> None:
        given, self._given = self._given, None
        if not isinstance(content, Text):
            self._text = None
            self._lines_of = None
            super().update(content, layout=layout)  # type: ignore[arg-type]
            return
        lines = list(given) if given is not None else content.split("\n", allow_blank=True)
        previous = self._lines if self._lines_of is not None else None
        if (
            not layout
            and previous is not None
            and len(previous) == len(lines)
            and self.is_mounted
            and self._strips_for is not None
        ):
            changed = [i for i, (old, new) in enumerate(zip(previous, lines)) if not _same(old, new)]
            strips = self._line_strips
            self._text = self._lines_of = content
            self._lines = lines
            self._line_strips = [None if i in changed else strip for i, strip in enumerate(strips)]
            if changed:
                width = self.size.width
                self.refresh(*(Region(0, i, width, 1) for i in changed))  # content lines only: no border
            return
        self._text = None
        super().update(content, layout=layout)
        self._lines_of = content
        self._lines = lines
        self._line_strips = [None] * len(lines)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips_for = None  # a theme or CSS change: the base style changes

    def render_line(self, y: int) -> Strip:
        content = self.content
        width = self.size.width
        if (
            not isinstance(content, Text)
            or self.text_selection is not None
            or self.styles.content_align != ("left", "top")
        ):
            return super().render_line(y)
        base = self.visual_style
        if content is not self._lines_of:
            self._lines_of = content
            self._lines = content.split("\n", allow_blank=True)
            self._line_strips = [None] * len(self._lines)
        if (width, base) != self._strips_for:
            self._strips_for = (width, base)
            self._line_strips = [None] * len(self._lines)
            self._line_styles = {}
        if not 0 <= y < len(self._lines):
            return Strip.blank(width, base.rich_style)
        strip = self._line_strips[y]
        if strip is None:
            strip = self._draw_line(self._lines[y], y, width, base)
            if strip is None:  # wider than the widget (Textual's ellipsis) or a tab
                return super().render_line(y)
            self._line_strips[y] = strip
        return strip

    def _draw_line(self, line: Text, y: int, width: int, base: TextualStyle) -> Strip | None:
        """Line ``y`` as Textual's text path draws it (the same styles, and each segment's character
        offset in its meta, which mouse selection reads), or None when it is wider than ``width`` or holds
        a tab (Textual's path handles those)."""
        if line.cell_len > width or "\t" in line.plain:  # Textual's ellipsis, Textual's tab stops
            return None
        styles = self._line_styles
        console = self.app.console
        if not line.spans:  # rich yields a span-less line unstyled: its own style is the whole line's
            pieces: list = [(line.plain, console.get_style(line.style) if line.style else None)]
        else:
            pieces = [(text, style) for text, style, _control in line.render(console)]
        segments = []
        x = 0
        for text, style in pieces:
            if not text:
                continue
            key = (style, x, y)
            final = styles.get(key)
            if final is None:
                if len(styles) > MAX_STYLES:
                    styles.clear()
                rich_base = base.rich_style
                final = styles[key] = (rich_base + style if style else rich_base) + _offset(x, y)
            segments.append(Segment(text, final))
            x += len(text)
        if not segments:
            segments.append(Segment("", base.rich_style + _offset(0, y)))
        return Strip(segments)


#: combined styles kept per widget (style x position x line): a few hundred in practice
MAX_STYLES = 4096


def _same(old: Text, new: Text) -> bool:
    """The two lines draw the same (``Text.__eq__`` leaves out the whole line's style)."""
    return old is new or (old.plain == new.plain and old.style == new.style and old.spans == new.spans)


def _offset(x: int, y: int) -> RichStyle:
    return RichStyle.from_meta({"offset": (x, y)})
