"""Per-family series caps in the parser (``parse_exposition(max_series=)``) and what derive makes of them:
the first series are kept exactly as without a cap, the rest are counted (``Page.dropped``), every other
family and every problem line is read as before, and the derived view says how many were not read."""

from __future__ import annotations

import random

from console.limits import MAX_SERIES_RANKED
from console.metrics.caps import series_caps
from console.metrics.derive import Snapshot, derive, families
from console.metrics.exposition import parse_exposition

FAMS = families(None)
CAPS = series_caps(None)


def _queues(n: int, start: int = 0) -> list[str]:
    return [f'edge_queue_backlog{{queue="q{i:06d}"}} {i % 400}\n' for i in range(start, start + n)]


def _page(body: list[str]) -> str:
    return "".join(
        ["# TYPE edge_requests_total counter\n", "edge_requests_total 10\n", "# TYPE edge_queue_backlog gauge\n", *body]
    )


def test_ranked_families_are_capped_and_the_others_are_not():
    assert CAPS == {
        "edge_queue_backlog": MAX_SERIES_RANKED,
        "edge_queue_processing_duration_seconds": MAX_SERIES_RANKED * 24,  # a bucket line per bound
        "edge_security_blocks_total": MAX_SERIES_RANKED,
    }


def test_ranked_family_also_read_for_a_total_is_not_capped():
    class Cfg:
        metric_names = {"security_blocks": "edge_requests_total"}

    assert "edge_requests_total" not in series_caps(Cfg())


def test_page_under_the_cap_parses_exactly_as_without_caps():
    text = (
        _page(_queues(MAX_SERIES_RANKED))
        + "# TYPE edge_security_blocks_total counter\n"
        + "".join(f'edge_security_blocks_total{{rule="r{i}"}} {i}\n' for i in range(MAX_SERIES_RANKED))
    )
    capped, plain = parse_exposition(text, FAMS, max_series=CAPS), parse_exposition(text, FAMS)
    assert capped.samples == plain.samples and capped.dropped == {} and capped.kept == plain.kept
    assert capped.problem_count == plain.problem_count == 0


def test_long_block_over_the_cap_keeps_the_first_series_and_counts_the_rest():
    n = 5 * MAX_SERIES_RANKED + 7
    page = parse_exposition(_page(_queues(n)) + "edge_errors_total 3\n", FAMS, max_series=CAPS)
    kept = page.series("edge_queue_backlog")
    assert list(kept) == [f'queue="q{i:06d}"' for i in range(MAX_SERIES_RANKED)]
    assert list(kept.values()) == [float(i % 400) for i in range(MAX_SERIES_RANKED)]
    assert page.dropped == {"edge_queue_backlog": n - MAX_SERIES_RANKED}
    assert page.series("edge_errors_total") == {"": 3.0}  # the line after the skipped run is still read
    assert page.ok and page.problem_count == 0 and page.kept == MAX_SERIES_RANKED + 2


def test_tail_with_other_lines_is_scanned_line_by_line_with_true_line_numbers():
    n = MAX_SERIES_RANKED + 10
    body = _queues(n) + ["edge_errors_total 4\n", "edge_queue_backlog{queue=broken} 1\n", *_queues(5, start=n)]
    text = _page(body)
    page = parse_exposition(text, FAMS, max_series=CAPS)
    assert page.dropped == {"edge_queue_backlog": 10 + 5}
    assert page.series("edge_errors_total") == {"": 4.0}
    assert len(page.series("edge_queue_backlog")) == MAX_SERIES_RANKED
    bad_line = text.split("\n").index("edge_queue_backlog{queue=broken} 1") + 1
    assert [(p.line, p.message) for p in page.problems] == [(bad_line, "malformed labels")]


def test_uncapped_family_split_over_blocks_is_read_whole_and_duplicates_named():
    rnd = random.Random(3)
    rows = [f'edge_requests_total{{colo="C{i}"}} {rnd.randint(0, 99)}\n' for i in range(3 * MAX_SERIES_RANKED)]
    text = (
        "# TYPE edge_requests_total counter\n"
        + "".join(rows)
        + "# a comment splits the family into a second block\n"
        + 'edge_requests_total{colo="X"} 1\n'
        + 'edge_requests_total{colo="C5"} 2\n'
    )
    page = parse_exposition(text, FAMS, max_series=CAPS)
    plain = parse_exposition(text, FAMS)
    assert page.samples == plain.samples and page.dropped == {}
    assert len(page.series("edge_requests_total")) == 3 * MAX_SERIES_RANKED + 1
    assert [(p.line, p.message) for p in page.problems] == [
        (len(rows) + 4, 'duplicate series edge_requests_total{colo="C5"}')
    ]


def test_derived_view_counts_unread_series_and_totals_only_what_was_read():
    n = 3 * MAX_SERIES_RANKED
    pages = [
        _page(_queues(n))
        + "# TYPE edge_security_blocks_total counter\n"
        + "".join(f'edge_security_blocks_total{{rule="r{i:05d}"}} {(i % 97) * tick}\n' for i in range(n))
        for tick in (1, 2)
    ]
    s0, s1 = (
        Snapshot(at=float(t), mono=float(t), page=parse_exposition(p, FAMS, max_series=CAPS))
        for t, p in zip((1, 3), pages)
    )
    d = derive(s0, s1, None, derive(None, s0))
    assert d.queues_unread == d.security_unread == n - MAX_SERIES_RANKED
    assert len(d.queues) + d.queues_more == n and len(d.security) + d.security_more == n
    assert d.metrics["queue_backlog"].value == sum(i % 400 for i in range(MAX_SERIES_RANKED))
    assert f"{n - MAX_SERIES_RANKED:,} series over the cap not read" in d.metrics["queue_backlog"].note
    assert d.security_total == sum((i % 97) * 2 for i in range(MAX_SERIES_RANKED))
    assert d.security_per_s == sum(i % 97 for i in range(MAX_SERIES_RANKED)) / 2.0
    assert sum("over the cap" in w for w in d.warnings) == 2, d.warnings


def test_tail_with_blank_and_crlf_lines_counts_every_series_line_once():
    n = MAX_SERIES_RANKED + 20
    rows = _queues(n)
    rows[MAX_SERIES_RANKED + 5] += "\n"  # a blank line inside the skipped run: the tail is scanned instead
    crlf = _page(_queues(n)).replace("\n", "\r\n")
    for text in (_page(rows), crlf, _page(_queues(n)) + "\n\n"):
        page = parse_exposition(text, FAMS, max_series=CAPS)
        assert page.dropped == {"edge_queue_backlog": 20}, repr(text[-80:])
        assert len(page.series("edge_queue_backlog")) == MAX_SERIES_RANKED and page.problem_count == 0
        assert page.series("edge_requests_total") == {"": 10.0}


def test_queue_histograms_of_every_queue_read_are_kept_whole():
    bounds = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf")
    n = MAX_SERIES_RANKED
    rows = ["# TYPE edge_queue_processing_duration_seconds histogram\n"]
    for i in range(n):
        for j, le in enumerate(bounds):
            rows.append(f'edge_queue_processing_duration_seconds_bucket{{queue="q{i:06d}",le="{le}"}} {j + 1}\n')
        rows.append(f'edge_queue_processing_duration_seconds_count{{queue="q{i:06d}"}} {len(bounds)}\n')
    text = _page(_queues(n)) + "".join(rows)
    page = parse_exposition(text, FAMS, max_series=CAPS)
    assert page.dropped == {} and page.samples == parse_exposition(text, FAMS).samples
    assert len(page.series("edge_queue_processing_duration_seconds_bucket")) == n * len(bounds)


def test_queue_histograms_over_their_cap_count_the_bucket_lines_left_out():
    cap = CAPS["edge_queue_processing_duration_seconds"]
    queues = cap // 12 + 100  # 12 bucket lines each: 1,200 lines over the cap
    rows = ["# TYPE edge_queue_processing_duration_seconds histogram\n"]
    for i in range(queues):
        rows += [f'edge_queue_processing_duration_seconds_bucket{{queue="q{i:06d}",le="{j}"}} {j}\n' for j in range(12)]
    page = parse_exposition(_page(_queues(3)) + "".join(rows), FAMS, max_series=CAPS)
    assert page.dropped == {"edge_queue_processing_duration_seconds_bucket": 1200}
    assert len(page.series("edge_queue_processing_duration_seconds_bucket")) == cap
    assert len(page.series("edge_queue_backlog")) == 3 and page.problem_count == 0
