"""What other consoles append while ``edge-console record`` runs: flow steps (``audit.jsonl``) and incident
timeline entries (``incidents/**/*.jsonl``), read from where each file stood when recording started.
Those files are outside input too: lines over ``MAX_LINE_BYTES`` or not JSON objects are skipped, at most
``MAX_READ_BYTES`` per file per call and ``MAX_FILES`` incident files are followed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from console import safejson
from console.safefile import open_read

MAX_LINE_BYTES = 256 * 1024
MAX_READ_BYTES = 4 * 1024 * 1024
MAX_FILES = 200


class AppendFollower:
    """New complete lines of one append-only JSON-lines file, as objects."""

    def __init__(self, path: Path, *, from_start: bool = False) -> None:
        self.path = path
        try:
            self.offset = 0 if from_start else path.stat().st_size
        except OSError:
            self.offset = 0
        self.skipped = 0

    def read(self) -> list[dict[str, Any]]:
        try:
            size = self.path.stat().st_size
        except OSError:
            return []
        if size < self.offset:
            self.offset = 0  # replaced: start over
        if size == self.offset:
            return []
        try:
            with open_read(self.path) as handle:
                handle.seek(self.offset)
                data = handle.read(min(size - self.offset, MAX_READ_BYTES))
        except OSError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            if len(data) >= MAX_LINE_BYTES:
                self.offset += len(data)  # one endless line: skip it
                self.skipped += 1
            return []
        self.offset += end + 1
        out = []
        for line in data[:end].split(b"\n"):
            if not line.strip():
                continue
            try:
                obj = safejson.loads(line) if len(line) <= MAX_LINE_BYTES else None
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                out.append(obj)
            else:
                self.skipped += 1
        return out


class StateFollower:
    """Flow steps and incident entries appended under the state dir since it was made."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)
        self.audit = AppendFollower(self.state_dir / "audit.jsonl")
        self.incidents: dict[Path, AppendFollower] = {}
        for path in self._incident_files():
            self.incidents[path] = AppendFollower(path)

    def _incident_files(self) -> list[Path]:
        root = self.state_dir / "incidents"
        if not root.is_dir():
            return []
        files = []
        for dirpath, _dirs, names in os.walk(root, followlinks=False):
            files.extend(Path(dirpath) / n for n in names if n.endswith(".jsonl"))
            if len(files) >= MAX_FILES:
                break
        return sorted(files)[:MAX_FILES]

    def read(self) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
        """(new flow step records, new (incident id, entry) pairs); a new incident file is read whole."""
        steps = self.audit.read()
        entries: list[tuple[str, dict[str, Any]]] = []
        for path in self._incident_files():
            follower = self.incidents.get(path)
            if follower is None:
                if len(self.incidents) >= MAX_FILES:
                    continue
                follower = self.incidents[path] = AppendFollower(path, from_start=True)
            entries.extend((path.stem, entry) for entry in follower.read())
        return steps, entries
