"""The shipped runbook's parsed flows kept between processes, as Python keeps bytecode: ``__pycache__``.

Every console process (each served browser tab, ``record``, ``replay``, ``drill``, ``flows``, ``run``,
``runbook validate``) parsed the ten shipped files again: ~0.15-0.2 CPU-s of YAML, the declared structure and
the flow rules, for the same package data. A file's flows are written next to it, in
``console/runbooks/__pycache__/<name>.<cache tag>.flows`` (msgpack, decoded by msgspec into the model's
dataclasses with their declared field types: data only, never code), and read back by the next process.

An entry is used only when it was made from the same thing: the YAML file's path (as given and resolved), size
and mtime, the Python version, and every module of ``console``, ``yaml`` and ``msgspec`` loaded when it was
written (path, size, mtime: any edit of the parsing code, or an upgrade, makes it stale, as a ``.pyc``'s source stamp does). An
entry is written only when decoding it gives back exactly the flows parsed (``repr`` equal: types and values),
only by a program run of the console (``console.cli.main`` reading ``sys.argv``: never by a test or a library
caller that may have patched the parser), never with ``-B``/``PYTHONDONTWRITEBYTECODE``, through
:func:`console.safefile.write_replace` (0600, atomic) into a 0700 directory of ours. It is read only from a
regular file of ours that group/others cannot write, up to ``MAX_FILE_BYTES``. Any problem means a parse, as
before: an installation the user cannot write simply parses every time.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.limits import MAX_FILE_BYTES

if TYPE_CHECKING:  # the model loads with the first read: enable_writes() is on every command's path
    from console.runbook.model import Flow

FORMAT = 1
CACHE_DIR = "__pycache__"
#: top-level packages whose loaded modules an entry depends on (the parser is made of them)
_DEPENDS_ON = ("console", "yaml", "_yaml", "msgspec")

_writes_enabled = False
_stats: dict[str, tuple[int, int] | None] = {}  # path -> (size, mtime_ns) seen by this process


def enable_writes() -> None:
    """Let this process write entries (a program run of the console; see the module's doc)."""
    global _writes_enabled
    _writes_enabled = True


def writes_enabled() -> bool:
    return _writes_enabled and not sys.dont_write_bytecode


def cache_path(source: Path) -> Path:
    return source.parent / CACHE_DIR / f"{source.name}.{sys.implementation.cache_tag}.flows"


def _stamp(path: str) -> tuple[int, int] | None:
    if path not in _stats:
        try:
            st = os.stat(path)
            _stats[path] = (st.st_size, st.st_mtime_ns)
        except OSError:
            _stats[path] = None
    return _stats[path]


def _source_key(source: Path) -> list[Any] | None:
    try:
        st = os.stat(source)
    except OSError:
        return None
    # the path as given too: it is each flow's ``file`` (what a parse of the same file by another name would say)
    return [str(source), str(source.resolve()), st.st_size, st.st_mtime_ns, sys.version]


def _dependencies() -> list[tuple[str, int, int]]:
    found = []
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] not in _DEPENDS_ON:
            continue
        path = getattr(module, "__file__", None)
        if not path:
            continue
        stamp = _stamp(path)
        if stamp is not None:
            found.append((path, *stamp))
    return sorted(found)


def _entry_type() -> Any:
    import msgspec

    from console.runbook.model import Flow

    fields = [("format", int), ("source", list), ("depends", list[tuple[str, int, int]]), ("flows", list[Flow])]
    return msgspec.defstruct("Entry", fields, array_like=True)


_ENTRY: Any = None


def _entry() -> Any:
    global _ENTRY
    if _ENTRY is None:
        _ENTRY = _entry_type()
    return _ENTRY


def _read_bytes(path: Path) -> bytes | None:
    from console.safefile import open_read

    try:
        with open_read(path) as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o022:
                return None
            if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
                return None
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


def read(source: Path) -> list[Flow] | None:
    """The flows of ``source`` from its entry, or None (no entry, stale, unreadable, not ours, damaged)."""
    key = _source_key(source)
    if key is None:
        return None
    data = _read_bytes(cache_path(source))
    if data is None:
        return None
    import msgspec

    try:
        entry = msgspec.msgpack.decode(data, type=_entry())
    except (msgspec.DecodeError, ValueError, TypeError):
        return None
    if entry.format != FORMAT or entry.source != key:
        return None
    for path, size, mtime_ns in entry.depends:
        if _stamp(path) != (size, mtime_ns):
            return None
    return entry.flows


def write(source: Path, flows: list[Flow]) -> bool:
    """Keep ``flows`` (just parsed from ``source``) for the next process; False when it was not written."""
    if not writes_enabled():
        return False
    key = _source_key(source)
    if key is None:
        return False
    import msgspec

    from console.safefile import UnsafePath, ensure_private_dir, write_replace

    Entry = _entry()
    try:
        data = msgspec.msgpack.encode(Entry(FORMAT, key, _dependencies(), list(flows)))
        if len(data) > MAX_FILE_BYTES or repr(msgspec.msgpack.decode(data, type=Entry).flows) != repr(list(flows)):
            return False  # a value msgpack would not give back as it is (a tuple, a date): parse each time
        target = cache_path(source)
        ensure_private_dir(target.parent, "runbook cache directory", check=False)
        write_replace(target, data)
    except (OSError, UnsafePath, msgspec.EncodeError, msgspec.DecodeError, TypeError, ValueError):
        return False
    return True
