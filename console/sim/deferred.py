"""The simulated edge for the TUI, in two steps: its address and tokens before the first frame (a
listening socket, cheap), the server itself after it (importing the simulator and building its
state took a few hundred ms of start-up). Connections made in between wait in the socket's backlog."""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from console.sim.names import ADMIN_TOKEN_ENV, API_TOKEN_ENV, SIM_TOOLS, URL_ENV, new_token, sim_url, tool_argv

if TYPE_CHECKING:  # pragma: no cover
    from console.sim.server import SimServer


class DeferredSim:
    def __init__(self, host: str = "127.0.0.1", scenario: str = "normal") -> None:
        self.scenario = scenario
        self.socket = socket.create_server((host, 0), backlog=64)
        self.host, self.port = self.socket.getsockname()[:2]
        self.base_url = sim_url(self.host, self.port)
        self.api_token = new_token("api")
        self.admin_token = new_token("admin")
        # exported now: the log pane's wrangler may start before the server does
        self._saved = {name: os.environ.get(name) for name in (API_TOKEN_ENV, ADMIN_TOKEN_ENV)}
        os.environ[API_TOKEN_ENV] = self.api_token
        os.environ[ADMIN_TOKEN_ENV] = self.admin_token
        self.server: SimServer | None = None

    def tools(self) -> dict[str, list[str]]:
        return {tool: tool_argv(tool) for tool in SIM_TOOLS}

    def tool_env(self) -> dict[str, str]:
        return {URL_ENV: self.base_url}

    def start(self) -> "SimServer":
        """Build and start the server on the reserved socket (once)."""
        if self.server is None:
            from console.sim.server import SimServer

            server = SimServer(
                scenario=self.scenario,
                api_token=self.api_token,
                admin_token=self.admin_token,
                listen_socket=self.socket,
            )
            server.start()
            self.server = server
        return self.server

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        else:
            self.socket.close()
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
