"""The running console's simulated edge, published in the state dir so headless commands join it.

A console on the built-in simulated edge writes ``<state_dir>/simulator/console-<pid>.json`` (0600, in a
0700 dir): the edge's URL, its scenario (rewritten when it is switched), the console's pid, and the paths
of two 0600 files holding the edge's tokens (``console-<pid>/api_token``, ``admin_token``: never in the
JSON, never on argv). The console removes both when it exits. A headless command with no configuration
(``check``, ``run``, ``tail``...) calls :func:`find_running`: an entry whose pid is gone (a console that
was killed) is stale and removed; the newest live one is joined instead of starting another simulator,
so a second shell sees the same edge as the TUI.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from console import safejson
from console.safefile import ensure_private_dir, open_read, write_replace

SUBDIR = "simulator"
PREFIX = "console-"
#: a published entry is a few hundred bytes: anything larger is not one
MAX_ENTRY_BYTES = 64 * 1024
MAX_TOKEN_BYTES = 4096


@dataclass
class Published:
    pid: int
    url: str
    scenario: str
    path: Path
    api_token_file: Path
    admin_token_file: Path
    paths: dict[str, str] = field(default_factory=dict)

    def tokens(self) -> tuple[str, str]:
        """(api token, admin token) read from their 0600 files."""
        from console.secrets import read_secret

        api = read_secret(None, str(self.api_token_file))
        admin = read_secret(None, str(self.admin_token_file))
        if not api or not admin:
            raise OSError(f"{self.path}: the simulated edge's token files are missing or empty")
        return api, admin


def publish_dir(state_dir: Path | None = None) -> Path:
    if state_dir is None:
        from console.paths import state_dir as default_state_dir

        state_dir = default_state_dir()
    return ensure_private_dir(Path(state_dir) / SUBDIR, "simulator directory")


def entry_path(pid: int | None = None, state_dir: Path | None = None) -> Path:
    return publish_dir(state_dir) / f"{PREFIX}{pid or os.getpid()}.json"


def publish(
    url: str,
    scenario: str,
    api_token: str,
    admin_token: str,
    *,
    paths: dict[str, str] | None = None,
    state_dir: Path | None = None,
    pid: int | None = None,
) -> Path:
    """Write this console's entry (and its token files) and return the entry's path."""
    pid = pid or os.getpid()
    directory = publish_dir(state_dir)
    token_dir = ensure_private_dir(directory / f"{PREFIX}{pid}", "simulator token directory")
    write_replace(token_dir / "api_token", api_token + "\n")
    write_replace(token_dir / "admin_token", admin_token + "\n")
    path = directory / f"{PREFIX}{pid}.json"
    _write(
        path,
        {
            "pid": pid,
            "started": process_start(pid),
            "url": url,
            "scenario": scenario,
            "paths": dict(paths or {}),
            "api_token_file": str(token_dir / "api_token"),
            "admin_token_file": str(token_dir / "admin_token"),
        },
    )
    return path


def _write(path: Path, data: dict[str, Any]) -> None:
    import json

    write_replace(path, json.dumps(data, sort_keys=True) + "\n")


def update_scenario(path: Path, scenario: str) -> None:
    """The scenario was switched: rewrite the entry (atomic)."""
    entry = _read(path)
    if entry is None:
        return
    entry["scenario"] = scenario
    _write(path, entry)


def unpublish(path: Path) -> None:
    """Remove the entry and its token files (the console is exiting)."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    shutil.rmtree(path.with_suffix(""), ignore_errors=True)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        with open_read(path) as fh:
            raw = fh.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_ENTRY_BYTES:
        return None
    try:
        data = safejson.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def process_start(pid: int) -> int | None:
    """When ``pid``'s process started (clock ticks since boot, /proc/<pid>/stat field 22), None if unknown:
    with the pid, it names one process (a reused pid has a later start)."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as fh:
            raw = fh.read(4096)
        return int(raw[raw.rindex(b")") + 2 :].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone's process: not ours to judge stale
    except OSError:
        return False
    return True


def _loopback_url(url: Any) -> bool:
    if not isinstance(url, str) or len(url) > 200:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        return parts.scheme == "http" and ipaddress.ip_address(host).is_loopback and parts.port is not None
    except ValueError:
        return False


def _parse(path: Path, data: dict[str, Any]) -> Published | None:
    pid, url, scenario = data.get("pid"), data.get("url"), data.get("scenario")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0 or not _loopback_url(url):
        return None
    if not isinstance(scenario, str) or len(scenario) > 64:
        return None
    token_dir = path.with_suffix("")
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    return Published(
        pid=pid,
        url=url,
        scenario=scenario,
        path=path,
        api_token_file=token_dir / "api_token",
        admin_token_file=token_dir / "admin_token",
        paths={str(k): str(v) for k, v in list(paths.items())[:32] if isinstance(k, str) and isinstance(v, str)},
    )


def find_running(state_dir: Path | None = None) -> Published | None:
    """The newest published simulated edge of a console that is still running; stale entries (their
    console is gone) are removed on the way. Token files are always the ones next to the entry."""
    try:
        directory = publish_dir(state_dir)
    except OSError:
        return None
    live: list[tuple[float, Published]] = []
    for path in sorted(directory.glob(f"{PREFIX}*.json"))[:64]:
        stem = path.stem[len(PREFIX) :]
        if not stem.isdigit():
            continue
        data = _read(path)
        entry = _parse(path, data) if data is not None else None
        if entry is None or entry.pid != int(stem):
            continue
        started = data.get("started") if data is not None else None
        if entry.pid != os.getpid() and pid_alive(entry.pid) and started != process_start(entry.pid):
            unpublish(path)  # its pid now names another process: the console that wrote it is gone
            continue
        if entry.pid == os.getpid() or not pid_alive(entry.pid):
            if entry.pid != os.getpid():
                unpublish(path)  # stale: its console was killed
            continue
        try:
            live.append((path.stat().st_mtime, entry))
        except OSError:
            continue
    if not live:
        return None
    return max(live, key=lambda item: item[0])[1]


__all__ = ["Published", "publish", "update_scenario", "unpublish", "find_running", "pid_alive", "entry_path"]
