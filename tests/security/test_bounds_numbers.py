"""Numbers a float cannot hold and durations without end are refused at load with ``file:line: key:``:
a sexagesimal infinity (``!!float "inf:0"``, which made ``tail.seconds`` endless), a hex integer of
290 digits (an OverflowError traceback in ``command.timeout`` and ``refresh_seconds``), and any
duration (timeouts, intervals, seconds, refresh) longer than one day. Each value is checked by ``runbook validate``
or ``check`` run in-process (``run_cli``); the real ones, in a subprocess, refuse one of each and accept one day."""

from __future__ import annotations

import pytest

from tests.security.bounds_util import run_console, write_config
from tests.security.inprocess_cli import run_cli

HEX = "0x" + "F" * 290
FINITE = "must be a finite number"
DAY = "must be at most 86400 (one day)"


def _book(step: str) -> str:
    return "version: 1\nflows:\n  - id: numbers\n    title: Numbers\n    section: Troubleshooting\n    steps:\n" + step


CHECK = "      - kind: check\n        title: Read it\n"
VERIFY = "      - kind: verify\n        title: Errors down\n        expect: error_rate < 1\n"


@pytest.mark.parametrize(
    "step,line,where,why",
    [
        (CHECK + '        tail: {seconds: !!float "inf:0"}\n', 9, "flows[0].steps[0].tail.seconds", FINITE),
        (CHECK + '        tail: {seconds: !!float "-inf:0"}\n', 9, "flows[0].steps[0].tail.seconds", FINITE),
        (CHECK + "        tail: {seconds: 90000}\n", 9, "flows[0].steps[0].tail.seconds", DAY),
        (
            CHECK + f"        command: {{tool: gh, args: [version], timeout: {HEX}}}\n",
            9,
            "flows[0].steps[0].command.timeout",
            FINITE,
        ),
        (
            CHECK + "        command: {tool: gh, args: [version], timeout: 86401}\n",
            9,
            "flows[0].steps[0].command.timeout",
            DAY,
        ),
        (
            CHECK + "        command: {tool: gh, args: [version], collect_seconds: 1.0e+6}\n",
            9,
            "flows[0].steps[0].command.collect_seconds",
            DAY,
        ),
        (
            CHECK + '        http: {method: GET, url: "{env.base_url}/x", timeout: 100000}\n',
            9,
            "flows[0].steps[0].http.timeout",
            DAY,
        ),
        (
            CHECK
            + "        command: {tool: gh, args: [version]}\n        retry: {attempts: 2, interval: 1:00:00:00}\n",
            10,
            "flows[0].steps[0].retry.interval",
            DAY,
        ),
        (VERIFY + '        timeout: !!float "nan:0"\n        interval: 1\n', 10, "flows[0].steps[0].timeout", FINITE),
        (VERIFY + "        timeout: 60\n        interval: 86400.5\n", 11, "flows[0].steps[0].interval", DAY),
    ],
    ids=[
        "tail-inf-sexagesimal",
        "tail-minus-inf",
        "tail-over-a-day",
        "command-timeout-hex",
        "command-timeout-day",
        "collect-seconds-day",
        "http-timeout-day",
        "retry-interval-day",
        "verify-timeout-nan",
        "verify-interval-day",
    ],
)
def test_bounds_runbook_overflowing_or_endless_number_is_refused(tmp_path, step, line, where, why):
    path = tmp_path / "numbers.yaml"
    path.write_text(_book(step))
    run = run_cli("runbook", "validate", str(path))
    text = run.stdout + run.stderr
    assert run.returncode != 0 and "Traceback" not in text, (run.returncode, text[-2000:])
    assert f"{path}:{line}: {where}: {why}" in text, text[-2000:]


@pytest.mark.parametrize(
    "extra,why",
    [
        (f"refresh_seconds: {HEX}\n", FINITE),
        ('refresh_seconds: !!float "inf:0"\n', FINITE),
        ("refresh_seconds: 86400.5\n", DAY),
    ],
    ids=["hex", "inf-sexagesimal", "over-a-day"],
)
def test_bounds_config_overflowing_or_endless_refresh_is_refused(tmp_path, extra, why):
    cfg = write_config(tmp_path, "http://127.0.0.1:9", extra)
    run = run_cli("check", "--config", str(cfg), "--json", "--window", "0")
    text = run.stdout + run.stderr
    assert run.returncode == 2 and "Traceback" not in text, (run.returncode, text[-2000:])
    assert f"{cfg}:6: refresh_seconds: {why}" in run.stderr, text[-2000:]


def test_bounds_the_real_commands_refuse_an_overflowing_number(tmp_path):
    """The checks above run ``main`` in-process; here the real ``python -m console``, once per command."""
    path = tmp_path / "numbers.yaml"
    path.write_text(_book(CHECK + f"        command: {{tool: gh, args: [version], timeout: {HEX}}}\n"))
    run = run_console(["runbook", "validate", str(path)], timeout=30.0)
    text = run.out + run.err
    assert run.returncode not in (0, None) and "Traceback" not in text, (run.returncode, text[-2000:])
    assert f"{path}:9: flows[0].steps[0].command.timeout: {FINITE}" in text, text[-2000:]
    cfg = write_config(tmp_path, "http://127.0.0.1:9", f"refresh_seconds: {HEX}\n")
    run = run_console(["check", "--config", str(cfg), "--json", "--window", "0"], timeout=30.0)
    text = run.out + run.err
    assert run.returncode == 2 and "Traceback" not in text, (run.returncode, text[-2000:])
    assert f"{cfg}:6: refresh_seconds: {FINITE}" in run.err, text[-2000:]


def test_bounds_one_day_is_still_accepted(tmp_path):
    path = tmp_path / "day.yaml"
    path.write_text(
        _book(
            CHECK
            + "        command: {tool: gh, args: [version], timeout: 86400}\n"
            + CHECK
            + "        tail: {seconds: 86400}\n"
            + VERIFY
            + "        timeout: 86400\n        interval: 86400\n"
        )
    )
    run = run_console(["runbook", "validate", str(path)], timeout=30.0)
    assert run.returncode == 0 and f"{path}: OK" in run.out, (run.returncode, run.out, run.err[-2000:])
