"""Readable on any terminal: the theme and glyph choice (flag, config, NO_COLOR/COLORTERM/TERM), the
state word on every key-metric row at 60x20, SPIKE at 80x24, CRIT bold/reversed under NO_COLOR, WARN
yellow and CRIT red with 16 colours, only VT glyphs on TERM=linux, forms that read without colour, and
the palette's theme switch (Pilot tests with the static poller)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from console.cli import build_parser
from console.config import ConfigError, parse_config
from console.metrics.model import KEY_METRICS
from console.termcaps import ANSI16_THEME, DEFAULT_THEME, MONO_THEME, UNICODE_GLYPHS, VT_GLYPHS, choose
from tests.look_views import VIEW_GROUPS, VIEWS, back_to_dashboard, look_app, open_view
from tests.util import metric_row, wait_for
from themes.look import VT_CHARS, vt_text
from widgets.metrics_pane import MetricsPane
from widgets.security_pane import SecurityPane
from screens.textual_compat import render_update

pytestmark = pytest.mark.usefixtures("unseen_frames_skipped")  # each Pilot test reads the screen it checks


def screen_text(app) -> str:
    """The screen as the terminal gets it (after the app's line filters), without styles."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(render_update(app))
    return console.export_text()


def row_line(app, row) -> tuple[str, int]:
    """The rendered text of a one-line widget and its screen row."""
    region = row.region
    text = screen_text(app).splitlines()[region.y]
    return text[region.x : region.x + region.width], region.y


def cell_style(app, widget, word: str):
    """The style on screen of the first cell of ``word`` inside ``widget`` (a one-line widget)."""
    text, y = row_line(app, widget)
    x = text.index(word)
    return app.screen.get_style_at(widget.region.x + x, y)


# -- choosing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "environ, theme, glyphs",
    [
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, DEFAULT_THEME, UNICODE_GLYPHS),
        ({"TERM": "xterm-256color"}, DEFAULT_THEME, UNICODE_GLYPHS),
        ({"TERM": "xterm"}, ANSI16_THEME, UNICODE_GLYPHS),
        ({"TERM": "screen"}, ANSI16_THEME, UNICODE_GLYPHS),
        ({"TERM": "xterm", "COLORTERM": "truecolor"}, DEFAULT_THEME, UNICODE_GLYPHS),
        ({"TERM": "linux"}, ANSI16_THEME, VT_GLYPHS),
        ({"TERM": "vt220"}, MONO_THEME, VT_GLYPHS),
        ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, MONO_THEME, UNICODE_GLYPHS),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, DEFAULT_THEME, UNICODE_GLYPHS),  # empty: not set (no-color.org)
        ({"TERM": "dumb"}, MONO_THEME, UNICODE_GLYPHS),
    ],
)
def test_theme_and_glyphs_from_the_terminal(environ, theme, glyphs):
    choice = choose(environ)
    assert (choice.theme, choice.glyphs) == (theme, glyphs), choice.reason


def test_flag_beats_config_beats_terminal():
    environ = {"TERM": "xterm-256color", "NO_COLOR": "1"}
    assert choose(environ, config_value="ansi16").theme == ANSI16_THEME
    assert choose(environ, flag="edge", config_value="ansi16").theme == DEFAULT_THEME
    assert choose(environ, flag="auto", config_value="auto").theme == MONO_THEME
    assert choose({"TERM": "linux"}, flag="edge").glyphs == VT_GLYPHS  # glyphs follow the font, not the flag
    with pytest.raises(ValueError, match="unknown theme 'sparkly'"):
        choose(environ, flag="sparkly")


def test_config_theme_key_is_checked_and_honoured():
    base = "environments:\n  prod: {base_url: 'http://127.0.0.1:9'}\n"
    cfg = parse_config(base + "theme: sparkly\n")
    from console.termcaps import config_theme

    with pytest.raises(ConfigError) as info:
        config_theme(cfg)
    assert ":3: theme: unknown theme 'sparkly'" in str(info.value)
    cfg = parse_config(base + "theme: mono\n")
    assert config_theme(cfg) == "mono"
    assert look_app("dashboard", config=cfg).theme == MONO_THEME


def test_theme_flag_parses_and_refuses_unknown_names(capsys):
    assert build_parser().parse_args(["--theme", "edge-mono"]).theme == "edge-mono"
    assert build_parser().parse_args([]).theme is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--theme", "sparkly"])
    assert "invalid choice" in capsys.readouterr().err


# -- priority layout ------------------------------------------------------------------------------
async def test_60x20_ddos_every_key_metric_row_shows_its_state_word_and_value():
    app = look_app("dashboard-ddos")
    async with app.run_test(size=(60, 20)) as pilot:
        await open_view(pilot, "dashboard-ddos")
        rows = app.screen.query_one(MetricsPane).rows
        assert len(rows) == len(KEY_METRICS)
        for row in rows:
            text, _ = row_line(app, row)
            word = row.metric.state.symbol
            assert word in text, (row.key, text)
            assert row.metric.value is not None
        words = {row.key: row_line(app, row)[0] for row in rows}
        assert "CRIT" in words["request_rate"] and "23.6k" in words["request_rate"]
        assert "WARN" in words["cache_hit_rate"] and "75.0 %" in words["cache_hit_rate"]
        screen = screen_text(app)
        assert "1,240 ✖ CRIT" in screen and "610 ! WARN" in screen  # queue rows keep backlog and state
        assert screen.count("▲ SPIKE") == 2
        assert "127.0.0.1:9" in screen.splitlines()[0]  # the target stays in the header


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_security_pane_shows_spike(size):
    app = look_app("dashboard-ddos")
    async with app.run_test(size=size) as pilot:
        await open_view(pilot, "dashboard-ddos")
        pane = app.screen.query_one(SecurityPane)
        lines = [line for line in screen_text(app).splitlines()[pane.region.y : pane.region.bottom]]
        spiking = [line for line in lines if "▲ SPIKE" in line]
        assert len(spiking) == 2 and "rate_lim" in spiking[0] and "waf" in spiking[1], lines


async def test_panes_that_cannot_fit_list_their_worst_rows_then_collapse_to_a_summary():
    app = look_app("dashboard-ddos")
    async with app.run_test(size=(80, 17)) as pilot:
        await open_view(pilot, "dashboard-ddos")
        pane = app.screen.query_one(SecurityPane)
        await wait_for(lambda: "more rules" in pane._plain, message="shortened list")
        lines = pane._plain.splitlines()
        assert len(lines) == pane.max_lines and "▲ SPIKE" in lines[0] and "▲ SPIKE" in lines[1], lines
        assert lines[-2].startswith("+3 more rules") and lines[-1].startswith("all"), lines
        screen = screen_text(app)
        assert "all         3,450/s" in screen  # the last line is on screen, not cut off
        await pilot.resize_terminal(80, 16)
        await wait_for(lambda: pane._plain.count("\n") == 0, message="one-line summary")
        assert "▲ SPIKE rate_limit, waf · all 3,450/s" in pane._plain


async def test_log_view_message_is_readable_at_80_columns():
    app = look_app("log")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, "log")
        screen = screen_text(app)
        assert "TypeError: Cannot read propert" in screen
        assert "upstream fetch failed: 502" in screen
        # the breakdown (under the list below 120 columns) wraps a long message instead of cutting it
        assert "(reading 'salt')" in screen


# -- meaning never by colour alone -----------------------------------------------------------------
async def test_no_color_draws_crit_bold_or_reversed_and_more_prominent_than_ok(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = look_app("dashboard-ddos")
    assert app.theme == MONO_THEME
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, "dashboard-ddos")
        crit = cell_style(app, metric_row(app, "error_rate"), "CRIT")
        assert crit.bold or crit.reverse, crit
        assert crit.reverse  # a solid block: the most prominent thing on the screen
        ok = cell_style(app, metric_row(app, "memory_bytes"), "OK")
        assert not ok.reverse
        for style in (crit, ok):  # no colour at all reaches the terminal
            assert style.color is None or style.color.is_default, style
            assert style.bgcolor is None or style.bgcolor.is_default, style


async def test_16_colours_warn_is_yellow_and_crit_red(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM")
    app = look_app("dashboard-ddos")
    assert app.theme == ANSI16_THEME
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, "dashboard-ddos")
        warn = cell_style(app, metric_row(app, "cache_hit_rate"), "WARN")
        crit = cell_style(app, metric_row(app, "error_rate"), "CRIT")
        assert warn.color is not None and warn.color.number in (3, 11), warn  # ANSI yellow
        assert crit.color is not None and crit.color.number in (1, 9), crit  # ANSI red
        assert crit.reverse and crit.bold


async def test_term_linux_draws_only_glyphs_of_the_vt_font(monkeypatch):
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("COLORTERM")
    checked = []
    for views in VIEW_GROUPS:  # one app shows its views in turn
        app = look_app(views[0])
        async with app.run_test(size=(80, 24)) as pilot:
            for view in views:
                await open_view(pilot, view)
                screen = screen_text(app)
                outside = {c for c in screen if c not in VT_CHARS}
                assert not outside, (view, outside)
                assert "┌" in screen and "╭" not in screen  # square corners
                assert "X CRIT" in screen or view != "dashboard-ddos"
                assert "^ SPIKE" in screen or view != "dashboard-ddos"
                checked.append(view)
                await back_to_dashboard(pilot)
    assert sorted(checked) == sorted(VIEWS)


def test_vt_table_keeps_widths():
    for text in ("╭─ Key ─╮", "✓ OK ✖ CRIT ▲ SPIKE ⏸ PAUSED ℹ note", "▁▂▃▄▅▆▇█", "(•) P1", "🔎 search"):
        out = vt_text(text)
        assert all(c in VT_CHARS for c in out), out
        from rich.cells import cell_len

        assert cell_len(out) == cell_len(text), (text, out)


async def test_forms_show_selection_checks_and_focus_without_colour():
    app = look_app("incident-start", theme=MONO_THEME)
    async with app.run_test(size=(80, 24)) as pilot:  # one app shows both forms in turn
        await open_view(pilot, "incident-start")
        screen = screen_text(app)
        assert "(•) P1 Major" in screen and "( ) P2 Minor" in screen and "( ) P0" in screen
        await pilot.click("#sev-P2")
        await wait_for(lambda: "(•) P2 Minor" in screen_text(app), message="P2 selected")
        screen = screen_text(app)
        assert "( ) P1 Major" in screen and "›(•) P2 Minor" in screen  # the focused one is marked
        assert app.screen.severity == "P2"
        await back_to_dashboard(pilot)
        await open_view(pilot, "incident-close")
        screen = screen_text(app)
        assert "›[x] Run smoke tests" in screen and "[ ] Update status page" in screen
        await pilot.press("tab")
        await pilot.press("space")
        await wait_for(lambda: "›[x] Update status page" in screen_text(app), message="checked by space")
        assert " [x] Run smoke tests" in screen_text(app)


async def test_palette_switches_theme_live():
    app = look_app("dashboard-ddos", theme=DEFAULT_THEME)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_view(pilot, "dashboard-ddos")
        before = cell_style(app, metric_row(app, "error_rate"), "CRIT")
        assert before.color is not None and not before.color.is_default
        await pilot.press("colon")
        from textual.command import CommandPalette

        await wait_for(lambda: isinstance(app.screen, CommandPalette), message="palette")
        await pilot.press(*"theme", "space", *"monochrome")
        results = app.screen.query_one("CommandList")
        await wait_for(
            lambda: (
                results.option_count > 0
                and "Theme: monochrome (no colour) (edge-mono)" in str(results.get_option_at_index(0).prompt)
            ),
            message="the theme entry as the first hit",
        )
        await pilot.press("enter")
        await wait_for(lambda: app.theme == MONO_THEME, message="theme switched")

        def mono_crit() -> bool:
            style = cell_style(app, metric_row(app, "error_rate"), "CRIT")
            return style.reverse and (style.color is None or style.color.is_default or style.color.number == 7)

        await wait_for(lambda: app.screen.query(MetricsPane) and mono_crit(), message="restyled")


def test_a_served_console_gets_the_browser_terminal_not_serves():
    from console.serve.command import console_environment

    env = console_environment({"TERM": "linux", "PATH": "/usr/bin"}, token_env=None, sim_url=None)
    choice = choose(env)
    assert (choice.theme, choice.glyphs) == (DEFAULT_THEME, UNICODE_GLYPHS)


def frame_colours(app) -> set[str]:
    """Every colour the terminal would be sent for the current frame (after the app's line filters)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), color_system="truecolor")
    seen = set()
    for segment in console.render(render_update(app)):
        style = segment.style
        if style is None:
            continue
        for colour in (style.color, style.bgcolor):
            if colour is not None and not colour.is_default:
                seen.add(colour.name)
    return seen


async def test_the_monochrome_theme_sends_no_colour_even_for_text_a_widget_styled_red(monkeypatch):
    """``--theme edge-mono`` without NO_COLOR: widgets style some words themselves (a red "changes", a
    green "DONE"); the theme's filter drops every colour and keeps the words, bold and reverse."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")
    checked = []
    for views in VIEW_GROUPS:  # one app shows its views in turn
        app = look_app(views[0], theme=MONO_THEME)
        async with app.run_test(size=(80, 24)) as pilot:
            for view in views:
                await open_view(pilot, view)
                assert app.theme == MONO_THEME
                assert frame_colours(app) == set(), view
                checked.append(view)
                await back_to_dashboard(pilot)
            if views == ("dashboard-ddos",):
                # the same view in the default theme does send colours (the check above can fail)
                app.theme = DEFAULT_THEME
                await wait_for(lambda app=app: frame_colours(app), message="colours in the default theme")
    assert sorted(checked) == sorted(VIEWS)


async def test_a_live_theme_switch_recolours_the_log_view_as_a_start_in_that_theme():
    """The log view's status line of a stopped tail gets no next update: switched live to the 16-colour
    theme, it kept the default theme's red until the console restarted."""
    fresh = look_app("log", theme=ANSI16_THEME)
    async with fresh.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, "log")
        wanted = frame_colours(fresh)
    app = look_app("log", theme=DEFAULT_THEME)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, "log")
        assert frame_colours(app) != wanted  # the default theme's colours first (the check below can fail)
        app.use_theme(ANSI16_THEME)
        await wait_for(lambda: app.theme == ANSI16_THEME and frame_colours(app) == wanted, message="recoloured")
