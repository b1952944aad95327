"""A step's command never outlives the console: a tiny guard process between the two.

The console starts ``python -I -S childguard.py FD -- COMMAND ARGS...`` in a new session (so the guard
leads its own process group) and keeps the write end of a pipe whose read end is ``FD`` in the guard.
The guard starts the command in the same process group (so grandchildren such as ``npx`` -> ``node
wrangler`` are in it too), passes the command's exit status on as its own, and watches the pipe: when
it reads end-of-file the console is gone (SIGKILL cannot be caught, but the kernel closes a dead
process's descriptors) or gave the step up, and the guard kills its whole process group with SIGKILL,
itself included. The command also gets ``PR_SET_PDEATHSIG`` = SIGKILL on Linux, so it dies if the guard
itself is killed alone. Cancelling a step is unchanged: the console signals the group (SIGTERM, then
SIGKILL); the guard passes on a SIGTERM/SIGINT/SIGHUP sent to it alone and exits when the command does.

Standard library only: the guard runs with ``-I -S`` (no site, no user environment, fast start) and
never imports the console. It starts with every command step, tail and served console, so it imports only
built-in modules (``os``, ``_signal``, ``_thread``; ``_ctypes`` in the child): ``subprocess``, ``threading``,
``shutil`` (-> ``re``) and ``signal`` (-> ``enum``) were two thirds of its start-up CPU. It starts the command
as ``subprocess.Popen(close_fds=True, restore_signals=True)`` did: fork, then in the child the parent-death
signal, SIGPIPE/SIGXFSZ back to their defaults, every descriptor but 0-2 closed, exec; an exec failure comes
back on a close-on-exec pipe. Limitation: a process that leaves the group on purpose (``setsid``) escapes
a process-group kill; runbook tools do not.
"""

from __future__ import annotations

import _thread
import os
import sys

try:
    import _signal as signal  # the C module behind ``signal``, without its enum wrappers (start-up time)
except ImportError:  # pragma: no cover - another Python
    import signal

GUARD_PATH = os.path.abspath(__file__)
PR_SET_PDEATHSIG = 1
ENOENT, ENOEXEC = 2, 8  # the same on every POSIX system (``errno`` would cost an import)


def guarded_argv(argv: list[str], watch_fd: int) -> list[str]:
    """The argv that runs ``argv`` under the guard watching ``watch_fd`` (pass it in ``pass_fds``)."""
    return [sys.executable, "-I", "-S", GUARD_PATH, str(watch_fd), "--", *argv]


def launch_problem(argv0: str, env: dict[str, str], cwd: str | None = None) -> str | None:
    """What stops ``argv0`` from starting ("not found" / "permission denied"), checked by the console
    before it starts the guard so the operator reads the same message as without a guard; None if fine."""
    import shutil  # the console's side only: the guard itself never needs it

    if os.sep in argv0:
        path = argv0 if os.path.isabs(argv0) or not cwd else os.path.join(cwd, argv0)
        if not os.path.exists(path):
            return "not found"
        return None if os.access(path, os.X_OK) and not os.path.isdir(path) else "permission denied"
    if shutil.which(argv0, path=env.get("PATH", os.defpath)) is not None:
        return None
    for folder in env.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or ".", argv0)
        if os.path.isfile(candidate):
            return "permission denied"
    return "not found"


def _die_with_parent() -> None:  # runs in the child between fork and exec (the guard is single-threaded here)
    try:
        # ``ctypes``' C module alone, as ``ctypes.CDLL(None).prctl`` would call it: importing ``ctypes`` (its
        # Python layer) was 6 ms of CPU in every step's child, this 2 ms
        import _ctypes

        class _Int(_ctypes._SimpleCData):
            _type_ = "i"

        class _Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
            _restype_ = _Int

        class _Program:  # the running program and the libraries it loaded (libc): dlopen(NULL)
            _handle = _ctypes.dlopen(None)

        _Function(("prctl", _Program()))(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001, S110 - not Linux: the process-group kill still covers it
        pass


def _watch(fd: int) -> None:
    """Block until the console's end of the pipe closes, then end the whole group (this guard too)."""
    while True:
        try:
            data = os.read(fd, 64)
        except InterruptedError:
            continue
        except OSError:
            data = b""
        if not data:
            break
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _start(command: list[str]) -> int:
    """Fork and exec ``command``; its pid. An exec failure raises its OSError here, as Popen did."""
    err_read, err_write = os.pipe()  # close-on-exec: EOF means the exec succeeded
    pid = os.fork()
    if pid == 0:  # the child: nothing here may return into the guard's code
        try:
            _die_with_parent()
            for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # Python ignores them; the command gets the defaults
                signal.signal(sig, signal.SIG_DFL)
            _close_fds(keep=err_write)  # close_fds: the lifeline and anything else inherited
            os.execvp(command[0], command)
        except BaseException as exc:  # noqa: BLE001 - reported to the guard, never raised in this copy of it
            os.write(err_write, str(getattr(exc, "errno", None) or ENOEXEC).encode())
        finally:
            os._exit(127)
    os.close(err_write)
    report = b""
    while chunk := os.read(err_read, 64):
        report += chunk
    os.close(err_read)
    if report:
        os.waitpid(pid, 0)
        code = int(report)
        raise (FileNotFoundError if code == ENOENT else OSError)(code, os.strerror(code))
    return pid


def _close_fds(keep: int) -> None:
    """Close every descriptor but 0-2 and ``keep`` (the child, before exec)."""
    try:
        fds: list[int] | range = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc
        fds = range(3, 4096)
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def main(args: list[str] | None = None) -> int:
    args = sys.argv[1:] if args is None else args
    if len(args) < 3 or args[1] != "--" or not args[0].isdigit():
        sys.stderr.write("childguard: usage: childguard.py WATCH_FD -- COMMAND [ARG...]\n")
        return 2
    watch_fd, command = int(args[0]), args[2:]
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # never kill the group of whoever started us: lead our own
    child: list[int] = []  # the command's pid while it runs

    def pass_on(signum: int, _frame: object) -> None:
        if child:
            try:
                os.kill(child[0], signum)
            except OSError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, pass_on)
    try:
        # the guard has no other thread yet (the watcher starts below): forking here is safe
        pid = _start(command)
    except FileNotFoundError:
        sys.stderr.write(f"{command[0]}: command not found\n")
        return 127
    except OSError as exc:
        sys.stderr.write(f"{command[0]}: {exc.strerror or exc}\n")
        return 126
    child.append(pid)
    _thread.start_new_thread(_watch, (watch_fd,))  # "lifeline": ends with the guard
    _, status = os.waitpid(pid, 0)  # retried after a passed-on signal (PEP 475)
    child.clear()
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed by a signal: die the same way so the console sees the same status
        try:
            signal.signal(-code, signal.SIG_DFL)
        except (OSError, ValueError):  # SIGKILL/SIGSTOP have no handler to reset
            pass
        os.kill(os.getpid(), -code)
        return 128 - code  # a signal whose default is not to terminate
    return code


if __name__ == "__main__":
    sys.exit(main())
