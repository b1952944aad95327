"""Patterns Python's re accepts but RE2 (Prometheus, Alertmanager) refuses are refused by the console's
checks, with the construct named; RE2's own syntax passes."""

from __future__ import annotations

import pytest

from console.alertmanager.matchers import MatcherError, parse_matchers
from console.metrics.promselector import SelectorError, parse_selector
from console.re2check import re2_problem


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("foo(?=bar)", "lookahead"),
        ("foo(?!bar)", "negative lookahead"),
        ("(?<=a)b", "lookbehind"),
        ("(?<!a)b", "negative lookbehind"),
        ("(a)\\1", "backreference"),
        ("(?P<x>a)(?P=x)", "backreference"),
        ("(?>ab)", "atomic"),
        ("a*+", "possessive"),
        ("a{2}+", "possessive"),
        ("(a)?(?(1)b|c)", "conditional"),
        ("end\\Z", "\\Z"),
        ("a(?#note)", "comment"),
        ("(", "not a regular expression"),
    ],
)
def test_python_only_constructs_are_refused(pattern, words):
    problem = re2_problem(pattern)
    assert problem is not None and words in problem, (pattern, problem)


@pytest.mark.parametrize(
    "pattern",
    [
        "prod|staging",
        "vau-.*",
        "[(?=]x",  # inside a class these are literals
        "[\\1]",
        "a\\d+\\.b",
        "(?i)prod",
        "(?P<env>prod)-x",
        "a{2,3}",
        "[]a]+",
        "a+b?c*",
        "",
    ],
)
def test_re2_syntax_passes(pattern):
    assert re2_problem(pattern) is None, pattern


def test_the_selector_and_the_matchers_use_the_check():
    with pytest.raises(SelectorError, match="lookahead"):
        parse_selector('{env=~"prod(?=uction)"}')
    with pytest.raises(MatcherError, match="backreference"):
        parse_matchers('alertname=~"(a)\\\\1"')
    assert parse_selector('{env=~"prod|staging"}')
