"""Finding 3: ``edge-console audit`` skips and counts bad lines of ``audit.jsonl`` (non-UTF-8 bytes,
JSON that is not an object, a ``ts`` that is not a finite number) instead of crashing, and says how many
it skipped on stderr; the good records around them are all shown."""

from __future__ import annotations

import json
import time

from console.runbook.audit import AuditLog
from tests.security.audit_util import cli
from tests.security.inprocess_cli import run_cli

GOOD = {
    "event": "step",
    "flow": "worker-health",
    "step": "health",
    "status": "passed",
    "environment": "production",
    "user": "sre@host",
    "start": "2024-01-15T09:00:00.000Z",
}
BAD_LINES = [
    b"\xff\xfe\xfa not utf-8 at all\n",
    b"[]\n",
    b"3\n",
    b'"a string"\n',
    b'{"event": "step", "flow": "bad-ts", "ts": "x"}\n',
    b'{"event": "step", "flow": "nan-ts", "ts": NaN}\n',
    b'{"event": "step", "flow": "inf-ts", "ts": Infinity}\n',
    b"{not json\n",
]


def _write(state_dir) -> None:
    now = time.time()
    first = json.dumps({**GOOD, "step": "first", "ts": now - 10}).encode() + b"\n"
    last = json.dumps({**GOOD, "step": "last", "ts": now}).encode() + b"\n"
    (state_dir / "audit.jsonl").write_bytes(first + b"".join(BAD_LINES) + last)


def test_audit_skips_and_counts_bad_lines(state_dir):
    _write(state_dir)
    for args in (["audit"], ["audit", "--since", "1h"], ["audit", "--json"], ["audit", "--flow", "worker-health"]):
        # the plain listing through the real entry point (a subprocess), its options' output in-process
        proc = cli(*args, env=None) if args == ["audit"] else run_cli(*args)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr, args
        assert "worker-health/first" in proc.stdout or '"first"' in proc.stdout, args
        assert "worker-health/last" in proc.stdout or '"last"' in proc.stdout, args
        assert not any(f in proc.stdout for f in ("bad-ts", "nan-ts", "inf-ts")), args
        assert f"skipped {len(BAD_LINES)} bad lines in {state_dir / 'audit.jsonl'}" in proc.stderr, (args, proc.stderr)


def test_the_reader_counts_what_it_skipped(state_dir):
    _write(state_dir)
    log = AuditLog()
    records = list(log.read())
    assert [r["step"] for r in records] == ["first", "last"]
    assert log.skipped == len(BAD_LINES)
    assert [r["step"] for r in log.read(since=time.time() - 5)] == ["last"]
