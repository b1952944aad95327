"""Safety policy decided in one place from the runbook data (pure functions).

- A step changes something iff it is an ``action`` (:attr:`Step.mutating`). The loader refuses a
  ``check`` that sends a non-GET request or runs a command known to change things, so the data cannot
  disguise a change as a check.
- Read-only (``--read-only`` or ``read_only: true`` on the environment) refuses every flow that has a
  mutating step, before anything runs, and the engine refuses any mutating step again at run time.
- Production (an environment named ``production``/``prod`` or starting with ``prod-``) needs the operator to
  type the environment's name to confirm; elsewhere ``yes`` is enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.runbook.model import Flow, Step

READ_ONLY_METHODS = ("GET", "HEAD")

#: argv shapes (after the tool prefix) that change something; a ``check`` may not run them.
MUTATING_COMMANDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "wrangler": (("secret", "put"), ("secret", "delete"), ("kv", "key", "put"), ("kv", "key", "delete"),
                 ("kv", "bulk"), ("deploy",), ("rollback",), ("versions", "deploy"), ("queues", "create"),
                 ("queues", "delete")),
    "gh": (("workflow", "run"), ("run", "rerun"), ("run", "cancel")),
    "terraform": (("apply",), ("destroy",), ("import",), ("state",)),
}


def command_mutates(tool: str | None, args: list[str]) -> bool:
    words = [a for a in args if not a.startswith("-")]
    for prefix in MUTATING_COMMANDS.get(tool or "", ()):
        if tuple(words[: len(prefix)]) == prefix:
            return True
    return False


def step_problem(step: Step) -> str | None:
    """Why a step's declared kind does not match what it does, or None."""
    if step.kind == "action":
        return None
    if step.http is not None and step.http.method.upper() not in READ_ONLY_METHODS:
        return f"a {step.kind} must not change anything, but sends {step.http.method.upper()}: use kind: action"
    if step.command is not None and command_mutates(step.command.tool, step.command.args):
        return (f"a {step.kind} must not change anything, but runs {step.command.tool} "
                f"{' '.join(step.command.args[:3])}: use kind: action")
    return None


def mutating_steps(flow: Flow) -> list[Step]:
    return [step for step in flow.steps if step.mutating]


def read_only_refusal(flow: Flow, read_only: bool, titles: list[str] | None = None,
                      env_name: str | None = None) -> str | None:
    """The message refusing ``flow`` in read-only mode, or None when it may run. ``titles`` are the
    rendered titles of the mutating steps that would run (default: their raw titles); ``env_name`` is
    the environment it would change (named in the message)."""
    if not read_only:
        return None
    steps = mutating_steps(flow)
    if not steps:
        return None
    titles = "; ".join(titles if titles is not None else [step.title for step in steps])
    where = f"changes {env_name}" if env_name else "changes something"
    return f"read-only: flow {flow.id!r} {where} ({titles}) and is refused"


def step_refusal(step: Step, read_only: bool, env_name: str | None = None) -> str | None:
    if read_only and step.mutating:
        where = f"changes {env_name}" if env_name else "changes something"
        return f"read-only: step {step.id!r} {where} and is refused"
    return None


def is_production(env_name: str) -> bool:
    name = env_name.lower()
    return name in ("production", "prod") or name.startswith(("prod-", "production-"))


@dataclass(frozen=True)
class Confirmation:
    """What the operator must type before a mutating step runs."""

    environment: str
    production: bool
    prompt: str
    expected: str

    def accepts(self, typed: str | None) -> bool:
        text = (typed or "").strip()
        if self.production:
            return text == self.expected
        return text.lower() in ("y", "yes", self.expected.lower())


def confirmation_for(step: Step, env_name: str) -> Confirmation | None:
    if not step.mutating:
        return None
    if is_production(env_name):
        return Confirmation(env_name, True, f"This changes {env_name.upper()}. Type {env_name!r} to run: "
                            f"{step.title}", env_name)
    return Confirmation(env_name, False, f"Run on {env_name}: {step.title}? Type yes", "yes")
