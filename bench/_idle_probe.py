"""Runs ``edge-console`` (its arguments follow) with a probe for ``bench_idle_profile.py``: the CPU the
UI thread spends in a few functions (``time.thread_time``, coroutines counted per resume) and in each
widget's render during the compositor's frames. SIGUSR1 starts a window, SIGUSR2 ends it and writes
``$IDLE_PROBE_OUT`` (JSON: the UI thread's CPU, the functions, the thread names by native id)."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import signal
import sys
import threading
import time

#: module:Qualified.name of what is timed (the frame, the poll's handling, the two HTTP requests, the tail)
POINTS = (
    "textual.screen:Screen._compositor_refresh",
    "textual.app:App._display",
    "screens.dashboard:DashboardScreen.apply_result",
    "screens.app:EdgeConsoleApp.apply_result",
    "screens.log_view:TailController.tick",
    "screens.log_view:TailController.glance_frame",
    "console.sources.scrape:Scraper._get",
    "console.sources.health:_get",
)
totals: dict[str, list[float]] = {}
window = {"t0": time.thread_time()}
UI = threading.main_thread().ident


def _add(key: str, seconds: float, calls: int = 1) -> None:
    entry = totals.setdefault(key, [0, 0.0])
    entry[0] += calls
    entry[1] += seconds


class _Timed:
    """Awaits a coroutine and adds the CPU of each of its resumes (on the UI thread) to ``key``."""

    def __init__(self, coro: object, key: str) -> None:
        self.coro, self.key = coro, key

    def __await__(self):
        inner = self.coro.__await__()  # type: ignore[attr-defined]
        value, error = None, None
        while True:
            started = time.thread_time()
            try:
                step = inner.throw(error) if error is not None else inner.send(value)
            except StopIteration as stop:
                _add(self.key, time.thread_time() - started)  # one call, counted at its end
                return stop.value
            _add(self.key, time.thread_time() - started, 0)
            try:
                value, error = (yield step), None
            except BaseException as exc:  # noqa: BLE001 - handed to the coroutine
                value, error = None, exc


def _time(point: str) -> None:
    module_name, qualname = point.split(":")
    owner: object = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    fn = getattr(owner, name)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def timed_async(*args, **kwargs):
            return await _Timed(fn(*args, **kwargs), point)

        setattr(owner, name, timed_async)
        return

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        if threading.get_ident() != UI:
            return fn(*args, **kwargs)
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _add(point, time.thread_time() - started)

    setattr(owner, name, timed)


def _time_widget_renders() -> None:
    from textual._styles_cache import StylesCache

    render_widget = StylesCache.render_widget

    def timed(self, widget, crop):
        started = time.thread_time()
        try:
            return render_widget(self, widget, crop)
        finally:
            _add(f"render {type(widget).__name__}#{widget.id}", time.thread_time() - started)

    StylesCache.render_widget = timed


def _start(*_args: object) -> None:
    totals.clear()
    window["t0"] = time.thread_time()


def _stop(*_args: object) -> None:
    with open(os.environ["IDLE_PROBE_OUT"], "w") as fh:
        json.dump(
            {
                "ui_thread_s": time.thread_time() - window["t0"],
                "functions": totals,
                "threads": {t.native_id: t.name for t in threading.enumerate()},
            },
            fh,
        )


def main() -> int:
    import screens.app  # noqa: F401 - the modules whose functions are timed
    import screens.dashboard  # noqa: F401
    import screens.log_view  # noqa: F401

    for point in POINTS:
        _time(point)
    _time_widget_renders()
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.argv = ["edge-console", *sys.argv[1:]]
    from console.cli import main as console_main

    return console_main()


if __name__ == "__main__":
    raise SystemExit(main())
