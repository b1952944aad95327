"""``edge-console serve``: the console in browsers, read-only, for the war room.

Binds 127.0.0.1 unless ``--host`` names another address, and then only with ``--token-env VAR``. With
no configuration it starts ONE simulated edge on 127.0.0.1 and every browser's console uses it (same
edge, same scenario). SIGTERM/SIGINT end every console process it started, then it exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from urllib.parse import quote

from console.commands.serve import DEFAULT_MAX_SESSIONS, DEFAULT_PORT, MAX_SESSIONS_LIMIT  # noqa: F401 (declared there)
from console.serve.hosts import is_loopback_host, is_unspecified


def _fail(message: str) -> int:
    print(f"edge-console serve: {message}", file=sys.stderr)
    return 2


def start_problem(args: argparse.Namespace, environ: dict[str, str]) -> str | None:
    """Why ``serve`` must not start with these options, or None."""
    from console.serve.token_rules import token_problem

    if not 0 <= args.port <= 65535:
        return f"--port {args.port}: not a port number (0-65535)"
    if not 1 <= args.max_sessions <= MAX_SESSIONS_LIMIT:
        return f"--max-sessions {args.max_sessions}: use 1 to {MAX_SESSIONS_LIMIT}"
    if args.token_env is not None:
        if not args.token_env or not args.token_env.replace("_", "a").isalnum():
            return f"--token-env {args.token_env!r}: not an environment variable name"
        problem = token_problem(args.token_env, environ.get(args.token_env))
        if problem:
            return problem
    elif not is_loopback_host(args.host):
        return (
            f"--host {args.host} is not a loopback address: anyone who can reach it could open the "
            f"console; set a token in an environment variable and pass --token-env VAR "
            f"(or keep the default --host 127.0.0.1 and forward the port over SSH)"
        )
    return None


def run(args: argparse.Namespace) -> int:
    problem = start_problem(args, dict(os.environ))
    if problem:
        return _fail(problem)
    token = os.environ.get(args.token_env) if args.token_env else None

    from console.config import load_config, resolve_config_path
    from console.serve.command import console_argv

    config_path = resolve_config_path(getattr(args, "config", None))
    sim = None
    if config_path is not None:
        config = load_config(config_path)  # ConfigError: one line, exit 2 (console.cli)
        config.environment(getattr(args, "env", None))
        where = f"{config_path} (environment {getattr(args, 'env', None) or config.default_environment})"
    else:
        from console.sim.server import SimServer

        scenario = getattr(args, "scenario", None) or "normal"
        sim = SimServer(host="127.0.0.1", port=0, scenario=scenario)
        sim.start()
        where = f"the SIMULATED edge (scenario {scenario}), shared by every browser"
    argv = console_argv(str(config_path) if config_path else None, getattr(args, "env", None))
    try:
        return asyncio.run(_serve(args, argv, token, sim.base_url if sim else None, where))
    finally:
        if sim is not None:
            sim.stop()


def _display_host(host: str) -> str:
    if is_unspecified(host):
        return socket.gethostname()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def _serve(args: argparse.Namespace, argv: list[str], token: str | None, sim_url: str | None, where: str) -> int:
    from aiohttp import web

    from console.serve.web import ServeApp

    served = ServeApp(
        argv,
        token=token,
        token_env=args.token_env,
        sim_url=sim_url,
        max_sessions=args.max_sessions,
        title="Edge Console (shared, read-only)",
    )
    runner = web.AppRunner(served.make_app(), handle_signals=False, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        return _fail(f"--host {args.host} --port {args.port}: cannot listen: {exc.strerror or exc}")
    port = args.port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            port = address[1]
            break
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    host = _display_host(args.host)
    url = f"http://{host}:{port}/" + (f"?token={quote(token, safe='')}" if token else "")
    print(f"edge-console serve: read-only consoles (SHARED READ-ONLY) on {where}", flush=True)
    print(f"Open: {url}", flush=True)
    print(
        f"From your machine: ssh -N -L {port}:127.0.0.1:{port} YOU@{socket.gethostname()}   "
        f"(then open the URL above with 127.0.0.1:{port})",
        flush=True,
    )
    print(f"At most {args.max_sessions} sessions at a time. Ctrl+C stops serving and ends every session.", flush=True)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await served.shutdown()
        await runner.cleanup()
    print("edge-console serve: stopped; every session's console has ended.", flush=True)
    return 0
