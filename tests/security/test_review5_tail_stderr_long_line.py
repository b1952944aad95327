"""Review 5: ``wrangler tail`` writing one stderr line longer than 64 KiB (a stack dump, an error carrying a
whole request) killed the tail's stderr reader (``StreamReader.readline`` raised ValueError); nothing read
stderr any more, so wrangler blocked on a full pipe and the tail stopped delivering events, and its exit
reason was lost. Now stderr lines of any length are read (kept cut), events keep flowing and the exit
reason names what wrangler said. Driven with the fake ``wrangler`` of ``tests/test_tail_source.py``."""

from __future__ import annotations

import pytest

from console.tail.source import TailSource
from tests.test_tail_core import RECORDED, pretty_stream
from tests.test_tail_source import environment, fake, run_source  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration


async def test_a_stderr_line_longer_than_64_kib_does_not_stop_the_tail(fake):  # noqa: F811
    steps: list[dict] = [{"out": pretty_stream(RECORDED[:2]).hex()}]
    for _ in range(3):  # 3 x 100 KiB lines: more than the pipe holds once the reader is gone
        steps.append({"err": "Error: upstream dump " + "d" * 100_000})
    steps.append({"out": pretty_stream(RECORDED[2:]).hex()})
    steps.append({"err": "X [ERROR] Tail limit reached for this Worker"})
    fake.set_runs({"steps": steps, "exit": 1}, {"steps": [{"sleep": 30}]})
    statuses: list[tuple[str, str]] = []
    source = TailSource(environment(), backoff_start=5.0, on_status=lambda s: statuses.append((s.state, s.summary())))
    await run_source(source, lambda: len(source.taken) >= len(RECORDED) and source.status.last_error, timeout=20)
    assert len(source.taken) == len(RECORDED)
    assert "Tail limit reached" in source.status.last_error, source.status.last_error
    assert all(len(line) <= 500 for line in source.stderr)
