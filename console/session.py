"""Resolve what the console talks to: a configured edge, or the built-in simulated one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.config import Config, Environment, load_config, resolve_config_path, simulated_config

if TYPE_CHECKING:  # pragma: no cover
    from console.sim.deferred import DeferredSim
    from console.sim.server import SimServer

SIM_NOTICE = ("No configuration: running on the built-in SIMULATED edge. "
              "Point at a real edge with --config FILE or $EDGE_CONSOLE_CONFIG (see examples/config.yaml).")

SHARED_SIM_NOTICE = ("Shared read-only view of the built-in SIMULATED edge that `edge-console serve` runs "
                     "for every browser.")


@dataclass
class Session:
    config: Config
    env: Environment
    read_only: bool
    sim: "SimServer | None" = None
    notice: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    #: the simulated edge reserved by ``open_session(defer_sim=True)``: ``start_sim()`` starts it
    pending_sim: "DeferredSim | None" = None
    #: a browser's console under ``edge-console serve`` (``EDGE_CONSOLE_SHARED=1``): read-only, forced
    shared: bool = False

    @property
    def simulated(self) -> bool:
        return self.env.simulated

    def start_sim(self) -> None:
        """Start the deferred simulated edge (the TUI calls this after its first frame), and make the
        throw-away workspace its repository flows use."""
        pending = self.pending_sim
        if pending is None or pending.server is not None:
            return
        self.sim = pending.start()
        self.env.paths.update(self.sim.workspace())

    def close(self) -> None:
        if self.pending_sim is not None:
            self.pending_sim.stop()  # stops the server it started, if any
            self.pending_sim = None
            self.sim = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None


def open_session(config_path: str | None = None, env_name: str | None = None, read_only: bool = False,
                 scenario: str | None = None, *, start_sim: bool = True, defer_sim: bool = False) -> Session:
    """Load the config (raising ConfigError) or start the simulated edge on a free loopback port.
    ``defer_sim``: only reserve its port and tokens; ``Session.start_sim()`` starts it later.
    Under ``edge-console serve`` (``console.serve.shared``) the session is read-only whatever was asked,
    and with no config it uses the simulated edge ``serve`` started (shared by every browser)."""
    from console.serve.shared import attached_sim_url, is_shared

    shared = is_shared()
    read_only = read_only or shared
    path = resolve_config_path(config_path)
    if path is not None:
        config = load_config(path)
        env = config.environment(env_name)
        return Session(config=config, env=env, read_only=read_only or env.read_only, shared=shared)
    sim_url = attached_sim_url() if shared else None
    if sim_url is not None:
        from console.sim.names import SIM_TOOLS, URL_ENV, tool_argv

        config = simulated_config(sim_url, tool_env={URL_ENV: sim_url},
                                  tools={tool: tool_argv(tool) for tool in SIM_TOOLS})
        env = config.environment(env_name)
        return Session(config=config, env=env, read_only=True, notice=SHARED_SIM_NOTICE, shared=True)
    if defer_sim and start_sim:
        from console.sim.deferred import DeferredSim

        pending = DeferredSim(scenario=scenario or "normal")
        config = simulated_config(pending.base_url, tool_env=pending.tool_env(), tools=pending.tools())
        env = config.environment(env_name)
        return Session(config=config, env=env, read_only=read_only, notice=SIM_NOTICE, pending_sim=pending,
                       shared=shared)
    from console.sim.server import SimServer

    sim = SimServer(host="127.0.0.1", port=0, scenario=scenario or "normal")
    base_url = sim.start() if start_sim else "http://127.0.0.1:0"
    config = simulated_config(base_url, tool_env=sim.tool_env(), tools=sim.tools(),
                              paths=sim.workspace() if start_sim else None)
    env = config.environment(env_name)
    return Session(config=config, env=env, read_only=read_only, sim=sim, notice=SIM_NOTICE, shared=shared)


def open_session_from_args(args: Any, **kwargs: Any) -> Session:
    return open_session(getattr(args, "config", None), getattr(args, "env", None),
                        bool(getattr(args, "read_only", False)), getattr(args, "scenario", None), **kwargs)
