"""Which metric families the parser caps, and at how many series (see ``parse_exposition(max_series=)``).

The families shown as a top-N list (queue backlogs, queue processing times, security blocks by rule)
keep at most ``MAX_SERIES_RANKED`` distinct label sets per sample name; further series on a page are
counted (``Page.dropped``) and reported as left out, so a page naming 100k queues costs about what a
page of the same size with three queues costs. The other families are read whole: their totals
(request rate, error rate, latency) must cover every series.
"""

from __future__ import annotations

from typing import Any

from console.limits import MAX_SERIES_RANKED
from console.metrics.derive import metric_names

#: metric keys (``metric_names``) whose families are shown ranked, top ``MAX_SERIES_SHOWN``
RANKED_KEYS = ("queue_backlog", "queue_processing", "security_blocks")
#: histogram families: one queue has a bucket line per bound, so the cap per sample name is this many
#: times larger (the first ``MAX_SERIES_RANKED`` queues keep every bucket when they have up to this many)
HISTOGRAM_KEYS = {"queue_processing": 24}


def series_caps(config: Any | None) -> dict[str, int]:
    """family name -> most series kept, for the ranked families under ``config``'s metric names."""
    names = metric_names(config)
    whole = {fam for key, fam in names.items() if key not in RANKED_KEYS}  # a family also read for a total
    return {
        names[key]: MAX_SERIES_RANKED * HISTOGRAM_KEYS.get(key, 1)
        for key in RANKED_KEYS
        if key in names and names[key] not in whole
    }
