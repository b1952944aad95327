"""Incident records as JSON lines under the state dir, safe for several writers on one host.

Layout: ``<state_dir>/incidents/INC-YYYY-MM-DD-NNN.jsonl``, one entry per line; drills (incidents on the
simulated edge) are ``<state_dir>/incidents/drills/DRILL-YYYY-MM-DD-NNN.jsonl``, never beside real ones. Every append
takes the incident's file lock (``filelock``), terminates a truncated last line left by a crash,
writes one line, flushes and fsyncs before returning, so an entry is on disk before it is shown.
IDs are allocated under a directory-wide lock by creating the file exclusively, so they are
unique per day on this host even with several consoles.

Reading never raises for bad content: a corrupt or truncated line is reported in
``Incident.warnings`` (file, line number, what) and skipped; everything else loads.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock

from console.incident.model import Entry, Incident, UTC, fold, format_ts
from console import safejson
from console.safefile import PRIVATE_FILE, create_new, ensure_private_dir, open_read, open_update

ID_RE = re.compile(r"^(?:INC|DRILL)-([0-9]{4}-[0-9]{2}-[0-9]{2})-([0-9]{3,})\Z")  # ASCII digits only
#: the prefix of a drill's ID (an incident on the simulated edge) and of a real incident's
DRILL_PREFIX = "DRILL"
REAL_PREFIX = "INC"
DRILLS_SUBDIR = "drills"


def is_drill_id(incident_id: str) -> bool:
    return str(incident_id).startswith(DRILL_PREFIX + "-")


LOCK_TIMEOUT_S = 10.0


class IncidentNotFound(LookupError):
    pass


def incidents_dir(state_dir: Path) -> Path:
    return ensure_private_dir(Path(state_dir) / "incidents", "incident directory")


@dataclass
class _Cache:
    size: int
    mtime_ns: int
    incident: Incident


class IncidentStore:
    def __init__(self, state_dir: Path) -> None:
        self.dir = incidents_dir(state_dir)
        #: drills live apart (created on first use)
        self.drill_dir = self.dir / DRILLS_SUBDIR
        self._cache: dict[str, _Cache] = {}

    # -- paths -----------------------------------------------------------------------------
    def path(self, incident_id: str) -> Path:
        if not ID_RE.match(incident_id):
            raise IncidentNotFound(
                f"{incident_id!r} is not an incident ID (INC-YYYY-MM-DD-NNN or DRILL-YYYY-MM-DD-NNN)"
            )
        if is_drill_id(incident_id):
            return self.drill_dir / f"{incident_id}.jsonl"
        return self.dir / f"{incident_id}.jsonl"

    def _lock(self, path: Path) -> FileLock:
        return FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S, mode=PRIVATE_FILE)

    def ids(self, *, drills: bool = False) -> list[str]:
        """Real incidents' IDs; with ``drills=True`` the drills' IDs instead (never both mixed)."""
        if drills:
            if not self.drill_dir.is_dir():
                return []
            return sorted(p.stem for p in self.drill_dir.glob(f"{DRILL_PREFIX}-*.jsonl") if ID_RE.match(p.stem))
        return sorted(p.stem for p in self.dir.glob(f"{REAL_PREFIX}-*.jsonl") if ID_RE.match(p.stem))

    def exists(self, incident_id: str) -> bool:
        try:
            return self.path(incident_id).is_file()
        except IncidentNotFound:
            return False

    # -- writing ---------------------------------------------------------------------------
    def allocate(self, when: datetime, first: dict[str, Any], *, drill: bool = False) -> str:
        """Create the next ``INC-<date>-NNN`` file (``DRILL-<date>-NNN`` in the drills' directory with
        ``drill=True``) with ``first`` (an entry without ``seq``) as line 1."""
        day = when.astimezone(UTC).strftime("%Y-%m-%d")
        prefix = DRILL_PREFIX if drill else REAL_PREFIX
        directory = ensure_private_dir(self.drill_dir, "drill directory") if drill else self.dir
        with self._lock(directory / ".allocate"):
            used = [
                int(m.group(2))
                for p in directory.glob(f"{prefix}-{day}-*.jsonl")
                if (m := ID_RE.match(p.stem)) and m.group(1) == day
            ]
            number = max(used, default=0) + 1
            while True:
                incident_id = f"{prefix}-{day}-{number:03d}"
                path = directory / f"{incident_id}.jsonl"
                try:
                    fd = create_new(path)  # 0600; a link or anything else already there is skipped
                except FileExistsError:
                    number += 1
                    continue
                line = dict(first, incident=incident_id, seq=1)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(line, sort_keys=True) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                _fsync_dir(directory)
                return incident_id

    def append(
        self,
        incident_id: str,
        *,
        ts: datetime,
        kind: str,
        text: str,
        by: str = "",
        data: dict[str, Any] | None = None,
        check: Callable[[Incident], None] | None = None,
    ) -> Entry:
        """Append one entry (flushed and fsynced) and return it with its sequence number. ``check`` is
        called under the incident's lock with the incident as it is on disk then, before anything is
        written: it raises to refuse (two consoles closing the same incident: only one close is decided)."""
        path = self.path(incident_id)
        if not path.is_file():
            raise IncidentNotFound(f"no incident {incident_id} in {self.dir}")
        with self._lock(path):
            with open_update(path) as fh:  # never through a symlink
                content = fh.read()
                if check is not None:
                    check(parse_lines(incident_id, content, str(path)))
                lines = content.count(b"\n")
                prefix = b""
                if content and not content.endswith(b"\n"):
                    prefix = b"\n"  # close a truncated last line so it stays one (skipped) line
                    lines += 1
                entry = Entry(seq=lines + 1, ts=ts, kind=kind, text=text, by=by, data=dict(data or {}))
                fh.seek(0, os.SEEK_END)
                fh.write(prefix + (json.dumps(entry.to_json(incident_id), sort_keys=True) + "\n").encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        return entry

    # -- reading ---------------------------------------------------------------------------
    def load(self, incident_id: str) -> Incident:
        """The incident folded from its file (cached; re-read only when the file changed)."""
        path = self.path(incident_id)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise IncidentNotFound(f"no incident {incident_id} in {self.dir}") from None
        cached = self._cache.get(incident_id)
        if cached and cached.size == st.st_size and cached.mtime_ns == st.st_mtime_ns:
            return cached.incident
        with open_read(path) as fh:
            data = fh.read()
        incident = parse_lines(incident_id, data, str(path))
        self._cache[incident_id] = _Cache(st.st_size, st.st_mtime_ns, incident)
        return incident

    def changed(self, incident_id: str) -> bool:
        cached = self._cache.get(incident_id)
        try:
            st = self.path(incident_id).stat()
        except (FileNotFoundError, IncidentNotFound):
            return False
        return cached is None or cached.size != st.st_size or cached.mtime_ns != st.st_mtime_ns

    def all(self, *, drills: bool = False) -> list[Incident]:
        out = []
        for incident_id in self.ids(drills=drills):
            try:
                out.append(self.load(incident_id))
            except (IncidentNotFound, OSError):
                continue
        return out

    def open_incidents(self, *, drills: bool = False) -> list[Incident]:
        return [i for i in self.all(drills=drills) if i.is_open and i.started is not None]


#: the longest line of an incident file read (the console writes fields of at most 4,000 characters and a
#: handful of them a line: ~50 KB at most, escaped); a longer line is skipped as corrupt, unparsed
MAX_LINE_BYTES = 256 * 1024


def parse_lines(incident_id: str, data: bytes, where: str) -> Incident:
    """The incident folded from its file's lines; a line that is not an entry (corrupt, truncated, longer
    than MAX_LINE_BYTES, nested deeper than MAX_JSON_DEPTH) is skipped with a ``file:line`` warning."""
    entries: list[Entry] = []
    warnings: list[str] = []
    raw_lines = data.split(b"\n")
    truncated_tail = bool(raw_lines and raw_lines[-1])  # no final newline: the last write did not finish
    if raw_lines and not raw_lines[-1]:
        raw_lines.pop()
    last = len(raw_lines)
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            warnings.append(f"{where}:{number}: line longer than {MAX_LINE_BYTES:,} bytes skipped ({len(raw):,} bytes)")
            continue
        try:
            obj = safejson.loads(raw.decode("utf-8"))  # nested 100k deep: a bad line, not a RecursionError
            entry = Entry.from_json(obj)
        except (ValueError, UnicodeDecodeError) as exc:
            what = "truncated last line" if (number == last and truncated_tail) else "corrupt line"
            warnings.append(f"{where}:{number}: {what} skipped ({_short(exc)}; {len(raw)} bytes)")
            continue
        entries.append(entry)
    return fold(incident_id, entries, warnings)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:80]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = [
    "IncidentStore",
    "IncidentNotFound",
    "incidents_dir",
    "parse_lines",
    "format_ts",
    "ID_RE",
    "is_drill_id",
    "DRILL_PREFIX",
]
