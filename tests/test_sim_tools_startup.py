"""A simulated ``wrangler`` is a process per runbook step: it starts without ``json``, ``re`` and ``enum`` (a third
of its start-up CPU; tests/test_sim_tool_launch.py checks its imports), and what replaced them in its flag parser
parses as before (yargs's negative-number rule, the regex it was)."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from console.sim.tools.flags import Flag, Style, _is_number, parse

_NUMBER = re.compile(r"^-+([0-9]+(\.[0-9]+)?|\.[0-9]+)$")  # the pattern flags.py used


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="-0123456789.\n5a٣²", max_size=8))
@example("-5\n")  # ``$`` matches before a final newline
@example("--.5\n")
@example("-5\n\n")
@example("-5.")
@example("-٣")
def test_a_negative_number_is_what_the_pattern_matched(token):
    assert _is_number(token) == bool(_NUMBER.match(token))


def test_yargs_takes_a_negative_number_as_a_value_and_a_flag_as_a_flag():
    flags = [Flag(("--count",), "count"), Flag(("--json",), "json", value=False)]
    parsed = parse(["--count", "-5", "--json"], flags, Style.YARGS)
    assert parsed.values["count"] == "-5" and parsed.bools["json"] is True
    parsed = parse(["--count", "--json"], flags, Style.YARGS)
    assert parsed.values["count"] == "" and parsed.bools["json"] is True
