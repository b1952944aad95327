"""Safety policy decided in one place from the runbook data (pure functions).

- A step changes something iff it is an ``action`` (:attr:`Step.mutating`). The loader refuses any other
  step that is not known to be read-only: an HTTP request other than GET/HEAD or one that saves to a file,
  or a command not on the read-only allow-list (:mod:`console.runbook.readonly`), so the data cannot
  disguise a change as a check.
- Read-only (``--read-only`` or ``read_only: true`` on the environment) refuses every flow that has a
  mutating step, before anything runs, and the engine refuses any mutating step again at run time.
- Production (an environment named ``production``/``prod`` or starting with ``prod-``) needs the operator to
  type the environment's name to confirm; elsewhere ``yes`` is enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.runbook.model import Flow, Step
from console.runbook.readonly import command_problem, configured_path_problem

READ_ONLY_METHODS = ("GET", "HEAD")


def command_mutates(tool: str | None, args: list[str]) -> bool:
    """True unless ``tool args`` is on the read-only allow-list (:mod:`console.runbook.readonly`)."""
    return command_problem(tool, args) is not None


def step_problem(step: Step) -> str | None:
    """Why a step's declared kind does not match what it does, or None. Only an ``action`` may change
    anything: any other step may send only GET/HEAD without saving the answer to a file, and run only a
    command on the read-only allow-list, with no environment of its own and no argv taken from the config."""
    if step.kind == "action":
        return None
    if step.http is not None:
        if step.http.method.upper() not in READ_ONLY_METHODS:
            return f"a {step.kind} must not change anything, but sends {step.http.method.upper()}: use kind: action"
        if step.http.save_to:
            return f"a {step.kind} must not change anything, but writes a file (save_to): use kind: action"
    if step.command is not None:
        spec = step.command
        if spec.argv_from is not None:
            return (
                f"a {step.kind} runs only read-only commands, but takes its argv from the config "
                f"({spec.argv_from}): use kind: action"
            )
        if spec.env:
            return (
                f"a {step.kind} runs only read-only commands, but sets the command's environment "
                f"({', '.join(sorted(spec.env))}): use kind: action"
            )
        problem = command_problem(spec.tool, spec.args)
        if problem:
            return f"a {step.kind} runs only read-only commands: {problem}: use kind: action"
    return None


def cwd_problem(step: Step) -> str | None:
    """Why a check's ``cwd`` is refused (it may only be a configured path, ``{env.paths.NAME}``), or None.
    The directory decides which program runs (``npx`` takes ``node_modules/.bin``, git the repository's
    config) and a check runs without confirmation."""
    if step.kind == "action" or step.command is None:
        return None
    return configured_path_problem(step.command.cwd)


def rendered_command_problem(step: Step, args: list[str], paths: dict[str, str] | None = None) -> str | None:
    """The allow-list again, on a check's rendered argv (after the tool prefix) just before it runs: an
    operator's input must not turn a read-only shape into something else (``gh api {endpoint}`` with
    ``graphql``). ``paths`` are the environment's configured paths, the only directories a rendered
    ``-chdir=``/``--cwd`` may name. None for actions and for read-only argv."""
    if step.kind == "action" or step.command is None:
        return None
    configured = {value for value in (paths or {}).values() if value}
    problem = command_problem(step.command.tool, args, chdir_ok=configured.__contains__, plan_out_ok=is_run_plan_file)
    return (
        f"refused: a {step.kind} runs only read-only commands, and with these inputs it is not: {problem}"
        if problem
        else None
    )


def is_run_plan_file(path: str) -> bool:
    """A rendered ``-out=`` value: a ``.tfplan`` file directly in the state dir's ``terraform-plans``."""
    from pathlib import Path

    from console.paths import state_dir

    candidate = Path(path)
    return (
        candidate.is_absolute()
        and candidate.suffix == ".tfplan"
        and candidate.parent == state_dir() / "terraform-plans"
        and ".." not in candidate.parts
    )


def mutating_steps(flow: Flow) -> list[Step]:
    return [step for step in flow.steps if step.mutating]


def read_only_refusal(
    flow: Flow, read_only: bool, titles: list[str] | None = None, env_name: str | None = None
) -> str | None:
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
    return action_confirmation(step.title, env_name)


def action_confirmation(title: str, env_name: str) -> Confirmation:
    """The confirmation any action needs (a runbook action, a notify command): production needs the
    environment's name typed, elsewhere ``yes``."""
    if is_production(env_name):
        return Confirmation(
            env_name, True, f"This changes {env_name.upper()}. Type {env_name!r} to run: {title}", env_name
        )
    return Confirmation(env_name, False, f"Run on {env_name}: {title}? Type yes", "yes")


def action_refusal(what: str, read_only: bool, env_name: str | None = None) -> str | None:
    """Read-only refuses an action that is not a runbook step (a notify command)."""
    if not read_only:
        return None
    where = f" on {env_name}" if env_name else ""
    return f"read-only: {what}{where} is an action and is refused; nothing ran"
