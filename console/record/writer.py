"""``Recorder``: appends records as gzip-compressed JSON lines to a private file, off the caller's
thread. Secrets are masked in every line before it is compressed.

Compression: gzip (the stdlib's ``zlib``), level 6. zstd would compress tail JSON a little better and
faster, but the console's environment has no zstd module (``zstandard`` is not installed and the
stdlib gains ``compression.zstd`` only in Python 3.14); gzip needs no new dependency, and an operator
can read a recording with ``zcat``. The size target (one hour < 20 MB) is met with gzip
(``bench/bench_record.py``).

Durability: every ``FLUSH_S`` (and at the end) the compressor is sync-flushed and the file fsynced, so
a console killed mid-recording leaves a readable file up to its last flush (the reader reports the
unfinished stream and keeps what it read).
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Iterable

from console.paths import state_dir
from console.record.encode import END, FORMAT_VERSION, HEADER
from console.safefile import create_new, ensure_private_dir

CODEC = "gzip"
FLUSH_S = 1.0
#: records waiting for the writer thread; beyond it new records are counted as dropped (never blocks)
MAX_QUEUED = 100_000
SUFFIX = ".jsonl.gz"


def recordings_dir() -> Path:
    return ensure_private_dir(state_dir() / "recordings", "recordings directory")


def resolve_out(out: str | os.PathLike[str] | None, stem: str = "") -> Path:
    """Where a recording goes: a bare name under ``state_dir()/recordings``; a path with a directory
    there (that directory is made private like the state dir); no name: ``<stem>-<UTC time>``."""
    if not out:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        return recordings_dir() / f"{stem or 'recording'}-{stamp}{SUFFIX}"
    path = Path(os.path.expanduser(str(out)))
    if path.parent == Path("."):
        return recordings_dir() / path.name
    ensure_private_dir(path.parent, "recording directory")
    return path


def secret_values(config: Any, env: Any) -> list[str]:
    """Every secret the console knows of: the environments' token variables (``childenv``) and token
    files, as their values now."""
    from console.childenv import secret_env_names
    from console.secrets import SecretError, read_secret

    values = [os.environ.get(name, "") for name in secret_env_names(config, env)]
    files = [getattr(env, attr, None) for attr in ("api_token_file", "admin_token_file", "alertmanager_token_file")]
    files += _integration_secret_files(config)
    for file in files:
        try:
            values.append(read_secret(None, file) or "")
        except (SecretError, OSError):
            continue
    return sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True)


def _integration_secret_files(config: Any) -> list[str | None]:
    """The PagerDuty key, Slack webhook and Grafana token files of ``config`` (a bad section: none)."""
    if config is None:
        return []
    from console.config import ConfigError
    from console.integrations.settings import from_config

    try:
        s = from_config(config)
    except ConfigError:
        return []
    return [
        getattr(s.pagerduty, "routing_key_file", None),
        getattr(s.slack, "webhook_url_file", None),
        getattr(s.grafana, "token_file", None),
    ]


def masker(secrets: Iterable[str]):
    """A function masking each secret, raw and as it appears inside a JSON string."""
    forms: list[str] = []
    for secret in secrets:
        if secret and len(secret) >= 4:
            forms.append(secret)
            escaped = json.dumps(secret, ensure_ascii=True)[1:-1]
            if escaped != secret:
                forms.append(escaped)

    def mask(text: str) -> str:
        for form in forms:
            if form in text:
                text = text.replace(form, "****")
        return text

    return mask


class Recorder:
    """``write(record)`` from any thread (never blocks, never raises for I/O: see ``error``);
    ``close()`` writes the end record, flushes, fsyncs and closes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        secrets: Iterable[str] = (),
        header: dict[str, Any] | None = None,
        clock: Any = time.time,
        level: int = 6,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self._mask = masker(secrets)
        self._fd = create_new(self.path)  # 0600, O_EXCL, O_NOFOLLOW: never an existing file or a link
        self._z = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
        self._queue: queue.Queue[Any] = queue.Queue(MAX_QUEUED)
        self.records = 0
        self.dropped = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.error: str | None = None
        self.started = clock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()
        self.write({"k": HEADER, "t": self.started, "version": FORMAT_VERSION, "codec": CODEC, **(header or {})})

    def write(self, record: dict[str, Any]) -> None:
        if self._closed:
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def close(self, timeout: float = 10.0) -> None:
        if self._closed:
            return
        self.write({"k": END, "t": self.clock(), "records": self.records, "dropped": self.dropped})
        self._closed = True
        self._queue.put(None)
        self._thread.join(timeout)

    # -- the writer thread -------------------------------------------------------------------
    def _run(self) -> None:
        last_flush = time.monotonic()
        pending: list[bytes] = []
        try:
            while True:
                try:
                    item = self._queue.get(timeout=FLUSH_S)
                except queue.Empty:
                    item = False
                if item is None:
                    break
                if item is not False:
                    pending.append(self._line(item))
                if pending and (len(pending) >= 256 or item is False or time.monotonic() - last_flush >= FLUSH_S):
                    self._emit(pending, flush=time.monotonic() - last_flush >= FLUSH_S or item is False)
                    pending = []
                if time.monotonic() - last_flush >= FLUSH_S:
                    self._emit([], flush=True)
                    last_flush = time.monotonic()
            self._emit(pending, flush=False)
            self._os_write(self._z.flush(zlib.Z_FINISH))
            os.fsync(self._fd)
        except OSError as exc:
            self.error = f"{self.path}: {exc.strerror or exc}"
        finally:
            os.close(self._fd)

    def _line(self, record: dict[str, Any]) -> bytes:
        text = self._mask(json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str))
        self.records += 1
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8") + b"\n"

    def _emit(self, lines: list[bytes], *, flush: bool) -> None:
        if lines:
            data = b"".join(lines)
            self.bytes_in += len(data)
            self._os_write(self._z.compress(data))
        if flush:
            self._os_write(self._z.flush(zlib.Z_SYNC_FLUSH))
            os.fsync(self._fd)

    def _os_write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self.bytes_out += len(data)


def resolve_replay_path(name: str | os.PathLike[str]) -> Path:
    """A recording to read: the path as given if it exists, else a bare name under recordings/."""
    path = Path(os.path.expanduser(str(name)))
    if path.exists() or path.parent != Path("."):
        return path
    return state_dir() / "recordings" / path.name
