"""Simulated Terraform 1.x for the simulated edge's infrastructure variables.

``terraform version``, ``init``, ``plan [-target=ADDR] [-var=k=v] [-var-file=F] [-out=PLAN]
[-detailed-exitcode]``, ``show [-json] PLAN``, ``apply [-auto-approve] [-target=ADDR] -var=k=v ...`` and
``apply PLAN``. Declared variables: ``worker_count``, ``api_rate_limit``, ``vau_rate_limit``,
``enable_strict_waf``, ``queue_batch_size``. ``apply`` changes the simulator through
``POST /admin/terraform``; without ``-auto-approve`` it asks on stdin and only ``yes`` proceeds.

Like Terraform 1.x (checked against the CLI documentation, hashicorp/terraform ``website/docs``: "Input
Variables", "terraform plan", "terraform apply"):

- The working directory must hold the root module (``*.tf``), else "No configuration files".
- A variable's value comes from, last one winning: its default, ``terraform.tfvars``, ``*.auto.tfvars``
  (lexical order), ``-var-file``, ``-var``. A value given only with ``-var`` is stored nowhere: the next
  plain ``apply`` (CI's) takes the tfvars value again and REVERTS it.
- ``plan -out=FILE`` saves the plan; ``apply FILE`` applies exactly it, without asking, takes no ``-var``
  ("Can't set variables when applying a saved plan") and refuses a plan made before the state changed
  ("Saved plan is stale"). ``show -json FILE`` is the plan as JSON (``resource_changes`` with ``before`` and
  ``after``). A saved plan here is a JSON file; a real one is a zip archive: read it with ``terraform show``.
- Flags are parsed as ``internal/command/arguments`` parses them (checked in hashicorp/terraform: ``default.go``,
  ``extended.go``, ``plan.go``, ``apply.go``, ``show.go``, ``vars.go``, ``view.go``): Go's ``flag`` package, so
  ``-flag``/``--flag``, ``-flag=value``/``-flag value``, and parsing stops at the first non-flag argument
  (``apply PLAN -auto-approve`` is "Too many command line arguments"); each command has its own flags (``show``
  has no ``-auto-approve``, ``apply`` no ``-out``); ``-var`` and ``-var-file`` take effect in command-line order;
  ``-no-color`` and ``-compact-warnings`` are taken out anywhere first.
"""

from __future__ import annotations

import os
import sys

from console.sim.terraform_defaults import TERRAFORM_DEFAULTS
from console.sim.tfvars import TfVarError, coerce_tf_var
from console.sim.tools import jsonlite as json  # json without importing json (start-up time)
from console.sim.tools._common import AdminError, Invocation, ToolExit, err, out, run_tool
from console.sim.tools.flags import Flag, FlagError, Style, go_duration, go_int
from console.sim.tools.flags import parse as parse_flags

# One command per process: ``typing`` costs start-up time and the annotations are never evaluated
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: marks a simulated saved plan
PLAN_FORMAT = "edge-sim-terraform-plan"
#: a ``name = value`` line of a ``.tfvars`` file (matched with ``re``, imported where a file is read: start-up)
_TFVARS_LINE = r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$"

VERSION = "1.9.8"
PROVIDER = "registry.terraform.io/cloudflare/cloudflare v4.45.0"

#: resource address -> (id, {attribute: variable})
RESOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "cloudflare_queue_consumer.vau_batch": (
        "sim-queue-vau-batch-consumer",
        {"batch_size": "queue_batch_size", "max_concurrency": "worker_count"},
    ),
    "cloudflare_ruleset.rate_limits": (
        "b1c4ee7a0e2f4c8d9a4b6f3e2d1c0b9a",
        {"api_requests_per_period": "api_rate_limit", "vau_requests_per_period": "vau_rate_limit"},
    ),
    "cloudflare_ruleset.security_rules": (
        "7d2e9f4a1b3c4d5e8f9a0b1c2d3e4f5a",
        {"strict_rules_enabled": "enable_strict_waf"},
    ),
    "cloudflare_workers_script.vau_processor": ("vau-processor-production", {}),
}
BOX_TOP, BOX_MID, BOX_END = "╷", "│", "╵"

# Each command's flags, as internal/command/arguments declares them (extended.go extendedFlagSet: the state,
# operation and vars groups; plan.go, apply.go, show.go: the command's own)
_STATE_FLAGS = (
    Flag(("-lock",), "lock", value=False),
    Flag(("-lock-timeout",), "lock-timeout", check=go_duration),
    Flag(("-state",), "state"),
    Flag(("-state-out",), "state-out"),
    Flag(("-backup",), "backup"),
)
_OPERATION_FLAGS = (
    Flag(("-parallelism",), "parallelism", check=go_int),
    Flag(("-allow-deferral",), "allow-deferral", value=False),
    Flag(("-refresh",), "refresh", value=False),
    Flag(("-destroy",), "destroy", value=False),
    Flag(("-refresh-only",), "refresh-only", value=False),
    Flag(("-minimal-refresh",), "minimal-refresh", value=False),
    Flag(("-target",), "target", repeated=True),
    Flag(("-invoke",), "invoke", repeated=True),
    Flag(("-replace",), "replace", repeated=True),
)
_VAR_FLAGS = (Flag(("-var",), "var", repeated=True), Flag(("-var-file",), "var-file", repeated=True))
COMMAND_FLAGS: dict[str, tuple[Flag, ...]] = {
    "plan": (
        *_STATE_FLAGS,
        *_OPERATION_FLAGS,
        *_VAR_FLAGS,
        Flag(("-detailed-exitcode",), "detailed-exitcode", value=False),
        Flag(("-input",), "input", value=False),
        Flag(("-out",), "out"),
        Flag(("-generate-config-out",), "generate-config-out"),
        Flag(("-policies",), "policies", repeated=True),
        Flag(("-json",), "json", value=False),
    ),
    "apply": (
        *_STATE_FLAGS,
        *_OPERATION_FLAGS,
        *_VAR_FLAGS,
        Flag(("-auto-approve",), "auto-approve", value=False),
        Flag(("-input",), "input", value=False),
        Flag(("-policies",), "policies", repeated=True),
        Flag(("-json",), "json", value=False),
    ),
    "show": (*_VAR_FLAGS, Flag(("-json",), "json", value=False)),
}


def _box(kind: str, title: str, body: str) -> str:
    lines = [BOX_TOP, f"{BOX_MID} {kind}: {title}", BOX_MID]
    lines += [f"{BOX_MID} {line}".rstrip() for line in body.splitlines()]
    lines.append(BOX_END)
    return "\n".join(lines)


def _error(title: str, body: str, command: str | None = None) -> None:
    text = _box("Error", title, body)
    if command:
        text += f"\n\nFor more help on using this command, run:\n  terraform {command} -help"
    err(text)
    raise ToolExit(1)


def _hcl(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _matching(folder: str, suffix: str) -> list[str]:
    """The paths ``glob(folder + "/*" + suffix)`` gives (no hidden names), sorted. No ``pathlib``: its imports
    (``fnmatch``, ``urllib.parse``, ``ipaddress``) were a seventh of each terraform call's start-up."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [os.path.join(folder, n) for n in sorted(names) if n.endswith(suffix) and not n.startswith(".")]


def read_tfvars(path: str) -> dict[str, Any]:
    """``name = value`` lines of a tfvars file (numbers, true/false, quoted strings); comments skipped."""
    import re

    values: dict[str, Any] = {}
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for line in text.splitlines():
        line = line.split("#", 1)[0].split("//", 1)[0]
        match = re.match(_TFVARS_LINE, line)
        if not match:
            continue
        name, raw = match.group(1), match.group(2)
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = raw[1:-1]
        if name not in TERRAFORM_DEFAULTS:
            err(
                _box(
                    "Warning",
                    "Value for undeclared variable",
                    f"The root module does not declare a variable "
                    f'named "{name}" but a value was found in file "{os.path.basename(path)}".',
                )
            )
            continue
        try:
            values[name] = coerce_tf_var(name, raw)
        except TfVarError as exc:
            _error(
                "Invalid value for input variable",
                f"The given value is not suitable for var.{name} declared in {os.path.basename(path)}: {exc}.",
            )
    return values


class Terraform:
    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.cwd = os.getcwd()

    def run(self, argv: list[str]) -> int:
        # global options before the subcommand: -chdir=DIR is where the root module is
        while argv and argv[0].startswith("-chdir="):
            self.cwd = os.path.realpath(os.path.join(self.cwd, argv[0].split("=", 1)[1]))
            argv = argv[1:]
        if not argv or argv[0] in ("-help", "--help", "-h", "help"):
            out(
                "Usage: terraform [global options] <subcommand> [args]\n\nMain commands:\n  init          Prepare "
                "your working directory for other commands\n  plan          Show changes required by the current "
                "configuration\n  apply         Create or update infrastructure\n  version       Show the current "
                "Terraform version"
            )
            return 0
        command, rest = argv[0], argv[1:]
        if command in ("version", "-version", "--version", "-v"):
            out(f"Terraform v{VERSION}\non linux_amd64\n+ provider {PROVIDER}")
            return 0
        if command == "init":
            out(
                "\nInitializing the backend...\nInitializing provider plugins...\n- Reusing previous version of "
                f"cloudflare/cloudflare from the dependency lock file\n- Using previously-installed {PROVIDER}\n\n"
                "Terraform has been successfully initialized!"
            )
            return 0
        if command in ("plan", "apply"):
            return self.plan_or_apply(command, rest)
        if command == "show":
            return self.show(rest)
        err(
            f'Terraform has no command named "{command}".\n\nTo see all of Terraform\'s top-level commands, run:\n'
            "  terraform -help"
        )
        return 1

    def _options(self, command: str, argv: list[str]) -> tuple[dict[str, Any], list[str], set[str]]:
        """Parse ``argv`` with ``command``'s declared flags (:data:`COMMAND_FLAGS`, Go ``flag`` style: parsing
        stops at the first non-flag argument) and check the positionals as ``internal/command/arguments``
        does. Returns (the ``-var`` values, the targets, the booleans set as ``-name`` or ``-input=false``);
        sets ``self.valued``, ``self.positionals``, ``self.var_files`` and ``self.var_order`` (``-var`` and
        ``-var-file`` in command-line order: the later one wins)."""
        # arguments.ParseView takes these two out wherever they are, before the command's flags are parsed
        argv = [a for a in argv if a not in ("-no-color", "-compact-warnings")]
        try:
            parsed = parse_flags(argv, COMMAND_FLAGS[command], Style.GOFLAG)
        except FlagError as exc:
            _error("Failed to parse command-line flags", exc.message, command)
        flags = {"-" + dest for dest, on in parsed.bools.items() if on}
        if parsed.bools.get("input") is False:
            flags.add("-input=false")
        self.valued = {"-" + dest: value for dest, value in parsed.values.items()}
        self.positionals = list(parsed.positionals)
        too_many = len(self.positionals) > (0 if command == "plan" else 1)
        if too_many:
            _error(
                "Too many command line arguments",
                "To specify a working directory for the plan, use the global -chdir flag."
                if command == "plan"
                else "Expected at most one positional argument.",
                command,
            )
        variables: dict[str, Any] = {}
        self.var_files = []
        self.var_order: list[tuple[str, Any]] = []
        for dest, value in parsed.order:
            if dest == "var-file":
                self.var_files.append(value)
                self.var_order.append(("file", value))
            elif dest == "var":
                key, coerced = self._cli_var(value)
                variables[key] = coerced
                self.var_order.append(("var", (key, coerced)))
        targets = parsed.lists.get("target", [])
        for value in targets:
            if "." not in value:
                _error(
                    "Invalid target address",
                    f'Resource specification must include a resource type and name.\n\n(given: "{value}")',
                )
        return variables, targets, flags

    @staticmethod
    def _cli_var(value: str) -> tuple[str, Any]:
        """One ``-var`` value, ``NAME=VALUE``, checked as ``arguments.Vars.CollectValues`` checks it."""
        key, veq, raw = value.partition("=")
        if not veq or not key:
            _error(
                "Invalid -var option",
                f'The given -var option "{value}" is not correctly specified. '
                'Must be a variable name and value separated by an equals sign, like -var="key=value".',
            )
        if key.endswith(" "):
            _error(
                "Invalid -var option",
                f'Variable name "{key}" is invalid due to trailing space. Did you mean '
                f'-var="{key.rstrip(" ")}={raw.lstrip(" ")}"?',
            )
        if key not in TERRAFORM_DEFAULTS:
            _error(
                "Value for undeclared variable",
                f'A variable named "{key}" was assigned on the command line, but the root module does '
                'not declare a variable of that name. To use this value, add a "variable" block to the '
                "configuration.",
            )
        raw = raw.strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            raw = raw[1:-1]
        try:
            return key, coerce_tf_var(key, raw)
        except TfVarError as exc:
            _error("Invalid value for input variable", f"The given value is not suitable for var.{key}: {exc}.")
        raise AssertionError("unreachable")

    def _configuration(self) -> None:
        if not _matching(self.cwd, ".tf") and not _matching(self.cwd, ".tf.json"):
            _error(
                "No configuration files",
                "Plan requires configuration to be present. Planning without a "
                "configuration would mark everything for destruction, which is normally not what is desired. "
                "If you would like to destroy everything, run plan with the -destroy option. Otherwise, create "
                "a Terraform configuration file (.tf file) and try again.",
            )

    def _values(self, variables: dict[str, Any]) -> dict[str, Any]:
        """Each variable's value as terraform takes it: default < terraform.tfvars < *.auto.tfvars < each
        -var-file and -var in command-line order (``arguments.Vars.CollectValues``). Nothing remembers a value
        given with -var before."""
        wanted = dict(TERRAFORM_DEFAULTS)
        files = [os.path.join(self.cwd, "terraform.tfvars"), *_matching(self.cwd, ".auto.tfvars")]
        for path in files:
            if os.path.isfile(path):
                wanted.update(read_tfvars(path))
        for kind, item in self.var_order:
            if kind == "var":
                wanted[item[0]] = item[1]
                continue
            path = os.path.join(self.cwd, item)
            if not os.path.isfile(path):
                _error("Failed to read variables file", f"Given variables file {item} does not exist.")
            wanted.update(read_tfvars(path))
        return wanted

    def _changes(
        self, current: dict[str, Any], wanted: dict[str, Any], targets: list[str]
    ) -> tuple[list[str], dict[str, list[tuple[str, Any, Any]]]]:
        addresses = [a for a in RESOURCES if not targets or any(a == t or a.startswith(t + ".") for t in targets)]
        changes: dict[str, list[tuple[str, Any, Any]]] = {}
        for address in addresses:
            diffs = [
                (attr, current[var], wanted[var])
                for attr, var in RESOURCES[address][1].items()
                if current[var] != wanted[var]
            ]
            if diffs:
                changes[address] = diffs
        return addresses, changes

    def _print_changes(self, changes: dict[str, list[tuple[str, Any, Any]]]) -> None:
        out(
            "\nTerraform used the selected providers to generate the following execution plan. Resource actions "
            "are indicated with the following symbols:\n  ~ update in-place\n\nTerraform will perform the following "
            "actions:\n"
        )
        for address, diffs in changes.items():
            rtype, rname = address.split(".", 1)
            width = max(len(a) for a, _, _ in diffs + [("id", None, None)])
            out(f'  # {address} will be updated in-place\n  ~ resource "{rtype}" "{rname}" {{')
            out(f'        {"id":<{width}} = "{RESOURCES[address][0]}"')
            for attr, old, new in diffs:
                out(f"      ~ {attr:<{width}} = {_hcl(old)} -> {_hcl(new)}")
            hidden = len(RESOURCES[address][1]) - len(diffs) + 2
            out(f"        # ({hidden} unchanged attributes hidden)\n    }}\n")
        out(f"Plan: 0 to add, {len(changes)} to change, 0 to destroy.")

    def _load_plan(self, name: str) -> dict[str, Any]:
        path = os.path.join(self.cwd, name)
        try:
            with open(path, encoding="utf-8") as handle:
                plan = json.loads(handle.read())
        except (OSError, UnicodeDecodeError, ValueError):
            plan = None
        if not isinstance(plan, dict) or plan.get("format") != PLAN_FORMAT:
            _error(
                'Failed to load "' + name + '" as a plan file',
                "Error: stat " + name + ": no such file or directory"
                if not os.path.exists(path)
                else "The file is not a saved plan.",
            )
        return plan  # type: ignore[return-value]

    def show(self, argv: list[str]) -> int:
        _, _, flags = self._options("show", argv)
        if not self.positionals:
            state = self.inv.admin("GET", "/admin/state")
            out(
                json.dumps(
                    {"format_version": "1.0", "values": {"root_module": {}}, "applied_vars": state["terraform"]["vars"]}
                )
                if "-json" in flags
                else "# (state of the simulated edge)"
            )
            return 0
        plan = self._load_plan(self.positionals[0])
        changes = {a: [tuple(d) for d in diffs] for a, diffs in plan["changes"].items()}
        if "-json" not in flags:
            if changes:
                self._print_changes(changes)  # type: ignore[arg-type]
            else:
                out("\nNo changes. Your infrastructure matches the configuration.")
            return 0
        resource_changes = []
        for address, (ident, attrs) in RESOURCES.items():
            if address not in plan["targets_resolved"]:
                continue
            before = {"id": ident, **{a: plan["before"][v] for a, v in attrs.items()}}
            after = {"id": ident, **{a: plan["vars"][v] for a, v in attrs.items()}}
            rtype, rname = address.split(".", 1)
            resource_changes.append(
                {
                    "address": address,
                    "mode": "managed",
                    "type": rtype,
                    "name": rname,
                    "provider_name": PROVIDER.split()[0],
                    "change": {
                        "actions": ["update"] if address in changes else ["no-op"],
                        "before": before,
                        "after": after,
                    },
                }
            )
        out(
            json.dumps(
                {
                    "format_version": "1.2",
                    "terraform_version": VERSION,
                    "variables": {k: {"value": v} for k, v in plan["vars"].items()},
                    "resource_changes": resource_changes,
                    "applyable": bool(changes),
                    "complete": True,
                    "errored": False,
                }
            )
        )
        return 0

    def plan_or_apply(self, command: str, argv: list[str]) -> int:
        variables, targets, flags = self._options(command, argv)
        state = self.inv.admin("GET", "/admin/state")
        current: dict[str, Any] = state["terraform"]["vars"]
        serial = len(state["terraform"]["applies"])
        if command == "apply" and self.positionals:
            return self.apply_saved(self.positionals[0], variables, serial)
        self._configuration()
        wanted = self._values(variables)
        addresses, changes = self._changes(current, wanted, targets)
        for address in addresses:
            out(f"{address}: Refreshing state... [id={RESOURCES[address][0]}]")
        if targets:
            out(
                "\n"
                + _box(
                    "Warning",
                    "Resource targeting is in effect",
                    "You are creating a plan with the -target option, which means that the result of this "
                    "plan may not represent all of the changes requested by the current configuration.\n\n"
                    "The -target option is not for routine use, and is provided only for exceptional "
                    "situations such as recovering from errors or mistakes, or when Terraform specifically "
                    "suggests to use it as part of an error message.",
                )
            )
        out_file = self.valued.get("-out") if command == "plan" else None
        if out_file:
            plan = {
                "format": PLAN_FORMAT,
                "serial": serial,
                "vars": wanted,
                "before": current,
                "targets_resolved": addresses,
                "changes": {a: [list(d) for d in diffs] for a, diffs in changes.items()},
            }
            path = os.path.join(self.cwd, out_file)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(plan, handle)
        if not changes:
            out(
                "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real "
                "infrastructure against your configuration and found no differences, so no changes are needed."
            )
            if command == "apply":
                out("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.")
            return 0
        self._print_changes(changes)
        if command == "plan":
            if out_file:
                out(
                    f"\n─────────────────────────────────────────────────────────────────────────────\n\nSaved the "
                    f"plan to: {out_file}\n\nTo perform exactly these actions, run the following command to apply:\n"
                    f'    terraform apply "{out_file}"'
                )
            else:
                out(
                    "\n─────────────────────────────────────────────────────────────────────────────\n\nNote: You "
                    "didn't use the -out option to save this plan, so Terraform can't guarantee to take exactly "
                    'these actions if you run "terraform apply" now.'
                )
            return 2 if "-detailed-exitcode" in flags else 0
        if "-auto-approve" not in flags:
            if "-input=false" in flags:
                _error(
                    "No value for required approval",
                    "Apply requires approval: run with -auto-approve when input is disabled.",
                )
            out(
                "\nDo you want to perform these actions?\n  Terraform will perform the actions described above.\n"
                "  Only 'yes' will be accepted to approve.\n\n  Enter a value: ",
                end="",
            )
            answer = self.inv.read_stdin_line().strip()
            out("")
            if answer != "yes":
                err("\nApply cancelled.")
                return 1
        return self._apply_changes(changes, current, wanted)

    def apply_saved(self, name: str, variables: dict[str, Any], serial: int) -> int:
        if variables or self.var_files:
            _error(
                "Can't set variables when applying a saved plan",
                "The -var and -var-file options cannot be "
                "used when applying a saved plan file, because a saved plan includes the variable values that "
                "were set when it was created.",
                "apply",
            )
        plan = self._load_plan(name)
        if plan.get("serial") != serial:
            _error(
                "Saved plan is stale",
                "The given plan file can no longer be applied because the state was "
                "changed by another operation after the plan was created.",
            )
        state = self.inv.admin("GET", "/admin/state")
        current = state["terraform"]["vars"]
        changes = {a: [tuple(d) for d in diffs] for a, diffs in plan["changes"].items()}
        if not changes:
            out("\nApply complete! Resources: 0 added, 0 changed, 0 destroyed.")
            return 0
        return self._apply_changes(changes, current, plan["vars"])  # type: ignore[arg-type]

    def _apply_changes(
        self, changes: dict[str, list[tuple[str, Any, Any]]], current: dict[str, Any], wanted: dict[str, Any]
    ) -> int:
        changed_vars = {
            var: wanted[var]
            for address in changes
            for _, var in RESOURCES[address][1].items()
            if current[var] != wanted[var]
        }
        for address in changes:
            out(f"{address}: Modifying... [id={RESOURCES[address][0]}]")
        try:
            self.inv.admin("POST", "/admin/terraform", {"vars": changed_vars})
        except AdminError as exc:
            _error("Error updating resources", exc.message)
        for address in changes:
            out(f"{address}: Modifications complete after 1s [id={RESOURCES[address][0]}]")
        out(f"\nApply complete! Resources: 0 added, {len(changes)} changed, 0 destroyed.")
        return 0


def main(argv: list[str] | None = None) -> int:
    return run_tool("terraform", argv, lambda inv: Terraform(inv).run(inv.argv))


if __name__ == "__main__":
    sys.exit(main())
