"""Cache purge targets checked as the API would before the call (console/runbook/purge_targets.py)."""

from __future__ import annotations

import pytest

from console.runbook.purge_targets import MAX_PER_CALL, PurgeTargetError, check_targets


@pytest.mark.parametrize(
    "kind, items, words",
    [
        ("hosts", ["https://www.example.com"], "bare host name"),
        ("hosts", ["www.example.com/path"], "bare host name"),
        ("hosts", [], "at least one"),
        ("tags", ["x" * 1025], "at most 1024"),
        ("tags", ["a\x1b[2Jb"], "printable"),
        ("tags", ["a,b"], "without commas"),
        ("tags", [f"t{i}" for i in range(MAX_PER_CALL + 1)], "at most 30"),
        ("prefixes", ["https://www.example.com/x"], "carries a scheme"),
        ("urls", ["www.example.com/app.js"], "whole URL"),
    ],
)
def test_targets_the_api_would_refuse_are_refused(kind, items, words):
    with pytest.raises(PurgeTargetError, match=words):
        check_targets(kind, items)


@pytest.mark.parametrize(
    "kind, items",
    [
        ("hosts", ["www.example.com", "api.twist.io"]),
        ("tags", ["release-1.4.2", "static assets", "x" * 1024]),
        ("prefixes", ["www.example.com/static/"]),
        ("urls", ["https://www.example.com/app.js"]),
    ],
)
def test_good_targets_pass(kind, items):
    check_targets(kind, items)
