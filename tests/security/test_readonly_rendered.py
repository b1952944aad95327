"""Issue 14 §2: the allow-list is applied again to the rendered argv of a check just before it runs, so an
operator's input cannot turn a read-only shape into something else (``gh api {endpoint}`` with
``endpoint=graphql`` is always a POST)."""

from __future__ import annotations

import textwrap

from console.runbook.engine import FlowRunner, StepState
from console.runbook.loader import parse_runbook


async def test_a_check_whose_rendered_argv_leaves_the_allow_list_is_refused_before_running(sim, fake_tools, state_dir):
    (flow,) = parse_runbook(
        textwrap.dedent("""\
        flows:
          - id: api-read
            title: Read the API
            section: Team
            inputs:
              - {name: endpoint, type: string}
            steps:
              - {id: get, kind: check, title: "GET {endpoint}", command: {tool: gh, args: [api, "{endpoint}"]}}
        """),
        "ours.yaml",
    )
    from console.config import simulated_config

    config = simulated_config(sim.base_url, tools=sim.tools())
    env = config.environment()
    env.tools["gh"] = ["gh"]  # the fake gh on PATH records its argv
    runner = FlowRunner(flow, env, {"endpoint": "graphql"}, config=config)
    await runner.run_all()
    result = runner.steps[0].result
    assert runner.steps[0].state == StepState.FAILED, result
    assert "not read-only" in result.message and "graphql" in result.message
    assert fake_tools.argvs("gh") == []  # nothing ran

    runner = FlowRunner(flow, env, {"endpoint": "repos/o/r"}, config=config)
    await runner.run_all()
    assert fake_tools.argvs("gh") == [["api", "repos/o/r"]]
