"""Random audit records for tests/security/test_audit_hostile_records.py, decoded from two cheap Hypothesis
draws (as tests/security/fuzz_hostile_inputs.py does for the sanitiser fuzz).

The composite strategy this replaces (``st.recursive`` over one_of(none, booleans, integers, floats, text,
sampled markers), lists and dictionaries of up to 4, up to 10 keys per record) paid Hypothesis's bookkeeping
per draw: a list of 4 nested records was hundreds of draws, ~50 ms of a 2 ms test. Here ``program`` (a byte
string) chooses every shape and ``free`` (a text from Hypothesis's own text strategy, its choice of
characters) is cut into the strings. The space is the one the composite strategy reached:

- a key is one of the fields the audit code reads (:data:`KEYS`, three in four) or 0-5 characters of text;
- a scalar is null, a boolean, an integer in [-10**400, 10**400] (boundary values, or 1-8 random bytes
  shifted to any magnitude: past a float, an OS pid, a C long), a float (boundary values, infinities, or 64 random bits, never
  NaN), 0-20 characters of text, or a marker the scan compares with (:data:`MARKERS`);
- a value is a scalar or a list/object of up to 4 values, nested until 12 leaves are spent;
- a record is an object of up to 10 such keys and values, a draw is a list of 1-4 records.

An exhausted program reads as zero bytes and zero decodes to the simplest choice (an empty record, null),
so Hypothesis's shrinking (shorter programs, smaller bytes) still gives small examples.
"""

from __future__ import annotations

import math
import socket
import struct

from hypothesis import strategies as st

from tests.security.fuzz_hostile_inputs import ProgramReader, program_bytes

HOST = socket.gethostname()
#: the fields of an audit record that console/runbook/audit.py and unfinished.py read
KEYS = [
    "ts",
    "argv",
    "request",
    "event",
    "step_run",
    "pid",
    "pid_start",
    "host",
    "flow",
    "step",
    "status",
    "start",
    "time",
    "user",
    "environment",
    "exit_code",
    "http_status",
    "message",
    "inputs",
    "envelope",
    "output",
    "ran",
    "not_run",
    "step_title",
    "method",
    "url",
]
#: strings the unfinished-step scan compares with (an event name, this host, a step run id)
MARKERS = ["step_started", "step", "step_unknown", "flow_end", HOST, "r1"]
LIMIT = 10**400
INTEGERS = [0, 1, -1, 2, 255, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64]
INTEGERS += [10**40, 10**308, 10**309, LIMIT, -LIMIT, LIMIT - 1]
FLOATS = [0.0, -0.0, 0.5, -1.5, 1e16, 1e300, 1.7976931348623157e308, -1e308, 5e-324, math.inf, -math.inf]
MAX_LEAVES = 12


class RecordDecoder(ProgramReader):
    """Builds audit records from a program and its free text."""

    def text(self, max_size: int) -> str:
        """0 to ``max_size`` characters of the free text (from its start again at its end)."""
        return self._free_chunk(self.byte() % (max_size + 1))

    def key(self) -> str:
        b = self.byte()
        return KEYS[b % len(KEYS)] if b < 192 else self.text(5)

    def integer(self) -> int:
        pick = self.byte()
        if pick < 128:
            return INTEGERS[pick % len(INTEGERS)]
        # 1-8 random bytes shifted by 0-166 bytes: any magnitude up to 10**400 (1,329 bits) from a few bytes
        head = self.byte()
        value = int.from_bytes(bytes(self.byte() for _ in range(1 + head % 8)), "little", signed=True)
        return max(-LIMIT, min(LIMIT, value << (8 * (self.byte() % 167))))

    def float(self) -> float:
        pick = self.byte()
        if pick < 128:
            return FLOATS[pick % len(FLOATS)]
        value = struct.unpack("<d", bytes(self.byte() for _ in range(8)))[0]
        return math.inf if math.isnan(value) else value

    def scalar(self, b: int) -> object:
        kind = b % 6
        if kind == 0:
            return None
        if kind == 1:
            return bool(self.byte() & 1)
        if kind == 2:
            return self.integer()
        if kind == 3:
            return self.float()
        if kind == 4:
            return self.text(20)
        return MARKERS[self.byte() % len(MARKERS)]

    def value(self, leaves: list[int]) -> object:
        """A scalar, or (half of them while leaves remain) a list/object of up to 4 values."""
        b = self.byte()
        if b % 2 == 0 or leaves[0] <= 0:
            leaves[0] -= 1
            return self.scalar(b >> 1)
        size = (b >> 1) % 5
        if b & 128:
            return [self.value(leaves) for _ in range(size)]
        return {self.key(): self.value(leaves) for _ in range(size)}

    def record(self) -> dict:
        return {self.key(): self.value([MAX_LEAVES]) for _ in range(self.byte() % 11)}

    def records(self) -> list[dict]:
        return [self.record() for _ in range(1 + self.byte() % 4)]


#: a list of 1-4 random audit records (see :class:`RecordDecoder`)
audit_records = st.builds(
    lambda program, free: RecordDecoder(program, free).records(),
    program_bytes(512, 2048),
    st.text(min_size=8, max_size=200),
)
