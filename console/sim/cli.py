"""``edge-console simulate``: serve the simulated edge on loopback until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from typing import Any

from console.sim.scenarios import SCENARIO_NAMES, SCENARIOS


def _write_token_files(server: Any) -> Any:
    """Write the tokens to 0600 files under the state dir so another process can use them."""
    from console.paths import state_dir
    from console.safefile import ensure_private_dir, write_replace

    try:
        # 0700 dirs (whatever the umask), 0600 files never written through a symlink
        directory = ensure_private_dir(state_dir() / "simulator" / str(server.port), "simulator directory")
        ensure_private_dir(directory.parent, "simulator directory")  # tightens one made 0755 before
        for name, value in (("api_token", server.api_token), ("admin_token", server.admin_token)):
            write_replace(directory / name, value + "\n")
        return directory
    except OSError as exc:
        print(f"edge-console simulate: could not write token files: {exc}", file=sys.stderr)
        return None


def run(args: argparse.Namespace, *, ready: threading.Event | None = None, stop: threading.Event | None = None) -> int:
    scenario = getattr(args, "sim_scenario", None) or getattr(args, "scenario", None) or "normal"
    if scenario not in SCENARIOS:
        print(
            f"edge-console simulate: unknown scenario {scenario!r} (known: {', '.join(SCENARIO_NAMES)})",
            file=sys.stderr,
        )
        return 2
    if not 0 <= args.port <= 65535:
        print(f"edge-console simulate: --port must be 0-65535, got {args.port}", file=sys.stderr)
        return 2
    # first: a signal at any moment from here on (starting, writing the token files, serving) stops it
    # cleanly, exit 0 with its token files removed (it got the default death, or a KeyboardInterrupt, and
    # left them behind when it came before 'Press Ctrl-C to stop.')
    signalled, restore = _stop_on_signals()
    try:
        return _serve(args, scenario, signalled, ready, stop)
    finally:
        restore()


def _serve(
    args: argparse.Namespace,
    scenario: str,
    signalled: list[int],
    ready: threading.Event | None,
    stop: threading.Event | None,
) -> int:
    from console.sim.server import ADMIN_TOKEN_ENV, API_TOKEN_ENV, SimServer

    api_token = os.environ.get(API_TOKEN_ENV) or None
    admin_token = os.environ.get(ADMIN_TOKEN_ENV) or None
    reused = bool(api_token and admin_token)
    server = SimServer(
        host=args.host,
        port=args.port,
        scenario=scenario,
        seed=getattr(args, "seed", None),
        api_token=api_token if reused else None,
        admin_token=admin_token if reused else None,
    )
    try:
        url = server.start()
    except OSError as exc:
        print(
            f"edge-console simulate: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    token_dir = None
    waiter = stop or threading.Event()
    try:
        print(f"Simulated TWIST edge at {url}  (scenario: {scenario})")
        print(f"  health   {url}/health")
        print(f"  metrics  {url}/metrics")
        print(f"  Cloudflare API {url}/client/v4   status page {url}/status/api/v2/status.json")
        print(f'  control  POST {url}/admin/scenario {{"name": ...}}, GET {url}/admin/state')
        if args.host not in ("127.0.0.1", "::1", "localhost"):
            print(
                f"Note: listening on {args.host}; the control plane (/admin/...) still answers loopback clients only."
            )
        token_dir = _write_token_files(server)
        if reused:
            print(
                f"Tokens: ${API_TOKEN_ENV} (Cloudflare API) and ${ADMIN_TOKEN_ENV} (admin), taken from this environment."
            )
        else:
            print(
                f"Tokens: ${API_TOKEN_ENV} (Cloudflare API) and ${ADMIN_TOKEN_ENV} (admin) are random for this run. "
                "To choose them, export both before starting the simulator."
            )
        if token_dir is not None:
            print(
                f"  also in 0600 files for api_token_file/admin_token_file: {token_dir}/api_token, {token_dir}/admin_token"
            )
        print("Press Ctrl-C to stop.", flush=True)
        if ready is not None:
            ready.set()
        while not signalled and not waiter.wait(0.25):
            pass
        _say("stopped")
    except KeyboardInterrupt:  # not from SIGINT (handled): a caller outside the main thread
        _say("\nstopped")
    finally:
        server.stop()
        if token_dir is not None:
            shutil.rmtree(token_dir, ignore_errors=True)
    return 0


def _say(line: str) -> None:
    """To stderr, which may be gone (the terminal hung up: SIGHUP): the stop goes on quietly."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _stop_on_signals() -> tuple[list[int], Any]:
    """SIGINT and SIGTERM end the serving loop, whatever the inherited disposition: a shell starts background
    jobs with SIGINT ignored, and Python then never raises KeyboardInterrupt (the simulator used to serve
    on after Ctrl-C). The handler only appends to a list: it runs in the main thread between two bytecodes,
    possibly inside ``Event.wait`` holding the event's (not reentrant) lock, so ``Event.set`` from it could
    deadlock (a CI run saw the simulator ignore SIGTERM for 10 s). Only the main thread may install
    handlers; elsewhere (tests run ``run`` in a thread with their own ``stop``) nothing changes. SIGHUP
    (the terminal or SSH session it runs in went away) ends it the same way, with its token files removed,
    unless it is ignored (``nohup``: asked to outlive the terminal). Returns the list (non-empty once
    signalled) and a function restoring the previous handlers."""
    signalled: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        return signalled, lambda: None
    previous = {}
    signums = [signal.SIGINT, signal.SIGTERM]
    hangup = getattr(signal, "SIGHUP", None)  # not on Windows
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        signums.append(hangup)
    for signum in signums:
        previous[signum] = signal.signal(signum, lambda signum, _frame: signalled.append(signum))

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return signalled, restore
