"""Simulated ``wrangler`` (4.x) against the simulated edge's Cloudflare API.

Commands: ``--version``, ``whoami``, ``deploy``, ``secret put|delete|list``, ``kv key list|get|put|delete``,
``deployments list [--json]``, ``queues list``, and ``tail`` (delegated to
``console.sim.tools.wrangler_tail``). Output and argument rules follow wrangler 4:

- ``secret put NAME`` reads the value from stdin; a value argument is an "Unknown argument" error.
- KV commands without ``--remote`` use wrangler's *local* store (the remote state is not touched; ``put`` and
  ``delete`` say "Resource location: local" on stdout, ``get``/``list`` say nothing), exactly the trap the
  runbook's old ``kv:key`` lines fall into.
- ``--name W --env E`` on ``secret`` commands targets ``W-E`` (wrangler's legacy environments);
  ``deployments list`` refuses ``--name`` with ``--env``.
- ``deploy [SCRIPT] [--env E] [--name N] [--dry-run] [--message M]`` reads the Wrangler configuration in
  the working directory (``name``, ``main``, ``[env.E]``), uploads the entry point and the modules next to
  it, and the simulated edge records a new deployment (and takes the worker's ``CACHE_RULES`` from it).
- No ``CLOUDFLARE_API_TOKEN``: the non-interactive auth error, exit 1; a wrong one: the API's
  ``Authentication error [code: 10000]``.

What hurts, as the real wrangler 4 does it (checked in cloudflare/workers-sdk, packages/wrangler/src):

- ``--env E`` reads the Wrangler configuration in the working directory: when it has ``[env.*]`` sections
  but none named ``E`` that is an error (workers-utils ``config/validation.ts``: "No environment found in
  configuration with name"), a warning when it has none.
- ``secret put`` on a Worker that does not exist (a misspelled ``--name``, or ``--name W --env E`` making
  ``W-E``): the API answers 10007 and wrangler asks "Do you want to create a new Worker with that name" --
  in a non-interactive run the fallback is yes (``dialogs.ts``), so it uploads an empty draft Worker and
  puts the secret there (``secret/index.ts``: ``createDraftWorker``). Exit status 0.
- ``secret put`` during a gradual rollout: the API's 10215 (``VERSION_NOT_DEPLOYED_ERR_CODE``), which
  wrangler turns into advice to use ``wrangler versions secret put``. ``versions secret put NAME --name W``
  makes a new version with the secret without deploying it.
- ``rollback [VERSION_ID] --name W [--message M] [-y]`` (``versions/rollback/index.ts``): without a version
  it takes the 100% version of the deployment before the current one; it prompts for a message and a
  confirmation (non-interactive: the fallbacks, "Rollback" and yes); when secrets changed since that version
  the API answers 10220 and wrangler asks again, then retries with ``force``.
- Arguments are parsed as yargs does under wrangler's ``.strict()`` (``console.sim.tools.flags``): every unknown
  option is reported at once ("Unknown arguments: a, b", exit 1); an option declared ``requiresArg`` followed by
  another option (``--name --env production``) is "Not enough arguments following: name".
"""

from __future__ import annotations

from console.sim.tools import jsonlite as json  # json.loads/dumps without importing json (start-up time)
import os
import sys

from console.sim.tools._common import AdminError, Invocation, ToolExit, err, hold_if_asked, out, run_tool
from console.sim.tools.flags import Flag, FlagError, Parsed, Style
from console.sim.tools.flags import parse as parse_flags
from console.sim.tools._urls import quote, urlencode

# One command per process: what only some commands need (``pathlib`` for deploy, ``tomllib`` for a TOML
# configuration) is imported where it is used, and ``typing`` not at all (annotations are never evaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VERSION = "4.42.0"
BANNER = f"\n ⛅️ wrangler {VERSION}\n" + "─" * 19
NO_TOKEN = (
    "✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN "
    "environment variable for wrangler to work. Please go to "
    "https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ for instructions "
    "on how to create an api token, and assign its value to CLOUDFLARE_API_TOKEN."
)
#: which store a KV write or delete acts on, on stdout (logger.log) before the command's own output; wrangler 4
#: prints it for ``kv key put|delete`` only (``printResourceLocation: true``), never for ``get|list``, whose
#: stdout is the data (kv/index.ts, core/register-yargs-command.ts, utils/is-local.ts at wrangler@4.42.0). The
#: banner comes first: the command handler prints it (``printBanner`` is unset for put and delete, ``false`` for
#: get and list) after yargs has checked the arguments and before the resource location.
LOCAL_NOTICE = "Resource location: local\nUse --remote if you want to access the remote instance.\n"
REMOTE_NOTICE = "Resource location: remote"
HELP = """wrangler

COMMANDS
  wrangler deploy [script]   🆙 Deploy a Worker to Cloudflare
  wrangler deployments       🚢 List and view the current and past deployments for your Worker
  wrangler kv                🗂️  Manage Workers KV Namespaces
  wrangler queues            📬 Manage Workers Queues
  wrangler secret            🤫 Generate a secret that can be referenced in a Worker
  wrangler tail [worker]     🦚 Start a log tailing session for a Worker
  wrangler whoami            🕵️  Retrieve your user information

GLOBAL FLAGS
  -c, --config   Path to Wrangler configuration file  [string]
  -e, --env      Environment to use for operations, and for selecting .env and .dev.vars files  [string]
  -h, --help     Show help  [boolean]
  -v, --version  Show version number  [boolean]"""

#: wrangler's global flags (``createCLIParser`` in packages/wrangler/src/index.ts): the values require an argument
GLOBAL_FLAGS = (
    Flag(("--env", "-e"), "env", requires_arg=True),
    Flag(("--config", "-c"), "config", requires_arg=True),
    Flag(("--cwd",), "cwd", requires_arg=True),
    Flag(("--help", "-h"), "help", value=False),
    Flag(("--version", "-v"), "version", value=False),
)


class Args:
    def __init__(self, parsed: Parsed) -> None:
        self.positionals: list[str] = parsed.positionals
        self.values: dict[str, str] = parsed.values
        self.flags: set[str] = {dest for dest, on in parsed.bools.items() if on}
        self.unknown: list[str] = parsed.unknown


def parse(argv: list[str], flags: tuple[Flag, ...]) -> Args:
    """``argv`` against the command's declared ``flags`` and wrangler's globals, as yargs in strict mode parses
    them (``console.sim.tools.flags``, style YARGS). A missing value of a ``requiresArg`` option ends the
    command ("Not enough arguments following"); unknown options are left to the command to report together."""
    try:
        return Args(parse_flags(argv, (*GLOBAL_FLAGS, *flags), Style.YARGS))
    except FlagError as exc:
        err(f"✘ [ERROR] {exc.message}")
        raise ToolExit(1) from None


def _value(*names: str, dest: str, required: bool = True) -> Flag:
    """A string option; ``required``: declared ``requiresArg`` in workers-sdk."""
    return Flag(names, dest, requires_arg=required)


def _switch(*names: str, dest: str) -> Flag:
    return Flag(names, dest, value=False)


def unknown_arguments(names: list[str]) -> None:
    label = "argument" if len(names) == 1 else "arguments"
    err(f"\n✘ [ERROR] Unknown {label}: {', '.join(names)}\n")
    raise ToolExit(1)


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def confirm_fallback(question: str, fallback: bool = True) -> bool:
    """wrangler's ``confirm`` in a non-interactive run: print the question and take the fallback."""
    out(f"? {question}")
    out(f"🤖 Using fallback value in non-interactive context: {'yes' if fallback else 'no'}")
    return fallback


class Wrangler:
    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.token = os.environ.get("CLOUDFLARE_API_TOKEN", "")

    # -- config / auth -----------------------------------------------------------------
    def config(self, args: Args) -> dict[str, Any]:
        cfg = self._read_config(args)
        env = args.values.get("env")
        if env and cfg and env not in (cfg.get("env") or {}):
            names = list((cfg.get("env") or {}))
            message = (
                f'No environment found in configuration with name "{env}".\nBefore using `--env={env}` '
                "there should be an equivalent environment section in the configuration.\n"
            )
            if names:
                message += f"The available configured environment names are: {json.dumps(names)}\n"
                err(f"\n✘ [ERROR] Processing wrangler configuration:\n\n  - {message}")
                raise ToolExit(1)
            err(f"▲ [WARNING] Processing wrangler configuration:\n\n  - {message}")
        return cfg

    def _read_config(self, args: Args) -> dict[str, Any]:
        if args.values.get("config"):
            from pathlib import Path

            given = Path(args.values["config"])
            if not given.is_file():
                err(f"✘ [ERROR] Could not read file: {given}")
                raise ToolExit(1)
            candidates = [str(given)]
        else:
            base = args.values.get("cwd") or os.getcwd()
            candidates = [os.path.join(base, name) for name in ("wrangler.toml", "wrangler.json", "wrangler.jsonc")]
        for path in candidates:
            if not os.path.isfile(path):
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                if os.path.splitext(path)[1] == ".toml":
                    import tomllib

                    return tomllib.loads(text)
                lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
                return json.loads("\n".join(lines))
            except (OSError, ValueError) as exc:
                err(f"✘ [ERROR] Could not parse {os.path.basename(path)}: {exc}")
                raise ToolExit(1) from None
        return {}

    def config_name(self, args: Args) -> str | None:
        cfg = self.config(args)
        env = args.values.get("env")
        name = cfg.get("name")
        if env:
            env_cfg = (cfg.get("env") or {}).get(env) or {}
            if env_cfg.get("name"):
                return str(env_cfg["name"])
            return f"{name}-{env}" if name else None
        return str(name) if name else None

    def require_token(self) -> None:
        if not self.token:
            err(NO_TOKEN)
            raise ToolExit(1)

    def account_id(self, args: Args) -> str:
        account = os.environ.get("CLOUDFLARE_ACCOUNT_ID") or self.config(args).get("account_id")
        if account:
            return str(account)
        data = self.api("GET", "/accounts")
        accounts = data.get("result") or []
        if len(accounts) != 1:
            err(
                "✘ [ERROR] More than one account available but unable to select one in non-interactive mode.\n"
                "Please set the appropriate `account_id` in your Wrangler configuration file or assign it to the "
                "`CLOUDFLARE_ACCOUNT_ID` environment variable."
            )
            raise ToolExit(1)
        return str(accounts[0]["id"])

    def api(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        expect_json: bool = True,
        allow_404: bool = False,
        codes: tuple[int, ...] = (),
    ) -> Any:
        """The API's answer; exits 1 on an error, except that an error whose code is in ``codes`` is
        raised as :class:`ApiError` for the command to handle (as wrangler catches 10007, 10215, 10220)."""
        self.require_token()
        status, data, ctype = self.inv.call(
            method, "/client/v4" + path, body=body, raw=raw, headers={"Authorization": f"Bearer {self.token}"}
        )
        if allow_404 and status == 404:
            return None
        if status >= 400 or (expect_json and "json" in ctype):
            try:
                parsed = json.loads(data.decode("utf-8") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError):
                parsed = None
            if status >= 400 or not (isinstance(parsed, dict) and parsed.get("success")):
                errors = parsed.get("errors") if isinstance(parsed, dict) else None
                for e in errors or []:
                    if e.get("code") in codes:
                        raise ApiError(int(e["code"]), str(e.get("message") or ""))
                detail = "\n".join(f"  {e.get('message')} [code: {e.get('code')}]" for e in errors or []) or (
                    f"  HTTP {status}"
                )
                shown = path.split("?", 1)[0]
                err(f"\n✘ [ERROR] A request to the Cloudflare API ({shown}) failed.\n\n{detail}\n")
                if any(e.get("code") == 10000 for e in errors or []):
                    err(
                        "📎 It looks like you are authenticating Wrangler via a custom API token set in an "
                        "environment variable.\nPlease ensure it has the correct permissions for this operation.\n"
                    )
                raise ToolExit(1)
            return parsed
        return data

    # -- commands ------------------------------------------------------------------------
    def run(self, argv: list[str]) -> int:
        if not argv:
            out(HELP)
            return 0
        if argv[0] in ("--version", "-v", "version"):
            out(VERSION)
            return 0
        if argv[0] in ("--help", "-h", "help"):
            out(HELP)
            return 0
        command = argv[0]
        if command == "deploy":
            return self.deploy(argv[1:])
        if command == "secret":
            return self.secret(argv[1:])
        if command == "kv":
            return self.kv(argv[1:])
        if command == "deployments":
            return self.deployments(argv[1:])
        if command == "rollback":
            return self.rollback(argv[1:])
        if command == "versions":
            return self.versions(argv[1:])
        if command == "queues":
            return self.queues(argv[1:])
        if command == "whoami":
            return self.whoami(argv[1:])
        if command.startswith("kv:"):
            err(
                f"\n✘ [ERROR] Unknown argument: {command}\n\n"
                f"`wrangler {command} ...` was removed in wrangler 4; use `wrangler kv {command[3:]} ...` "
                "(and add --remote to reach the deployed namespace)."
            )
            return 1
        unknown_arguments([command])
        return 1

    # secret ---------------------------------------------------------------------------
    def _script(self, args: Args) -> str:
        name, env = args.values.get("name"), args.values.get("env")
        if name:
            return f"{name}-{env}" if env else name  # wrangler's getLegacyScriptName
        configured = self.config_name(args)
        if not configured:
            err(
                "\n✘ [ERROR] Required Worker name missing. Please specify the Worker name in your Wrangler "
                "configuration file, or pass it as an argument with `--name <worker-name>`\n"
            )
            raise ToolExit(1)
        return configured

    def secret(self, argv: list[str]) -> int:
        if not argv or argv[0] not in ("put", "delete", "list"):
            unknown_arguments(argv[:1] or ["secret"])
        sub, rest = argv[0], argv[1:]
        args = parse(rest, (_value("--name", dest="name"), _value("--format", dest="format")))
        if args.unknown:
            unknown_arguments(args.unknown)
        want = 0 if sub == "list" else 1
        if len(args.positionals) > want:
            unknown_arguments(args.positionals[want:])
        if len(args.positionals) < want:
            err("\n✘ [ERROR] Not enough non-option arguments: got 0, need at least 1\n")
            return 1
        self.require_token()
        self.config(args)  # wrangler reads (and validates) the configuration in the directory first
        script = self._script(args)
        account = self.account_id(args)
        base = f"/accounts/{account}/workers/scripts/{quote(script, safe='')}/secrets"
        if sub == "list":
            data = self.api("GET", base)
            out(json.dumps(data["result"], indent=2))
            return 0
        name = args.positionals[0]
        if sub == "delete":
            out(BANNER)
            out(f"🌀 Deleting the secret {name} on the Worker {script}")
            self.api("DELETE", f"{base}/{quote(name, safe='')}")
            out("✨ Success! Deleted secret " + name)
            return 0
        out(BANNER)
        if sys.stdin is not None and sys.stdin.isatty():
            out("? Enter a secret value: ", end="")
            value = self.inv.read_stdin_line()
        else:
            value = self.inv.read_stdin()
        if value.endswith("\n"):
            value = value[:-1]
        if value.endswith("\r"):
            value = value[:-1]
        out(f'🌀 Creating the secret for the Worker "{script}" ')
        body = {"name": name, "text": value, "type": "secret_text"}
        try:
            self.api("PUT", base, body=body, codes=(10007, 10215))
        except ApiError as exc:
            if exc.code == 10215:
                err(
                    "\n✘ [ERROR] Secret edit failed. You attempted to modify a secret, but the latest version of "
                    "your Worker isn't currently deployed.\nThis limitation exists to prevent accidental "
                    "deployment when using Worker versions and secrets together.\nTo resolve this, you have two "
                    "options:\n(1) use the `wrangler versions secret put` instead, which allows you to update "
                    "secrets without deploying; or\n(2) deploy the latest version first, then modify secrets.\n"
                    "Alternatively, you can use the Cloudflare dashboard to modify secrets and deploy the version."
                    "\n\n  [code: 10215]\n"
                )
                return 1
            # 10007: no such Worker. wrangler offers to create a draft one; non-interactive, it does.
            if not confirm_fallback(
                f'There doesn\'t seem to be a Worker called "{script}". Do you want to create '
                "a new Worker with that name and add secrets to it?"
            ):
                out("Aborting. No secrets added.")
                return 0
            out(f'🌀 Creating new Worker "{script}"...')
            self.api(
                "PUT",
                f"/accounts/{account}/workers/scripts/{quote(script, safe='')}",
                body={
                    "metadata": {"main_module": script, "bindings": []},
                    "files": {script: "export default { fetch() {} }"},
                },
            )
            self.api("PUT", base, body=body)
        out(f"✨ Success! Uploaded secret {name}")
        return 0

    # versions secret put -------------------------------------------------------------------
    def versions(self, argv: list[str]) -> int:
        if argv[:2] != ["secret", "put"]:
            unknown_arguments(argv[:2] or ["versions"])
        args = parse(
            argv[2:], (_value("--name", dest="name"), _value("--message", dest="message"), _value("--tag", dest="tag"))
        )
        if args.unknown:
            unknown_arguments(args.unknown)
        if len(args.positionals) != 1:
            err(
                "\n✘ [ERROR] Not enough non-option arguments: got 0, need at least 1\n"
                if not args.positionals
                else f"\n✘ [ERROR] Unknown arguments: {', '.join(args.positionals[1:])}\n"
            )
            return 1
        self.require_token()
        script = args.values.get("name") or self.config_name(args)
        if not script:
            err(
                "\n✘ [ERROR] Required Worker name missing. Please specify the Worker name in your Wrangler "
                "configuration file, or pass it as an argument with `--name <worker-name>`\n"
            )
            return 1
        out(BANNER)
        value = self.inv.read_stdin()
        value = value[:-1] if value.endswith("\n") else value
        name = args.positionals[0]
        out(f'🌀 Creating the secret for the Worker "{script}" ')
        try:
            item = self.inv.admin(
                "POST", "/admin/wrangler/versions-secret", {"script": script, "name": name, "value": value}
            )
        except AdminError as exc:
            err(f"\n✘ [ERROR] {exc.message}\n")
            return 1
        out(
            f"✨ Success! Created version {item['version_id']} with secret {name}.\n➡️  To deploy this version "
            f'with secret {name} to production traffic use the command "wrangler versions deploy".'
        )
        return 0

    # rollback --------------------------------------------------------------------------------
    def rollback(self, argv: list[str]) -> int:
        args = parse(
            argv,
            (  # versions/rollback/index.ts: --name and --message are declared without requiresArg
                _value("--name", dest="name", required=False),
                _value("--message", "-m", dest="message", required=False),
                _switch("--yes", "-y", dest="yes"),
            ),
        )
        if args.unknown:
            unknown_arguments(args.unknown)
        if len(args.positionals) > 1:
            unknown_arguments(args.positionals[1:])
        self.require_token()
        script = args.values.get("name") or self.config_name(args)
        if not script:
            err(
                "\n✘ [ERROR] You need to provide a name for your Worker. Either pass it as a cli arg with "
                '`--name <name>` or in your configuration file as `name = "<name>"`\n'
            )
            return 1
        account = self.account_id(args)
        base = f"/accounts/{account}/workers/scripts/{quote(script, safe='')}/deployments"
        data = self.api("GET", base)
        entries = sorted(data["result"]["deployments"], key=lambda d: d["created_on"], reverse=True)
        out(BANNER)
        if entries:
            out(f"Current deployment: {entries[0]['id']} ({entries[0]['created_on']})")
        version = args.positionals[0] if args.positionals else None
        if version is None:
            out("Finding latest stable Worker Version to rollback to")
            version = next(
                (v["version_id"] for d in entries[1:] for v in d["versions"] if v.get("percentage") == 100), None
            )
            if version is None:
                err(
                    "\n✘ [ERROR] Could not find stable Worker Version to rollback to. Please try again with an "
                    "explicit Version ID.\n"
                )
                return 1
        interactive = sys.stdin is not None and sys.stdin.isatty() and "yes" not in args.flags
        message = args.values.get("message") or "Rollback"
        if not interactive:
            out("? Please provide an optional message for this rollback (120 characters max)")
            out(f"🤖 Using fallback value in non-interactive context: {message}")
        out(
            f"├ You are about to rollback to Worker Version {version}.\n│ This will immediately replace the current "
            "deployment and become the active deployment across all your deployed triggers."
        )
        question = "Are you sure you want to deploy this Worker Version to 100% of traffic?"
        if interactive:
            out(f"? {question} (Y/n) ", end="")
            if self.inv.read_stdin_line().strip().lower() in ("n", "no"):
                out("Aborting rollback...")
                return 0
        else:
            confirm_fallback(question)
        out("Performing rollback...")
        body = {
            "strategy": "percentage",
            "versions": [{"version_id": version, "percentage": 100}],
            "annotations": {"workers/message": message[:120]},
        }
        try:
            self.api("POST", base, body=body, codes=(10220,))
        except ApiError as exc:
            changed = exc.message.split("The following secrets have changed:", 1)[-1].strip()
            question = (
                f"The following secrets have changed since version {version} was deployed. Please confirm "
                "you wish to continue with the rollback\n" + "\n".join(f"  * {n.strip()}" for n in changed.split(","))
            )
            if interactive:
                out(f"? {question} (Y/n) ", end="")
                if self.inv.read_stdin_line().strip().lower() in ("n", "no"):
                    out("Aborting rollback...")
                    return 0
            else:
                confirm_fallback(question)
            self.api("POST", base + "?force=true", body=body)
        out(
            f"╰ SUCCESS Worker Version {version} has been deployed to 100% of traffic.\n\nCurrent Version ID: {version}"
        )
        return 0

    # kv ---------------------------------------------------------------------------------
    def kv(self, argv: list[str]) -> int:
        if len(argv) < 2 or argv[0] != "key" or argv[1] not in ("list", "get", "put", "delete"):
            if argv[:1] == ["namespace"]:
                err("✘ [ERROR] `wrangler kv namespace` is not available in the simulated wrangler")
                return 1
            unknown_arguments(argv[:2] or ["kv"])
        sub, rest = argv[1], argv[2:]
        args = parse(
            rest,
            (  # kv/index.ts: binding, namespace-id, prefix and path require their argument
                _value("--namespace-id", dest="namespace_id"),
                _value("--binding", dest="binding"),
                _value("--prefix", dest="prefix"),
                _value("--ttl", dest="ttl"),
                _value("--expiration", dest="expiration"),
                _value("--path", dest="path"),
                _value("--metadata", dest="metadata"),
                _switch("--remote", dest="remote"),
                _switch("--local", dest="local"),
                _switch("--text", dest="text"),
                _switch("--preview", dest="preview"),
            ),
        )
        if args.unknown:
            unknown_arguments(args.unknown)
        want = {"list": 0, "get": 1, "put": 2, "delete": 1}[sub]
        if sub == "put" and args.values.get("path"):
            want = 1
        if len(args.positionals) > want:
            unknown_arguments(args.positionals[want:])
        if len(args.positionals) < want:
            err(f"\n✘ [ERROR] Not enough non-option arguments: got {len(args.positionals)}, need at least {want}\n")
            return 1
        if "binding" in args.values and "namespace_id" not in args.values:
            err(
                f"\n✘ [ERROR] No KV Namespaces found with binding {args.values['binding']}. "
                "The simulated wrangler has no Wrangler configuration: pass --namespace-id.\n"
            )
            return 1
        ns = args.values.get("namespace_id")
        if not ns:
            err("\n✘ [ERROR] Exactly one of the arguments binding and namespace-id is required\n")
            return 1
        if "remote" in args.flags and "local" in args.flags:
            err("\n✘ [ERROR] Arguments remote and local are mutually exclusive\n")
            return 1
        remote = "remote" in args.flags
        if sub in ("put", "delete"):  # after the argument checks, before the token is asked for
            out(BANNER)  # put and delete keep the banner (get and list turn it off: their stdout is the data)
            out(REMOTE_NOTICE if remote else LOCAL_NOTICE)
        value = None
        key = args.positionals[0] if args.positionals else ""
        if sub == "put":
            if args.values.get("path"):
                try:
                    with open(args.values["path"], encoding="utf-8") as handle:
                        value = handle.read()
                except OSError as exc:
                    err(f"✘ [ERROR] Could not read file: {exc}")
                    return 1
            else:
                value = args.positionals[1]
        if not remote:
            return self._kv_local(sub, ns, key, value, args)
        self.require_token()
        account = self.account_id(args)
        base = f"/accounts/{account}/storage/kv/namespaces/{quote(ns, safe='')}"
        if sub == "list":
            names: list[dict[str, Any]] = []
            cursor = ""
            while True:
                query = {"limit": "1000"}
                if args.values.get("prefix"):
                    query["prefix"] = args.values["prefix"]
                if cursor:
                    query["cursor"] = cursor
                data = self.api("GET", f"{base}/keys?{urlencode(query)}")
                names.extend(data["result"])
                cursor = (data.get("result_info") or {}).get("cursor") or ""
                if not cursor:
                    break
            out(json.dumps(names, indent=2))
            return 0
        path = f"{base}/values/{quote(key, safe='')}"
        if sub == "get":
            data = self.api("GET", path, expect_json=False, allow_404=True)
            if data is None:
                out("Value not found")
                return 0
            if "text" in args.flags:  # logger.log: decoded, and a newline after it
                out(data.decode("utf-8", "replace"))
                return 0
            sys.stdout.buffer.write(data)  # the bytes as stored
            sys.stdout.flush()
            return 0
        if sub == "put":
            query = ""
            if args.values.get("ttl"):
                query = "?" + urlencode({"expiration_ttl": args.values["ttl"]})
            if args.values.get("path"):
                out(f'Writing the contents of {args.values["path"]} to the key "{key}" on namespace {ns}.')
            else:
                out(f'Writing the value "{value}" to key "{key}" on namespace {ns}.')
            self.api("PUT", path + query, raw=(value or "").encode("utf-8"))
            return 0
        out(f'Deleting the key "{key}" on namespace {ns}.')
        self.api("DELETE", path)
        return 0

    def _kv_local(self, sub: str, ns: str, key: str, value: str | None, args: Args) -> int:
        """wrangler 4 without --remote: the local (Miniflare) store; the deployed namespace is untouched."""

        def local(op: str, **extra: Any) -> Any:
            return self.inv.admin("POST", "/admin/wrangler-local/kv", {"op": op, "namespace": ns, "key": key, **extra})[
                "result"
            ]

        if sub == "list":
            prefix = args.values.get("prefix") or ""
            out(json.dumps([{"name": k} for k in local("list") if k.startswith(prefix)], indent=2))
        elif sub == "get":
            found = local("get")
            out(
                "Value not found" if found is None else found, end="\n" if found is None or "text" in args.flags else ""
            )
        elif sub == "put":
            out(f'Writing the value "{value}" to key "{key}" on namespace {ns}.')
            local("put", value=value)
        else:
            out(f'Deleting the key "{key}" on namespace {ns}.')
            local("delete")
        return 0

    # deploy ---------------------------------------------------------------------------------
    def deploy(self, argv: list[str]) -> int:
        args = parse(
            argv,
            (  # deployment-bundle/deploy-args.ts: the string options require their argument
                _value("--name", dest="name"),
                _value("--message", dest="message"),
                _value("--tag", dest="tag"),
                _value("--compatibility-date", dest="compatibility_date"),
                _value("--outdir", dest="outdir"),
                _switch("--dry-run", dest="dry_run"),
                _switch("--minify", dest="minify"),
                _switch("--keep-vars", dest="keep_vars"),
            ),
        )
        if args.unknown:
            unknown_arguments(args.unknown)
        if len(args.positionals) > 1:
            unknown_arguments(args.positionals[1:])
        cfg = self.config(args)
        env = args.values.get("env")
        env_cfg = ((cfg.get("env") or {}).get(env) or {}) if env else {}
        if env and cfg and env not in (cfg.get("env") or {}):
            err(f'▲ [WARNING] No environment found in configuration with name "{env}".')
        from pathlib import Path

        base = Path(args.values.get("cwd") or os.getcwd())
        main = args.positionals[0] if args.positionals else env_cfg.get("main") or cfg.get("main")
        if not main:
            err(
                "\n✘ [ERROR] Missing entry-point to Worker script or to assets directory\n\n"
                "If there is code to deploy, you can either:\n"
                "- Specify an entry-point to your Worker script via the command line (ex: `npx wrangler deploy "
                'src/index.ts`)\n- Or add the following to your "wrangler.toml" file:\n\n```\n'
                'main = "src/index.ts"\n```\n'
            )
            return 1
        entry = base / main
        if not entry.is_file():
            err(f'\n✘ [ERROR] The entry-point file at "{main}" was not found.\n')
            return 1
        name = args.values.get("name")
        script = (f"{name}-{env}" if name and env else name) or self.config_name(args)
        if not script:
            err(
                "\n✘ [ERROR] You need to provide a name when publishing a worker. Either pass it as a cli arg "
                'with `--name <name>` or in your config file as `name = "<name>"`\n'
            )
            return 1
        files = {
            p.relative_to(entry.parent).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(entry.parent.rglob("*"))
            if p.is_file() and p.suffix in (".ts", ".js", ".mjs", ".json", ".wasm")
        }
        size = sum(len(text.encode()) for text in files.values())
        out(BANNER)
        out(f"Total Upload: {size / 1024:.2f} KiB / gzip: {size / 1024 / 3.1:.2f} KiB")
        bindings = [
            (kv.get("binding", "?"), kv.get("id", "?"), "KV Namespace")
            for kv in (env_cfg.get("kv_namespaces") or cfg.get("kv_namespaces") or [])
        ]
        if bindings:
            out("Your Worker has access to the following bindings:")
            width = max(len(f"env.{b} ({i})") for b, i, _ in bindings) + 6
            out(f"{'Binding':<{width}}Resource")
            for binding, ident, kind in bindings:
                out(f"{f'env.{binding} ({ident})':<{width}}{kind}")
            out("")
        if "dry_run" in args.flags:
            out("--dry-run: exiting now.")
            return 0
        self.require_token()
        account = self.account_id(args)
        metadata: dict[str, Any] = {
            "main_module": entry.name,
            "compatibility_date": args.values.get("compatibility_date") or cfg.get("compatibility_date"),
            "bindings": [{"type": "kv_namespace", "name": b, "namespace_id": i} for b, i, _ in bindings],
        }
        if args.values.get("message") or args.values.get("tag"):
            metadata["annotations"] = {
                "workers/message": args.values.get("message"),
                "workers/tag": args.values.get("tag"),
            }
        data = self.api(
            "PUT",
            f"/accounts/{account}/workers/scripts/{quote(script, safe='')}",
            body={"metadata": metadata, "files": files},
        )
        result = data["result"]
        out(f"Uploaded {script} (1.42 sec)")
        out(f"Deployed {script} triggers (0.31 sec)")
        out(f"  https://{script}.twist.workers.dev")
        out(f"Current Version ID: {result['version_id']}")
        return 0

    # deployments ---------------------------------------------------------------------------
    def deployments(self, argv: list[str]) -> int:
        if not argv or argv[0] not in ("list", "status"):
            unknown_arguments(argv[:1] or ["deployments"])
        args = parse(argv[1:], (_value("--name", dest="name"), _switch("--json", dest="json")))
        if args.unknown:
            unknown_arguments(args.unknown)
        if args.positionals:
            unknown_arguments(args.positionals)
        name, env = args.values.get("name"), args.values.get("env")
        if name and env:
            err(
                "\n✘ [ERROR] In legacy environment mode you cannot use --name and --env together. If you want to "
                "specify a Worker name for a specific environment you can add the following to your Wrangler "
                f'configuration file:\n[env.{env}]\nname = "{name}"\n'
            )
            return 1
        self.require_token()
        script = name or self.config_name(args)
        if not script:
            err(
                "\n✘ [ERROR] Required Worker name missing. Please specify the Worker name in your Wrangler "
                "configuration file, or pass it as an argument with `--name <worker-name>`\n"
            )
            return 1
        account = self.account_id(args)
        data = self.api("GET", f"/accounts/{account}/workers/scripts/{quote(script, safe='')}/deployments")
        entries = sorted(data["result"]["deployments"], key=lambda d: d["created_on"])  # latest last, like wrangler
        if argv[0] == "status":
            entries = entries[-1:]
        if "json" in args.flags:
            out(json.dumps(entries if argv[0] == "list" else entries[0], indent=2))
            return 0
        out(BANNER)
        for d in entries:
            annotations = d.get("annotations") or {}
            version = (d.get("versions") or [{}])[0]
            out(f"Created:     {d['created_on']}")
            out(f"Author:      {d.get('author_email', '-')}")
            out(f"Source:      {'Upload' if d.get('source') == 'wrangler' else 'API 📡'}")
            out(f"Message:     {annotations.get('workers/message', '-')}")
            if annotations.get("workers/rollback_from"):
                out(f"Rollback from: {annotations['workers/rollback_from']}")
            out(f"Version(s):  ({version.get('percentage', 100)}%) {version.get('version_id', '-')}")
            out("")
        return 0

    # queues -----------------------------------------------------------------------------------
    def queues(self, argv: list[str]) -> int:
        if not argv or argv[0] != "list":
            unknown_arguments(argv[:1] or ["queues"])
        args = parse(argv[1:], (_value("--page", dest="page"),))
        if args.unknown:
            unknown_arguments(args.unknown)
        if args.positionals:
            unknown_arguments(args.positionals)
        self.require_token()
        account = self.account_id(args)
        data = self.api("GET", f"/accounts/{account}/queues")
        rows = [
            [
                q["queue_id"],
                q["queue_name"],
                q["created_on"],
                q["modified_on"],
                str(q.get("producers_total_count", 0)),
                str(q.get("consumers_total_count", 0)),
            ]
            for q in data["result"]
        ]
        out(BANNER)
        out(_table(["id", "name", "created_on", "modified_on", "producers", "consumers"], rows))
        return 0

    # whoami -----------------------------------------------------------------------------------
    def whoami(self, argv: list[str]) -> int:
        args = parse(argv, (_switch("--account", dest="account"),))
        if args.unknown or args.positionals:
            unknown_arguments(args.unknown or args.positionals)
        out(BANNER)
        out("Getting User settings...")
        if not self.token:
            out("You are not authenticated. Please run `wrangler login`.")
            return 0
        self.api("GET", "/user/tokens/verify")
        data = self.api("GET", "/accounts")
        out(
            "👋 You are logged in with an User API Token. Unable to retrieve email for this user. "
            "Are you missing the `User->User Details->Read` permission?"
        )
        out(_table(["Account Name", "Account ID"], [[a["name"], a["id"]] for a in data["result"]]))
        out("🔓 To see token permissions visit https://dash.cloudflare.com/profile/api-tokens.")
        return 0


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]
    line = lambda l, m, r: l + m.join("─" * (w + 2) for w in widths) + r  # noqa: E731
    fmt = lambda cells: "│" + "│".join(f" {str(c):<{w}} " for c, w in zip(cells, widths)) + "│"  # noqa: E731
    parts = [line("┌", "┬", "┐"), fmt(header), line("├", "┼", "┤")]
    for i, row in enumerate(rows):
        parts.append(fmt(row))
        if i < len(rows) - 1:
            parts.append(line("├", "┼", "┤"))
    parts.append(line("└", "┴", "┘"))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "tail":
        from console.sim.tools.wrangler_tail import main as tail_main

        # a tail runs until it is killed: record the invocation before streaming
        hold_if_asked("wrangler", argv)
        inv = Invocation("wrangler", argv)
        try:
            inv.log()
        except OSError as exc:
            err(f"wrangler (simulated): cannot write the argv log: {exc}")
        return tail_main(argv[1:])
    return run_tool("wrangler", argv, lambda inv: Wrangler(inv).run(inv.argv))


if __name__ == "__main__":
    sys.exit(main())
