"""Command preparation for one flow run: a step's templates rendered into the exact HTTP request or argv it
will run (:class:`PreparedHttp`, :class:`PreparedCommand`), secrets only where the step needs them and masked
in what is shown, the tool's environment, the argv from a config key, and the run's plan file.

Nothing here runs anything; :mod:`console.runbook.steps` runs what is prepared."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

from console.childenv import secret_env_names
from console.limits import DEFAULT_MAX_BODY_BYTES
from console.runbook.executors import PreparedCommand, PreparedHttp
from console.runbook.expr import lookup
from console.runbook.model import Step
from console.runbook.readonly import git_check_argv
from console.runbook.results import StepRun
from console.runbook.run_secrets import OPTIONAL_SECRETS, RunSecrets
from console.runbook.template import Context, TemplateError, refs, render, render_argv, render_url, render_value

#: Tools that talk to the Cloudflare API and read ``CLOUDFLARE_API_TOKEN`` from their environment.
CLOUDFLARE_TOOLS = ("wrangler", "terraform")
#: The console's own helper that keeps terraform values (tfvars override + pull request): it runs the
#: environment's configured git and gh, handed over as argv prefixes in its environment.
TFVARS_PR_TOOL = "tfvars-pr"


def now_builtins(now: float, env: Any = None) -> dict[str, str]:
    """``{today}``, ``{yesterday}``, ``{now}`` (UTC, from wall time ``now``) and ``{export_dir}``."""
    moment = datetime.fromtimestamp(now, tz=timezone.utc)
    export_dir = (getattr(env, "paths", None) or {}).get("export_dir")
    if not export_dir:
        from console.paths import state_dir

        export_dir = str(state_dir() / "exports")
    from console.runbook.openincident import LazyBuiltins

    return LazyBuiltins(
        {
            "today": moment.strftime("%Y%m%d"),
            "yesterday": (moment - timedelta(days=1)).strftime("%Y%m%d"),
            "now": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "export_dir": export_dir,
        }
    )


def plan_file_for(flow_id: str, run_id: str) -> str:
    """A run's saved terraform plan: a private file under the state dir (made when a step uses it)."""
    from console.paths import state_dir

    return str(state_dir() / "terraform-plans" / f"{flow_id}-{run_id}.tfplan")


class CommandPreparer:
    """Renders a run's steps. ``inputs`` and ``captures`` are the run's own (captures fill in as steps pass)."""

    def __init__(
        self,
        env: Any,
        config: Any,
        secrets: RunSecrets,
        *,
        memory_values: dict[str, Any],
        captures: dict[str, Any],
        builtins: dict[str, Any],
        tail_seconds: float | None = None,
    ) -> None:
        self.env = env
        self.config = config
        self.secrets = secrets
        self.memory_values = memory_values
        self.captures = captures
        self.builtins = builtins
        self.tail_seconds = tail_seconds
        self.inputs: dict[str, Any] = {}

    def context(self, item: Mapping[str, Any], *, placeholders: bool = False) -> Context:
        return Context(
            inputs=self.inputs,
            env=self.env,
            secret=self.secrets.get,
            captures=self.captures,
            memory=self.memory_values,
            item=item,
            builtins=self.builtins,
            placeholder_captures=placeholders,
        )

    def ensure_plan_dir(self, argv: list[str]) -> None:
        plan = self.builtins.get("plan_file", "")
        if plan and any(plan in arg for arg in argv):
            from console.safefile import ensure_private_dir

            ensure_private_dir(Path(plan).parent)

    def prepare(
        self, run: StepRun, *, masked: bool, placeholders: bool = False
    ) -> PreparedHttp | PreparedCommand | None:
        step = run.step
        ctx = self.context(run.item, placeholders=placeholders)
        if step.http is not None:
            spec = step.http
            headers_t = dict(spec.headers)
            if spec.auth and not (spec.auth in OPTIONAL_SECRETS and not self.secrets.configured(spec.auth)):
                # an optional token (Alertmanager's) is sent only when the environment configures one
                headers_t.setdefault("Authorization", f"Bearer {{secret:{spec.auth}}}")
            if spec.json is not None:
                headers_t.setdefault("Content-Type", "application/json")
            headers = {k: render(v, ctx) for k, v in headers_t.items()} if not masked else {}
            shown = {k: render(v, ctx, masked=True) for k, v in headers_t.items()}
            return PreparedHttp(
                method=spec.method,
                url=render_url(spec.url, ctx),
                headers=headers,
                headers_display=shown,
                json=render_value(spec.json, ctx) if spec.json is not None else None,
                params={k: render(v, ctx) for k, v in spec.params.items()},
                timeout=spec.timeout,
                filter=spec.filter,
                save_to=render(spec.save_to, ctx) if spec.save_to else None,
                accept_status=spec.accept_status,
                max_body_bytes=getattr(self.config, "max_body_bytes", None) or DEFAULT_MAX_BODY_BYTES,
            )
        if step.command is not None or step.tail_seconds is not None:
            if step.command is None:
                argv = self.env.tool("wrangler") + ["tail", render("{env.worker}", ctx), "--format", "json"]
                env_real, env_shown = self.tool_env("wrangler", masked)
                seconds = min(step.tail_seconds, self.tail_seconds) if self.tail_seconds else step.tail_seconds
                return PreparedCommand(
                    argv=argv,
                    env=env_real,
                    env_display=env_shown,
                    timeout=seconds + 30,
                    collect_seconds=seconds,
                    strip_env=secret_env_names(self.config, self.env),
                )
            spec = step.command
            if spec.argv_from:
                template = self.config_argv(spec.argv_from)
                argv = render_argv(template, ctx)
            else:
                prefix = self.env.tool(spec.tool)
                argv = prefix + render_argv(spec.args, ctx, first_position=len(prefix))
            env_real, env_shown = self.tool_env(spec.tool, masked)
            if not masked:
                env_real.update({k: render(v, ctx) for k, v in spec.env.items()})
            env_shown.update({k: render(v, ctx, masked=True) for k, v in spec.env.items()})
            stdin_real = render(spec.stdin, ctx) if spec.stdin is not None and not masked else None
            stdin_shown = render(spec.stdin, ctx, masked=True) if spec.stdin is not None else None
            cwd = render(spec.cwd, ctx) if spec.cwd else None
            return PreparedCommand(
                argv=argv,
                stdin=stdin_real if not masked else None,
                stdin_display=stdin_shown,
                env=env_real,
                env_display=env_shown,
                cwd=cwd or None,
                timeout=spec.timeout,
                collect_seconds=spec.collect_seconds,
                strip_env=secret_env_names(self.config, self.env),
            )
        return None

    def as_run(self, step: Step, argv: list[str]) -> list[str]:
        """The argv a step runs with: a git check gets options that keep the repository's config from
        running a program (:func:`console.runbook.readonly.git_check_argv`)."""
        if step.command is None or step.command.tool != "git" or step.mutating:
            return argv
        prefix = self.env.tool("git")
        return prefix + git_check_argv(argv[len(prefix) :])

    def tool_env(self, tool: str | None, masked: bool) -> tuple[dict[str, str], dict[str, str]]:
        """The child's extra environment: the config's ``tool_env``, plus for Cloudflare tools the API token
        as ``CLOUDFLARE_API_TOKEN`` and the account as ``CLOUDFLARE_ACCOUNT_ID`` (never in argv)."""
        real = dict(getattr(self.env, "tool_env", {}) or {})
        shown: dict[str, str] = {}
        if tool == TFVARS_PR_TOOL:
            for name in ("git", "gh"):
                value = json.dumps(self.env.tool(name))
                real[f"EDGE_CONSOLE_{name.upper()}_ARGV"] = shown[f"EDGE_CONSOLE_{name.upper()}_ARGV"] = value
        if tool in CLOUDFLARE_TOOLS:
            token = self.secrets.loaded("api_token")
            if token:
                shown["CLOUDFLARE_API_TOKEN"] = "****"
                if not masked:
                    real["CLOUDFLARE_API_TOKEN"] = token
            account = getattr(self.env, "account_id", "")
            if account:
                real["CLOUDFLARE_ACCOUNT_ID"] = account
                shown["CLOUDFLARE_ACCOUNT_ID"] = account
        return real, shown

    def config_argv(self, key: str) -> list[str]:
        raw: Any = getattr(self.config, "raw", {}) or {}
        value = lookup(raw, key)
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int, float)) for v in value):
            raise TemplateError(f"config key {key} must be an argv list such as [aws, s3, cp, '{{file}}', ...]")
        for part in value:
            for ref in refs(str(part)):
                if ref.scope == "secret":
                    raise TemplateError(f"config key {key}: secrets are never passed in argv")
        return [str(v) for v in value]
