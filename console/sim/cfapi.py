"""The Cloudflare API v4 routes the console uses, served by the simulated edge from ``SimState``.

Pure request -> reply functions (no sockets): ``handle(state, api_token, method, path, query,
headers, body)``. Answers use the v4 envelope ``{"success", "errors", "messages", "result"}`` and
validate against ../shared/cloudflare-openapi/subset-2026.json (tests/test_sim_cfapi.py checks each).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import unquote

from console.runbook.purge_targets import PurgeTargetError, check_host, check_prefix, check_tag, check_url
from console.sim.edge_rules import RulesError
from console.sim.scenarios import QUEUES
from console.sim.state import ACCOUNT_ID, ZONE_ID, SecretsChanged, SimError, SimState, VersionNotDeployed, iso

PREFIX = "/client/v4"


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def ok(result: Any, *, status: int = 200, result_info: dict[str, Any] | None = None) -> Reply:
    env: dict[str, Any] = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        env["result_info"] = result_info
    return Reply(status, json.dumps(env).encode())


def fail(status: int, code: int, message: str) -> Reply:
    env = {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}
    return Reply(status, json.dumps(env).encode())


class _Req:
    def __init__(
        self,
        state: SimState,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        self.state = state
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Fail(400, 6007, f"Malformed JSON in request body: {exc}") from None


class _Fail(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.reply = fail(status, code, message)


Handler = Callable[..., Reply]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

    def deco(fn: Handler) -> Handler:
        _ROUTES.append((method, regex, fn))
        return fn

    return deco


def _bearer(headers: Mapping[str, str]) -> str | None:
    for key, value in headers.items():
        if key.lower() == "authorization":
            parts = value.split(None, 1)
            if len(parts) == 2 and parts[0].lower() == "bearer":
                return parts[1].strip()
    return None


def handle(
    state: SimState,
    api_token: str,
    method: str,
    path: str,
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> Reply:
    """Answer one request whose path starts with ``/client/v4``."""
    sub = path[len(PREFIX) :] if path.startswith(PREFIX) else path
    token = _bearer(headers)
    if not token or token != api_token:
        return fail(403, 10000, "Authentication error")
    allowed = False
    for m, regex, fn in _ROUTES:
        match = regex.match(sub)
        if not match:
            continue
        allowed = True
        if m != method:
            continue
        req = _Req(state, method, sub, query, headers, body)
        params = {k: unquote(v) for k, v in match.groupdict().items()}
        try:
            if "account_id" in params and params["account_id"] != ACCOUNT_ID:
                raise _Fail(404, 7003, f"Could not route to {sub}, perhaps your object identifier is invalid?")
            if "zone_id" in params and params["zone_id"] != ZONE_ID:
                raise _Fail(404, 7003, f"Could not route to {sub}, perhaps your object identifier is invalid?")
            return fn(req, **params)
        except _Fail as exc:
            return exc.reply
        except SimError as exc:
            return fail(400, 10001, str(exc))
    if allowed:
        return fail(405, 10405, f"Method {method} not allowed for {sub}")
    return fail(404, 7003, f"Could not route to {sub}, perhaps your object identifier is invalid?")


# -- accounts / token ---------------------------------------------------------------------
@route("GET", "/user/tokens/verify")
def _verify(req: _Req) -> Reply:
    return ok({"id": "sim0token0id0000000000000000000", "status": "active"}, result_info=None)


@route("GET", "/accounts")
def _accounts(req: _Req) -> Reply:
    return ok(
        [{"id": ACCOUNT_ID, "name": "TWIST Edge (simulated)"}],
        result_info={"page": 1, "per_page": 20, "count": 1, "total_count": 1},
    )


# -- zone settings ------------------------------------------------------------------------
@route("GET", "/zones/{zone_id}/settings/{setting_id}")
def _get_setting(req: _Req, zone_id: str, setting_id: str) -> Reply:
    try:
        return ok(req.state.get_setting(zone_id, setting_id))
    except KeyError:
        raise _Fail(404, 1003, f"Unknown zone setting: {setting_id}") from None


@route("PATCH", "/zones/{zone_id}/settings/{setting_id}")
def _patch_setting(req: _Req, zone_id: str, setting_id: str) -> Reply:
    body = req.json()
    if not isinstance(body, dict) or "value" not in body:
        raise _Fail(400, 1007, 'Request body must be a JSON object with a "value"')
    try:
        req.state.get_setting(zone_id, setting_id)
    except KeyError:
        raise _Fail(404, 1003, f"Unknown zone setting: {setting_id}") from None
    try:
        return ok(req.state.set_setting(zone_id, setting_id, body["value"]))
    except SimError as exc:
        raise _Fail(400, 1007, str(exc)) from None


# -- cache purge ----------------------------------------------------------------------------
_PURGE_KINDS = ("purge_everything", "files", "tags", "hosts", "prefixes")


@route("POST", "/zones/{zone_id}/purge_cache")
def _purge(req: _Req, zone_id: str) -> Reply:
    body = req.json()
    message = 'Request must contain exactly one of "purge_everything", "files", "tags", "hosts" or "prefixes"'
    if not isinstance(body, dict):
        raise _Fail(400, 1012, message)
    kinds = [k for k in _PURGE_KINDS if k in body]
    unknown = [k for k in body if k not in _PURGE_KINDS]
    if len(kinds) != 1 or unknown:
        raise _Fail(400, 1012, message + (f" (unexpected: {', '.join(unknown)})" if unknown else ""))
    kind = kinds[0]
    value = body[kind]
    if kind == "purge_everything":
        if value is not True:
            raise _Fail(400, 1012, "purge_everything must be true")
        items: list[Any] = []
    else:
        if not isinstance(value, list) or not value or len(value) > 30:
            raise _Fail(400, 1012, f"{kind} must be a list of 1 to 30 entries")
        for item in value:
            ok_item = isinstance(item, str) and item.strip()
            if kind == "files" and isinstance(item, dict):
                ok_item = isinstance(item.get("url"), str)
            if not ok_item:
                raise _Fail(400, 1012, f"{kind}: invalid entry {item!r}")
            # like the API: a prefix is host/path with no scheme; a file is a whole http(s) URL
            try:
                if kind == "prefixes":
                    check_prefix(item)
                elif kind == "hosts":
                    check_host(item)
                elif kind == "tags":
                    check_tag(item)
                elif kind == "files":
                    check_url(item["url"] if isinstance(item, dict) else item)
            except PurgeTargetError as exc:
                raise _Fail(400, 1012, f"{kind}: {exc}") from None
        items = value
    return ok({"id": req.state.purge_cache(zone_id, kind, items)})


# -- KV -----------------------------------------------------------------------------------
def _ns(req: _Req, namespace_id: str) -> None:
    try:
        req.state.kv_namespace(namespace_id)
    except KeyError:
        raise _Fail(404, 10013, "list keys: 'namespace not found'") from None


@route("GET", "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/keys")
def _kv_keys(req: _Req, account_id: str, namespace_id: str) -> Reply:
    _ns(req, namespace_id)
    raw_limit = req.q("limit", "1000")
    try:
        limit = int(float(raw_limit or "1000"))
    except ValueError:
        raise _Fail(400, 10026, f"limit: expected a number, got {raw_limit!r}") from None
    if not 10 <= limit <= 1000:
        raise _Fail(400, 10026, "limit must be between 10 and 1000")
    try:
        keys, cursor = req.state.kv_list(namespace_id, req.q("prefix", "") or "", req.q("cursor"), limit)
    except SimError as exc:
        raise _Fail(400, 10026, str(exc)) from None
    return ok(keys, result_info={"count": len(keys), "cursor": cursor})


def _key_from_path(path: str) -> str:
    return unquote(path.split("/values/", 1)[1])


@route("GET", "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}")
def _kv_get(req: _Req, account_id: str, namespace_id: str, key_name: str) -> Reply:
    _ns(req, namespace_id)
    value = req.state.kv_get(namespace_id, _key_from_path(req.path))
    if value is None:
        raise _Fail(404, 10009, "get: 'key not found'")
    return Reply(200, value.encode("utf-8"), "application/octet-stream")


@route("PUT", "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}")
def _kv_put(req: _Req, account_id: str, namespace_id: str, key_name: str) -> Reply:
    _ns(req, namespace_id)
    expiration = None
    ttl = req.q("expiration_ttl")
    if ttl is not None:
        try:
            seconds = int(ttl)
        except ValueError:
            raise _Fail(400, 10014, f"expiration_ttl: expected seconds, got {ttl!r}") from None
        if seconds < 60:
            raise _Fail(400, 10014, "expiration_ttl must be at least 60 seconds")
        expiration = int(req.state.clock()) + seconds
    value = req.body.decode("utf-8", errors="replace")
    try:
        req.state.kv_put(namespace_id, _key_from_path(req.path), value, expiration=expiration)
    except SimError as exc:
        raise _Fail(400, 10019, str(exc)) from None
    return ok(None)


@route("DELETE", "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}")
def _kv_delete(req: _Req, account_id: str, namespace_id: str, key_name: str) -> Reply:
    _ns(req, namespace_id)
    req.state.kv_delete(namespace_id, _key_from_path(req.path))
    return ok(None)


# -- queues -------------------------------------------------------------------------------
@route("GET", "/accounts/{account_id}/queues")
def _queues(req: _Req, account_id: str) -> Reply:
    if req.state.faults.get("queues_list") == "forbidden":  # a token without the Queues read permission
        raise _Fail(403, 10000, "Authentication error")
    items = [req.state.queue_details(name) for name in QUEUES]
    return ok(items, result_info={"page": 1, "per_page": 100, "count": len(items), "total_count": len(items)})


def _queue_name(req: _Req, queue_id: str) -> str:
    name = req.state.queue_id_to_name(queue_id)
    if name is None:
        raise _Fail(404, 11000, f"Queue {queue_id} does not exist")
    return name


@route("GET", "/accounts/{account_id}/queues/{queue_id}")
def _queue(req: _Req, account_id: str, queue_id: str) -> Reply:
    return ok(req.state.queue_details(_queue_name(req, queue_id)))


@route("GET", "/accounts/{account_id}/queues/{queue_id}/metrics")
def _queue_metrics(req: _Req, account_id: str, queue_id: str) -> Reply:
    return ok(req.state.queue_metrics(_queue_name(req, queue_id)))


# -- deployments ----------------------------------------------------------------------------
def _deployments(req: _Req, script: str) -> Reply:
    try:
        return ok({"deployments": req.state.deployment_list(script)})
    except KeyError:
        raise _Fail(404, 10007, "This Worker does not exist on your account.") from None


@route("GET", "/accounts/{account_id}/workers/deployments/by-script/{script_id}")
def _deployments_legacy(req: _Req, account_id: str, script_id: str) -> Reply:
    return _deployments(req, script_id)


@route("GET", "/accounts/{account_id}/workers/scripts/{script_name}/deployments")
def _deployments_new(req: _Req, account_id: str, script_name: str) -> Reply:
    return _deployments(req, script_name)


@route("POST", "/accounts/{account_id}/workers/scripts/{script_name}/deployments")
def _create_deployment(req: _Req, account_id: str, script_name: str) -> Reply:
    """A deployment of one version at 100% (what ``wrangler rollback`` sends); ``?force=true`` after 10220."""
    body = req.json()
    versions = body.get("versions") if isinstance(body, dict) else None
    if (
        not isinstance(versions, list)
        or len(versions) != 1
        or not isinstance(versions[0], dict)
        or versions[0].get("percentage") != 100
        or not isinstance(versions[0].get("version_id"), str)
    ):
        raise _Fail(
            400, 10021, 'expected {"strategy": "percentage", "versions": [{"version_id": ..., "percentage": 100}]}'
        )
    message = (body.get("annotations") or {}).get("workers/message") or "Rollback"
    force = (req.q("force") or "").lower() == "true"
    try:
        result = req.state.rollback(script_name, versions[0]["version_id"], str(message)[:100], force=force)
    except KeyError:
        raise _Fail(404, 10007, "This Worker does not exist on your account.") from None
    except SecretsChanged as exc:
        raise _Fail(400, 10220, str(exc)) from None
    except SimError as exc:
        raise _Fail(400, 10021, str(exc)) from None
    return ok(result["deployment"])


@route("PUT", "/accounts/{account_id}/workers/scripts/{script_name}")
def _upload_script(req: _Req, account_id: str, script_name: str) -> Reply:
    """What ``wrangler deploy`` sends (simplified: JSON ``{"metadata": {...}, "files": {name: text}}`` instead
    of the multipart form): a new version deployed at 100%."""
    body = req.json()
    files = body.get("files") if isinstance(body, dict) else None
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if (
        not isinstance(files, dict)
        or not files
        or not isinstance(metadata, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    ):
        raise _Fail(400, 10021, 'expected {"metadata": {"main_module": ...}, "files": {"name": "source", ...}}')
    main = metadata.get("main_module")
    if main not in files:
        raise _Fail(400, 10021, f"No such module {main!r}: main_module must name one of the uploaded files")
    message = (metadata.get("annotations") or {}).get("workers/message")
    try:
        entry = req.state.deploy_script(script_name, files, str(message) if message else None)
    except KeyError:
        raise _Fail(404, 10007, "This Worker does not exist on your account.") from None
    version = entry["versions"][0]["version_id"]
    return ok(
        {
            "id": script_name,
            "etag": version.replace("-", ""),
            "created_on": entry["created_on"],
            "modified_on": entry["created_on"],
            "deployment_id": entry["id"],
            "version_id": version,
            "startup_time_ms": 11,
            "usage_model": "standard",
            "handlers": ["fetch", "queue"],
        }
    )


# -- secrets --------------------------------------------------------------------------------
@route("PUT", "/accounts/{account_id}/workers/scripts/{script_name}/secrets")
def _put_secret(req: _Req, account_id: str, script_name: str) -> Reply:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not isinstance(body.get("text"), str):
        raise _Fail(400, 10021, 'expected a JSON body {"name": ..., "text": ..., "type": "secret_text"}')
    if body.get("type", "secret_text") != "secret_text":
        raise _Fail(400, 10021, f'unsupported secret type {body.get("type")!r} (expected "secret_text")')
    try:
        req.state.put_secret(script_name, body["name"], body["text"])
    except KeyError:
        raise _Fail(404, 10007, "This Worker does not exist on your account.") from None
    except VersionNotDeployed as exc:  # a gradual rollout: the latest version is not the deployed one
        raise _Fail(400, 10215, str(exc)) from None
    except SimError as exc:
        raise _Fail(400, 10021, str(exc)) from None
    return ok({"name": body["name"], "type": "secret_text"})


@route("GET", "/accounts/{account_id}/workers/scripts/{script_name}/secrets")
def _list_secrets(req: _Req, account_id: str, script_name: str) -> Reply:
    with req.state.lock:
        names = req.state.secrets.get(script_name)
        if names is None:
            raise _Fail(404, 10007, "This Worker does not exist on your account.")
        return ok([{"name": n, "type": "secret_text"} for n in sorted(names)])


@route("DELETE", "/accounts/{account_id}/workers/scripts/{script_name}/secrets/{secret_name}")
def _delete_secret(req: _Req, account_id: str, script_name: str, secret_name: str) -> Reply:
    try:
        if not req.state.delete_secret(script_name, secret_name):
            raise _Fail(404, 10056, f"Secret {secret_name} not found")
    except KeyError:
        raise _Fail(404, 10007, "This Worker does not exist on your account.") from None
    return ok(None)


# -- account IP Lists and zone custom rules (console.sim.edge_rules) -----------------------------------
def _rules_call(req: _Req, fn: Callable[[], Any]) -> Any:
    try:
        with req.state.lock:
            return fn()
    except RulesError as exc:
        raise _Fail(exc.status, exc.code, str(exc)) from None


@route("GET", "/accounts/{account_id}/rules/lists")
def _lists(req: _Req, account_id: str) -> Reply:
    return ok(_rules_call(req, req.state.edge_rules.all_lists))


@route("POST", "/accounts/{account_id}/rules/lists")
def _create_list(req: _Req, account_id: str) -> Reply:
    body = req.json()
    return ok(_rules_call(req, lambda: req.state.edge_rules.create_list(body)))


@route("GET", "/accounts/{account_id}/rules/lists/{list_id}/items")
def _list_items(req: _Req, account_id: str, list_id: str) -> Reply:
    raw = req.q("per_page", "25") or "25"
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise _Fail(400, 10026, "per_page: expected a number from 1 to 500")
    items, after = _rules_call(
        req, lambda: req.state.edge_rules.list_items(list_id, req.q("search"), req.q("cursor"), int(raw))
    )
    info = {"cursors": {"after": after}} if after else {"cursors": {}}
    return ok(items, result_info=info)


@route("POST", "/accounts/{account_id}/rules/lists/{list_id}/items")
def _add_list_items(req: _Req, account_id: str, list_id: str) -> Reply:
    body = req.json()
    return ok({"operation_id": _rules_call(req, lambda: req.state.edge_rules.add_items(list_id, body))})


@route("DELETE", "/accounts/{account_id}/rules/lists/{list_id}/items")
def _delete_list_items(req: _Req, account_id: str, list_id: str) -> Reply:
    body = req.json()
    return ok({"operation_id": _rules_call(req, lambda: req.state.edge_rules.delete_items(list_id, body))})


@route("GET", "/zones/{zone_id}/rulesets/phases/{ruleset_phase}/entrypoint")
def _entrypoint(req: _Req, zone_id: str, ruleset_phase: str) -> Reply:
    return ok(_rules_call(req, lambda: req.state.edge_rules.entrypoint(ruleset_phase)))


@route("PUT", "/zones/{zone_id}/rulesets/phases/{ruleset_phase}/entrypoint")
def _put_entrypoint(req: _Req, zone_id: str, ruleset_phase: str) -> Reply:
    """Creates the phase's entry point ruleset when the zone has none, else replaces its rules."""
    body = req.json()
    return ok(_rules_call(req, lambda: req.state.edge_rules.put_entrypoint(ruleset_phase, body)))


@route("POST", "/zones/{zone_id}/rulesets/{ruleset_id}/rules")
def _add_rule(req: _Req, zone_id: str, ruleset_id: str) -> Reply:
    body = req.json()
    return ok(_rules_call(req, lambda: req.state.edge_rules.add_rule(ruleset_id, body)))


@route("PATCH", "/zones/{zone_id}/rulesets/{ruleset_id}/rules/{rule_id}")
def _update_rule(req: _Req, zone_id: str, ruleset_id: str, rule_id: str) -> Reply:
    body = req.json()
    return ok(_rules_call(req, lambda: req.state.edge_rules.update_rule(ruleset_id, rule_id, body)))


@route("DELETE", "/zones/{zone_id}/rulesets/{ruleset_id}/rules/{rule_id}")
def _delete_rule(req: _Req, zone_id: str, ruleset_id: str, rule_id: str) -> Reply:
    return ok(_rules_call(req, lambda: req.state.edge_rules.delete_rule(ruleset_id, rule_id)))


# -- tail sessions (what `wrangler tail` opens before its websocket) ----------------------------
@route("POST", "/accounts/{account_id}/workers/scripts/{script_name}/tails")
def _start_tail(req: _Req, account_id: str, script_name: str) -> Reply:
    if script_name not in req.state.secrets:
        raise _Fail(404, 10007, "This Worker does not exist on your account.")
    tail_id = uuid.uuid4().hex
    return ok(
        {
            "id": tail_id,
            "url": f"wss://tail.developers.workers.dev/{tail_id}",
            "expires_at": iso(req.state.clock() + 6 * 3600),
        }
    )


def status_page(state: SimState) -> dict[str, Any]:
    """Cloudflare status page summary (``/api/v2/status.json`` format)."""
    from console.sim.state import CF_STATUS

    with state.lock:
        indicator = state.faults.get("cf_status", "none")
        now = state.clock()
    return {
        "page": {
            "id": "yh6f0r4529hb",
            "name": "Cloudflare",
            "url": "https://www.cloudflarestatus.com",
            "time_zone": "Etc/UTC",
            "updated_at": iso(now),
        },
        "status": {"indicator": indicator, "description": CF_STATUS[indicator]},
    }
