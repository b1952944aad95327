"""Resolve what the console talks to: a configured edge, or the built-in simulated one."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.config import Config, Environment, load_config, resolve_config_path, simulated_config

if TYPE_CHECKING:  # pragma: no cover
    from console.sim.deferred import DeferredSim
    from console.sim.server import SimServer

SIM_NOTICE = (
    "No configuration: running on the built-in SIMULATED edge. "
    "Point at a real edge with --config FILE or $EDGE_CONSOLE_CONFIG (see examples/config.yaml)."
)

JOINED_SIM_NOTICE = (
    "Joined the SIMULATED edge of the running console (pid {pid}) at {url}, scenario {scenario} "
    "(no configuration; a drill, not a real edge)."
)

SHARED_SIM_NOTICE = (
    "Shared read-only view of the built-in SIMULATED edge that `edge-console serve` runs for every browser."
)


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
    #: ``start_sim`` may run on the early-scrapes thread (console/sources/early.py) and the UI's at once
    _sim_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _workspace_made: bool = field(default=False, repr=False, compare=False)

    @property
    def simulated(self) -> bool:
        return self.env.simulated

    @property
    def scenario(self) -> str | None:
        """The simulated edge's scenario now (None on a real edge or before the simulator started)."""
        if self.sim is not None:
            return self.sim.state.scenario
        joined = self.extras.get("joined")
        return joined.scenario if joined is not None else None

    def set_scenario(self, name: str) -> str:
        """Switch the in-process simulated edge's scenario live (and the published entry). Raises
        ValueError when there is no simulated edge here or the name is unknown. Quick: call off the UI loop
        anyway (it rewrites a file)."""
        from console.sim.scenarios import SCENARIOS

        if name not in SCENARIOS:
            raise ValueError(f"scenario: {name!r} is not one of {', '.join(SCENARIOS)}")
        if self.sim is None or self.shared:
            raise ValueError("scenario: only the console that runs the simulated edge switches its scenario")
        self.sim.state.set_scenario(name)
        published = self.extras.get("published")
        if published is not None:
            from console.sim.published import update_scenario

            update_scenario(published, name)
        return name

    def publish_sim(self) -> Any:
        """Publish this console's simulated edge in the state dir (headless commands with no config join
        it); removed by :meth:`close`. Returns the entry's path, or None (no simulated edge of our own)."""
        if self.sim is None or self.shared or "published" in self.extras:
            return self.extras.get("published")
        from console.sim.published import publish

        path = publish(
            self.sim.base_url,
            self.sim.state.scenario,
            self.sim.api_token,
            self.sim.admin_token,
            paths=dict(self.env.paths),
        )
        self.extras["published"] = path
        return path

    def start_sim(self) -> None:
        """Start the deferred simulated edge (the TUI calls this after its first frame), and make the
        throw-away workspace its repository flows use (three git processes: ~50 ms of CPU). Thread-safe and idempotent:
        a concurrent call waits for the first; the server may already run (:meth:`start_sim_server`)."""
        with self._sim_lock:
            self._start_server_locked()
            if self.sim is not None and not self._workspace_made:
                self._workspace_made = True
                self.env.paths.update(self.sim.workspace())

    def start_sim_server(self) -> None:
        """Only the deferred simulated edge's server (quick, no workspace): the early scrapes' thread
        starts it while the TUI loads (console/sources/early.py). Thread-safe and idempotent."""
        with self._sim_lock:
            self._start_server_locked()

    def _start_server_locked(self) -> None:
        pending = self.pending_sim
        if pending is not None and pending.server is None:
            self.sim = pending.start()

    def close(self) -> None:
        published = self.extras.pop("published", None)
        if published is not None:
            from console.sim.published import unpublish

            unpublish(published)
        restore = self.extras.pop("restore_env", None)
        if restore:
            for name, value in restore.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        if self.pending_sim is not None:
            with self._sim_lock:  # not while the early-scrapes thread is starting it
                self.pending_sim.stop()  # stops the server it started, if any
                self.pending_sim = None
                self.sim = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None


def open_session(
    config_path: str | None = None,
    env_name: str | None = None,
    read_only: bool = False,
    scenario: str | None = None,
    *,
    start_sim: bool = True,
    defer_sim: bool = False,
) -> Session:
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

        config = simulated_config(
            sim_url, tool_env={URL_ENV: sim_url}, tools={tool: tool_argv(tool) for tool in SIM_TOOLS}
        )
        env = config.environment(env_name)
        return Session(config=config, env=env, read_only=True, notice=SHARED_SIM_NOTICE, shared=True)
    if not defer_sim and start_sim and not shared:
        joined = _join_running_sim(env_name, read_only)
        if joined is not None:
            return joined
    if defer_sim and start_sim:
        from console.sim.deferred import DeferredSim

        pending = DeferredSim(scenario=scenario or "normal")
        config = simulated_config(pending.base_url, tool_env=pending.tool_env(), tools=pending.tools())
        env = config.environment(env_name)
        return Session(
            config=config, env=env, read_only=read_only, notice=SIM_NOTICE, pending_sim=pending, shared=shared
        )
    if not start_sim:  # a listing (flows, keys): the simulated edge's config, no simulator built (~50 ms of imports)
        from console.sim.names import SIM_TOOLS, URL_ENV, tool_argv

        base_url = "http://127.0.0.1:0"
        config = simulated_config(
            base_url, tool_env={URL_ENV: base_url}, tools={tool: tool_argv(tool) for tool in SIM_TOOLS}
        )
        env = config.environment(env_name)
        return Session(config=config, env=env, read_only=read_only, notice=SIM_NOTICE, shared=shared)
    from console.sim.server import SimServer

    sim = SimServer(host="127.0.0.1", port=0, scenario=scenario or "normal")
    base_url = sim.start()
    config = simulated_config(base_url, tool_env=sim.tool_env(), tools=sim.tools(), paths=sim.workspace())
    env = config.environment(env_name)
    return Session(config=config, env=env, read_only=read_only, sim=sim, notice=SIM_NOTICE, shared=shared)


def _join_running_sim(env_name: str | None, read_only: bool) -> Session | None:
    """A headless command with no configuration joins the simulated edge a running console published
    (says so on stderr); None when there is none (or it cannot be used: the caller starts its own)."""
    import sys

    from console.sim.names import ADMIN_TOKEN_ENV, API_TOKEN_ENV, SIM_TOOLS, URL_ENV, tool_argv
    from console.sim.published import find_running

    try:
        running = find_running()
        if running is None:
            return None
        api_token, admin_token = running.tokens()
    except Exception as exc:  # noqa: BLE001 - an unusable entry: start our own simulator, and say why
        print(f"edge-console: not joining the running console's simulated edge: {exc}", file=sys.stderr)
        return None
    restore = {name: os.environ.get(name) for name in (API_TOKEN_ENV, ADMIN_TOKEN_ENV)}
    os.environ[API_TOKEN_ENV] = api_token  # what the simulated tools and steps read, as with our own simulator
    os.environ[ADMIN_TOKEN_ENV] = admin_token
    config = simulated_config(
        running.url,
        tool_env={URL_ENV: running.url},
        tools={tool: tool_argv(tool) for tool in SIM_TOOLS},
        paths=running.paths,
    )
    env = config.environment(env_name)
    from console.sanitize import clean_line

    print(
        "edge-console: "
        + clean_line(JOINED_SIM_NOTICE.format(pid=running.pid, url=running.url, scenario=running.scenario)),
        file=sys.stderr,
    )
    return Session(
        config=config, env=env, read_only=read_only, notice=None, extras={"joined": running, "restore_env": restore}
    )


def open_session_from_args(args: Any, **kwargs: Any) -> Session:
    return open_session(
        getattr(args, "config", None),
        getattr(args, "env", None),
        bool(getattr(args, "read_only", False)),
        getattr(args, "scenario", None),
        **kwargs,
    )
