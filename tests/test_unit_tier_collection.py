"""`make test-fast` (``-m unit``) does not import the test modules whose source puts them in another tier
(tests/conftest.py pytest_ignore_collect): a module that holds a unit test is always collected, and every other
selection collects everything as before."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from tests.conftest import pytest_ignore_collect

TESTS = Path(__file__).resolve().parent
#: a source mark of the TUI tier, spelled in two pieces so this module itself stays in the unit tier
TUI_MARK = "run" + "_test("


def config(markexpr: str) -> SimpleNamespace:
    return SimpleNamespace(getoption=lambda name, default=None: markexpr if name == "markexpr" else default)


def test_a_tui_or_integration_module_is_not_imported_for_the_unit_tier():
    tui_module = TESTS / "test_look_snapshots.py"
    integration_module = TESTS / "test_flows_real_tools.py"
    for path in (tui_module, integration_module):
        assert path.exists()
        assert pytest_ignore_collect(path, config("unit")) is True
        assert pytest_ignore_collect(path, config(" unit ")) is True


def test_unit_modules_and_other_selections_are_collected_as_before():
    assert pytest_ignore_collect(TESTS / "test_config.py", config("unit")) is None
    assert pytest_ignore_collect(Path(__file__), config("unit")) is None
    for markexpr in ("", "integration", "tui", "unit or tui", "not unit"):
        assert pytest_ignore_collect(TESTS / "test_look_snapshots.py", config(markexpr)) is None
    assert pytest_ignore_collect(TESTS / "conftest.py", config("unit")) is None  # not a test module
    assert pytest_ignore_collect(TESTS / "security", config("unit")) is None  # folders are walked


def test_a_module_with_a_test_marked_unit_by_hand_is_collected(tmp_path):
    path = tmp_path / "test_mixed.py"
    path.write_text(
        f"import pytest\n\n\n@pytest.mark.unit\ndef test_pure():\n    assert 1\n\n\nasync def test_app(app):\n"
        f"    async with app.{TUI_MARK}) as pilot:\n        pass\n"
    )
    assert pytest_ignore_collect(path, config("unit")) is None
    path.write_text(path.read_text().replace("@pytest.mark.unit\n", ""))
    assert pytest_ignore_collect(path, config("unit")) is True
