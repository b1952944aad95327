"""Key metrics derived from two consecutive scrapes (pure functions, no I/O).

Rules (the unit tests check each against hand-computed values):

* **Counters** (requests, errors, cache hits/misses, security blocks, rate-limit violations):
  the increase over the window is summed series by series. A series that went down was reset
  (the exporter restarted): its current value is its increase, so a reset never gives a
  negative or huge rate. A series that is new since the previous scrape counts from 0 (a
  counter starts at 0 when it is created) when its family was already on the previous page;
  when the whole family is new, its increase is unknown ("warming up").
* ``request_rate`` = increase of requests / window seconds; 0 req/s reads "no traffic".
* ``error_rate`` = 100 x increase of errors / increase of requests; no requests -> None, "no traffic".
* ``p95_latency_ms`` = ``histogram_quantile(0.95)`` over the bucket increases of the request
  duration histogram (summed by ``le`` over all series) x 1000; ``cpu_time_ms`` the same over
  ``edge_cpu_time_ms`` (already in ms). An empty window -> None, "no traffic".
* ``cache_hit_rate`` = 100 x hits / (hits + misses) over the window.
* ``memory_bytes`` = the largest worker's gauge (the note names that worker).
* ``queue_backlog`` = sum of the backlog gauges; per queue: state, trend (msgs/s, positive when
  growing), drain ETA (backlog / drain rate, only while shrinking), processing P95 in ms.
* **Security spikes**: a rule spikes when its blocks/s exceed ``SPIKE_FACTOR`` (3) times its
  baseline *and* ``SPIKE_MIN_PER_S`` (1/s). The baseline is an exponential moving average of the
  rule's earlier windows (time constant 60 s; 600 s while spiking, so an attack does not become
  the new normal within seconds). In the first window the baseline is the rule's average since
  its counter was created (``<family>_created`` samples, as prometheus-client writes them), so a
  one-off check can see a spike; without those samples the first window only seeds the baseline.
* With one scrape (or a window <= 0 s), gauges are shown and rates are None, "warming up".
* **Invalid values**: a counter series that is NaN, infinite or negative, a histogram with a
  negative (or NaN) bucket bound or a NaN/negative bucket count, a memory gauge or a queue backlog
  that is NaN or negative make that metric None, state unknown, with the note ``invalid: <why>``
  (the queue itself carries ``QueueInfo.invalid``): never a value that reads OK.
* **Cardinality**: at most ``MAX_SERIES_SHOWN`` (50) queues and security rules are kept: the fullest
  queues (invalid ones first) and the busiest rules (spiking ones first); ``Derived.queues_more`` /
  ``security_more`` count the rest, and the totals (queue_backlog, security_total, per_s) cover all
  the series read. The parser reads at most ``MAX_SERIES_RANKED`` (1,000) series of these families
  (``console.metrics.caps``) and counts the rest, so a page naming 100k queues costs about what a page
  of the same size with three does; those are in ``*_more`` and ``queues_unread`` /
  ``security_unread``, not in the totals, and a warning and the queue_backlog note say so.
"""

from __future__ import annotations

import heapq
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

from console.config import DEFAULT_METRIC_NAMES
from console.limits import MAX_SERIES_SHOWN
from console.metrics.exposition import Page, parse_labels, split_le
from console.metrics.model import KEY_METRICS, Derived, MetricValue, QueueInfo, SecurityRule
from console.metrics.quantile import bucket_deltas, histogram_quantile, merge
from console.metrics.thresholds import DEFAULT_THRESHOLDS, State, ThresholdSpec, evaluate

SPIKE_FACTOR = 3.0
SPIKE_MIN_PER_S = 1.0
BASELINE_TAU_S = 60.0
BASELINE_TAU_SPIKING_S = 600.0

NO_TRAFFIC = "no traffic"
WARMING_UP = "warming up"


#: Label names that identify a worker, a queue and a security rule.
WORKER_LABEL = "worker"
QUEUE_LABEL = "queue"
RULE_LABEL = "rule"

Histogram = dict[float, float]  # upper bound -> cumulative count


def metric_names(config: Any | None) -> dict[str, str]:
    names = dict(DEFAULT_METRIC_NAMES)
    names.update(getattr(config, "metric_names", None) or {})
    return names


def families(config: Any | None) -> list[str]:
    """The metric families the console reads (what the parser keeps)."""
    return list(dict.fromkeys(metric_names(config).values()))


@dataclass
class Snapshot:
    """One scrape: when it was taken and the kept samples."""

    at: float  # wall clock (time.time())
    mono: float  # time.monotonic(), for the window length
    page: Page
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def now(cls, page: Page) -> "Snapshot":
        return cls(at=time.time(), mono=time.monotonic(), page=page)

    # -- views of the page (memoised: each label text is parsed once per page) ------------------
    def counter(self, family: str) -> dict[str, float]:
        """raw labels -> value of a counter family (accepts ``x`` or ``x_total`` sample names)."""
        page = self.page
        if family in page.samples:
            return page.samples[family]
        return page.samples.get(family + "_total", {})

    def gauge(self, family: str) -> dict[str, float]:
        return self.page.samples.get(family, {})

    def label(self, raw: str, name: str, default: str) -> str:
        """One label's value (``queue``, ``rule``) without building or caching a dict per series:
        one regex search in C where the label text has no escapes (the usual case), so grouping
        100k series costs little memory; otherwise the full parse of :meth:`labels`."""
        if "\\" not in raw:
            pattern = _label_pattern(name)
            m = pattern.search(raw)
            # outside a quoted value: an even number of quotes before it (values hold no quote here)
            while m is not None and raw.count('"', 0, m.start()) % 2:
                m = pattern.search(raw, m.start() + 1)
            if m is not None:
                return m.group(1)
        return self.labels(raw).get(name, default)

    def label_column(self, series: Mapping[str, float], name: str) -> list[str]:
        """:meth:`label_values` of a page's series dict, in its order, memoised for this page (the
        next derive reads it again as the previous scrape)."""
        key = ("column", id(series), name)
        hit = self._cache.get(key)
        if hit is None or len(hit) != len(series):
            hit = self._cache[key] = self.label_values(list(series), name)
        return hit

    def label_values(self, raws: list[str], name: str) -> list[str]:
        """:meth:`label` of each raw label text (``raw or "(all)"`` when it has none): one C-level
        regex pass when every text is only ``name="value"`` (the usual single-label series), else
        one list comprehension for the simple ones and :meth:`label` for the rest."""
        joined = "\n".join(raws)
        if "\\" not in joined and "\n" not in "".join(raws[:1]):
            values = _single_label_pattern(name).findall(joined)
            if len(values) == len(raws):
                return values
        prefix = name + '="'
        n = len(prefix)
        out = [
            r[n:-1] if r.startswith(prefix) and r.find('"', n) == len(r) - 1 and "\\" not in r else None for r in raws
        ]
        for i in [i for i, v in enumerate(out) if v is None]:
            out[i] = self.label(raws[i], name, raws[i] or "(all)")
        return out  # type: ignore[return-value]

    def labels(self, raw: str) -> dict[str, str]:
        key = ("labels", raw)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = parse_labels(raw) or {}
        return hit

    def histograms(self, family: str) -> dict[str, tuple[str, Histogram]]:
        """series identity -> (raw labels without ``le``, {upper bound: cumulative count}).

        The identity is the label text without ``le`` (exporters print a series' labels the
        same way on every scrape); labels are parsed only where a group label is needed.
        """
        key = ("hist", family)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out: dict[str, tuple[str, Histogram]] = {}
        bounds: dict[str, float] = {}  # le text -> float (a handful of distinct values)
        problem: str | None = None
        for raw, count in self.page.samples.get(family + "_bucket", {}).items():
            # the usual layout, le last: one C call (see split_le for why this is safe)
            ident, sep, le = raw.rpartition(',le="')
            if sep and le[-1:] == '"' and le.count('"') == 1 and "\\" not in le:
                le = le[:-1]
            else:
                split = split_le(raw)
                if split is not None:
                    ident, le = split
                else:
                    labels = parse_labels(raw)
                    if not labels or "le" not in labels:
                        continue
                    le = labels.pop("le")
                    ident = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            bound = bounds.get(le)
            if bound is None:
                try:
                    bound = bounds[le] = float(le)
                except ValueError:
                    continue
                if problem is None and not bound >= 0:
                    problem = f'{"negative" if bound < 0 else "NaN"} bucket bound le="{le[:20]}"'
            if math.isnan(bound):
                continue
            if problem is None and not 0.0 <= count < math.inf:
                problem = f"{_value_text(count)} bucket count"
            entry = out.get(ident)
            if entry is None:
                entry = out[ident] = (ident, {})
            entry[1][bound] = count
        self._cache[key] = out
        self._cache[("hist_problem", family)] = problem
        return out

    def histogram_problem(self, family: str) -> str | None:
        """Why the histogram cannot be trusted (a negative bucket bound, a NaN count), or None."""
        self.histograms(family)
        return self._cache.get(("hist_problem", family))


_LABEL_PATTERNS: dict[str, re.Pattern[str]] = {}


def _single_label_pattern(name: str) -> re.Pattern[str]:
    key = "^" + name
    pattern = _LABEL_PATTERNS.get(key)
    if pattern is None:
        pattern = _LABEL_PATTERNS[key] = re.compile(r"^" + re.escape(name) + r'="([^"\n]*)"$', re.M)
    return pattern


def _label_pattern(name: str) -> re.Pattern[str]:
    pattern = _LABEL_PATTERNS.get(name)
    if pattern is None:
        pattern = _LABEL_PATTERNS[name] = re.compile(r"(?:^|,)\s*" + re.escape(name) + r'\s*=\s*"([^"\\]*)"')
    return pattern


def _value_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return f"{value:g}"


def series_problem(series: Mapping[str, float], sample: str) -> str | None:
    """``invalid: NaN in edge_requests_total{worker="b"}`` when a counter or gauge series is NaN,
    infinite or negative; None when all are fine (one C-level sum and min in the usual case)."""
    if not series:
        return None
    values = series.values()
    if math.isfinite(sum(values)) and min(values) >= 0:
        return None
    for raw, value in series.items():
        if not _finite(value) or value < 0:
            where = f"{sample}{{{raw[:60]}}}" if raw else sample
            what = _value_text(value) if not _finite(value) else f"negative value {_value_text(value)}"
            return f"invalid: {what} in {where}"
    return None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


# -- building blocks ---------------------------------------------------------------------------

_finite = math.isfinite


def counter_increase(prev: Mapping[str, float], cur: Mapping[str, float]) -> float:
    """Sum over series of each series' increase; a series that went down counts its new value."""
    total = 0.0
    for raw, value in cur.items():
        if not _finite(value):
            continue
        before = prev.get(raw)
        if before is None or not _finite(before):
            total += max(value, 0.0)  # new series: counted from 0
            continue
        delta = value - before
        total += value if delta < 0 else delta
    return total


def histogram_increase(
    prev: Mapping[str, tuple[str, Histogram]],
    cur: Mapping[str, tuple[str, Histogram]],
    group: str | None = None,
    labels_of: Any = None,
) -> dict[str | None, list[Histogram]]:
    """Bucket increases per series (a new series counts from 0), grouped by the value of label
    ``group`` (``labels_of(raw) -> dict``), or all in one group (None)."""
    out: dict[str | None, list[Histogram]] = {}
    for ident, (raw, buckets) in cur.items():
        before = prev.get(ident)
        delta = bucket_deltas(before[1] if before else {}, buckets)
        if delta is None:
            continue
        name = (labels_of(raw).get(group, raw or "(all)") if labels_of else raw) if group else None
        out.setdefault(name, []).append(delta)
    return out


def _p(q: float, hists: list[Histogram] | None, scale: float = 1.0) -> float | None:
    if not hists:
        return None
    value = histogram_quantile(q, merge(hists))
    return None if value is None else value * scale


def _ewma(old: float, new: float, window_s: float, tau: float) -> float:
    alpha = 1.0 - math.exp(-max(window_s, 0.0) / tau)
    return old + alpha * (new - old)


# -- derive --------------------------------------------------------------------------------------


def derive(prev: Snapshot | None, cur: Snapshot, config: Any | None = None, previous: Derived | None = None) -> Derived:
    """Everything the console shows, from the previous and the current scrape.

    ``previous`` is the Derived of the window before (for security spike baselines).
    """
    names = metric_names(config)
    thresholds: Mapping[str, ThresholdSpec] = getattr(config, "thresholds", None) or DEFAULT_THRESHOLDS
    page = cur.page
    window = (cur.mono - prev.mono) if prev is not None else 0.0
    has_window = prev is not None and window > 0
    prev_page = prev.page if has_window and prev is not None else None

    metrics: dict[str, MetricValue] = {}

    def put(key: str, value: float | None, note: str = "") -> None:
        label, unit = KEY_METRICS[key]
        if value is not None and not _finite(value):
            value, note = None, note or "no value"
        metrics[key] = MetricValue(
            key=key,
            label=label,
            unit=unit,
            value=value,
            state=evaluate(value, thresholds.get(key)),
            note=note,
            as_of=cur.at,
        )

    def missing(logical: str) -> str | None:
        fam = names[logical]
        return None if page.present(fam) else f"missing {fam}"

    def increase(logical: str) -> tuple[float | None, str]:
        """The counter increase over the window, or None with the reason."""
        why = missing(logical)
        if why:
            return None, why
        sample = names[logical] if names[logical] in page.samples else names[logical] + "_total"
        bad = series_problem(cur.counter(names[logical]), sample)
        if bad:
            return None, bad
        if prev_page is None or not prev_page.present(names[logical]):
            return None, WARMING_UP
        assert prev is not None
        return counter_increase(prev.counter(names[logical]), cur.counter(names[logical])), ""

    def hist_increase(logical: str, group: str | None = None) -> tuple[dict[str | None, list[Histogram]] | None, str]:
        why = missing(logical)
        if why:
            return None, why
        bad = cur.histogram_problem(names[logical])
        if bad:
            return None, f"invalid: {bad} in {names[logical]}"
        if prev_page is None or not prev_page.present(names[logical]):
            return None, WARMING_UP
        assert prev is not None
        return histogram_increase(
            prev.histograms(names[logical]), cur.histograms(names[logical]), group, cur.labels
        ), ""

    # request rate and error rate
    requests, why = increase("requests")
    if requests is None:
        put("request_rate", None, why)
    else:
        put("request_rate", requests / window, NO_TRAFFIC if requests == 0 else "")
    errors, why_e = increase("errors")
    if requests is None:
        put("error_rate", None, why)
    elif errors is None:
        put("error_rate", None, why_e)
    elif requests == 0:
        put("error_rate", None, NO_TRAFFIC)
    else:
        put("error_rate", min(100.0, 100.0 * errors / requests))

    # latency and CPU time P95
    for key, logical, scale in (("p95_latency_ms", "request_duration", 1000.0), ("cpu_time_ms", "cpu_time", 1.0)):
        groups, why = hist_increase(logical)
        if groups is None:
            put(key, None, why)
        else:
            value = _p(0.95, groups.get(None), scale)
            put(key, value, NO_TRAFFIC if value is None else "")

    # cache hit rate
    hits, why_h = increase("cache_hits")
    misses, why_m = increase("cache_misses")
    if hits is None or misses is None:
        put("cache_hit_rate", None, why_h or why_m)
    elif hits + misses == 0:
        put("cache_hit_rate", None, NO_TRAFFIC)
    else:
        put("cache_hit_rate", 100.0 * hits / (hits + misses))

    # memory: the worst worker
    why = missing("memory") or series_problem(cur.gauge(names["memory"]), names["memory"])
    if why:
        put("memory_bytes", None, why)
    else:
        worst_value: float | None = None
        worst_worker = ""
        for raw, value in cur.gauge(names["memory"]).items():
            if not _finite(value):
                continue
            if worst_value is None or value > worst_value:
                worst_value = value
                worst_worker = cur.labels(raw).get(WORKER_LABEL, raw)
        put(
            "memory_bytes",
            worst_value,
            f"worst: {worst_worker}" if worst_worker else ("" if worst_value is not None else "no workers reported"),
        )

    # queues
    queues: list[QueueInfo] = []
    queues_more = 0
    why = missing("queue_backlog")
    if why:
        put("queue_backlog", None, why)
    else:
        per_queue, invalid = _backlogs(cur, cur.gauge(names["queue_backlog"]))
        before = (
            _by_label(prev, prev.gauge(names["queue_backlog"]), QUEUE_LABEL) if prev_page is not None and prev else {}
        )
        proc, _ = hist_increase("queue_processing", QUEUE_LABEL)
        spec = thresholds.get("queue_backlog")
        every = per_queue.keys() | invalid.keys()
        shown = (
            every
            if len(every) <= MAX_SERIES_SHOWN
            else [
                key[2]
                for key in heapq.nlargest(
                    MAX_SERIES_SHOWN, [(True, 0.0, n) for n in invalid] + [(False, v, n) for n, v in per_queue.items()]
                )
            ]
        )
        unread_queues = _dropped(cur.page, names["queue_backlog"])
        queues_more = len(every) - len(shown) + unread_queues
        for name in sorted(shown):
            if name in invalid:
                reason, value = invalid[name]
                queues.append(QueueInfo(name=name, backlog=value, state=State.UNKNOWN, invalid=reason))
                continue
            backlog = per_queue[name]
            trend = eta = None
            if has_window and name in before:
                trend = (backlog - before[name]) / window
                if trend < 0 and backlog > 0:
                    eta = backlog / -trend
            p95 = _p(0.95, proc.get(name), 1000.0) if proc else None
            queues.append(
                QueueInfo(
                    name=name,
                    backlog=backlog,
                    state=evaluate(backlog, spec),
                    trend_per_s=trend,
                    drain_eta_s=eta,
                    processing_p95_ms=p95,
                )
            )
        if invalid:
            first = min(invalid)
            more = f" (+{len(invalid) - 1} more)" if len(invalid) > 1 else ""
            put("queue_backlog", None, f"invalid: {invalid[first][0]} in queue {first[:60]}{more}")
        else:
            put(
                "queue_backlog",
                sum(per_queue.values()) if per_queue else 0.0,
                ("" if per_queue else "no queues reported")
                if not unread_queues
                else f"{unread_queues:,} series over the cap not read (not in this total)",
            )

    # security
    security, security_per_s, security_total, security_more = _security(
        prev if prev_page is not None else None, cur, names, window, previous
    )
    violations, _ = increase("rate_limit_violations")
    derived = Derived(
        at=cur.at,
        window_s=window if has_window else 0.0,
        metrics=metrics,
        queues=queues,
        queues_more=queues_more,
        security=security,
        security_more=security_more + _dropped(page, names["security_blocks"]),
        queues_unread=_dropped(page, names["queue_backlog"]),
        security_unread=_dropped(page, names["security_blocks"]),
        security_per_s=security_per_s,
        security_total=security_total,
        rate_limit_violations_per_s=(violations / window) if violations is not None and has_window else None,
        warnings=_warnings(page),
        missing=list(page.missing),
        has_window=has_window,
    )
    return derived


def _by_label(snap: Snapshot | None, series: Mapping[str, float], label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    if snap is None:
        return out
    get = out.get
    for name, value in zip(snap.label_column(series, label), series.values()):
        if _finite(value):
            out[name] = get(name, 0.0) + value
    return out


def _backlogs(snap: Snapshot, series: Mapping[str, float]) -> tuple[dict[str, float], dict[str, tuple[str, float]]]:
    """Per queue: the summed backlog of its series, and the queues with a NaN, infinite or negative
    series (queue -> (reason, value)), which are left out of the sums."""
    sums: dict[str, float] = {}
    invalid: dict[str, tuple[str, float]] = {}
    get = sums.get
    for name, value in zip(snap.label_column(series, QUEUE_LABEL), series.values()):
        if 0 <= value < math.inf:
            sums[name] = get(name, 0.0) + value
            continue
        if not _finite(value) or value < 0:
            if name not in invalid:
                invalid[name] = (
                    (f"negative backlog {_value_text(value)}" if _finite(value) else f"{_value_text(value)} backlog"),
                    value,
                )
            continue
    for name in invalid:
        sums.pop(name, None)
    return sums, invalid


def _security(
    prev: Snapshot | None, cur: Snapshot, names: Mapping[str, str], window: float, previous: Derived | None
) -> tuple[list[SecurityRule], float | None, float, int]:
    fam = names["security_blocks"]
    if not cur.page.present(fam):
        return [], None, 0.0, 0
    series = cur.counter(fam)
    raws = list(series)
    values = list(series.values())
    rule_of = cur.label_column(series, RULE_LABEL)
    finite = [v if _finite(v) else 0.0 for v in values]
    # one series per rule (the usual case): whole-list operations instead of a loop per series
    one_each = len(set(rule_of)) == len(rule_of)
    totals: dict[str, float] = {}
    if one_each:
        totals = dict(zip(rule_of, finite))
    else:
        for rule, value in zip(rule_of, finite):
            totals[rule] = totals.get(rule, 0.0) + value
    # increases per rule, series by series (reset-safe: the rules of counter_increase, inline)
    windowed = prev is not None and window > 0 and prev.page.present(fam)
    rates: dict[str, float] = {}
    if windowed:
        assert prev is not None
        before = list(map(prev.counter(fam).get, raws))
        incs = [
            (
                max(v, 0.0)
                if b is None or not _finite(b)  # new series: counted from 0
                else v
                if v < b
                else v - b
            )
            for v, b in zip(finite, before)
        ]
        if one_each:
            rates = {rule: inc / window for rule, inc in zip(rule_of, incs)}
        else:
            for rule, inc in zip(rule_of, incs):
                rates[rule] = rates.get(rule, 0.0) + inc
            rates = {rule: inc / window for rule, inc in rates.items()}
    old = {r.rule: r for r in previous.security} if previous is not None else {}
    lifetime = _lifetime_rates(prev, fam) if windowed and prev is not None else {}
    # Only a rule with a baseline can spike: one shown last time (``old``, at most MAX_SERIES_SHOWN)
    # or one with a lifetime average. Every other rule starts its baseline at its rate now, so the
    # per-rule work below is for those few, and cost stays flat in the number of rules.
    rows: dict[str, tuple[str, float, float | None, bool, float | None]] = {}
    for rule in (old.keys() | lifetime.keys()) & totals.keys():
        total = totals[rule]
        rate = rates.get(rule, 0.0) if windowed else None
        before = old.get(rule)
        base = before.baseline_per_s if before is not None else None
        if base is None:
            base = lifetime.get(rule)  # first window: the average since the counter was created
        spike = False
        if rate is None:
            new_base = base
        elif base is None:
            new_base = rate
        else:
            spike = rate > SPIKE_FACTOR * base and rate > SPIKE_MIN_PER_S
            new_base = _ewma(base, rate, window, BASELINE_TAU_SPIKING_S if spike else BASELINE_TAU_S)
        rows[rule] = (rule, total, rate, spike, new_base)

    def plain(rule: str) -> tuple[str, float, float | None, bool, float | None]:
        rate = rates.get(rule, 0.0) if windowed else None
        return rule, totals[rule], rate, False, rate

    def busiest(rule: str) -> tuple[float, float, str]:
        return -(rates.get(rule, 0.0) if windowed else 0.0), -totals[rule], rule

    spiking = [rule for rule, row in rows.items() if row[3]]
    if len(totals) <= MAX_SERIES_SHOWN:
        chosen = list(totals)
    else:  # the spiking rules first, then the busiest (keys built by one comprehension, compared in C)
        chosen = heapq.nsmallest(MAX_SERIES_SHOWN, spiking, key=busiest)
        if len(chosen) < MAX_SERIES_SHOWN:
            get = rates.get
            keys = [(-get(r, 0.0), -t, r) for r, t in totals.items()]
            busy = [key[2] for key in heapq.nsmallest(MAX_SERIES_SHOWN, keys)]
            chosen = list(dict.fromkeys(chosen + busy))[:MAX_SERIES_SHOWN]
    chosen.sort(key=busiest)
    rules = [
        SecurityRule(rule=r, total=t, per_second=rate, spike=spike, baseline_per_s=base)
        for r, t, rate, spike, base in (rows.get(rule) or plain(rule) for rule in chosen)
    ]
    per_s = sum(rates.values()) if windowed else None
    return rules, per_s, sum(totals.values()), len(totals) - len(rules)


def _lifetime_rates(snap: Snapshot, family: str) -> dict[str, float]:
    """Per rule: the counter's average rate since its series were created (``<name>_created``
    samples, as prometheus-client writes them), up to ``snap``; empty when not exposed."""
    base = family[: -len("_total")] if family.endswith("_total") else family
    created = snap.page.samples.get(base + "_created", {})
    if not created:
        return {}
    totals: dict[str, float] = {}
    starts: dict[str, float] = {}
    series = snap.counter(family)
    for raw, rule, value in zip(series, snap.label_column(series, RULE_LABEL), series.values()):
        start = created.get(raw)
        if start is None or not _finite(value) or not _finite(start):
            continue
        totals[rule] = totals.get(rule, 0.0) + value
        starts[rule] = min(starts.get(rule, start), start)
    return {rule: totals[rule] / (snap.at - starts[rule]) for rule in totals if snap.at - starts[rule] >= 1.0}


def _dropped(page: Page, family: str) -> int:
    """Series of ``family`` the parser counted but did not keep (over its cap)."""
    return page.dropped.get(family, 0) + (page.dropped.get(family + "_total", 0) if page.dropped else 0)


def _warnings(page: Page) -> list[str]:
    out: list[str] = []
    for name, n in page.dropped.items():
        cap = page.caps.get(name, 0)
        out.append(f"{name}: {n} series over the cap of {cap} left out (lists and totals cover the first {cap})")
    if page.missing:
        out.append("missing families: " + ", ".join(page.missing))
    if page.problem_count:
        shown = "; ".join(str(p) for p in page.problems[:3])
        more = f" (+{page.problem_count - 3} more)" if page.problem_count > 3 else ""
        out.append(f"{page.problem_count} bad line(s): {shown}{more}")
    return out


def carry_forward(previous: Derived | None, derived: Derived) -> Derived:
    """Keep the last good value of metrics whose family went missing, marked stale with its age.

    A metric that is None now because its family is missing from the page, and had a value in
    ``previous``, keeps that value and state with ``stale=True``, its original ``as_of`` and a note
    naming what is missing. Everything else is returned unchanged.
    """
    if previous is None:
        return derived
    for key, mv in list(derived.metrics.items()):
        old = previous.metrics.get(key)
        if mv.value is None and mv.note.startswith("missing ") and old is not None and old.value is not None:
            derived.metrics[key] = MetricValue(
                key=key,
                label=mv.label,
                unit=mv.unit,
                value=old.value,
                state=old.state,
                note=mv.note,
                as_of=old.as_of,
                stale=True,
            )
    return derived
