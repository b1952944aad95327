"""Every Cloudflare API route of the simulated edge answers in a shape that validates against the
OpenAPI excerpt in /work/shared/cloudflare-openapi/subset.json (``$ref``s resolved into its
components; OpenAPI 3.0 ``nullable`` translated to JSON Schema), and behaves on the state."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import jsonschema
import pytest

from tests.util import shared_file, shared_path

#: one client for the module: creating an httpx client per call costs more than the calls
HTTP = httpx.Client(timeout=10)

SUBSET = shared_path("cloudflare-openapi", "subset.json")
ACCOUNT = "5100000000000000000000000000a001"
ZONE = "5100000000000000000000000000f001"
NS = "5100000000000000000000000000c001"


@pytest.fixture(autouse=True)
def _openapi_excerpt_present():
    shared_file("cloudflare-openapi", "subset.json")  # fails, naming the path, when it is missing

def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema (draft 4): ``nullable: true`` becomes ``anyOf [..., null]``."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if not k.startswith("x-")}
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _fix_misplaced_required(node: Any) -> Any:
    """Two known slips of the excerpt's Queues schemas, corrected explicitly (nothing else is relaxed):

    - the 200 envelopes list the queue's ``required`` fields next to ``properties.result`` (the
      envelope), where no answer can satisfy them; they belong to the queue object (``result`` or
      its items);
    - ``mq_queue.producers``/``consumers`` are typed ``object`` although the API (and later schema
      versions) return arrays of producer/consumer objects; both are accepted.
    """
    if isinstance(node, list):
        return [_fix_misplaced_required(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _fix_misplaced_required(v) for k, v in node.items()}
    props = node.get("properties")
    required = node.get("required")
    if isinstance(props, dict) and "result" in props and required and "queue_id" in required:
        result = dict(props["result"])
        target = dict(result.get("items", result))
        target = {"allOf": [target], "required": required}
        if "items" in result:
            result["items"] = target
        else:
            result = target
        node = dict(node, properties=dict(props, result=result))
        node.pop("required")
    return node


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    doc = json.loads(SUBSET.read_text())
    components = _to_json_schema(doc["components"])
    queue = components["schemas"]["mq_queue"]["properties"]
    for key in ("producers", "consumers"):
        queue[key] = {"type": ["object", "array"], "readOnly": True}
    return {"paths": _fix_misplaced_required(doc["paths"]), "components": components}


def validate(spec: dict[str, Any], path: str, method: str, status: str, body: Any,
             content_type: str = "application/json") -> None:
    responses = spec["paths"][path][method]["responses"]
    schema = responses[status]["content"][content_type]["schema"]
    root = {"allOf": [_to_json_schema(copy.deepcopy(schema))], "components": spec["components"]}
    jsonschema.Draft4Validator(root).validate(body)


def validate_failure(spec: dict[str, Any], component: str, body: Any) -> None:
    """A 4XX body against the family's failure envelope component.

    Some 4XX schemas of the excerpt (purge, deployments, tails, queues) are ``allOf`` a success
    envelope (``success: enum [true]``) and a failure one (``success: enum [false]``), which no
    body can satisfy; for those the failure component is the contract."""
    root = {"allOf": [{"$ref": f"#/components/schemas/{component}"}], "components": spec["components"]}
    jsonschema.Draft4Validator(root).validate(body)
    assert body["success"] is False and body["errors"]


def validate_queue_details(spec: dict[str, Any], body: Any) -> None:
    """Queue details: the excerpt's 200 schema is ``allOf`` the *collection* envelope (``result`` an
    array) and ``result`` an object, which no body satisfies; the API answers one queue object, so
    the contract checked is the common envelope with ``result`` a ``mq_queue`` with the schema's
    required fields."""
    raw = json.loads(SUBSET.read_text())["paths"]["/accounts/{account_id}/queues/{queue_id}"]["get"]
    required = raw["responses"]["200"]["content"]["application/json"]["schema"]["allOf"][1]["required"]
    root = {"allOf": [{"$ref": "#/components/schemas/mq_api-response-common"},
                      {"properties": {"result": {"allOf": [{"$ref": "#/components/schemas/mq_queue"}],
                                                 "required": required, "type": "object"}}}],
            "components": spec["components"]}
    jsonschema.Draft4Validator(root).validate(body)


@pytest.fixture
def api(sim) -> httpx.Client:
    with httpx.Client(base_url=sim.base_url + "/client/v4", timeout=10,
                      headers={"Authorization": f"Bearer {sim.api_token}"}) as client:
        yield client


def test_a_failure_envelope_is_a_failure_and_the_validator_rejects_a_wrong_shape(spec, api):
    """Guard: the validator is not vacuous."""
    good = api.get(f"/zones/{ZONE}/settings/security_level").json()
    validate(spec, "/zones/{zone_id}/settings/{setting_id}", "get", "200", good)
    bad = dict(good, result={"id": "security_level"})  # value missing
    with pytest.raises(jsonschema.ValidationError):
        validate(spec, "/zones/{zone_id}/settings/{setting_id}", "get", "200", bad)
    with pytest.raises(jsonschema.ValidationError):
        validate(spec, "/zones/{zone_id}/settings/{setting_id}", "get", "200", {"result": good["result"]})


def test_token_required_with_code_10000(sim):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {sim.admin_token}"}):
        r = HTTP.get(f"{sim.base_url}/client/v4/zones/{ZONE}/settings/security_level", headers=headers)
        assert r.status_code == 403
        body = r.json()
        assert body["success"] is False and body["result"] is None
        assert body["errors"][0]["code"] == 10000


def test_security_level_get_patch_remembered_and_validated(spec, api, sim):
    path = "/zones/{zone_id}/settings/{setting_id}"
    r = api.get(f"/zones/{ZONE}/settings/security_level")
    assert r.status_code == 200
    validate(spec, path, "get", "200", r.json())
    assert r.json()["result"]["value"] == "medium"

    r = api.patch(f"/zones/{ZONE}/settings/security_level", json={"value": "under_attack"})
    assert r.status_code == 200, r.text
    validate(spec, path, "patch", "200", r.json())
    assert r.json()["result"]["value"] == "under_attack"
    assert r.json()["result"]["modified_on"]
    assert api.get(f"/zones/{ZONE}/settings/security_level").json()["result"]["value"] == "under_attack"
    state = HTTP.get(sim.base_url + "/admin/state").json()
    assert state["security_level"] == "under_attack"
    assert state["setting_history"][-1] == {**state["setting_history"][-1], "previous": "medium",
                                            "value": "under_attack"}

    r = api.patch(f"/zones/{ZONE}/settings/security_level", json={"value": "maximum"})
    assert r.status_code == 400
    validate(spec, path, "patch", "4XX", r.json())
    assert "maximum" in r.json()["errors"][0]["message"]
    r = api.get(f"/zones/{ZONE}/settings/no_such_setting")
    assert r.status_code == 404
    validate(spec, path, "get", "4XX", r.json())
    r = api.get("/zones/other-zone/settings/security_level")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == 7003


@pytest.mark.parametrize("body", [
    {"purge_everything": True},
    {"files": ["https://api.twist.io/static/app.js"]},
    {"prefixes": ["api.twist.io/static/"]},
    {"hosts": ["api.twist.io"]},
    {"tags": ["vau"]},
])
def test_purge_cache_each_kind(spec, api, sim, body):
    r = api.post(f"/zones/{ZONE}/purge_cache", json=body)
    assert r.status_code == 200, r.text
    validate(spec, "/zones/{zone_id}/purge_cache", "post", "200", r.json())
    assert r.json()["result"]["id"] == ZONE
    purge = HTTP.get(sim.base_url + "/admin/state").json()["purges"][-1]
    assert purge["kind"] == next(iter(body))


@pytest.mark.parametrize("body", [{}, {"purge_everything": False}, {"files": []},
                                  {"purge_everything": True, "tags": ["x"]}, {"everything": True}])
def test_purge_cache_bad_bodies(spec, api, body):
    r = api.post(f"/zones/{ZONE}/purge_cache", json=body)
    assert r.status_code == 400
    validate_failure(spec, "cache-purge_api-response-common-failure", r.json())
    assert r.json()["errors"][0]["code"] == 1012


def test_kv_list_prefix_cursor_limit(spec, api, sim):
    path = "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/keys"
    r = api.get(f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/keys", params={"prefix": "salt:week"})
    assert r.status_code == 200
    validate(spec, path, "get", "200", r.json())
    names = [k["name"] for k in r.json()["result"]]
    assert len(names) >= 4 and all(n.startswith("salt:week:") for n in names)
    assert r.json()["result_info"]["cursor"] == ""

    for i in range(25):
        sim.state.kv_put(NS, f"bulk:{i:03d}", "x")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"prefix": "bulk:", "limit": 10}
        if cursor:
            params["cursor"] = cursor
        page = api.get(f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/keys", params=params).json()
        validate(spec, path, "get", "200", page)
        seen += [k["name"] for k in page["result"]]
        cursor = page["result_info"]["cursor"]
        if not cursor:
            break
    assert seen == [f"bulk:{i:03d}" for i in range(25)]

    r = api.get(f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/keys", params={"limit": 5})
    assert r.status_code == 400
    validate(spec, path, "get", "4XX", r.json())
    r = api.get(f"/accounts/{ACCOUNT}/storage/kv/namespaces/nope/keys")
    assert r.status_code == 404
    validate(spec, path, "get", "4XX", r.json())


def test_kv_value_put_get_delete(spec, api, sim):
    path = "/accounts/{account_id}/storage/kv/namespaces/{namespace_id}/values/{key_name}"
    url = f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/values/blocked%3Aip%3A203.0.113.7"
    r = api.put(url, content=b"ddos source")
    assert r.status_code == 200
    validate(spec, path, "put", "200", r.json())
    assert "203.0.113.7" in sim.state.blocked_ips()

    r = api.get(url)
    assert r.status_code == 200 and r.content == b"ddos source"
    assert r.headers["content-type"] == "application/octet-stream"
    validate(spec, path, "get", "200", r.text, "application/octet-stream")

    r = api.delete(url)
    assert r.status_code == 200
    validate(spec, path, "delete", "200", r.json())
    assert "203.0.113.7" not in sim.state.blocked_ips()
    r = api.get(url)
    assert r.status_code == 404
    validate(spec, path, "get", "4XX", r.json())


def test_queues_list_details_metrics(spec, api, sim):
    r = api.get(f"/accounts/{ACCOUNT}/queues")
    assert r.status_code == 200
    validate(spec, "/accounts/{account_id}/queues", "get", "200", r.json())
    ids = {q["queue_name"]: q["queue_id"] for q in r.json()["result"]}
    from console.config import simulated_config

    assert ids == simulated_config("http://x").environment().queues
    for name, qid in ids.items():
        r = api.get(f"/accounts/{ACCOUNT}/queues/{qid}")
        assert r.status_code == 200
        validate_queue_details(spec, r.json())
        assert r.json()["result"]["queue_name"] == name
        m = api.get(f"/accounts/{ACCOUNT}/queues/{qid}/metrics").json()
        assert m["success"] is True
        assert set(m["result"]) == {"backlog_count", "backlog_bytes", "oldest_message_timestamp_ms"}
        assert isinstance(m["result"]["backlog_count"], int) and m["result"]["backlog_count"] >= 0
    sim.state.set_scenario("queue-backlog")
    m = api.get(f"/accounts/{ACCOUNT}/queues/{ids['vau-batch']}/metrics").json()["result"]
    assert m["backlog_count"] > 1000
    assert m["backlog_bytes"] > m["backlog_count"]
    r = api.get(f"/accounts/{ACCOUNT}/queues/nope")
    assert r.status_code == 404
    validate_failure(spec, "mq_api-response-common-failure", r.json())


def test_deployments_both_paths_newest_first(spec, api):
    for url in (f"/accounts/{ACCOUNT}/workers/deployments/by-script/vau-processor-production",
                f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/deployments"):
        r = api.get(url)
        assert r.status_code == 200
        body = r.json()
        validate(spec, "/accounts/{account_id}/workers/scripts/{script_name}/deployments", "get", "200", body)
        created = [d["created_on"] for d in body["result"]["deployments"]]
        assert len(created) >= 3 and created == sorted(created, reverse=True)
    r = api.get(f"/accounts/{ACCOUNT}/workers/scripts/nope/deployments")
    assert r.status_code == 404
    validate_failure(spec, "workers_api-response-common-failure", r.json())


def test_secrets_put_and_effect(spec, api, sim):
    # the plain-script endpoint is newer than the excerpt; its dispatch-namespace twin has the same body
    twin = "/accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/secrets"
    url = f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/secrets"
    r = api.put(url, json={"name": "CIRCUIT_BREAKER_ENABLED", "text": "true", "type": "secret_text"})
    assert r.status_code == 200, r.text
    validate(spec, twin, "put", "200", r.json())
    assert r.json()["result"] == {"name": "CIRCUIT_BREAKER_ENABLED", "type": "secret_text"}
    assert sim.state.flags()["circuit_breaker"] is True
    listed = api.get(url).json()
    validate(spec, twin, "get", "200", listed)
    assert "CIRCUIT_BREAKER_ENABLED" in [s["name"] for s in listed["result"]]
    assert "true" not in json.dumps(HTTP.get(sim.base_url + "/admin/state").json()["secrets"])

    r = api.put(url, json={"name": "X", "text": "1", "type": "secret_key"})
    assert r.status_code == 400
    r = api.put(f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production-production/secrets",
                json={"name": "X", "text": "1", "type": "secret_text"})
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == 10007


def test_tail_session_start(spec, api):
    r = api.post(f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/tails")
    assert r.status_code == 200
    validate(spec, "/accounts/{account_id}/workers/scripts/{script_name}/tails", "post", "200", r.json())
    assert r.json()["result"]["url"].startswith("wss://")


def test_unknown_route_and_account(api):
    r = api.get("/accounts/other/queues")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == 7003
    r = api.get("/nothing/here")
    assert r.status_code == 404 and r.json()["success"] is False
    r = api.post(f"/accounts/{ACCOUNT}/queues/5100000000000000000000000000b001/metrics")
    assert r.status_code == 405


def test_status_page_format(sim):
    r = HTTP.get(sim.base_url + "/status/api/v2/status.json")
    assert r.status_code == 200
    body = r.json()
    assert body["page"]["name"] == "Cloudflare" and body["page"]["url"].startswith("https://")
    assert body["status"] == {"indicator": "none", "description": "All Systems Operational"}
    HTTP.post(sim.base_url + "/admin/faults", json={"cf_status": "major"})
    assert HTTP.get(sim.base_url + "/status/api/v2/status.json").json()["status"]["indicator"] == "major"


@pytest.fixture(scope="module", autouse=True)
def _close_client():
    yield
    HTTP.close()
