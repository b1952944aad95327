"""Tests that read the screen themselves (a snapshot, the screen's text, a cell's style) need no frame
drawn for a terminal nobody watches.

A headless Textual app still composes every frame it would send to a terminal (``Screen._compositor_refresh``:
``Compositor.render_update``, every dirty widget rendered line by line, the dimmed screen under a modal)
and then drops it (``App._display`` writes nothing when headless): a third of a look or snapshot test's CPU.
:func:`skip_unseen_frames` leaves that frame out while the app is headless and not inline; everything else
the refresh does is kept (the dirty regions cleared, the mouse-over update, callbacks after the refresh).
What a test reads is drawn when it reads it, the same way: ``export_screenshot``/``snap_compare`` and
``screens.textual_compat.render_update``/``screen_text_lines`` compose the full frame afresh, and
``get_style_at`` renders the line it looks at. The snapshot files prove it: byte-identical with and without.

Only for tests that end by reading the screen (a widget that fails to draw then fails there); opt in with
``pytest.mark.usefixtures("unseen_frames_skipped")`` (tests/conftest.py). Hook: the private
``Screen._compositor_refresh``, ``Compositor._dirty_regions`` and ``App._update_mouse_over``."""

from __future__ import annotations

from typing import Any


def skip_unseen_frames(monkeypatch: Any) -> None:
    from textual._compositor import visible_screen_stack
    from textual.screen import Screen

    refresh = Screen._compositor_refresh

    def _compositor_refresh(self: Screen) -> None:
        app = self.app
        if not (app.is_headless and not app.is_inline and self is app.screen):
            refresh(self)  # a terminal's frame, or a screen below the top one: as Textual does it
            return
        # what render_update leaves behind, without drawing the frame _display would drop
        visible_screen_stack.set(app._background_screens)
        self._compositor._dirty_regions.clear()
        self._dirty_widgets.clear()
        app._update_mouse_over(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", _compositor_refresh)
