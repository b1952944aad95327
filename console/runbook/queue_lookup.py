"""``foreach: account.queues``: one step run for each queue of the account, ids looked up from the Queues API.

``GET {cloudflare_api_url}/accounts/{account_id}/queues`` lists the account's queues (``queue_name``,
``queue_id``); the environment's ``queues:`` map, when it names a queue, overrides the id found (and adds a
queue the list does not show). If the list cannot be read, the ``queues:`` map alone is used (said so), and
with no map either the step fails with the reason. The step's request then runs once per queue with
``{item.key}`` the queue's name and ``{item.value}`` its id; every answer goes through the step's summary
and expect, each line prefixed with the queue's name. At most :data:`MAX_QUEUES` queues are checked.

The runner calls :func:`run_each_queue` through ``console.runbook.steps.queues.QueueStep``; nothing here imports
Textual.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from console.limits import DEFAULT_MAX_BODY_BYTES
from console.runbook.executors import PreparedHttp, run_http
from console.runbook.template import render_url

SOURCE = "account.queues"
MAX_QUEUES = 50
#: what the step's title and preview show before the queues are known
PLACEHOLDER_ITEM = {"key": "each queue", "value": "QUEUE_ID"}
_QUEUE_ID = re.compile(r"^[0-9a-f]{32}$")
#: a queue name the console can show and put in a URL: printable ASCII word characters, bounded
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: the answer's entries looked at, at most (a hostile or broken API cannot make the console walk more)
MAX_LISTED = 1000


def queues_from_answer(body: Any) -> tuple[dict[str, str] | None, int]:
    """``({name: id}, skipped)`` from a Queues API answer, or ``(None, 0)`` when it is not a list of queues.
    Entries whose name or id the console cannot use safely (control characters, over-long, not a 32-hex
    id) are skipped and counted; at most :data:`MAX_LISTED` entries are read."""
    if not (isinstance(body, dict) and body.get("success") is True and isinstance(body.get("result"), list)):
        return None, 0
    found: dict[str, str] = {}
    entries = body["result"]
    skipped = max(0, len(entries) - MAX_LISTED)
    for queue in entries[:MAX_LISTED]:
        name = queue.get("queue_name") if isinstance(queue, dict) else None
        queue_id = queue.get("queue_id") if isinstance(queue, dict) else None
        if (
            isinstance(name, str)
            and isinstance(queue_id, str)
            and _QUEUE_NAME.match(name)
            and _QUEUE_ID.match(queue_id)
        ):
            found[name] = queue_id
        else:
            skipped += 1
    return found, skipped


async def lookup_queues(runner: Any, on_line: Callable[[str], None]) -> tuple[dict[str, str], str]:
    """``({name: id}, problem)``: the account's queues with the ``queues:`` overrides applied."""
    env = runner.env
    overrides = dict(getattr(env, "queues", {}) or {})
    ctx = runner.preparer.context({})
    url = render_url("{env.cloudflare_api_url}/accounts/{env.account_id}/queues", ctx)
    token = runner.secrets.get("api_token")
    request = PreparedHttp(
        method="GET",
        url=url,
        headers={"Authorization": f"Bearer {token}"},
        headers_display={"Authorization": "Bearer ****"},
        timeout=15.0,
        max_body_bytes=getattr(runner.config, "max_body_bytes", None) or DEFAULT_MAX_BODY_BYTES,
    )
    on_line(f"GET {request.sent_url}")
    result = await run_http(request, on_line=lambda line: None, mask=runner.mask, transport=runner.http_transport)
    problem = ""
    listed, skipped = queues_from_answer(result.data) if result.ok else (None, 0)
    found: dict[str, str] = listed or {}
    if listed is None:
        problem = result.error or "the Queues API did not answer a list of queues"
    elif skipped:
        on_line(f"{skipped} queue(s) from the Queues API skipped: a name or id the console cannot use")
    if problem and not overrides:
        return {}, f"cannot list the queues ({problem}) and environments.{env.name}.queues is empty"
    if problem:
        on_line(f"cannot list the queues ({problem}): using environments.{env.name}.queues")
    else:
        on_line(f"{len(found)} queue(s) from the Queues API: {', '.join(sorted(found)) or 'none'}")
    for name, queue_id in overrides.items():
        if found.get(name) not in (None, queue_id):
            on_line(f"{name}: id {queue_id} from environments.{env.name}.queues (the API says {found[name]})")
        elif name not in found and not problem:
            on_line(f"{name}: not listed by the API; id {queue_id} from environments.{env.name}.queues")
        found[name] = queue_id
    return found, ""


async def run_each_queue(runner: Any, run: Any, result: Any, on_line: Callable[[str], None]) -> None:
    """Run ``run``'s step once per queue; the step passes when every queue's run passes."""
    from console.runbook.results import StepResult, StepRun, StepState

    queues, problem = await lookup_queues(runner, on_line)
    if problem:
        result.state, result.message = StepState.FAILED, problem
        return
    if not queues:
        result.state, result.message = StepState.SKIPPED, "the account has no queues"
        return
    names = sorted(queues)
    if len(names) > MAX_QUEUES:
        on_line(f"{len(names) - MAX_QUEUES} more queue(s) not checked (at most {MAX_QUEUES})")
        names = names[:MAX_QUEUES]
    failed: list[str] = []
    lines: list[str] = []
    for name in names:
        sub = StepRun(run.index, run.step, {"key": name, "value": queues[name]})
        outcome = StepResult(StepState.RUNNING, started=runner.clock.time())

        def prefixed(line: str, name: str = name) -> None:
            on_line(f"{name}: {line}")

        await runner.command_step.execute_once(sub, outcome, prefixed)
        lines += [f"{name}: {line}" for line in outcome.lines]
        result.http_status = outcome.http_status
        if outcome.state != StepState.PASSED:
            failed.append(f"{name}: {outcome.message}")
    result.lines = lines
    if failed:
        result.state, result.message = StepState.FAILED, "; ".join(failed)
    else:
        result.state, result.message = StepState.PASSED, f"{len(names)} queue(s) checked: {', '.join(names)}"
