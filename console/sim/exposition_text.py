"""The simulated edge's ``/metrics`` page written straight from a ``SimState`` metrics snapshot.

The same bytes as prometheus-client's ``generate_latest`` over ``console.sim.exposition.EdgeCollector`` (the
text format 0.0.4: ``# HELP``/``# TYPE`` per family, label pairs sorted by name, values as Go prints floats,
label values with backslash, newline and double quote escaped), without building a ``Metric`` and a
``Sample`` per line and validating every label name on each scrape: every poll of every test on the simulated
edge renders the page (300 lines), which cost 5-6 ms a scrape through the registry. ``tests/test_sim_exposition_text.py``
holds the two byte for byte equal.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from prometheus_client.utils import floatToGoString

#: (family name as the collector names it, help, type, snapshot key, label names, kind of value)
#: in page order; a counter is exposed as ``<name>_total``
_FAMILIES: tuple[tuple[str, str, str, str, tuple[str, ...], str], ...] = (
    ("edge_requests", "Requests that reached the workers", "counter", "requests", ("worker", "colo", "status"), "int"),
    ("edge_errors", "Requests that ended in an error", "counter", "errors", ("worker", "type"), "int"),
    ("edge_request_duration_seconds", "Request duration in seconds", "histogram", "duration", ("worker",), "hist"),
    ("edge_cache_hits", "Cache hits", "counter", "cache_hits", (), "int"),
    ("edge_cache_misses", "Cache misses", "counter", "cache_misses", (), "int"),
    ("edge_cpu_time_ms", "CPU time per request in milliseconds", "histogram", "cpu", (), "hist"),
    ("edge_memory_usage_bytes", "Worker isolate memory in bytes", "gauge", "memory", ("worker",), "round"),
    ("edge_queue_backlog", "Messages waiting in each queue", "gauge", "backlog", ("queue",), "trunc"),
    (
        "edge_queue_processing_duration_seconds",
        "Queue batch processing duration in seconds",
        "histogram",
        "queue_processing",
        ("queue",),
        "hist",
    ),
    ("edge_security_blocks", "Requests blocked by the security layer", "counter", "blocks", ("rule",), "int"),
    ("edge_rate_limit_violations", "Rate limit violations", "counter", "rate_limit_violations", (), "int"),
)

#: the families whose rows the collector sorts (the others keep the snapshot's order)
_SORTED = frozenset({"requests", "errors"})

#: names of the families as the collector gives them (``missing:<family>`` matches against these)
FAMILY_NAMES: tuple[str, ...] = tuple(family[0] for family in _FAMILIES)


def _int(value: float) -> float:
    return float(math.floor(value + 1e-6))


_VALUE: dict[str, Callable[[Any], float]] = {
    "int": _int,
    "round": lambda value: float(round(value)),
    "trunc": lambda value: float(int(value)),
}


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


#: label sets written before (the simulated edge's are a few hundred: workers, colos, statuses, queues, rules,
#: bucket bounds); emptied when it outgrows its bound, so odd label values cannot grow it without end
_LABEL_TEXT: dict[tuple[tuple[str, str], ...], str] = {}
_LABEL_TEXT_MAX = 4096


def _labels(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return ""
    key = tuple(pairs)
    text = _LABEL_TEXT.get(key)
    if text is None:
        text = "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in sorted(pairs)) + "}"
        if len(_LABEL_TEXT) >= _LABEL_TEXT_MAX:
            _LABEL_TEXT.clear()
        _LABEL_TEXT[key] = text
    return text


def _histogram(lines: list[str], name: str, labels: list[tuple[str, str]], buckets: Any, total: Any) -> None:
    for le, count in buckets:
        lines.append(f"{name}_bucket{_labels([*labels, ('le', le)])} {floatToGoString(count)}\n")
    if float(buckets[0][0]) >= 0 and total is not None:  # as prometheus-client: no sum with negative buckets
        plain = _labels(labels)
        lines.append(f"{name}_count{plain} {floatToGoString(buckets[-1][1])}\n")
        lines.append(f"{name}_sum{plain} {floatToGoString(total)}\n")


def render_snapshot(snap: dict[str, Any], excluded: Callable[[str], bool]) -> bytes:
    """The exposition of ``snap`` (``SimState.metrics_snapshot()``), leaving out each family for which
    ``excluded(name)`` is true (``name`` as the collector names it: a counter without ``_total``)."""
    lines: list[str] = []
    for name, doc, kind, key, label_names, value_kind in _FAMILIES:
        if excluded(name):
            continue
        shown = name + "_total" if kind == "counter" else name
        lines.append(f"# HELP {shown} {doc}\n# TYPE {shown} {kind}\n")
        data = snap[key]
        if kind == "histogram":
            if label_names:
                for label, (buckets, total) in data.items():
                    _histogram(lines, name, [(label_names[0], label)], buckets, total)
            else:
                _histogram(lines, name, [], data[0], data[1])
            continue
        convert = _VALUE[value_kind]
        if not label_names:
            lines.append(f"{shown} {floatToGoString(convert(data))}\n")
            continue
        rows = sorted(data.items()) if key in _SORTED else data.items()  # as the collector orders them
        for label, value in rows:
            values = label if isinstance(label, tuple) else (label,)
            lines.append(f"{shown}{_labels(list(zip(label_names, values)))} {floatToGoString(convert(value))}\n")
    return "".join(lines).encode("utf-8")
