"""What the terminal console's ``w`` key (and its palette entry) shows: how to share this console.

Text only: nothing is started. The command repeats the session's ``--config``/``--env`` so the browsers
see the same edge.
"""

from __future__ import annotations

import shlex
import socket
from typing import Any

from console.commands.serve import DEFAULT_PORT

TITLE = "Share this console (read-only, in a browser)"


def share_command(session: Any, port: int = DEFAULT_PORT) -> str:
    argv = ["edge-console"]
    config_path = getattr(getattr(session, "config", None), "path", None)
    if config_path:
        argv += ["--config", str(config_path)]
        env_name = getattr(getattr(session, "env", None), "name", None)
        if env_name:
            argv += ["--env", env_name]
    argv += ["serve", "--port", str(port)]
    return shlex.join(argv)


def share_text(session: Any, port: int = DEFAULT_PORT, hostname: str | None = None) -> str:
    host = hostname or socket.gethostname()
    if getattr(session, "shared", False):
        return (
            "This is already a shared view (SHARED READ-ONLY): it was opened from `edge-console serve`. "
            "Ask the operator for the link to give others."
        )
    return "\n".join(
        [
            "Nothing has been started. In another terminal on this machine run:",
            f"  {share_command(session, port)}",
            f"then open http://127.0.0.1:{port}/ here, or from another machine first run",
            f"  ssh -N -L {port}:127.0.0.1:{port} YOU@{host}",
            f"and open http://127.0.0.1:{port}/ there.",
            (
                "Each browser tab gets its own console, always read-only (SHARED READ-ONLY), on the same edge and "
                "incident timeline. To listen beyond this machine add --host ADDRESS --token-env VAR."
            ),
        ]
    )
