"""Adversarial review of session 11 (second pass): each test failed before its fix."""

from __future__ import annotations

# -- runbook verify/metrics steps: values that are not numbers an operator can read ------------------------

WATCH = """\
flows:
  - id: watch
    title: Watch
    section: Test
    steps:
      - {id: v, kind: verify, title: errors down, expect: "error_rate != 0", timeout: 10, interval: 5}
      - {id: m, kind: check, title: smoke, metrics: [error_rate, request_rate]}
"""

SMOKE = "\n".join(line for line in WATCH.splitlines() if "kind: verify" not in line) + "\n"


def _runner(text: str, value):
    from console.runbook import FlowRunner
    from tests.test_flow_verify_units import env, flow_of
    from tests.virtual_time import VirtualClock

    clock = VirtualClock()
    lines: list[str] = []
    runner = FlowRunner(
        flow_of(text),
        env(),
        {},
        get_metric=lambda name: value,
        on_event=lambda e: lines.append(e.line) if e.type == "output" else None,
        clock=clock,
        sleep=clock.sleep,
    )
    return runner, lines


async def test_a_nan_value_is_no_value_and_never_makes_a_verify_hold():
    from console.runbook import StepState

    runner, lines = _runner(WATCH, float("nan"))
    result = await runner.run_step(0)
    # NaN != 0 is true: the verify held on a value that is not there ("holds (is no value)")
    assert result.state == StepState.FAILED, result.message
    assert result.message == "no value for error rate within 10s"
    smoke = await _runner(SMOKE, float("nan"))[0].run_step(0)
    assert smoke.state == StepState.FAILED and "no live values" in smoke.message
    assert "nan" not in " ".join(smoke.lines).lower()


async def test_an_infinite_value_is_no_value_not_an_internal_error():
    from console.runbook import StepState

    runner, lines = _runner(WATCH, float("inf"))
    result = await runner.run_step(0)
    assert result.state == StepState.FAILED, result.message  # was: internal error: OverflowError
    assert "OverflowError" not in result.message and "no value for error rate" in result.message


async def test_a_huge_value_is_shown_in_bounded_text():
    runner, lines = _runner(WATCH.replace("!= 0", "< 1"), 1e300)
    result = await runner.run_step(0)
    assert len(result.message) < 120, result.message  # was 400+ digits in the result and the audit record
    assert "1.000e+300 %" in result.message
    assert all(len(line) < 80 for line in lines), lines


def test_value_text_never_raises_and_stays_short():
    from console.runbook.metricfmt import value_text

    for value in (float("inf"), float("-inf"), float("nan"), 10**400, -(10**400), 1e308, -1e308, 2**63):
        for name in ("error_rate", "memory_bytes", "request_rate", "queue_backlog", "nope"):
            text = value_text(name, value)
            assert len(text) <= 24, (name, value, text)


def test_a_threshold_is_shown_as_written_not_rounded():
    from console.runbook.expr import parse_expr
    from console.runbook.metricfmt import condition_text

    # it read "error rate < 0.001 %": twice the threshold the runbook gives
    assert condition_text(parse_expr("error_rate < 0.0005")) == "error rate < 0.0005 %"
    assert condition_text(parse_expr("request_rate > 12345.67")) == "request rate > 12,345.67 req/s"
    assert condition_text(parse_expr("p95_latency_ms <= 250.55")) == "P95 latency <= 250.55 ms"
    assert condition_text(parse_expr("memory_bytes < 104857600")) == "memory < 100.0 MiB"  # exact: as before
    # 104,857,000 bytes is not 100.0 MiB: a value of 100.0 MiB read as under it
    assert condition_text(parse_expr("memory_bytes < 104857000")) == "memory < 104,857,000 B"


# -- the flow modal's "show all" (flow.describe) and the full-text modal under a user keymap ---------------


async def test_the_full_text_modal_names_the_keys_as_configured():
    from screens.full_text import FullTextScreen
    from tests.test_flow_description_more import open_flow
    from tests.test_incident_tui import ScriptedPoller, make_app, ready
    from tests.util import press_now, wait_for

    keys = {"flow.describe": "f2", "detail.copy": "y", "detail.close": "x"}
    app = make_app(ScriptedPoller([80]), refresh=1.0, extra={"keys": keys})
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        modal = await open_flow(app, "p0-service-down")
        desc = modal.query_one("#flow-desc")
        await wait_for(lambda: "more lines" in str(desc.render()), message="the more line")
        assert str(desc.render()).splitlines()[-1].endswith(" · f2 shows all")
        await press_now(pilot, "f2")
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="the whole description")
        subtitle = str(app.screen.query_one("#full-text-box").border_subtitle)
        # it read "c copies · esc closes": neither key does anything under this keymap
        assert subtitle == "y copies · x closes", subtitle
        await press_now(pilot, "x")
        await wait_for(lambda: app.screen is modal, message="back in the form")


HOSTILE = {
    "flows": [
        {
            "id": "hostile",
            "title": "Fix [/] now [bold red]X",
            "section": "Test",
            "description": "Long [/] text " + "word " * 400,
            "steps": [{"id": "n", "kind": "note", "title": "read", "text": "x"}],
        }
    ]
}


async def test_show_all_of_a_flow_whose_title_has_markup_does_not_close_the_console():
    import json

    from console.runbook import parse_runbook
    from screens.flow_modal import FlowModal
    from screens.full_text import FullTextScreen
    from screens.textual_compat import screen_text_lines
    from tests.test_incident_tui import ScriptedPoller, make_app, ready
    from tests.util import press_now, wait_for

    flow = parse_runbook(json.dumps(HOSTILE), "t.yaml")[0]
    app = make_app(ScriptedPoller([80]), refresh=1.0)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(app, pilot)
        app.push_screen(FlowModal(flow, app.flow_context()))
        await wait_for(lambda: isinstance(app.screen, FlowModal) and app.screen.query("#flow-desc"), message="modal")
        modal = app.screen
        desc = modal.query_one("#flow-desc")
        await wait_for(lambda: "more lines" in str(desc.render()), message="the more line")
        await press_now(pilot, "ctrl+o")  # MarkupError from the title set as the box's border title: the app exited
        await wait_for(lambda: isinstance(app.screen, FullTextScreen), message="the whole description")
        await pilot.pause()
        assert any("Fix [/] now [bold red]X" in row for row in screen_text_lines(app))  # as written
        assert app.screen.plain.startswith("Long [/] text word")
        await press_now(pilot, "escape")
        await wait_for(lambda: app.screen is modal, message="back")


# -- left by the second pass, mended after it ----------------------------------------------------------------
async def test_a_negative_reading_is_no_value_and_verifies_nothing():
    """Every live metric is a rate, share, time, size or count: an error rate of -1 % held 'error_rate < 1'."""
    from console.runbook import StepState

    runner, _ = _runner(WATCH.replace("!= 0", "< 1"), -1.0)
    result = await runner.run_step(0)
    assert result.state == StepState.FAILED and "no value for error rate" in result.message, result.message


def test_a_tiny_value_is_not_shown_as_zero_beside_a_tiny_threshold():
    from console.runbook.metricfmt import value_text

    assert value_text("error_rate", 0.0004) == "0.0004 %"  # was '0.000 %' next to '< 0.0005 %'
    assert value_text("error_rate", 0.00001234) == "1.23e-05 %"
    assert value_text("error_rate", 0.0123) == "0.012 %"


def test_a_metrics_step_expect_must_name_one_of_its_metrics():
    """It read 'expected error rate < 1 %, got None' at run time; now the runbook does not load."""
    import pytest

    from console.runbook import RunbookError, parse_runbook

    text = SMOKE.replace("metrics: [error_rate, request_rate]}", 'metrics: [request_rate], expect: "error_rate < 1"}')
    with pytest.raises(RunbookError) as err:
        parse_runbook(text, "watch.yaml")
    assert str(err.value) == (
        "watch.yaml:6: flows[0].steps[0].expect: 'error_rate' is not one of this step's metrics (request_rate):"
        " it reads only those"
    )


def test_a_flow_description_past_the_bound_is_a_file_line_error():
    """The flow modal wraps the description on the UI thread (140k characters held it 0.66 s; the 1 MiB a
    runbook file may be, ~5 s): one past MAX_DESCRIPTION_CHARS does not load."""
    import pytest

    from console.limits import MAX_DESCRIPTION_CHARS
    from console.runbook import RunbookError, parse_runbook

    def flow(description: str) -> str:
        return f"flows:\n  - id: x\n    title: X\n    section: T\n    description: {description}\n" + (
            "    steps:\n      - {id: n, kind: note, title: n}\n"
        )

    assert parse_runbook(flow("a" * MAX_DESCRIPTION_CHARS), "ok.yaml")[0].description == "a" * MAX_DESCRIPTION_CHARS
    with pytest.raises(RunbookError) as err:
        parse_runbook(flow("a" * (MAX_DESCRIPTION_CHARS + 1)), "big.yaml")
    assert str(err.value) == "big.yaml:5: flows[0].description: must be at most 20000 characters, got 20001"
