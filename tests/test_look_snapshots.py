"""Every view that carries a state, at 60x20, 80x24 and 120x40, in the default, 16-colour and
monochrome themes (snapshots; fixed data from the static poller, one poll, so each renders at once):
the dashboard (normal and DDoS), the log view with its breakdown, the flow modal, the incident start
form and the close checklist.

One app per view and theme, resized through the three sizes as a terminal window is (an app started
per size cost three times as much and drew the same frames); each size is its own snapshot file."""

from __future__ import annotations

import itertools

import pytest
from pytest_textual_snapshot import SVGImageExtension

from console.termcaps import THEME_NAMES
from tests.look_views import SIZES, VIEWS, look_app, open_view

pytestmark = pytest.mark.usefixtures("unseen_frames_skipped")  # the snapshots read the screen

CASES = [pytest.param(view, theme, id=f"{view}-{theme}") for view, theme in itertools.product(VIEWS, THEME_NAMES)]


async def settled_screenshot(pilot, size: tuple[int, int]) -> str:
    """Resize the terminal, let the app lay out and draw, and take the frame as pytest-textual-snapshot's
    ``snap_compare`` does (textual._doc.take_svg_screenshot: pauses, animations done, no title change)."""
    app = pilot.app
    if tuple(app.size) != size:  # the app starts at the first size: a resize to the size it has is no resize
        await pilot.resize_terminal(*size)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    assert tuple(app.size) == size and tuple(app.screen.size) == size
    return app.export_screenshot(title=app.title, simplify=True)


@pytest.mark.parametrize("view, theme", CASES)
async def test_view_in_theme_at_every_size(snapshot, view, theme):
    snapshot = snapshot.use_extension(SVGImageExtension)
    app = look_app(view, theme)
    # notifications and tooltips on, as snap_compare's headless app.run has them
    async with app.run_test(size=SIZES[0], notifications=True, tooltips=True) as pilot:
        await open_view(pilot, view)
        differ = []
        for size in SIZES:
            svg = await settled_screenshot(pilot, size)
            if not snapshot(name=f"{size[0]}x{size[1]}") == svg:  # every size compared (and updated) first
                differ.append(size)
        assert not differ, f"{view} in {theme}: frames differ from the snapshots at {differ}"
