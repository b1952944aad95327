"""One writer thread per console for incident I/O: appends (file lock, fsync) and the reads that go with
them run here, in the order they were submitted, never on the UI's event loop.

``submit(fn, *args)`` queues a call and returns a :class:`concurrent.futures.Future`; jobs run one at a
time, first in first out, so timeline entries land in the order their events happened even while
another process holds an incident's lock (``filelock``, up to ``LOCK_TIMEOUT_S``). The caller decides
where results go (the TUI wraps the future for its event loop). No Textual here.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable


class WriterClosed(RuntimeError):
    pass


class IncidentWriter:
    """A single-writer FIFO of incident jobs on a daemon thread (started on first use)."""

    def __init__(self, name: str = "incident-writer") -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple, dict] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        #: jobs submitted and not yet finished
        self.pending = 0
        self._pending_lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        if self._closed:
            raise WriterClosed("the incident writer has stopped")
        future: Future[Any] = Future()
        with self._pending_lock:
            self.pending += 1
            self._idle.clear()
        self._ensure_thread()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def is_writer_thread(self) -> bool:
        return self._thread is not None and threading.get_ident() == self._thread.ident

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far has finished; False when ``timeout`` ran out first."""
        return self._idle.wait(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Stop taking jobs, let the queued ones finish (up to ``timeout``), end the thread."""
        self._closed = True
        done = self.drain(timeout)
        self._jobs.put(None)
        return done

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                    future.set_exception(exc)
            with self._pending_lock:
                self.pending -= 1
                if self.pending == 0:
                    self._idle.set()
