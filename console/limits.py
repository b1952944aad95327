"""Bounds on what the console reads from outside (files, HTTP answers, metrics pages), in one place.

Every byte from outside is hostile: a config or runbook file, an HTTP answer, a health document or
a metrics page is read up to a size, parsed to a depth, and only a bounded number of its series is
kept for display, so that cost does not grow with what a hostile or broken peer sends.
"""

from __future__ import annotations

import math

#: config and runbook YAML files larger than this are refused before parsing ("larger than 1 MiB")
MAX_FILE_BYTES = 1024 * 1024
#: a runbook flow's description longer than this is refused at load (the flow modal wraps it on the UI
#: thread: 140k characters held it 0.66 s; a 1 MiB file could hold ~5 s)
MAX_DESCRIPTION_CHARS = 20_000
#: YAML nesting deeper than this is refused (a config or runbook needs about ten levels)
MAX_YAML_DEPTH = 64

#: HTTP answers (runbook HTTP steps, Prometheus queries) are read up to this many bytes, then the
#: request stops with "answer larger than 8 MiB"; a config sets its own with ``limits: {max_body_bytes: N}``
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
#: the smallest and largest ``limits.max_body_bytes`` a config may set
MIN_BODY_BYTES = 1024
MAX_BODY_BYTES = 1024 * 1024 * 1024

#: a value written inside a runbook condition or capture fallback (``x in [..]``, ``path|0``) is YAML
#: read like the file (no aliases, finite numbers) and at most this long
MAX_LITERAL_BYTES = 4 * 1024

#: JSON answers (health, Prometheus, Cloudflare) nested deeper than this are invalid answers
MAX_JSON_DEPTH = 32

#: per metric family, the series shown (queues, security rules): the top ones by value, with
#: "+N more" and the total over all of them
MAX_SERIES_SHOWN = 50
#: per ranked family (queue backlogs, queue processing, security blocks: shown as a top-N list), the
#: distinct label sets the parser keeps per sample name; further series are counted, not built, so the
#: cost of a page is set by its bytes, not by how many queues or rules it names
MAX_SERIES_RANKED = 1000
#: components of a health answer kept (the rest are counted)
MAX_HEALTH_COMPONENTS = 50


def size_text(nbytes: int) -> str:
    """``8388608`` -> ``8 MiB``, ``1536`` -> ``1.5 KiB``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if nbytes >= scale:
            value = nbytes / scale
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{nbytes} bytes"


def is_finite_number(value: object) -> bool:
    """True for an int a float can hold or a finite float (bools are not numbers here; ``0x`` and 290
    ``F`` is an int that raised OverflowError in ``float()``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


#: the longest duration a config or runbook may give (timeouts, intervals, seconds, refresh): one day
MAX_DURATION_S = 86400.0


def too_long_text(limit: float = MAX_DURATION_S) -> str:
    """``must be at most 86400 (one day)``."""
    return f"must be at most {limit:g}" + (" (one day)" if limit == MAX_DURATION_S else "")
