"""A shared view's browser messages are outside data: a message nested 100,000 deep raised RecursionError
out of the session's message loop (``json.loads``), which ended the viewer's session with a traceback in
the server's log. It is now an unreadable message, skipped like any other, and the next one is handled."""

from __future__ import annotations

from types import SimpleNamespace

from aiohttp import WSMsgType

from console.serve.web import ServeApp


class Browser:
    def __init__(self, *texts: str) -> None:
        self.messages = [SimpleNamespace(type=WSMsgType.TEXT, data=text) for text in texts]
        self.sent: list[object] = []

    def __aiter__(self):
        return self._each()

    async def _each(self):
        for message in self.messages:
            yield message

    async def send_json(self, data: object) -> None:
        self.sent.append(data)


class Console:
    def __init__(self) -> None:
        self.typed: list[bytes] = []

    async def send_bytes(self, data: bytes) -> None:
        self.typed.append(data)


async def test_a_message_nested_100k_deep_is_skipped_and_the_next_one_handled():
    browser = Browser("[" * 100_000 + "]" * 100_000, '["stdin", "q"]', '["ping", "1"]')
    console = Console()
    await ServeApp._process_messages(None, browser, console)  # type: ignore[arg-type]
    assert console.typed == [b"q"] and browser.sent == [["pong", "1"]]
