"""Adversarial review of the s11 changes (text boxes and key bursts, pick lists, alert banner, simulator
signals, audit --env)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from screens.textual_compat import screen_text_lines
from tests.look_views import look_app
from tests.test_adv_s11_keys import _start_form, burst
from tests.test_flow_ui_modal import open_by_key, sim_app
from tests.util import REPO_ROOT, wait_for, wait_for_sync
from widgets.cursor_option_list import CursorOptionList
from widgets.text_input import TextInput


# -- keys typed after an enter that submitted ----------------------------------------------------------
async def test_keys_after_enter_in_impact_are_not_in_the_incident():
    app = look_app("dashboard")
    submitted: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot, submitted)
        await burst(pilot, *"T", "tab", *"I", "enter", *"xy")
        await wait_for(lambda: submitted, message="submitted")
        impact = screen.query_one("#incident-impact", TextInput)
        assert submitted == [("P2", "T", "I")]  # was ('P2', 'T', 'Ixy')
        await pilot.pause()
        assert impact.value == "I"


async def test_keys_after_enter_in_a_flow_form_are_not_in_its_inputs(sim, fake_tools, state_dir):
    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-ip").value = "203.0.113.9"
        modal.query_one("#input-reason").value = "abuse"
        modal.query_one("#input-ip").focus()
        await wait_for(lambda: app.focused is modal.query_one("#input-ip"), message="ip focused")
        await burst(pilot, "enter", "7")
        await wait_for(lambda: modal.phase == "run", message="run phase")
        assert modal.runner.inputs["ip"] == "203.0.113.9"  # was 203.0.113.97
        assert modal.query_one("#input-ip").value == "203.0.113.9"


async def test_a_key_read_after_the_enter_but_before_the_submission_arrives_changes_nothing(sim, fake_tools, state_dir):
    """A key in a later read, typed into the box after its enter ran and before the screen handled the
    submission, is not in what runs: the screen takes the submitted field's value from the submission."""
    from textual.widgets import Input

    app = sim_app(sim)
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await open_by_key(app, pilot, "K", "block-ip")
        modal.query_one("#input-reason").value = "abuse"
        ip = modal.query_one("#input-ip", Input)
        ip.value = "203.0.113.97"  # the box now, with the late 7
        modal.on_input_submitted(Input.Submitted(ip, "203.0.113.9"))  # what enter submitted
        await wait_for(lambda: modal.phase == "run", message="run phase")
        assert modal.runner.inputs["ip"] == "203.0.113.9"


async def test_a_key_read_after_enter_in_impact_is_not_in_the_incident():
    from textual.widgets import Input

    app = look_app("dashboard")
    submitted: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_form(pilot, submitted)
        screen.query_one("#incident-title", Input).value = "T"
        impact = screen.query_one("#incident-impact", Input)
        impact.value = "Ix"  # a late x
        screen.on_input_submitted(Input.Submitted(impact, "I"))
        await wait_for(lambda: submitted, message="submitted")
        assert submitted == [("P2", "T", "I")]


# -- CursorOptionList: options changed after it was made ---------------------------------------------------
class _Pick(App[None]):
    CSS = "CursorOptionList { border: none; padding: 0; }"

    def __init__(self, *options: Option) -> None:
        super().__init__()
        self.options = options
        self.selected: list[Option] = []

    def compose(self) -> ComposeResult:
        yield CursorOptionList(*self.options)

    def on_mount(self) -> None:
        self.query_one(CursorOptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.selected.append(event.option)


def _rows(app: App) -> list[str]:
    return [line.strip() for line in screen_text_lines(app) if line.strip()]


async def test_a_pick_list_cleared_and_refilled_shows_the_new_options_with_the_mark():
    app = _Pick(Option(Text("Enable Under Attack Mode"), id="u"), Option(Text("Tighten rate limits"), id="t"))
    async with app.run_test(size=(50, 8)) as pilot:
        options = app.query_one(CursorOptionList)
        options.clear_options()  # raised OptionDoesNotExist (the mark's old row was gone)
        options.add_options([Option("Roll back the worker", id="r"), Option("Page the owner", id="p")])
        options.highlighted = 0
        await pilot.pause()
        assert _rows(app) == ["› Roll back the worker", "Page the owner"]  # not the cleared options' titles
        await pilot.press("down")
        await pilot.pause()
        assert _rows(app) == ["Roll back the worker", "› Page the owner"]


async def test_a_removed_option_leaves_no_title_behind_and_an_added_one_is_marked():
    app = _Pick(Option("A: purge cache", id="a"), Option("B: block IP", id="b"), Option("C: roll back", id="c"))
    async with app.run_test(size=(50, 8)) as pilot:
        options = app.query_one(CursorOptionList)
        await pilot.press("down")
        options.remove_option("a")  # the highlight stays at index 1: C now
        await pilot.pause()
        assert _rows(app) == ["B: block IP", "› C: roll back"]
        await pilot.press("up")
        await pilot.pause()
        assert _rows(app) == ["› B: block IP", "C: roll back"]  # C was drawn with B's title, and B unmarked
        options.add_option(Option("D: page", id="d"))
        await pilot.press("down", "down")
        await pilot.pause()
        assert _rows(app) == ["B: block IP", "C: roll back", "› D: page"]
        await pilot.press("enter")
        await pilot.pause()
        assert [o.id for o in app.selected] == ["d"]


async def test_the_selected_option_keeps_its_own_prompt_and_a_click_marks_and_selects():
    given = Option(Text("Enable [red]Under[/] Attack \x1b[31mMode"), id="u")
    app = _Pick(given, Option("Tighten rate limits", id="t"))
    async with app.run_test(size=(50, 8)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [given] and given.prompt.plain == "Enable [red]Under[/] Attack \x1b[31mMode"
        await pilot.click(CursorOptionList, offset=(4, 1))
        await pilot.pause()
        assert [o.id for o in app.selected] == ["u", "t"] and app.selected[1].prompt == "Tighten rate limits"
        assert "› Tighten rate limits" in _rows(app)


# -- edge-console simulate: signals at any moment ----------------------------------------------------------
#: runs ``edge-console simulate --port 0``, sending itself ``SIGNAL`` at the moment named by ``WHEN``
_SIGNAL_AT = """
import os, signal, sys
from console.sim import cli, server
signum = getattr(signal, sys.argv[1])
when = sys.argv[2]
if when == "tokens-written":  # the token files are there, 'Press Ctrl-C' not printed yet
    write = cli._write_token_files
    def _write(srv):
        directory = write(srv)
        os.kill(os.getpid(), signum)
        return directory
    cli._write_token_files = _write
elif when == "starting":  # the server is being started
    start = server.SimServer.start
    def _start(self):
        os.kill(os.getpid(), signum)
        return start(self)
    server.SimServer.start = _start
from console.cli import main
sys.exit(main(["simulate", "--port", "0"]))
"""


@contextlib.contextmanager
def _simulate(tmp_path, *args: str, preexec_fn=None) -> Iterator[subprocess.Popen]:
    """The simulator (or it signalled at a moment, with ``args``), killed on the way out if still running."""
    env = dict(os.environ, EDGE_CONSOLE_STATE_DIR=str(tmp_path))
    command = (
        [sys.executable, "-c", _SIGNAL_AT, *args]
        if args
        else [sys.executable, "-m", "console", "simulate", "--port", "0"]
    )
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=preexec_fn,
        cwd=REPO_ROOT,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("when", ["starting", "tokens-written"])
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_simulate_signalled_before_it_says_ctrl_c_exits_0_and_leaves_no_token_files(tmp_path, signame, when):
    with _simulate(tmp_path, signame, when) as proc:
        out, err = proc.communicate(timeout=20)
    # was -15 (SIGTERM) / 130 with a KeyboardInterrupt (SIGINT), the token files left behind
    assert proc.returncode == 0, (out, err)
    assert not list(tmp_path.glob("simulator/*")), "token files left behind"
    assert "Traceback" not in err


def test_simulate_stops_on_sighup_and_removes_its_token_files(tmp_path):
    """The SSH session or terminal it runs in went away: SIGHUP killed it (-1) with the token files left."""
    with _simulate(tmp_path) as proc:
        wait_for_sync(lambda: "Ctrl-C" in proc.stdout.readline(), timeout=20)
        assert list(tmp_path.glob("simulator/*"))
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=10) == 0
        assert not list(tmp_path.glob("simulator/*"))


def test_simulate_under_nohup_keeps_serving_after_sighup(tmp_path):
    with _simulate(tmp_path, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN)) as proc:
        wait_for_sync(lambda: "Ctrl-C" in proc.stdout.readline(), timeout=20)
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.6)
        assert proc.poll() is None, "nohup asked it to outlive the terminal"
        proc.send_signal(signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)  # twice: still 0
        assert proc.wait(timeout=10) == 0
        assert not list(tmp_path.glob("simulator/*"))
