"""Keys typed in one burst (as SSH delivers them after a stall) are applied in the order typed. Textual ran
a box's bound keys (backspace, arrows, home) only after the characters queued behind them
(Textualize/textual#6605): ``i`` then ``⌫EU`` left ``iEU`` minus its last letter, and an IP corrected with
``⌫8`` stayed wrong. widgets/text_input.py runs the box's own binding at once."""

from __future__ import annotations

import pytest

from screens.incident_start import IncidentStartScreen
from tests.look_views import look_app
from tests.test_flow_ui_modal import ready
from tests.util import press_now, wait_for
from widgets.text_input import TextBox, TextInput

BURSTS = [
    # (keys already typed, the burst, what the box holds)
    ("i", ["backspace", *"EU checkout"], "EU checkout"),
    ("203.0.113.77", ["backspace", "8"], "203.0.113.78"),
    ("prodution", ["left", "left", "left", "left", "c"], "production"),
    ("abc", ["home", "x", "end", "y"], "xabcy"),
]


@pytest.mark.parametrize("typed, burst, holds", BURSTS)
async def test_a_burst_with_edit_keys_lands_in_order_in_an_input(typed, burst, holds):
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.poll_count >= 1, message="first poll")
        await ready(app)
        await press_now(pilot, "i")
        await wait_for(lambda: isinstance(app.screen, IncidentStartScreen), message="incident start")
        box = app.screen.query_one("#incident-title", TextInput)
        box.focus()
        await wait_for(lambda: box.has_focus, message="title focused")
        box.value = typed
        box.cursor_position = len(typed)
        await press_now(pilot, *burst)  # one burst: every key queued before the first is handled
        await wait_for(lambda: box.value == holds, message=f"the box to hold {holds!r}")


async def test_a_burst_with_backspace_lands_in_order_in_a_text_area():
    from textual.app import App

    class One(App):
        def compose(self):
            yield TextBox(id="box")

    app = One()
    async with app.run_test() as pilot:
        box = app.query_one(TextBox)
        box.focus()
        await wait_for(lambda: box.has_focus, message="focus")
        await press_now(pilot, *"fix", "backspace", "backspace", *"ne")
        await wait_for(lambda: box.text == "fne", message="the box to hold 'fne'")
