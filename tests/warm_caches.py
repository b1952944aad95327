"""Fill Hypothesis's caches under ``.hypothesis/`` once, before `make test`'s workers start (fresh clone only).

`make test` runs this (``python -m tests.warm_caches``) beside one ``pytest --collect-only`` that writes pytest's
assert-rewritten test modules: the two take about the same time, so on two cores they run side by side instead
of one after the other. Otherwise each of the six workers built Hypothesis's Unicode tables and scanned every
loaded module for constants itself (a cold worker's first ``text()`` draw took seconds).

Hypothesis scans the modules loaded when a draw first asks for a constant, so every module of the project is
imported first: the workers, which load them at collection, then find each module's constants in the cache.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the packages whose modules Hypothesis scans (it skips modules under tests/)
PACKAGES = ("console", "screens", "widgets", "themes")


def import_project() -> int:
    """Import every module of the project's packages; the number imported."""
    count = 0
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                continue
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001 - a module that needs its runtime (a test plugin, a script) is skipped
                continue
            count += 1
    return count


def draw() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3, database=None, deadline=None)
    @given(st.text(), st.integers())
    def one(text: str, number: int) -> None:
        assert isinstance(text, str) and isinstance(number, int)

    one()


def scan_constants() -> None:
    """Hypothesis's scan of the loaded modules for constants, which it runs (and caches per module under
    ``.hypothesis/constants``) only when a draw happens to ask for one: run it here, so that every worker's
    first property test reads the cache instead of parsing ~300 modules (seen: 12 s of wall at a worker's
    start in a fresh clone)."""
    from hypothesis.internal.conjecture import providers

    scan = getattr(providers, "_get_local_constants", None)
    if callable(scan):  # the Hypothesis this was written against (6.170); another one scans at its first draw
        scan()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import_project()
    draw()
    scan_constants()
    return 0


if __name__ == "__main__":
    sys.exit(main())
