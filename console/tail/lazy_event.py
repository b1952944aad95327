"""A tail event that pulls out only what the headless ``--json`` output needs, the rest on first use.

``edge-console tail --json`` writes each event's JSON line (made by the parser) and, unless its filter asks
about fields, reads nothing else of it: building every field of a :class:`TailEvent` was the biggest cost
per event left on that path. :class:`LazyTailEvent` sets the text, its JSON line, the sequence number, the
timestamp (merged tails order by it) and the kind and notice (the source reports wrangler's overload
notices) at once; the first read of any other field parses the text again and fills every field as
:class:`TailEvent` does, so a field read later gets the same value either way.
"""

from __future__ import annotations

from typing import Any

from console.tail.model import _NUMBER, TailEvent, _seq, other_kind

#: the fields filled on first use
_DEFERRED = frozenset(TailEvent.__slots__) - {"text", "seq", "worker", "json", "ts", "kind", "notice"}


class LazyTailEvent(TailEvent):
    __slots__ = ()

    def __init__(self, raw: dict[str, Any], text: str) -> None:  # TailEvent.__init__ runs on first use
        self.text = text
        self.seq = next(_seq)
        self.worker = ""
        self.json = None
        ts = raw.get("eventTimestamp")
        self.ts = float(ts) if type(ts) in _NUMBER else 0.0
        event = raw.get("event")
        if type(event) is dict and type(event.get("request")) is dict:
            self.kind, self.notice = "request", ""
        else:
            self.kind, _, self.notice = other_kind(event)

    def __getattr__(self, name: str) -> Any:
        """Only called for a field not set yet: fill them all from the text, then answer."""
        if name not in _DEFERRED:
            raise AttributeError(name)
        kept = self.seq, self.worker, self.json
        TailEvent.__init__(self, self.raw, self.text)
        self.seq, self.worker, self.json = kept
        return object.__getattribute__(self, name)
