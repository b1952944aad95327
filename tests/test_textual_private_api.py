"""No private Textual attribute is used outside screens/textual_compat.py (issue #8): every class of the
screens and widgets packages that derives from Textual's is checked for overriding a private name of its
Textual bases, and every module for reading or writing one (on ``self`` against that class's own bases; on
any other object against the private names of Textual's App, Screen and Widget). The shim's hooks each
have a test in tests/test_textual_compat.py."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from tests.util import REPO_ROOT

SHIM = "screens.textual_compat"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@functools.cache
def _declared_private(base: type) -> frozenset[str]:
    """A Textual class's private names: in its body, and set on ``self`` in its methods (``self._x = ...``)."""
    names = {name for name in vars(base) if _private(name)}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(base)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            if _private(node.attr) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return frozenset(names)


def _textual_private_names(cls: type) -> set[str]:
    return {
        name for base in cls.__mro__ if base.__module__.split(".")[0] == "textual" for name in _declared_private(base)
    }


#: what code holding an app, a screen or a widget (not itself) could reach for
COMMON = _textual_private_names(App) | _textual_private_names(Screen) | _textual_private_names(Widget)


def _modules() -> list[str]:
    names = []
    for package in ("screens", "widgets"):
        for path in sorted((REPO_ROOT / package).glob("*.py")):
            name = f"{package}.{path.stem}" if path.stem != "__init__" else package
            if name != SHIM:
                names.append(name)
    return names


def _uses(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    path = Path(inspect.getfile(module))
    tree = ast.parse(path.read_text())
    found = []
    classes = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    for name, node in classes.items():
        cls = getattr(module, name, None)
        if not inspect.isclass(cls):
            continue
        textual_private = _textual_private_names(cls)
        # bases from the shim are the shim's business: what they define is not an override here
        ours = {
            base for base in cls.__mro__ if base.__module__ not in (SHIM,) and not base.__module__.startswith("textual")
        }
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign)):
                names = (
                    [item.name]
                    if hasattr(item, "name")
                    else [
                        t.id
                        for t in (item.targets if isinstance(item, ast.Assign) else [item.target])
                        if isinstance(t, ast.Name)
                    ]
                )
                for defined in names:
                    if defined in textual_private and cls in ours:
                        found.append(f"{path.name}:{item.lineno}: {name} overrides Textual's private {defined}")
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "self":
                if sub.attr in textual_private:
                    found.append(f"{path.name}:{sub.lineno}: {name} uses Textual's private self.{sub.attr}")
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Attribute) and not (isinstance(sub.value, ast.Name) and sub.value.id == "self"):
            if sub.attr in COMMON:
                found.append(f"{path.name}:{sub.lineno}: uses Textual's private .{sub.attr}")
    return found


@pytest.mark.parametrize("module_name", _modules())
def test_no_private_textual_attribute_outside_the_shim(module_name):
    assert _uses(module_name) == []


def test_the_check_finds_an_override_and_a_use(tmp_path, monkeypatch):
    """The check itself: a widget overriding ``_get_visual`` and reading ``self._option_render_cache``,
    and code reading ``app._background_screens``, are all reported."""
    package = tmp_path / "probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text(
        "from textual.widgets import OptionList\n\n"
        "class Bad(OptionList):\n"
        "    def _get_visual(self, option):\n"
        "        self._option_render_cache.clear()\n\n"
        "def screens_of(app):\n"
        "    return app._background_screens\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = _uses("probe_pkg.bad")
    assert any("overrides Textual's private _get_visual" in f for f in found), found
    assert any("self._option_render_cache" in f for f in found), found
    assert any("._background_screens" in f for f in found), found
