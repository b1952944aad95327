"""Every view that carries a state, at 60x20, 80x24 and 120x40, in the default, 16-colour and
monochrome themes (snapshots; fixed data from the static poller, one poll, so each renders at once):
the dashboard (normal and DDoS), the log view with its breakdown, the flow modal, the incident start
form and the close checklist."""

from __future__ import annotations

import itertools

import pytest

from console.termcaps import THEME_NAMES
from tests.look_views import SIZES, VIEWS, look_app, open_view

CASES = [
    pytest.param(view, size, theme, id=f"{view}-{size[0]}x{size[1]}-{theme}")
    for view, size, theme in itertools.product(VIEWS, SIZES, THEME_NAMES)
]


@pytest.mark.parametrize("view, size, theme", CASES)
def test_view_in_theme_at_size(snap_compare, view, size, theme):
    async def run_before(pilot) -> None:
        await open_view(pilot, view)

    assert snap_compare(look_app(view, theme), terminal_size=size, run_before=run_before)
