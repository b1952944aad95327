"""Whether the rates on screen come from a short window (the start-up's early scrapes), and the words
that say so. A window shorter than SHORT_FRACTION of the refresh interval is short: its rates are
real but noisier, so the dashboard marks them until a full window is available."""

from __future__ import annotations

from typing import Any

SHORT_FRACTION = 0.75


def is_short_window(derived: Any, refresh_s: float) -> bool:
    if derived is None or not getattr(derived, "has_window", False):
        return False
    return float(derived.window_s) < SHORT_FRACTION * float(refresh_s)


def short_window_note(derived: Any, refresh_s: float) -> str:
    """``SHORT WINDOW 0.3 s: rates firm up at the next scrape`` (empty for a full window)."""
    if not is_short_window(derived, refresh_s):
        return ""
    return f"SHORT WINDOW {derived.window_s:.1f} s: rates firm up at the next scrape"


class StartupWindowMark:
    """Marks the start-up's short windows only: once a full window has been seen, later short ones
    (a quick poll after a slow one, a very short refresh) are ordinary and not marked."""

    def __init__(self) -> None:
        self.full_seen = False

    def note(self, derived: Any, refresh_s: float) -> str:
        if self.full_seen or derived is None or not getattr(derived, "has_window", False):
            return ""
        text = short_window_note(derived, refresh_s)
        if not text:
            self.full_seen = True
        return text
