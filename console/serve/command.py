"""The command and environment of one served console (one per browser tab).

The argv always carries ``--read-only`` and the environment ``EDGE_CONSOLE_SHARED=1`` (which the console
reads to force read-only: ``console.session``), whatever the operator passed; only ``--config`` and
``--env`` pass through (``--scenario`` is the shared simulated edge's, started by ``serve``). The
token never reaches the child: not in its argv, and its variable is removed from its environment.
"""

from __future__ import annotations

import os
import sys

from console.serve.shared import SHARED_ENV, SIM_URL_ENV

#: variables a served console must not inherit from ``serve``'s environment
DROPPED_ENV = ("EDGE_CONSOLE_CONFIG",)


def console_argv(config_path: str | None = None, env_name: str | None = None) -> list[str]:
    argv = [sys.executable, "-m", "console", "--read-only"]
    if config_path:
        argv += ["--config", os.path.abspath(config_path)]
    if env_name:
        argv += ["--env", env_name]
    return argv


def console_environment(base: dict[str, str], *, token_env: str | None, sim_url: str | None) -> dict[str, str]:
    """``base`` (textual-serve's: ours plus its web-driver settings) made safe for a served console."""
    env = dict(base)
    if token_env:
        env.pop(token_env, None)
    for name in DROPPED_ENV:
        env.pop(name, None)  # serve passes the config it resolved as --config, or none at all
    env[SHARED_ENV] = "1"
    # the browser's terminal (xterm.js) draws 24-bit colour and the whole font, whatever terminal
    # serve itself runs in (console/termcaps.py would otherwise pick 16 colours or VT glyphs)
    env["TERM"] = "xterm-256color"
    env["COLORTERM"] = "truecolor"
    if sim_url:
        env[SIM_URL_ENV] = sim_url
    else:
        env.pop(SIM_URL_ENV, None)
    return env
