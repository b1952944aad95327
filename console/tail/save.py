"""Preserve evidence: write events as JSON lines (the original objects, unknown fields included)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterable

from console.paths import state_dir
from console.safefile import create_new, ensure_private_dir
from console.tail.model import TailEvent, json_text_line


def default_save_path(env_name: str = "", now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now if now is not None else time.time()))
    name = f"tail-{env_name}-{stamp}.jsonl" if env_name else f"tail-{stamp}.jsonl"
    return state_dir() / "tail" / name


def save_events(events: Iterable[TailEvent], path: str | os.PathLike[str]) -> tuple[Path, int]:
    """Write one JSON object per line; returns (absolute path, count). Never overwrites a file."""
    target = Path(path).expanduser().absolute()
    ensure_private_dir(target.parent, "evidence directory", check=False)
    count = 0
    # client IPs and headers: 0600, a new file only (a symlink or anything else there is refused)
    with os.fdopen(create_new(target), "w", encoding="utf-8") as fh:
        for event in list(events):
            try:
                fh.write(json.dumps(event.raw, ensure_ascii=False, separators=(",", ":")))
            except RecursionError:  # nested deeper than the stdlib writes: the text as read, on one line
                fh.write(json_text_line(event.text))
            fh.write("\n")
            count += 1
        fh.flush()
        os.fsync(fh.fileno())
    return target, count
