"""Test helpers: waiting on conditions with deadlines instead of fixed sleeps."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path
from typing import Callable


async def wait_for(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, message: str = "condition"
) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


async def typing_burst_over(screen: object) -> None:
    """Wait until a key is a command again on ``screen`` (screens/typing_guard.py: keys typed in the
    burst that closed a text box are dropped)."""
    guard = getattr(screen, "typing_guard", None)
    if guard is not None:
        await wait_for(lambda: not guard.active(), timeout=5, message="typing burst over")


def wait_for_sync(
    predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, message: str = "condition"
) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


#: the repository's root; CI clones it anywhere with a copy of ``shared/`` beside it
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_path(*parts: str) -> Path:
    """Where a file of the steering repo's ``shared/`` folder lies: beside the repository (``../shared/...``)."""
    return REPO_ROOT.parent.joinpath("shared", *parts)


def shared_file(*parts: str) -> Path:
    """:func:`shared_path`, which must exist. Missing, the test fails saying so: a skip would hide that the
    contract was never checked."""
    path = shared_path(*parts)
    if not path.exists():
        raise AssertionError(
            f"{path} is missing: the tests read it from ../shared beside the repository "
            "(the steering repo's shared/ folder); without it they cannot check the contract"
        )
    return path


def required_program(name: str) -> str:
    """The path of a system program the tests need (``make test`` installs it: tests/system-deps). Missing,
    the test fails naming it instead of skipping, so a green run always ran the whole suite."""
    found = shutil.which(name)
    if found is None:
        raise AssertionError(
            f"{name} is not installed: run `make test` (it installs the system packages the "
            f"tests need with apt-get when it can, see tests/system-deps) or install it yourself"
        )
    return found


#: How many examples each property-based (hypothesis) test tries: the full suite tries many,
#: ``make test-fast`` sets EDGE_FUZZ_EXAMPLES lower so the unit tier stays quick.
FUZZ_EXAMPLES = max(1, int(os.environ.get("EDGE_FUZZ_EXAMPLES", "200")))


def fuzz_rounds(full: int) -> int:
    """How many rounds a seeded random-damage loop runs: ``full`` in the full suite (200 examples), scaled
    with FUZZ_EXAMPLES (fewer in ``make test-fast``: the same first rounds, the seeds are fixed)."""
    return max(1, full * FUZZ_EXAMPLES // 200)


def refresh_model(cfg) -> None:
    """After a test sets raw config sections (``cfg.raw["alerts"] = ...``): check them like a file's and
    make them the config's model, which is what the subsystems read (console/schema/config_model.py)."""
    from console.schema.config_model import ConfigFile
    from console.schema.validate import check

    raw = {k: v for k, v in cfg.raw.items() if k != "environments"}
    model, problems = check(ConfigFile, {"environments": {"test": {"base_url": "http://127.0.0.1:9"}}, **raw})
    assert not problems, problems
    cfg.model = model


def metric_row(app, key: str):
    """The key-metric row ``key`` on the current screen's metrics pane (``widgets.metrics_pane.MetricRow``:
    its drawn text ``render()``, its state class ``has_class``, its line on screen ``region``)."""
    from widgets.metrics_pane import MetricsPane

    return app.screen.query_one(MetricsPane).row(key)


async def type_ending(pilot: object, field: object, text: str) -> None:
    """Put ``text`` in the Input ``field`` but its last character, then press that one as a key. Each key
    Pilot presses waits (up to ~1 s, twice) for the app to look idle, which a console polling, tailing or
    running the simulated edge rarely does: tests that are not about typing fill the box and press one key,
    so the Input still reacts to a key (a search, a change event) as when typed."""
    field.value = text[:-1]
    field.cursor_position = len(field.value)
    field.focus()
    await pilot.press(text[-1])


def key_events(app: object, *keys: str) -> list:
    """The ``textual.events.Key`` messages Pilot's ``press`` sends for ``keys`` (same key names, same
    characters: ``"a"``, ``"%"``, ``"enter"``, ``"ctrl+r"``)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    out = []
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        out.append(event)
    return out


async def press_now(pilot: object, *keys: str) -> None:
    """Press ``keys`` as a terminal delivers them: into the app's queue at once, in order. Pilot's ``press``
    waits after each key (up to ~1 s, twice) for the app to look idle, which a console polling the simulated
    edge in this process or streaming a tail rarely does: seconds of wall a key, with the app's polls and
    repaints using CPU all along. The caller waits for the key's effect (``wait_for``) instead; a test about
    the keys' timing itself (one key at a time) keeps ``pilot.press``."""
    app = pilot.app  # type: ignore[attr-defined]
    for event in key_events(app, *keys):
        app.post_message(event)
    await asyncio.sleep(0)


def _under_the_pointer(app: object, selector: str) -> object:
    """The widget ``selector`` of the current screen when it is laid out and its top-left cell shows it (or
    a widget inside it), else None."""
    screen = app.screen  # type: ignore[attr-defined]
    found = screen.query(selector)
    if not found:
        return None
    target = found.first()
    region = target.region
    if not region.area or region.offset not in screen.size.region:
        return None
    try:
        shown, _ = app.get_widget_at(*region.offset)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not on the screen's map yet (Textual raises NoWidget)
        return None
    return target if shown is target or target in shown.ancestors else None


async def click_now(pilot: object, selector: str) -> None:
    """Click the widget ``selector`` (its top-left cell, button 1, as ``pilot.click``) as a terminal reports
    it: mouse down, up and click at once, once it is on the screen and not covered. Pilot's ``click`` waits
    for an idle app before each of the three events and after them (up to 1 s each), which a console
    polling or running the simulated edge rarely is. The caller waits for the click's effect."""
    from textual.events import Click, MouseDown, MouseUp
    from textual.geometry import Offset

    app = pilot.app  # type: ignore[attr-defined]
    target = await wait_for(lambda: _under_the_pointer(app, selector), message=f"{selector} on the screen to click")
    x, y = target.region.offset
    arguments = dict(widget=target, x=x, y=y, delta_x=0, delta_y=0, button=1, shift=False, meta=False, ctrl=False)
    screen = app.screen
    for event in (MouseDown(**arguments, screen_x=x, screen_y=y), MouseUp(**arguments, screen_x=x, screen_y=y)):
        app.mouse_position = Offset(x, y)
        screen._forward_event(event)
    app.mouse_position = Offset(x, y)
    screen._forward_event(Click(**arguments, screen_x=x, screen_y=y, chain=1))
    await asyncio.sleep(0)


async def type_in(pilot: object, app: object, selector: str, text: str) -> None:
    """Type ``text`` into the text box ``selector`` once it has the focus, as a terminal delivers a burst of
    keys (each a key event the box handles: :func:`press_now`), and wait until the box holds it. Pilot's
    ``press`` waited for an idle app after each key: ~0.1 s of wall a key with the console polling.
    Characters only (the box then holds exactly ``text``); the console's boxes apply bound keys in order too
    (widgets/text_input.py, tests/test_text_input_key_order.py)."""
    from textual.widgets import TextArea

    box = await wait_for(
        lambda: (found := app.screen.query(selector)) and found.first().has_focus and found.first(),  # type: ignore[attr-defined]
        message=f"{selector} focused",
    )
    await press_now(pilot, *text)

    def held(widget: object) -> str:
        return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]

    try:
        await wait_for(lambda: held(box) == text, message=f"{text!r} typed")
    except AssertionError as exc:  # say what the box (and the one now on the screen) holds, and what has focus
        now = app.screen.query(selector)  # type: ignore[attr-defined]
        raise AssertionError(
            f"{exc}: the box holds {held(box)!r} (mounted: {box.is_mounted}); on the screen now: "  # type: ignore[attr-defined]
            f"{[held(w) for w in now]!r}; focused: {app.focused!r}"  # type: ignore[attr-defined]
        ) from None
