"""The aiohttp application: the page, its files, and one WebSocket (one console process) per tab.

textual-serve's ``AppService`` speaks the web driver's protocol with the console process; its process
is started here by the ``Supervisor`` (own process group, no shell, the argv and environment of
``command.py``) instead of through a shell command line.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from console import safejson
from console.serve import assets, pages
from console.serve.auth import access_middleware
from console.serve.command import console_environment
from console.serve.slots import SessionSlots
from console.serve.supervise import Supervisor

log = logging.getLogger("edge-console.serve")

MAX_CELLS = 500  # terminal width/height from the browser are clamped to 1..MAX_CELLS (a frame's cost grows with both)
MAX_MESSAGE = 64 * 1024
STOP_S = 3.0


def _cells(value: str, default: int) -> int:
    try:
        number = int(value[:6])
    except ValueError:
        return default
    return max(1, min(MAX_CELLS, number))


class ConsoleService(AppService):
    """One served console: textual-serve's process protocol, our process start."""

    def __init__(self, supervisor: Supervisor, *, token_env: str | None, sim_url: str | None, **kwargs: Any) -> None:
        super().__init__("edge-console (served)", **kwargs)
        self.supervisor = supervisor
        self.token_env = token_env
        self.sim_url = sim_url

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        env = console_environment(
            self._build_environment(width=width, height=height), token_env=self.token_env, sim_url=self.sim_url
        )
        self._process = process = await self.supervisor.spawn(env)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def process(self) -> asyncio.subprocess.Process | None:
        return self._process


class ServeApp:
    def __init__(
        self,
        argv: list[str],
        *,
        token: str | None,
        token_env: str | None,
        sim_url: str | None,
        max_sessions: int,
        title: str,
    ) -> None:
        self.supervisor = Supervisor(argv)
        self.slots = SessionSlots(max_sessions)
        self.token = token
        self.token_env = token_env
        self.sim_url = sim_url
        self.title = title
        self.downloads = DownloadManager()
        self.sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self.stopping = False

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[access_middleware(self.token)])
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/static/js/textual.js", self.handle_textual_js),
                web.get("/favicon.ico", self.handle_favicon),
                web.static("/static", assets.STATIC_DIR, show_index=False, follow_symlinks=False),
            ]
        )
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if self.slots.full:
            return pages.sessions_full(self.slots.limit)
        font_size = _cells(request.query.get("fontsize", "16"), 16)
        return web.Response(
            text=assets.page(self.title, min(font_size, 48)), content_type="text/html", headers=pages.SECURITY_HEADERS
        )

    async def handle_favicon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    async def handle_textual_js(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=assets.textual_js(), content_type="text/javascript", headers={"Cache-Control": "no-cache"}
        )

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if self.stopping:
            return pages.refusal(503, "The console is shutting down.")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        if not websocket.can_prepare(request).ok:
            return pages.refusal(400, "This address is the console's WebSocket: open the page at / instead.")
        if not self.slots.try_acquire():
            return pages.sessions_full(self.slots.limit)
        service: ConsoleService | None = None
        try:
            await websocket.prepare(request)
            self.sockets.add(websocket)
            service = ConsoleService(
                self.supervisor,
                token_env=self.token_env,
                sim_url=self.sim_url,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.downloads,
            )
            await service.start(
                _cells(request.query.get("width", "80"), 80), _cells(request.query.get("height", "24"), 24)
            )
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - one tab's failure must not stop the others
            log.warning("session ended: %s", exc)
        finally:
            try:
                if service is not None:
                    await self._stop_service(service)
            finally:
                self.slots.release()
                await websocket.close()
        return websocket

    async def _stop_service(self, service: ConsoleService) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(service.stop()), timeout=STOP_S)
        except Exception as exc:  # noqa: BLE001 - timeout or a dead pipe: the group is ended below anyway
            log.debug("session stop: %r", exc)
        if service.process is not None:
            await self.supervisor.end(service.process)

    async def _process_messages(self, websocket: web.WebSocketResponse, service: ConsoleService) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = safejson.loads(message.data)  # a browser's message: nested 100k deep is no RecursionError
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(
                    _cells(str(data.get("width", 80)), 80), _cells(str(data.get("height", 24)), 24)
                )
            elif kind == "ping" and isinstance(data, str):
                await websocket.send_json(["pong", data[:32]])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def shutdown(self) -> None:
        """End every console process group, then close every browser's WebSocket."""
        self.stopping = True
        await self.supervisor.end_all()
        await asyncio.gather(
            *(ws.close(code=1001, message=b"edge-console serve stopped") for ws in list(self.sockets)),
            return_exceptions=True,
        )
