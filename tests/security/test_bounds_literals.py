"""The values written inside a runbook's conditions and capture fallbacks (``x matches [..]``,
``x contains [..]``, ``path|[..]``) are YAML read under the same rules as the file: an alias there
(a "billion laughs" list that took 71 s and 950 MB to validate) is refused with ``file:line: key:``,
as is a value longer than 4 KiB or a non-finite number, in bounded time and memory: the real
``runbook validate`` in a subprocess with its own peak memory measured."""

from __future__ import annotations

import pytest

from tests.security.bounds_util import run_console

#: seven levels of ten: 10**7 ones once the aliases are expanded
_BOMB = ", ".join([f"&a0 [{','.join(['1'] * 10)}]"] + [f"&a{n} [{','.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 7)])
BOMB = f"[{_BOMB}]"
LONG = '"' + "a" * 5000 + '"'


def _book(field: str) -> str:
    return (
        "version: 1\n"
        "flows:\n"
        "  - id: literal\n"
        "    title: A literal\n"
        "    section: Troubleshooting\n"
        "    steps:\n"
        "      - kind: check\n"
        "        title: Read it\n"
        '        http: {method: GET, url: "{env.base_url}/x"}\n'
        f"        {field}\n"
    )


@pytest.mark.parametrize(
    "field,where,why",
    [
        (f"expect: 'x matches {BOMB}'", "flows[0].steps[0].expect", "YAML aliases are not allowed"),
        (f"expect: 'x contains {BOMB}'", "flows[0].steps[0].expect", "YAML aliases are not allowed"),
        (f"capture: {{n: 'x|{BOMB}'}}", "flows[0].steps[0].capture.n", "YAML aliases are not allowed"),
        (f"expect: 'x == {LONG}'", "flows[0].steps[0].expect", "longer than 4 KiB"),
        (f"capture: {{n: 'x|{LONG}'}}", "flows[0].steps[0].capture.n", "longer than 4 KiB"),
        ("capture: {n: 'x|.nan'}", "flows[0].steps[0].capture.n", "must be a finite number"),
        ("capture: {n: 'x|[1, 1.0e+999]'}", "flows[0].steps[0].capture.n", "must be a finite number"),
        ("expect: 'x in [1, !!float \"inf:0\"]'", "flows[0].steps[0].expect", "must be a finite number"),
    ],
    ids=[
        "matches-alias-bomb",
        "contains-alias-bomb",
        "capture-alias-bomb",
        "expect-5k",
        "capture-5k",
        "capture-nan",
        "capture-overflow",
        "expect-inf-sexagesimal",
    ],
)
def test_bounds_runbook_literal_alias_long_or_non_finite_is_refused_at_load(tmp_path, field, where, why):
    path = tmp_path / "literal.yaml"
    path.write_text(_book(field))
    run = run_console(["runbook", "validate", str(path)], timeout=20.0, address_space_mb=2048)
    text = run.out + run.err
    assert run.returncode is not None, f"still validating after {run.elapsed_s:.0f}s (peak {run.maxrss_mb:.0f} MB)"
    assert run.returncode != 0 and "Traceback" not in text, (run.returncode, text[-2000:])
    assert f"{path}:10: {where}: " in text and why in text, text[-2000:]
    assert run.maxrss_mb < 250 and run.elapsed_s < 15, (run.maxrss_mb, run.elapsed_s)
