"""The shipped runbook files (``console/runbooks/*.yaml``) parsed once per file version per process.

Every :func:`console.runbook.loader.load_runbook` starts from the built-in flows: parsing the ten shipped
files again (YAML, the declared structure, the flow rules) cost ~0.1 s of CPU each time, for the same
package data. A file is parsed again when its path, size, mtime or inode changes; an error is never cached
(it is raised on every load, as before). The flows are shared between loads, like the app already shares one
:class:`~console.runbook.model.Runbook`: nothing changes a loaded flow (the loader builds new ones with
``dataclasses.replace``). Between processes the parsed flows are kept on disk too
(:mod:`console.runbook.builtin_disk_cache`, like Python's ``__pycache__``)."""

from __future__ import annotations

import threading
from pathlib import Path

from console.runbook.model import Flow

_FileKey = tuple[str, int, int, int]
_PARSED: dict[_FileKey, tuple[Flow, ...]] = {}
_LOCK = threading.Lock()


def _key(path: Path) -> _FileKey | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def load_builtin_file(path: str | Path) -> list[Flow]:
    """The flows of one shipped runbook file, as :func:`~console.runbook.loader.load_file` gives them."""
    from console.runbook.loader import load_file

    path = Path(path)
    key = _key(path)
    if key is None:
        return load_file(path)  # the loader reports what is wrong with the file
    with _LOCK:
        flows = _PARSED.get(key)
    if flows is None:
        from console.runbook import builtin_disk_cache

        kept = builtin_disk_cache.read(path)
        if kept is not None:
            flows = tuple(kept)
        else:
            flows = tuple(load_file(path))
            builtin_disk_cache.write(path, flows)
        with _LOCK:
            _PARSED[key] = flows
    return list(flows)


def forget() -> None:
    """Drop every parsed file (the next load parses again)."""
    with _LOCK:
        _PARSED.clear()
