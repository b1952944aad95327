"""Opening the console's own files safely: private modes, no symlinks, no directory others can write.

Everything the console writes (the audit trail, incident records and their locks, reports, runbook
memory, exports, saved tail evidence) holds what an attacker wants (client IPs, headers, what changed
when) or what they would like to forge. So:

- directories are created ``0700`` and files ``0600`` (whatever the umask);
- the final path component is opened with ``O_NOFOLLOW``: a symlink planted where a state file goes is
  refused (``audit.jsonl -> victim.txt`` would otherwise append audit lines to the victim), and a file
  replaced by :func:`write_replace` is never written through a link;
- :func:`ensure_private_dir` refuses a directory that another user owns or that group/others can write
  (they could plant such links or swap files), and tightens one of ours that others can merely read;
  its parents up to ``/`` must be root's or ours and not writable by others unless sticky (else the
  directory could be renamed away, trail and all).

Errors are :class:`UnsafePath` (an ``OSError``) with a message that says which path and what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(OSError):
    """A state path the console refuses to use (symlink, foreign owner, writable by others)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _uid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def check_private_dir(path: Path, what: str = "directory") -> None:
    """Refuse ``path`` unless it is a real directory (not a symlink) owned by us and not writable by
    group or others; one that others can read or enter is tightened to 0700."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(f"{what} {path} is a symlink: refusing to follow it (make it a real directory)")
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePath(f"{what} {path} is not a directory")
    uid = _uid()
    if uid is not None and st.st_uid != uid:
        raise UnsafePath(
            f"{what} {path} is owned by uid {st.st_uid}, not by you (uid {uid}): another user "
            "could replace its files; use a directory of your own"
        )
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        raise UnsafePath(
            f"{what} {path} is writable by group or others (mode {mode:04o}): another user could "
            f"plant links or swap files in it; run: chmod 700 {path}"
        )
    if mode & 0o077:
        os.chmod(path, PRIVATE_DIR, follow_symlinks=False)


def _trusted_owner(uid: int) -> bool:
    me = _uid()
    return uid == 0 or me is None or uid == me


def check_parents(path: Path, what: str = "directory") -> None:
    """Refuse ``path`` when a directory above it is controlled by another user: each existing parent up
    to ``/`` (as written, and as resolved through symlinks) must be owned by root or by us and not
    writable by group or others unless sticky (``/tmp``: root's, 1777). Such a user could rename the
    directory away and put another in its place."""
    absolute = Path(os.path.abspath(path))
    seen: set[str] = set()
    chains = [absolute.parents, Path(os.path.realpath(absolute)).parents]
    for chain in chains:
        for parent in chain:
            key = str(parent)
            if key in seen:
                continue
            seen.add(key)
            try:
                lst = os.lstat(parent)
                st = os.stat(parent)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(lst.st_mode) and not _trusted_owner(lst.st_uid):
                raise UnsafePath(
                    f"{what} {path}: {parent} is a symlink owned by uid {lst.st_uid}, not by you "
                    "or root: that user could point it elsewhere; use a directory of your own"
                )
            if not _trusted_owner(st.st_uid):
                raise UnsafePath(
                    f"{what} {path}: its parent {parent} is owned by uid {st.st_uid}, not by you or "
                    "root: that user could rename it away and hide the trail; use a directory "
                    "of your own"
                )
            mode = stat.S_IMODE(st.st_mode)
            if mode & 0o022 and not mode & stat.S_ISVTX:
                raise UnsafePath(
                    f"{what} {path}: its parent {parent} is writable by group or others (mode "
                    f"{mode:04o}, not sticky): another user could rename it away; run: "
                    f"chmod go-w {parent}"
                )


def ensure_private_dir(path: str | os.PathLike[str], what: str = "directory", *, check: bool = True) -> Path:
    """Create ``path`` (and missing parents) with mode 0700 and return it. With ``check`` (state
    directories) an existing one must pass :func:`check_private_dir`, and every parent
    :func:`check_parents` (checked before anything is created)."""
    target = Path(path)
    if check:
        check_parents(target, what)
    missing: list[Path] = []
    probe = target
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for new in reversed(missing):
        try:
            os.mkdir(new, PRIVATE_DIR)
        except FileExistsError:
            pass
        os.chmod(new, PRIVATE_DIR, follow_symlinks=False)  # the umask may have taken bits away
    if check:
        check_private_dir(target, what)
    elif os.path.islink(target):
        raise UnsafePath(f"{what} {target} is a symlink: refusing to follow it")
    return target


def _checked_fd(fd: int, path: Path) -> int:
    """``fd`` after checking it is a regular file of ours (tightened to 0600); closed on refusal."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{path} is not a regular file")
        uid = _uid()
        if uid is not None and st.st_uid != uid:
            raise UnsafePath(f"{path} is owned by uid {st.st_uid}, not by you (uid {uid}): refusing to write it")
        if stat.S_IMODE(st.st_mode) != PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW | _CLOEXEC, PRIVATE_FILE)
    except OSError:
        if os.path.islink(path):
            raise UnsafePath(
                f"{path} is a symlink: refusing to follow it (remove it; the console writes its own files only)"
            ) from None
        raise


def open_append(path: str | os.PathLike[str]) -> int:
    """A descriptor appending to ``path`` (created 0600; never through a symlink). The caller closes it."""
    target = Path(path)
    return _checked_fd(_open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT), target)


def open_update(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading and writing (binary; it must exist; never through a symlink)."""
    target = Path(path)
    return os.fdopen(_checked_fd(_open(target, os.O_RDWR), target), "rb+")


def open_read(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading (binary; never through a symlink)."""
    target = Path(path)
    return os.fdopen(_open(target, os.O_RDONLY), "rb")


def create_new(path: str | os.PathLike[str]) -> int:
    """A descriptor on a new file ``path`` (0600); ``FileExistsError`` if anything, a link included, is there."""
    target = Path(path)
    return _checked_fd(_open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL), target)


def write_new(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to a new file (0600, fsynced); never overwrites, never through a link."""
    target = Path(path)
    fd = create_new(target)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        handle.flush()
        os.fsync(handle.fileno())
    return target


def write_replace(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (a 0600 temporary file in the same directory, fsynced, then
    renamed over it). A symlink at ``path`` is refused, never written through."""
    import tempfile  # only here: start-up does not pay for it

    target = Path(path)
    if os.path.islink(target):
        raise UnsafePath(f"{target} is a symlink: refusing to write through it (remove it or choose another file)")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), PRIVATE_FILE)
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
