"""The panes' line-by-line drawing (widgets/text_lines.py, issue #9 idle CPU): each line is drawn as
Textual's own text path draws it (text, styles and the selection offsets in every theme), a line wider
than the widget is left to Textual (its ellipsis), and an update repaints only the lines that changed
(not the pane's border, not the other lines)."""

from __future__ import annotations

from rich.color import ColorSystem
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from themes import THEME_DIR
from themes.look import THEMES, state_style
from console.metrics.thresholds import State
from widgets.text_lines import TextLines


class Pane(TextLines):
    DEFAULT_CLASSES = "pane"


class PaneApp(App):
    CSS_PATH = [THEME_DIR / "edge.tcss"]

    def compose(self) -> ComposeResult:
        yield Pane("", id="pane")


def lines(node: object) -> list[Text]:
    """Lines as the panes build them: spans, whole-line styles, state styles, an empty line."""
    metric = Text(no_wrap=True, overflow="crop")
    metric.append("Request rate    ")
    metric.append("  4,330 req/s ", style="bold")
    metric.append("✓ OK  ", style=state_style(node, State.NORMAL))
    metric.append(" ▄▅▆", style="green")
    crit = Text(no_wrap=True)
    crit.append("geo_block   1.5/s ")
    crit.append("▲ SPIKE", style=state_style(node, State.CRITICAL))
    return [metric, crit, Text("+3 more queues", style="dim italic"), Text(""), Text("warn", style="bold yellow")]


def drawn(strip: object) -> list[tuple]:
    """A strip as the terminal gets it: each segment's text, its escape codes and its meta."""
    return [
        (
            s.text,
            s.style._make_ansi_codes(ColorSystem.TRUECOLOR) if s.style else None,
            s.style.meta if s.style else None,
        )
        for s in strip  # type: ignore[attr-defined]
    ]


async def test_each_line_is_drawn_as_textuals_text_path_draws_it_in_every_theme():
    app = PaneApp()
    for theme in THEMES.values():
        app.register_theme(theme)
    async with app.run_test(size=(60, 12)) as pilot:
        pane = app.query_one(Pane)
        for name in ["textual-dark", *THEMES]:
            app.theme = name
            await pilot.pause()
            given = lines(pane)
            pane.set_lines(given)
            await pilot.pause()
            width = pane.size.width
            for y, line in enumerate(given):
                ours = pane.render_line(y)
                pane.refresh()  # Textual's own path renders the whole content again
                theirs = Static.render_line(pane, y)
                assert drawn(ours) == drawn(theirs), (name, y, line.plain)
                assert ours.cell_length <= width
            assert str(pane.render()) == "\n".join(line.plain for line in given)
            assert pane.content.plain == str(pane.render())


async def test_a_line_wider_than_the_pane_or_with_a_tab_is_left_to_textual():
    app = PaneApp()
    async with app.run_test(size=(30, 8)) as pilot:
        pane = app.query_one(Pane)
        pane.set_lines([Text("a rule name far too long for this narrow pane", no_wrap=True, overflow="ellipsis")])
        await pilot.pause()
        text = "".join(segment.text for segment in pane.render_line(0))
        assert text.rstrip().endswith("…") and len(text.rstrip()) <= pane.size.width

        pane.set_lines([Text("queue\tname")])  # a tab: Textual's tab stops, never a raw tab to the terminal
        await pilot.pause()
        ours = pane.render_line(0)
        pane.refresh()
        assert drawn(ours) == drawn(Static.render_line(pane, 0))
        assert "\t" not in "".join(segment.text for segment in ours)


async def test_an_update_repaints_only_the_lines_that_changed():
    app = PaneApp()
    async with app.run_test(size=(60, 12)) as pilot:
        pane = app.query_one(Pane)
        first = [Text(f"row {i} value {i}") for i in range(5)]
        pane.set_lines(first, layout=True)
        await pilot.pause()
        assert "row 4 value 4" in "\n".join(str(line.text) for line in app.screen._compositor.render_strips())

        repainted: list[object] = []
        original = pane.refresh

        def counting_refresh(*regions, **kwargs):
            repainted.append(regions)
            return original(*regions, **kwargs)

        pane.refresh = counting_refresh
        second = [*first[:2], Text("row 2 value 20"), *first[3:]]
        pane.set_lines(second, layout=False)
        await pilot.pause()
        assert len(repainted) == 1 and [region.y for region in repainted[0]] == [2]  # one line, not the border
        screen = "\n".join(str(line.text) for line in app.screen._compositor.render_strips())
        assert "row 2 value 20" in screen and "row 1 value 1" in screen and "row 4 value 4" in screen

        pane.set_lines([Text(line.plain) for line in second], layout=False)  # equal lines, new objects
        await pilot.pause()
        assert len(repainted) == 1  # nothing changed: nothing repainted

        pane.set_lines([*second[:4], Text("row 4 value 4", style="bold")], layout=False)  # only the style moved
        await pilot.pause()
        assert [region.y for region in repainted[-1]] == [4]
