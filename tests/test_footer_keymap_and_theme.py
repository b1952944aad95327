"""screens.textual_compat.Footer skips a recompose when what it shows is unchanged: a keymap remap (same
action, new key) and a live theme switch must still show the new key and restyle it (nothing stale)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from screens.textual_compat import Footer, screen_text_lines, share_parsed_css
from tests.test_textual_compat import wait_for_footer
from tests.util import wait_for


class _Keys(App[None]):
    BINDINGS = [Binding("a", "bell", "Alpha", id="t.alpha"), Binding("b", "screenshot", "Beta", id="t.beta")]

    def __init__(self) -> None:
        super().__init__()
        share_parsed_css(self)  # as the console's app: rules parsed once per process

    def compose(self) -> ComposeResult:
        yield Footer()


async def test_a_keymap_remap_shows_the_new_key_and_back():
    app = _Keys()
    async with app.run_test(size=(60, 3)) as pilot:
        await wait_for_footer(pilot, lambda: "a Alpha" in screen_text_lines(app)[-1])
        app.update_keymap({"t.alpha": "x"})
        await wait_for_footer(pilot, lambda: "x Alpha" in screen_text_lines(app)[-1])
        assert "a Alpha" not in screen_text_lines(app)[-1]
        assert [k.key for k in app.query("FooterKey") if k.action == "bell"] == ["x"]
        app.set_keymap({})
        await wait_for_footer(pilot, lambda: "a Alpha" in screen_text_lines(app)[-1])


async def test_a_theme_switch_restyles_the_footer_keys_it_did_not_recompose():
    def look(key) -> str:
        return str(key.get_component_rich_style("footer-key--key"))

    seen = []
    for _ in range(2):  # the second app parses nothing: every rule comes from the process-wide cache
        app = _Keys()
        async with app.run_test(size=(60, 3)) as pilot:
            await wait_for(lambda: any(k.action == "bell" for k in app.query("FooterKey")), message="footer keys")  # noqa: B023
            key = next(k for k in app.query("FooterKey") if k.action == "bell")
            looks = []
            for theme in ("textual-dark", "textual-light", "textual-dark"):
                app.theme = theme
                await wait_for_footer(pilot, lambda: app.current_theme.name == theme)  # noqa: B023
                await pilot.pause()
                looks.append(look(key))
            assert key.is_attached  # the same key widget (no recompose), restyled by the theme
        seen.append(looks)
    assert seen[0] == seen[1] and seen[0][0] == seen[0][2] != seen[0][1], seen
