"""``edge-console replay FILE`` runs the TUI: ``--theme`` (before or after the command) picks its colours
as it does for the console and a drill; the replay app was built without it (the option was ignored)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from console.cli import main as cli_main


@pytest.mark.parametrize(
    "argv, theme",
    [
        (["replay", "rec", "--theme", "edge-mono"], "edge-mono"),
        (["--theme", "edge-ansi16", "replay", "rec"], "edge-ansi16"),
    ],
)
def test_replay_uses_the_theme_option(argv, theme, state_dir, monkeypatch):
    import console.record.reader as reader
    import console.record.writer as writer
    from screens.replay_app import ReplayApp

    recording = SimpleNamespace(
        records=[{"k": "poll", "t": 1.0}], header={}, problems=[], damaged=0, path=state_dir / "rec", start=1.0, end=1.0
    )
    monkeypatch.setattr(writer, "resolve_replay_path", lambda name: state_dir / name)
    monkeypatch.setattr(reader, "read_recording", lambda path: recording)
    seen = []
    monkeypatch.setattr(ReplayApp, "run", lambda self, *a, **k: seen.append(self.theme))  # the app is not started
    assert cli_main(argv) == 0
    assert seen == [theme]
