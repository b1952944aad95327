"""File names are outside text too: a path from argv or the environment is shown escaped in errors."""

from __future__ import annotations


def test_a_hostile_file_name_in_a_config_or_runbook_error_is_shown_escaped(capsys):
    """The path comes from argv or the environment and is printed in every file:line error."""
    from console.cli import main

    hostile = "/tmp/\x1b]52;c;aGk=\x07x\u202e.yaml"
    assert main(["runbook", "validate", hostile]) == 2
    assert main(["check", "--config", hostile]) == 2
    err = capsys.readouterr().err
    assert "file not found" in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err, repr(err)
