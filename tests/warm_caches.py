"""A pytest plugin that `make test` runs once, with ``--collect-only``, in a fresh clone before its workers start.

The collection writes pytest's assert-rewritten test modules, and the draw below fills Hypothesis's caches under
``.hypothesis/`` (its Unicode table, the constants of every loaded console module): otherwise each of the six
workers rewrote every test module and built both caches itself (a cold worker's first text() draw took seconds).
"""

from __future__ import annotations


def pytest_collection_finish(session) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3, database=None, deadline=None)
    @given(st.text(), st.integers())
    def draw(text: str, number: int) -> None:
        assert isinstance(text, str) and isinstance(number, int)

    draw()
