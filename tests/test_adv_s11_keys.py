"""Text boxes that apply keys in order (widgets/text_input.py) without breaking the keys around them.

- ctrl+c with a text box focused and nothing selected in it: the box's ``copy`` skips (Textual's Input and
  TextArea raise SkipAction), and the key goes on to the screen, which copies the mouse selection (the
  console's documented "select with the mouse (drag) and press ctrl+c"). The box took the key whenever it
  had a binding for it, ran or not.
- tab / shift+tab in a burst: the keys typed after it go to the field focus moved to, in order (``abc⇥def``
  in one read filled the first field with ``abcdef``); a paste right after tab too.
- enter in a one-line field of the incident start/close forms moves on to the next field at once, with the
  same order guarantee; enter in the start form's last field (Impact) still starts the incident.
- the flow modal at 60x20: the step panel refits to the room its box leaves when the box's height changes
  (a resize, the incident strip shown above it) or the panel grows, so the confirmation box stays on screen.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.selection import SELECT_ALL
from textual.widgets import Static

from screens.incident_close import IncidentCloseScreen
from screens.incident_start import IncidentStartScreen
from tests.look_views import look_app
from tests.test_flow_ui_modal import ready
from tests.util import key_events, press_now, wait_for
from widgets.text_input import TextBox, TextInput


async def _dashboard(pilot) -> None:
    app = pilot.app
    await wait_for(lambda: app.poll_count >= 1, message="first poll")
    await ready(app)


async def _start_form(pilot, submitted: list | None = None) -> IncidentStartScreen:
    app = pilot.app
    await _dashboard(pilot)

    def submit(severity: str, title: str, impact: str) -> tuple[bool, str]:
        if submitted is not None:
            submitted.append((severity, title, impact))
        return False, "not started: a key test"

    await app.push_screen(IncidentStartScreen(submit, severity="P2"))
    await wait_for(
        lambda: (
            isinstance(app.screen, IncidentStartScreen)
            and app.screen.is_mounted
            and app.focused is app.screen.query_one("#incident-title")
        ),
        message="start form, title focused",
    )
    return app.screen


async def _close_form(pilot) -> IncidentCloseScreen:
    app = pilot.app
    await _dashboard(pilot)
    await app.push_screen(IncidentCloseScreen("INC-1", lambda: app.last_result, lambda *a: (False, "no")))
    await wait_for(lambda: isinstance(app.screen, IncidentCloseScreen) and app.screen.is_mounted, message="close")
    screen = app.screen
    await pilot.click("#close-next")  # to the second step: root cause, resolution, action items
    root = screen.query_one("#close-root-cause", TextInput)
    await wait_for(lambda: app.focused is root, message="root cause focused")
    return screen


async def burst(pilot, *items: str | events.Paste) -> None:
    """Keys (Pilot's names) and pastes into the app's queue at once, in order: one read of a terminal."""
    app = pilot.app
    for item in items:
        for event in [item] if isinstance(item, events.Paste) else key_events(app, item):
            app.post_message(event)


# -- 1. ctrl+c ---------------------------------------------------------------------------------------------
async def test_ctrl_c_in_a_text_box_with_nothing_selected_copies_the_screen_selection():
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot)
        title = screen.query_one(".modal-title", Static)
        screen.selections = {title: SELECT_ALL}  # a mouse drag over the form's title
        assert screen.get_selected_text() == "Start an incident"
        await press_now(pilot, "ctrl+c")
        await wait_for(lambda: app.clipboard == "Start an incident", message="the selection copied")


async def test_ctrl_c_with_text_selected_in_the_box_copies_the_box_selection():
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot)
        box = screen.query_one("#incident-title", TextInput)
        box.value = "edge down"
        box.select_all()
        screen.selections = {screen.query_one(".modal-title", Static): SELECT_ALL}
        await press_now(pilot, "ctrl+c")
        await wait_for(lambda: app.clipboard == "edge down", message="the box's own copy ran")


async def test_ctrl_c_in_a_text_area_with_nothing_selected_reaches_the_app():
    from textual.app import App
    from textual.binding import Binding

    class One(App):
        BINDINGS = [Binding("ctrl+c", "seen", "the app's ctrl+c")]
        seen = 0

        def compose(self):
            yield TextBox(id="box")

        def action_seen(self) -> None:
            self.seen += 1

    app = One()
    async with app.run_test() as pilot:
        box = app.query_one(TextBox)
        box.focus()
        await wait_for(lambda: box.has_focus, message="focus")
        await press_now(pilot, *"ab", "ctrl+c", "c")
        await wait_for(lambda: box.text == "abc" and app.seen == 1, message="the app's ctrl+c, once")


# -- 2. tab / shift+tab ------------------------------------------------------------------------------------
async def test_keys_after_tab_in_one_burst_go_to_the_next_field_in_order():
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot)
        title = screen.query_one("#incident-title", TextInput)
        impact = screen.query_one("#incident-impact", TextInput)
        await burst(pilot, *"abc", "tab", *"def")
        await wait_for(lambda: (title.value, impact.value) == ("abc", "def"), message="abc | def")
        assert app.focused is impact
        # back to the title, which selects its text when focused (Textual's select_on_focus): y replaces it
        await burst(pilot, "x", "shift+tab", "y", "backspace", "z")
        await wait_for(lambda: (title.value, impact.value) == ("z", "defx"), message="z | defx")
        assert app.focused is title


async def test_a_paste_right_after_tab_goes_to_the_next_field():
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot)
        title = screen.query_one("#incident-title", TextInput)
        impact = screen.query_one("#incident-impact", TextInput)
        await burst(pilot, *"EU", "tab", events.Paste("checkout 502s"), "!")
        await wait_for(lambda: (title.value, impact.value) == ("EU", "checkout 502s!"), message="EU | paste!")


@pytest.mark.parametrize("move", ["tab", "enter"])
async def test_three_close_form_fields_in_one_burst(move):
    """By tab, or by enter (root cause and resolution move on at enter; enter in the action items is a new line)."""
    app = look_app("dashboard")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _close_form(pilot)
        root = screen.query_one("#close-root-cause", TextInput)
        resolution = screen.query_one("#close-resolution", TextInput)
        items = screen.query_one("#close-action-items", TextBox)
        await burst(pilot, *"bad", move, *"rollback", move, *"alert", "enter", *"test")
        await wait_for(
            lambda: (root.value, resolution.value, items.text) == ("bad", "rollback", "alert\ntest"),
            message=f"three fields by {move}",
        )
        assert app.focused is items


# -- 3. enter moves on -------------------------------------------------------------------------------------
async def test_enter_in_the_title_moves_on_at_once_and_enter_in_impact_starts():
    app = look_app("dashboard")
    submitted: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot, submitted)
        title = screen.query_one("#incident-title", TextInput)
        impact = screen.query_one("#incident-impact", TextInput)
        assert title.enter_moves_on and not impact.enter_moves_on
        await burst(pilot, *"abc", "enter", *"def")
        await wait_for(lambda: (title.value, impact.value) == ("abc", "def"), message="abc | def")
        assert app.focused is impact and not submitted
        await burst(pilot, "enter")
        await wait_for(lambda: submitted == [("P2", "abc", "def")], message="enter in Impact starts")


# -- 4. the flow modal's step panel at 60x20 ---------------------------------------------------------------
def _shown_whole(modal, selector: str) -> bool:
    """The widget is laid out and no cell of it is clipped (by the step panel's scroll, the box, the screen)."""
    widget = modal.query_one(selector)
    if not widget.display:
        return False
    geometry = modal.find_widget(widget)
    return geometry.region.area > 0 and geometry.visible_region == geometry.region


async def test_the_flow_confirmation_stays_on_screen_when_the_box_or_the_step_panel_changes_height(
    sim, fake_tools, state_dir
):
    from console.config import simulated_config
    from console.session import Session
    from screens.app import EdgeConsoleApp
    from tests.fakes import DDOS_VALUES, NORMAL_VALUES, StaticPoller
    from tests.test_flow_confirm_small_terminal import frame_text
    from tests.test_flow_ui_modal import open_by_key, settled
    from tests.util import refresh_model, type_in

    cfg = simulated_config(sim.base_url, tool_env=sim.tool_env(), tools={}, refresh_seconds=0.2)
    cfg.raw["alerts"] = {"hold_scrapes": 1, "clear_scrapes": 1}
    refresh_model(cfg)
    poller = StaticPoller()  # no alert yet: no incident strip above the modal
    app = EdgeConsoleApp(Session(config=cfg, env=cfg.environment(), read_only=False), poller=poller)

    def alert(on: bool) -> None:
        poller.ddos = on
        poller.values = dict(DDOS_VALUES if on else NORMAL_VALUES)

    async with app.run_test(size=(60, 20)) as pilot:
        modal = await open_by_key(app, pilot, "U", "under-attack-mode")
        panel = modal.query_one("#flow-step")

        async def confirmation_on_screen(answer: str, why: str) -> None:
            await wait_for(
                lambda: (
                    _shown_whole(modal, "#flow-confirm")
                    and _shown_whole(modal, "#flow-confirm-msg")
                    and answer in frame_text(app)
                    and "Type production to run" in frame_text(app)
                ),
                message=f"the confirmation box and the answer on screen {why}",
            )

        await press_now(pilot, "enter")  # step 1 (reads the security level)
        await wait_for(lambda: modal.runner.steps[0].state.value == "passed", timeout=20, message="step 1")
        await settled(modal)
        await type_in(pilot, modal, "#flow-confirm", "prod")
        await press_now(pilot, "enter")
        wrong = "'prod' is not 'production': nothing ran"
        await confirmation_on_screen(wrong, "(60x20)")
        assert not modal.query_one("#incident-strip").display

        alert(True)  # the strip shows above the box: the box is a row shorter, the terminal is not
        await wait_for(lambda: "CRIT" in frame_text(app).splitlines()[0], message="the alert strip")
        await confirmation_on_screen(wrong, "under the alert strip")

        await pilot.resize_terminal(80, 24)
        await pilot.resize_terminal(60, 20)
        await confirmation_on_screen(wrong, "after a resize")

        modal.query_one("#flow-confirm").value = ""
        await press_now(pilot, "enter")  # a longer answer: the step panel grows by a row
        await confirmation_on_screen("nothing typed", "after the step panel grew")
        assert panel.max_scroll_y > 0  # taller than the room: it scrolls, its end in view

        alert(False)  # the strip goes: the box has its row back and the panel takes it
        await wait_for(lambda: not modal.query_one("#incident-strip").display, message="the strip gone")
        await wait_for(lambda: panel.outer_size.height == 12, message="the panel refit to the room given back")
        await confirmation_on_screen("nothing typed", "without the strip")
