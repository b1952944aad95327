"""Before a snapshot: nothing on the screen may depend on when the picture is taken."""

from __future__ import annotations


async def steady_cursors(pilot) -> None:
    """Every text box on the screen stops blinking, its cursor shown: a blink phase lasts half a second,
    and on a loaded machine the snapshot falls in either half."""
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()
