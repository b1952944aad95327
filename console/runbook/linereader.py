"""Lines of a child's output of any length, each kept up to a bound (child output is outside input).

``StreamReader.readline()`` raises ``ValueError`` for a line longer than the stream's limit (64 KiB by
default), and tools print their JSON on one line when writing to a pipe (``terraform show -json``,
``gh ... --json``). :func:`read_line` reads a line whole whatever its length, keeps at most ``keep``
bytes of it (the rest is read and dropped), and returns ``b""`` at the end of the stream."""

from __future__ import annotations

import asyncio


async def read_line(stream: asyncio.StreamReader, keep: int) -> bytes:
    """The next line (with its newline, when it has one), cut to ``keep`` bytes; ``b""`` at the end."""
    kept = bytearray()
    while True:
        try:
            piece = await stream.readuntil(b"\n")
            done = True
        except asyncio.IncompleteReadError as exc:  # the end of the stream: the last line has no newline
            piece, done = exc.partial, True
        except asyncio.LimitOverrunError as exc:  # longer than the buffer: take what is there, go on
            piece, done = await stream.read(max(exc.consumed, 1)), False
            if not piece:
                done = True
        if len(kept) < keep:
            kept += piece[: keep - len(kept)]
        if done:
            return bytes(kept)
