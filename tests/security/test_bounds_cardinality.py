"""Label cardinality: a page with 100k queue series and 100k security-rule series. The headless
``check`` (a real subprocess) finishes in bounded time and memory and shows the capped view: the parser
keeps the first MAX_SERIES_RANKED (1,000) series of each and counts the rest; the 50 fullest queues and
50 busiest rules of those, "+N more", the totals over the series read, and how many were not read."""

from __future__ import annotations

import json
import re
import threading

from console.limits import MAX_SERIES_RANKED as CAP
from tests.security.bounds_util import HostileServer, run_console, write_config

SERIES = 100_000
SHOWN = 50


def hostile_page(tick: int) -> bytes:
    rows = [
        "# TYPE edge_requests_total counter\n",
        f"edge_requests_total {1000 * tick}\n",
        "# TYPE edge_errors_total counter\n",
        "edge_errors_total 0\n",
        "# TYPE edge_queue_backlog gauge\n",
    ]
    rows += [f'edge_queue_backlog{{queue="q{i:06d}"}} {i % 400}\n' for i in range(SERIES)]
    rows.append("# TYPE edge_security_blocks_total counter\n")
    rows += [f'edge_security_blocks_total{{rule="r{i:06d}"}} {(i % 97) * tick}\n' for i in range(SERIES)]
    return "".join(rows).encode()


class _Pages:
    def __init__(self) -> None:
        self.pages = [hostile_page(1), hostile_page(2)]
        self.hits = 0
        self.lock = threading.Lock()

    def __call__(self) -> bytes:
        with self.lock:
            self.hits += 1
            return self.pages[min(self.hits, 2) - 1]


def test_bounds_check_with_100k_queue_and_rule_series_is_capped_and_bounded(tmp_path):
    with HostileServer() as server:
        server.page("/metrics", _Pages())
        server.page("/health", b'{"status": "ok"}', "application/json")
        cfg = write_config(tmp_path, server.url)
        human = run_console(["check", "--config", str(cfg), "--window", "0.5"], timeout=60.0)
        as_json = run_console(["check", "--config", str(cfg), "--window", "0.5", "--json"], timeout=60.0)
    for run in (human, as_json):
        assert run.returncode is not None, f"check still running after {run.elapsed_s:.0f} s (killed)"
        assert "Traceback" not in run.err, run.err[-2000:]
        assert run.elapsed_s < 30.0, run.elapsed_s
        assert run.maxrss_mb < 400, f"peak RSS {run.maxrss_mb:.0f} MB"

    report = json.loads(as_json.out)
    assert len(report["queues"]) == SHOWN and report["more_queues"] == SERIES - SHOWN
    assert report["unread_queues"] == SERIES - CAP  # over the parser's cap: counted, not read
    # the fullest of the series read are kept
    fullest = sorted((i % 400 for i in range(CAP)), reverse=True)[:SHOWN]
    assert sorted((q["backlog"] for q in report["queues"]), reverse=True) == fullest
    # the total covers every queue read, not only the shown ones, and says the rest were not read
    assert report["metrics"]["queue_backlog"]["value"] == sum(i % 400 for i in range(CAP))
    assert f"{SERIES - CAP:,} series over the cap not read" in report["metrics"]["queue_backlog"]["note"]
    assert len(report["security"]["rules"]) == SHOWN and report["security"]["more_rules"] == SERIES - SHOWN
    assert report["security"]["unread_rules"] == SERIES - CAP
    assert report["security"]["total"] == sum((i % 97) * 2 for i in range(CAP))
    busiest = sorted(((i % 97) * 2 for i in range(CAP)), reverse=True)[:SHOWN]
    assert sorted((r["total"] for r in report["security"]["rules"]), reverse=True) == busiest
    assert sum("over the cap" in w for w in report["warnings"]) == 2, report["warnings"]

    # the human view renders the same capped lists: 50 rows each, then "+99,950 more"
    out = human.out
    assert len(re.findall(r"\bq\d{6}\b", out)) == SHOWN, out[-3000:]
    assert len(re.findall(r"\br\d{6}\b", out)) == SHOWN, out[-3000:]
    assert out.count(f"+{SERIES - SHOWN:,} more") == 2, out[-3000:]
    assert f"{SERIES - CAP:,} over the cap not read" in out and f"({SERIES - CAP:,} not read)" in out, out[-3000:]
