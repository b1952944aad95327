"""What collecting the suite costs each pytest process (loaded by tests/conftest.py ``pytest_plugins``).

Every xdist worker starts Python, loads the plugins and collects all the tests, importing every test module:
about 4 CPU-s per worker before this module, paid once per worker (6 in `make test`). Each piece here was
measured with ``pytest --collect-only -q`` (user+sys) and a cProfile of collection; none changes which tests
are collected, their tiers, or what a test checks.

- The garbage collector: collection builds ~1 million long-lived objects (modules, test items, fixture
  definitions) and the cyclic collector traversed them again and again while they were built (~0.2 CPU-s),
  then every full collection in the worker's life traversed them once more, among them the five pytest runs
  at the end of the session to surface unraisable exceptions (~0.3 CPU-s). The collector is paused during
  collection and what collection built is then frozen (:func:`gc.freeze`): those objects live until the process
  ends anyway. Garbage made by the tests themselves is collected as before.
- Rewritten test modules' bytecode: pytest reads its cached, assertion-rewritten bytecode with
  ``marshal.load(file)``, which reads the file a few bytes at a time (~0.2 CPU-s for the suite's 6 MB);
  reading each file whole and unmarshalling the bytes (``marshal.loads``) gives the same code object in ~0.03.
- Hypothesis' local constants: its pytest plugin scans every loaded module at collection time for literals
  (``_get_local_constants``, ~0.5 CPU-s) so that the time is not charged to the first property test. A worker
  that runs none of the few property tests paid it for nothing; the scan is left to Hypothesis itself, which
  does it when a worker's first property test draws its first example (all modules loaded by then, as before).
"""

from __future__ import annotations

import gc
import marshal
import sys
import types

import pytest


def _read_rewritten_bytecode_whole() -> None:
    from _pytest.assertion import rewrite

    if getattr(rewrite, "marshal", None) is marshal:  # an unknown pytest: leave it alone
        rewrite.marshal = types.SimpleNamespace(load=lambda fp: marshal.loads(fp.read()), dumps=marshal.dumps)


_read_rewritten_bytecode_whole()


def pytest_configure(config: pytest.Config) -> None:
    """Two full collections, not five, at the end of each process's session to surface unraisable exceptions:
    what the tests left behind is large (each collection ~0.2 CPU-s in a worker that ran Pilot tests), and an
    object whose finaliser raises is found by the first or second pass."""
    try:
        from _pytest.unraisableexception import gc_collect_iterations_key
    except ImportError:  # an unknown pytest: leave it alone
        return
    config.stash[gc_collect_iterations_key] = 2


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_collection(session: pytest.Session):
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _hypothesis_providers() -> types.ModuleType | None:
    providers = sys.modules.get("hypothesis.internal.conjecture.providers")
    # only the module this was written against: its scan runs when len(sys.modules) differs from the length
    # it saw last (None: never scanned) and marks each module it looked at in _seen_modules
    if (
        providers is None
        or not hasattr(providers, "_seen_modules")
        or not callable(getattr(providers, "_get_local_constants", None))
    ):
        return None
    if getattr(providers, "_sys_modules_len", 0) is not None or providers._seen_modules:
        return None
    return providers


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    providers = _hypothesis_providers()
    if providers is not None:
        providers._sys_modules_len = len(sys.modules)  # "nothing new since the last scan": the plugin's scan is a no-op
    yield
    if providers is not None and not providers._seen_modules:
        providers._sys_modules_len = None  # never scanned: the first example drawn scans every module
