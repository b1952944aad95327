"""The exposition parser: kept families, escaping, special values, and bad pages reported with lines."""

from __future__ import annotations

import math

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from console.metrics.exposition import parse_exposition, parse_labels, split_le
from tests.util import fuzz_rounds

FAMS = ["edge_requests_total", "edge_request_duration_seconds", "edge_cpu_time_ms"]


def test_keeps_only_requested_families_and_handles_suffixes():
    text = (
        "# HELP edge_requests_total Requests.\n"
        "# TYPE edge_requests_total counter\n"
        'edge_requests_total{worker="a",status="200"} 10\n'
        'edge_requests_total{worker="a",status="500"} 2.5e1 1700000000000\n'
        "edge_requests_created 1.7e9\n"
        "other_family_total 99\n"
        'edge_requests_total_extra{x="y"} 1\n'
        "# TYPE edge_request_duration_seconds histogram\n"
        'edge_request_duration_seconds_bucket{le="0.1"} 1\n'
        'edge_request_duration_seconds_bucket{le="+Inf"} 3\n'
        "edge_request_duration_seconds_sum 0.9\n"
        "edge_request_duration_seconds_count 3\n"
    )
    page = parse_exposition(text, FAMS)
    assert page.ok and page.problem_count == 0
    assert page.samples["edge_requests_total"] == {'worker="a",status="200"': 10.0, 'worker="a",status="500"': 25.0}
    assert page.samples["edge_requests_created"] == {"": 1.7e9}  # kept apart, never summed as requests
    assert "other_family_total" not in page.samples and "edge_requests_total_extra" not in page.samples
    assert page.samples["edge_request_duration_seconds_bucket"]['le="+Inf"'] == 3.0
    assert page.samples["edge_request_duration_seconds_count"] == {"": 3.0}
    assert page.types == {"edge_requests_total": "counter", "edge_request_duration_seconds": "histogram"}
    assert page.missing == ["edge_cpu_time_ms"]


def test_special_values_and_timestamps():
    text = 'm{a="1"} +Inf\nm{a="2"} -Inf\nm{a="3"} NaN\nm{a="4"} 1.5 123\n'
    page = parse_exposition(text, ["m"])
    values = page.samples["m"]
    assert values['a="1"'] == math.inf and values['a="2"'] == -math.inf and math.isnan(values['a="3"'])
    assert values['a="4"'] == 1.5


def test_label_escaping_and_braces_in_values():
    raw = r'path="/a\"b\\c\nd",q="x} y",le="0.5"'
    assert parse_labels(raw) == {"path": '/a"b\\c\nd', "q": "x} y", "le": "0.5"}
    page = parse_exposition("m{" + raw + "} 7\n", ["m"])
    assert page.ok and page.samples["m"] == {raw: 7.0}
    assert split_le(raw) == (r'path="/a\"b\\c\nd",q="x} y"', "0.5")
    # a value that ends in ",le=" must not be mistaken for the le label
    assert split_le('a="x,le=",le="1"') == ('a="x,le="', "1")
    assert split_le('le="1",a="x,le="') is None


def test_matches_prometheus_client_output():
    reg = CollectorRegistry()
    c = Counter("edge_requests_total", "r", ["worker", "status"], registry=reg)
    c.labels("w1", "200").inc(5)
    c.labels('w"2', "500").inc(2)
    h = Histogram("edge_cpu_time_ms", "c", registry=reg, buckets=(1, 5, 10))
    for v in (0.5, 3, 7, 20):
        h.observe(v)
    Counter("edge_errors_total", "e", ["type"], registry=reg)  # declared, no children yet
    page = parse_exposition(generate_latest(reg).decode(), FAMS + ["edge_errors_total"])
    assert page.ok, page.error
    assert sorted(page.samples["edge_requests_total"].values()) == [2.0, 5.0]
    buckets = {split_le(raw)[1]: v for raw, v in page.samples["edge_cpu_time_ms_bucket"].items()}
    assert buckets == {"1.0": 1.0, "5.0": 2.0, "10.0": 3.0, "+Inf": 4.0}
    assert page.present("edge_errors_total") and "edge_errors_total" not in page.samples
    assert page.missing == ["edge_request_duration_seconds"]


def test_html_page_is_an_error():
    page = parse_exposition("<!DOCTYPE html>\n<html><body>Login</body></html>\n", FAMS)
    assert page.error == "not a metrics page (HTML)"


def test_truncated_page_names_the_line():
    page = parse_exposition('edge_requests_total{worker="a"} 1\nedge_requests_total{wor', FAMS)
    assert page.error == "truncated page (line 2 has no newline)"


def test_garbage_page_is_an_error_with_a_line_number():
    page = parse_exposition("\x00\x01garbage ### \nmore garbage here\n", FAMS)
    assert page.error is not None and page.error.startswith("not a metrics page (line 1:")


def test_empty_page():
    assert parse_exposition("", FAMS).error == "empty page"


def test_bad_lines_are_problems_with_line_numbers_not_exceptions():
    text = (
        'edge_requests_total{worker="a"} 1\n'
        'edge_requests_total{worker="b"} one\n'
        'edge_requests_total{worker="c" 3\n'
        "edge_requests_total{worker=c} 3\n"
        "edge_requests_total\n"
        'edge_requests_total{worker="a"} 2\n'
    )
    page = parse_exposition(text, FAMS)
    assert page.ok
    assert [(p.line, p.message) for p in page.problems] == [
        (2, "invalid value 'one'"),
        (3, "unclosed label set"),
        (4, "malformed labels"),
        (5, "no value"),
        (6, 'duplicate series edge_requests_total{worker="a"}'),
    ]
    assert page.samples["edge_requests_total"] == {'worker="a"': 2.0}


def test_crlf_and_blank_lines():
    page = parse_exposition('edge_requests_total{worker="a"} 4\r\n\r\n\n', FAMS)
    assert page.ok and page.samples["edge_requests_total"] == {'worker="a"': 4.0}


def test_all_families_when_none_requested():
    page = parse_exposition('a 1\nb{x="y"} 2\n', None)
    assert page.ok and page.samples == {"a": {"": 1.0}, "b": {'x="y"': 2.0}}


def test_random_damage_never_raises_and_derive_copes():
    """Mangled pages (cut, shuffled, bytes flipped) give problems or errors, never exceptions."""
    import random

    from console.metrics.derive import Snapshot, derive, families

    reg = CollectorRegistry()
    c = Counter("edge_requests_total", "r", ["worker", "status"], registry=reg)
    h = Histogram("edge_request_duration_seconds", "d", ["worker"], registry=reg)
    for i in range(20):
        c.labels(f"w{i % 4}", str(200 + i)).inc(i + 1)
        h.labels(f"w{i % 4}").observe(i / 10)
    good = generate_latest(reg).decode()
    rnd = random.Random(1234)
    alphabet = '{}",=\\\n #+-.eInfNaT_abc0123456789\x00\xff'
    fams = families(None)
    base = Snapshot(at=0.0, mono=0.0, page=parse_exposition(good, fams))
    for round_ in range(fuzz_rounds(300)):
        chars = list(good)
        for _ in range(rnd.randint(1, 30)):
            pos = rnd.randrange(len(chars))
            action = rnd.random()
            if action < 0.4:
                chars[pos] = rnd.choice(alphabet)
            elif action < 0.7:
                del chars[pos]
            else:
                chars.insert(pos, rnd.choice(alphabet))
        text = "".join(chars)
        if round_ % 3 == 0:
            text = text[: rnd.randrange(len(text))]
        page = parse_exposition(text, fams)
        assert all(1 <= p.line <= page.lines for p in page.problems)  # problems point at real lines
        derived = derive(base, Snapshot(at=1.0, mono=1.0, page=page))
        for mv in derived.metrics.values():
            assert mv.value is None or math.isfinite(mv.value)


def test_skipped_blocks_keep_line_numbers_and_untyped_kept_lines():
    other = "".join(f'other_family_total{{n="{i}"}} {i}\n' for i in range(40))  # skipped as a block
    text = (
        "# HELP other_family_total Unrelated.\n# TYPE other_family_total counter\n"
        + other  # lines 1-42
        + "# TYPE foo counter\nfoo 1\n"  # lines 43-44
        'edge_requests_total{worker="a"} 5\n'  # 45: no # TYPE of its own, inside foo's block
        "# TYPE edge_cpu_time_ms histogram\n"  # 46
        'edge_cpu_time_ms_bucket{le="+Inf"} oops\n'  # 47
    )
    page = parse_exposition(text, FAMS)
    assert page.samples["edge_requests_total"] == {'worker="a"': 5.0}
    assert [(p.line, p.message) for p in page.problems] == [(47, "invalid value 'oops'")]
    assert page.types == {"edge_cpu_time_ms": "histogram"} and page.lines == 47


def test_block_fast_path_equals_the_line_scan_on_damaged_pages():
    """Families sharing a prefix take the block path; adding one that shares none forces the
    line-by-line scan. Both must give the same samples, types and problems."""
    import random

    reg = CollectorRegistry()
    c = Counter("edge_requests_total", "r", ["worker", "status"], registry=reg)
    h = Histogram("edge_cpu_time_ms", "c", ["worker"], registry=reg, buckets=(1, 5, 10))
    o = Counter("other_total", "o", ["x"], registry=reg)
    for i in range(30):
        c.labels(f"w{i % 3}", str(200 + i)).inc(i + 1)
        h.labels(f"w{i % 3}").observe(i / 3)
        o.labels(str(i)).inc()
    lines = generate_latest(reg).decode().split("\n")
    snippets = [
        '{a="b"}',
        " 123",
        " 1.5 1700000000000",
        "\t",
        "\r",
        " ",
        '"',
        '\\"',
        "}",
        "{",
        "=",
        ",",
        "# TYPE edge_requests_total counter",
        'edge_requests_total{worker="x"} 1',
        "edge_requests_total_x 3",
        'edge_cpu_time_ms_bucket{le="+Inf"} 3',
        "NaN",
    ]
    rnd = random.Random(42)
    for _ in range(fuzz_rounds(400)):
        rows = list(lines)
        for _ in range(rnd.randint(1, 6)):
            i = rnd.randrange(len(rows))
            snippet = rnd.choice(snippets)
            action = rnd.random()
            if action < 0.3:
                rows[i] += snippet
            elif action < 0.5:
                rows.insert(i, snippet)
            elif action < 0.6:
                del rows[i]
            elif rows[i]:
                j = rnd.randrange(len(rows[i]))
                rows[i] = rows[i][:j] + snippet + rows[i][j:]
        text = "\n".join(rows)
        block = parse_exposition(text, FAMS)
        line = parse_exposition(text, FAMS + ["zz_no_common_prefix"])
        assert block.samples == line.samples
        assert block.types == line.types and block.error == line.error
        assert [str(p) for p in block.problems] == [str(p) for p in line.problems]
