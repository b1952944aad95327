"""The Cloudflare API contract for tests: requests the console sends and answers the simulated edge serves,
checked against ``../shared/cloudflare-openapi/subset-2026.json`` (its README says what changed since
``subset.json``).

How the OpenAPI 3.0 excerpt becomes JSON Schema (draft 4), as an OpenAPI-aware validator reads it:

- every ``$ref`` (schemas, ``responses``, ``requestBodies``) is inlined; ``x-*`` keys are dropped;
- ``nullable: true`` becomes ``anyOf [..., null]``;
- ``readOnly`` properties are not required in a request, ``writeOnly`` ones not in a response
  (``workers_secret.text`` is required but write-only: list/put answers carry ``name`` and ``type`` only).

Slips of the excerpt that no body can satisfy, corrected explicitly here and nowhere else (each named in
:data:`CORRECTIONS`; a test asserts the slip is still in the file, so a fixed schema removes its correction):

- a 4XX schema that is ``allOf`` a success envelope (``success: enum [true]``) and a failure one: the
  family's failure component is the contract (README: purge, versions list, list items);
- ``lists_lists-async-response`` and ``lists_list-response-collection`` (create a list): ``allOf`` the
  collection envelope (``result`` an array) and ``result`` an object (``operation_id``; the new list); the API
  answers the object;
- ``lists_item``: a ``oneOf`` of the bare value schemas (strings and an integer) next to the object's
  properties, which no item object matches; it means "exactly one of ``ip``/``redirect``/``hostname``/
  ``asn``".
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from typing import Any

from tests.util import shared_file

FAMILY_FAILURE = {
    "/zones/{zone_id}/purge_cache": "cache-purge_api-response-common-failure",
    "/accounts/{account_id}/rules/lists": "lists_api-response-common-failure",
    "/accounts/{account_id}/rules/lists/{list_id}/items": "lists_api-response-common-failure",
    "/accounts/{account_id}/workers/scripts/{script_name}/versions": "workers_api-response-common-failure",
}

CORRECTIONS = ("lists_lists-async-response", "lists_list-response-collection", "lists_item")


@lru_cache(maxsize=1)
def raw_spec() -> dict[str, Any]:
    return json.loads(shared_file("cloudflare-openapi", "subset-2026.json").read_text())


def _corrected_components() -> dict[str, Any]:
    components = copy.deepcopy(raw_spec()["components"])
    schemas = components["schemas"]
    schemas["lists_lists-async-response"] = {
        "allOf": [
            {"$ref": "#/components/schemas/lists_api-response-common"},
            {
                "properties": {
                    "result": {
                        "properties": {"operation_id": {"$ref": "#/components/schemas/lists_operation_id"}},
                        "required": ["operation_id"],
                        "type": "object",
                    }
                },
                "type": "object",
            },
        ]
    }
    schemas["lists_list-response-collection"] = {
        "allOf": [
            {"$ref": "#/components/schemas/lists_api-response-common"},
            {"properties": {"result": {"$ref": "#/components/schemas/lists_list"}}, "type": "object"},
        ],
        "type": "object",
    }
    item = schemas["lists_item"]
    item["oneOf"] = [{"required": [name]} for name in ("ip", "redirect", "hostname", "asn")]
    return components


def slips_still_present() -> dict[str, bool]:
    """Whether each corrected slip is still in the excerpt (if not, drop its correction)."""
    schemas = raw_spec()["components"]["schemas"]
    async_parts = schemas["lists_lists-async-response"]["allOf"]
    return {
        "lists_lists-async-response": async_parts[0] == {"$ref": "#/components/schemas/lists_api-response-collection"}
        and schemas["lists_api-response-collection"]["allOf"][1]["properties"]["result"]["type"] == "array",
        "lists_list-response-collection": schemas["lists_list-response-collection"]["allOf"][0]
        == {"$ref": "#/components/schemas/lists_api-response-collection"},
        "lists_item": [v.get("$ref", "").rsplit("/", 1)[-1] for v in schemas["lists_item"]["oneOf"]]
        == ["lists_item_ip", "lists_item_redirect", "lists_item_hostname", "lists_item_asn"],
    }


class _Inliner:
    def __init__(self, components: dict[str, Any], mode: str) -> None:
        self.components = components
        self.mode = mode  # "request" | "response"
        self.active: list[str] = []
        #: each component inlined once (a flow test checks dozens of requests and answers against the same ones)
        self.done: dict[str, Any] = {}
        self.cuts = 0  # recursions cut short so far
        self.nodes: dict[int, tuple[Any, Any]] = {}  # id -> (node, inlined); the node kept so its id is not reused

    def ref(self, ref: str) -> Any:
        if ref in self.active:  # recursive schema: accept anything below (none in the excerpt today)
            self.cuts += 1
            return {}
        done = self.done.get(ref)
        if done is not None:  # inlined before (read only: nothing changes an inlined schema)
            return done
        parts = ref.removeprefix("#/components/").split("/")
        node: Any = self.components
        for part in parts:
            node = node[part]
        cuts = self.cuts
        self.active.append(ref)
        try:
            inlined = self(node)
        finally:
            self.active.pop()
        if self.cuts == cuts:  # a schema cut short by a recursion depends on where it was met: not kept
            self.done[ref] = inlined
        return inlined

    def __call__(self, node: Any) -> Any:
        if not self.active and isinstance(node, dict) and "$ref" not in node:  # a node of the excerpt: once
            kept = self.nodes.get(id(node))
            if kept is None or kept[0] is not node:
                self.active.append("")  # below here: no caching by node (the ref cache still applies)
                try:
                    kept = self.nodes[id(node)] = (node, self(node))
                finally:
                    self.active.pop()
            return kept[1]
        if isinstance(node, list):
            return [self(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.ref(node["$ref"])
        out = {k: self(v) for k, v in node.items() if not k.startswith("x-")}
        props = out.get("properties")
        if isinstance(props, dict) and isinstance(out.get("required"), list):
            hidden = "readOnly" if self.mode == "request" else "writeOnly"
            out["required"] = [name for name in out["required"] if not _flag(props.get(name), hidden)]
            if not out["required"]:
                del out["required"]
        if out.pop("nullable", False):
            return {"anyOf": [out, {"type": "null"}]}
        return out


def _flag(schema: Any, flag: str) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get(flag):
        return True
    return any(_flag(part, flag) for part in schema.get("allOf", []))


@lru_cache(maxsize=2)
def _inliner(mode: str) -> _Inliner:
    return _Inliner(_corrected_components(), mode)


def operation(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The excerpt's operation for ``method path`` (path without ``/client/v4``): template, op, path params."""
    for template, ops in raw_spec()["paths"].items():
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        match = re.match(pattern, path)
        if match and method.lower() in ops:
            return template, ops[method.lower()], match.groupdict()
    raise AssertionError(f"{method} {path} is not an operation in the Cloudflare OpenAPI excerpt (subset-2026.json)")


#: a validator per schema object (the schema kept with it, so its id is not reused while it is here)
_VALIDATORS: dict[int, tuple[Any, Any]] = {}


def _check(instance: Any, schema: Any, what: str) -> None:
    import jsonschema  # here, not at the top: each pytest worker imports this module to collect its tests

    validator = _VALIDATORS.get(id(schema))
    if validator is None or validator[0] is not schema:
        validator = _VALIDATORS[id(schema)] = (schema, jsonschema.Draft4Validator(schema))
    try:
        validator[1].validate(instance)
    except jsonschema.ValidationError as exc:
        raise AssertionError(f"{what}: {exc.message} at {list(exc.absolute_path)}") from None


def validate_request(method: str, path: str, query: dict[str, str], body: Any) -> str:
    """Path and query parameters and the JSON body against the operation; returns its operationId."""
    template, op, params = operation(method, path)
    inline = _inliner("request")
    declared = {p["name"]: p for p in (inline(p) for p in op.get("parameters", []))}
    for name, value in params.items():
        _check(value, declared[name]["schema"], f"{method} {template}: path parameter {name}")
    for name, value in query.items():
        assert name in declared and declared[name]["in"] == "query", (
            f"{method} {template}: query parameter {name!r} is not in the operation"
        )
        schema = declared[name].get("schema", {})
        if schema.get("type") in ("integer", "number"):
            value = float(value) if "." in value else int(value)
        _check(value, schema, f"{method} {template}: query parameter {name}")
    request_body = op.get("requestBody")
    if body is None:
        assert not (request_body and inline(request_body).get("required")), f"{method} {template}: body required"
    else:
        assert request_body, f"{method} {template}: the operation takes no body"
        content = inline(request_body)["content"]
        assert "application/json" in content, f"{method} {template}: the body is not JSON ({', '.join(content)})"
        schema = content["application/json"].get("schema", {})
        _check(body, schema, f"{method} {template}: request body")
    return op["operationId"]


def validate_response(method: str, path: str, status: int, body: Any, content_type: str = "application/json") -> str:
    """An answer against the operation's response for its status (``200`` or ``4XX``)."""
    template, op, _ = operation(method, path)
    key = str(status) if str(status) in op["responses"] else f"{str(status)[0]}XX"
    assert key in op["responses"], f"{method} {template}: no {status} response in the excerpt"
    inline = _inliner("response")
    response = inline(op["responses"][key])
    content_type = content_type.split(";")[0].strip()
    assert content_type in response["content"], f"{method} {template} {status}: content type {content_type}"
    schema = response["content"][content_type]["schema"]
    if key == "4XX" and template in FAMILY_FAILURE:
        schema = inline({"$ref": f"#/components/schemas/{FAMILY_FAILURE[template]}"})
    what = f"{method} {template} {status}"
    _check(body, schema, what)
    if key == "4XX":
        assert body["success"] is False and body["errors"], what
    return op["operationId"]


def contract_check(instance: Any, component: str, *, required: list[str] | None = None, mode: str = "request") -> None:
    """``instance`` against one schema component (a purge variant, ``zones_security_level_value``)."""
    schema = _inliner(mode)({"$ref": f"#/components/schemas/{component}"})
    if required:
        schema = {"allOf": [schema], "required": required}
    _check(instance, schema, component)
