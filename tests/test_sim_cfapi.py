"""Every Cloudflare API route of the simulated edge answers in a shape that validates against the 2026
OpenAPI excerpt ../shared/cloudflare-openapi/subset-2026.json (tests/cfapi_contract.py: ``$ref``s inlined,
``nullable``, read-/write-only, and the excerpt's named slips corrected), and behaves on the state."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from console.sim.state import SimError
from console.sources.tls import shared_ssl_context
from tests.cfapi_contract import CORRECTIONS, slips_still_present, validate_request, validate_response

#: one client for the module: creating an httpx client per call costs more than the calls
HTTP = httpx.Client(timeout=10, verify=shared_ssl_context())

ACCOUNT = "5100000000000000000000000000a001"
ZONE = "5100000000000000000000000000f001"
NS = "5100000000000000000000000000c001"


def validate(method: str, url: str, response: httpx.Response, body: Any = None) -> Any:
    """The request (path, query, body) and the simulated answer against the excerpt; returns the JSON."""
    path = httpx.URL(url).path
    validate_request(method, path, dict(httpx.URL(url).params), body)
    content_type = response.headers["content-type"]
    answer = response.text if content_type.startswith("application/octet-stream") else response.json()
    validate_response(method, path, response.status_code, answer, content_type)
    return answer


def call(api: httpx.Client, method: str, url: str, body: Any = None, **kw: Any) -> tuple[httpx.Response, Any]:
    response = api.request(method, url, json=body, **kw) if body is not None else api.request(method, url, **kw)
    full = str(httpx.URL(url).copy_merge_params(kw.get("params") or {}))
    return response, validate(method, full, response, body)


def test_the_corrected_slips_are_still_in_the_excerpt():
    """A correction of tests/cfapi_contract.py stays only while the excerpt still has its slip."""
    assert slips_still_present() == {name: True for name in CORRECTIONS}


@pytest.fixture
def api(sim) -> httpx.Client:
    with httpx.Client(
        base_url=sim.base_url + "/client/v4",
        timeout=10,
        headers={"Authorization": f"Bearer {sim.api_token}"},
        verify=shared_ssl_context(),  # not a CA bundle loaded per test (~45 ms of CPU)
    ) as client:
        yield client


def test_a_failure_envelope_is_a_failure_and_the_validator_rejects_a_wrong_shape(api):
    """Guard: the validator is not vacuous, for requests and answers."""
    url = f"/zones/{ZONE}/settings/security_level"
    _, good = call(api, "GET", url)
    with pytest.raises(AssertionError, match="is not valid under any of the given schemas at \\['result'\\]"):
        validate_response("GET", url, 200, dict(good, result={"id": "security_level"}))
    with pytest.raises(AssertionError, match="'success' is a required property"):
        validate_response("GET", url, 200, {"result": good["result"]})
    with pytest.raises(AssertionError, match="not an operation"):
        validate_request("GET", f"/accounts/{ACCOUNT}/workers/deployments/by-script/x", {}, None)
    with pytest.raises(AssertionError, match="query parameter 'nope'"):
        validate_request("GET", f"/accounts/{ACCOUNT}/rules/lists/{'a' * 32}/items", {"nope": "1"}, None)
    with pytest.raises(AssertionError, match="request body"):
        validate_request("POST", f"/accounts/{ACCOUNT}/rules/lists/{'a' * 32}/items", {}, {"items": []})
    queue = {"success": True, "errors": [], "messages": [], "result": [{"queue_id": "x", "producers": {}}]}
    with pytest.raises(AssertionError, match="is not of type 'array'"):  # 2026: producers is an array
        validate_response("GET", f"/accounts/{ACCOUNT}/queues", 200, queue)
    secret = {"success": True, "errors": [], "messages": [], "result": [{"name": "X"}]}
    with pytest.raises(AssertionError, match="not valid under any"):  # type picks the oneOf branch
        validate_response("GET", f"/accounts/{ACCOUNT}/workers/scripts/x/secrets", 200, secret)


def test_token_required_with_code_10000(sim):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {sim.admin_token}"}):
        r = HTTP.get(f"{sim.base_url}/client/v4/zones/{ZONE}/settings/security_level", headers=headers)
        assert r.status_code == 403
        body = r.json()
        assert body["success"] is False and body["result"] is None
        assert body["errors"][0]["code"] == 10000
        validate_response("GET", f"/zones/{ZONE}/settings/security_level", 403, body)


def test_security_level_get_patch_remembered_and_validated(api, sim):
    url = f"/zones/{ZONE}/settings/security_level"
    r, body = call(api, "GET", url)
    assert r.status_code == 200 and body["result"]["value"] == "medium"

    r, body = call(api, "PATCH", url, {"value": "under_attack"})
    assert r.status_code == 200, r.text
    assert body["result"]["value"] == "under_attack" and body["result"]["modified_on"]
    assert api.get(url).json()["result"]["value"] == "under_attack"
    state = HTTP.get(sim.base_url + "/admin/state").json()
    assert state["security_level"] == "under_attack"
    assert state["setting_history"][-1] == {
        **state["setting_history"][-1],
        "previous": "medium",
        "value": "under_attack",
    }

    r = api.patch(url, json={"value": "maximum"})
    assert r.status_code == 400
    validate_response("PATCH", url, 400, r.json())
    assert "maximum" in r.json()["errors"][0]["message"]
    r, _ = call(api, "GET", f"/zones/{ZONE}/settings/no_such_setting")
    assert r.status_code == 404
    r = api.get("/zones/other-zone/settings/security_level")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == 7003


@pytest.mark.parametrize(
    "body",
    [
        {"purge_everything": True},
        {"files": ["https://api.twist.io/static/app.js"]},
        {"files": [{"url": "https://api.twist.io/static/app.js", "headers": {"Origin": "https://twist.io"}}]},
        {"prefixes": ["api.twist.io/static/"]},
        {"hosts": ["api.twist.io"]},
        {"tags": ["vau"]},
    ],
)
def test_purge_cache_each_kind(api, sim, body):
    r, answer = call(api, "POST", f"/zones/{ZONE}/purge_cache", body)
    assert r.status_code == 200, r.text
    assert answer["result"]["id"] == ZONE
    purge = HTTP.get(sim.base_url + "/admin/state").json()["purges"][-1]
    assert purge["kind"] == next(iter(body))


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "exactly one of"),
        ({"purge_everything": False}, "must be true"),
        ({"files": []}, "1 to 30"),
        ({"purge_everything": True, "tags": ["x"]}, "exactly one of"),
        ({"everything": True}, "unexpected: everything"),
        ({"prefixes": ["https://api.twist.io/static/"]}, "carries a scheme"),
        ({"prefixes": [f"api.twist.io/p{i}" for i in range(31)]}, "1 to 30"),
        ({"files": ["api.twist.io/static/app.js"]}, "whole URL"),
    ],
)
def test_purge_cache_bad_bodies(api, body, message):
    r = api.post(f"/zones/{ZONE}/purge_cache", json=body)
    assert r.status_code == 400
    validate_response("POST", f"/zones/{ZONE}/purge_cache", 400, r.json())
    assert r.json()["errors"][0]["code"] == 1012 and message in r.json()["errors"][0]["message"]


def test_kv_list_prefix_cursor_limit(api, sim):
    url = f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/keys"
    r, body = call(api, "GET", url, params={"prefix": "salt:week"})
    assert r.status_code == 200
    names = [k["name"] for k in body["result"]]
    assert len(names) >= 4 and all(n.startswith("salt:week:") for n in names)
    assert body["result_info"]["cursor"] == ""

    for i in range(25):
        sim.state.kv_put(NS, f"bulk:{i:03d}", "x")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"prefix": "bulk:", "limit": 10}
        if cursor:
            params["cursor"] = cursor
        _, page = call(api, "GET", url, params=params)
        seen += [k["name"] for k in page["result"]]
        cursor = page["result_info"]["cursor"]
        if not cursor:
            break
    assert seen == [f"bulk:{i:03d}" for i in range(25)]

    with pytest.raises(AssertionError, match="limit: 5 is less than the minimum of 10"):
        validate_request("GET", url, {"limit": "5"}, None)
    r = api.get(url, params={"limit": 5})  # the simulated edge refuses it too
    assert r.status_code == 400
    validate_response("GET", url, 400, r.json())
    r = api.get(f"/accounts/{ACCOUNT}/storage/kv/namespaces/nope/keys")
    assert r.status_code == 404
    validate_response("GET", f"/accounts/{ACCOUNT}/storage/kv/namespaces/nope/keys", 404, r.json())


def test_kv_value_put_get_delete(api, sim):
    url = f"/accounts/{ACCOUNT}/storage/kv/namespaces/{NS}/values/blocked%3Aip%3A203.0.113.7"
    r = api.put(url, content=b"ddos source")
    assert r.status_code == 200
    validate_response("PUT", url, 200, r.json())
    assert "203.0.113.7" in sim.state.blocked_ips()

    r, text = call(api, "GET", url)
    assert r.status_code == 200 and r.content == b"ddos source" and text == "ddos source"
    assert r.headers["content-type"] == "application/octet-stream"

    r, _ = call(api, "DELETE", url, {})  # the excerpt's DELETE takes a (required, free-form) JSON body
    assert r.status_code == 200
    assert "203.0.113.7" not in sim.state.blocked_ips()
    r, _ = call(api, "GET", url)
    assert r.status_code == 404


def test_queues_list_details_metrics(api, sim):
    r, body = call(api, "GET", f"/accounts/{ACCOUNT}/queues")
    assert r.status_code == 200
    ids = {q["queue_name"]: q["queue_id"] for q in body["result"]}
    from console.config import simulated_config

    assert ids == simulated_config("http://x").environment().queues
    assert all(isinstance(q["producers"], list) and isinstance(q["consumers"], list) for q in body["result"])
    for name, qid in ids.items():
        r, details = call(api, "GET", f"/accounts/{ACCOUNT}/queues/{qid}")
        assert r.status_code == 200 and details["result"]["queue_name"] == name
        _, m = call(api, "GET", f"/accounts/{ACCOUNT}/queues/{qid}/metrics")
        assert set(m["result"]) == {"backlog_count", "backlog_bytes", "oldest_message_timestamp_ms"}
        assert isinstance(m["result"]["backlog_count"], int) and m["result"]["backlog_count"] >= 0
    sim.state.set_scenario("queue-backlog")
    m = api.get(f"/accounts/{ACCOUNT}/queues/{ids['vau-batch']}/metrics").json()["result"]
    assert m["backlog_count"] > 1000
    assert m["backlog_bytes"] > m["backlog_count"]
    r, _ = call(api, "GET", f"/accounts/{ACCOUNT}/queues/nope")
    assert r.status_code == 404


def test_deployments_newest_first_and_the_legacy_path_answers_the_same(api):
    url = f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/deployments"
    r, body = call(api, "GET", url)
    assert r.status_code == 200
    created = [d["created_on"] for d in body["result"]["deployments"]]
    assert len(created) >= 3 and created == sorted(created, reverse=True)
    # wrangler 3's path (not in the excerpt): the simulated wrangler's older code paths still use it
    legacy = api.get(f"/accounts/{ACCOUNT}/workers/deployments/by-script/vau-processor-production").json()
    assert legacy["result"] == body["result"]
    r, _ = call(api, "GET", f"/accounts/{ACCOUNT}/workers/scripts/nope/deployments")
    assert r.status_code == 404


def test_secrets_put_list_delete_and_effect(api, sim):
    url = f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/secrets"
    r, body = call(api, "PUT", url, {"name": "CIRCUIT_BREAKER_ENABLED", "text": "true", "type": "secret_text"})
    assert r.status_code == 200, r.text
    assert body["result"] == {"name": "CIRCUIT_BREAKER_ENABLED", "type": "secret_text"}  # text is write-only
    assert sim.state.flags()["circuit_breaker"] is True
    _, listed = call(api, "GET", url)
    assert "CIRCUIT_BREAKER_ENABLED" in [s["name"] for s in listed["result"]]
    assert all("text" not in s for s in listed["result"])
    assert "true" not in json.dumps(HTTP.get(sim.base_url + "/admin/state").json()["secrets"])
    r, _ = call(api, "DELETE", f"{url}/CIRCUIT_BREAKER_ENABLED")
    assert r.status_code == 200 and sim.state.flags()["circuit_breaker"] is False

    r = api.put(url, json={"name": "X", "text": "1", "type": "secret_key"})
    assert r.status_code == 400
    r = api.put(
        f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production-production/secrets",
        json={"name": "X", "text": "1", "type": "secret_text"},
    )
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == 10007
    validate_response("PUT", f"/accounts/{ACCOUNT}/workers/scripts/x/secrets", 404, r.json())


def test_tail_session_start(api):
    r, body = call(api, "POST", f"/accounts/{ACCOUNT}/workers/scripts/vau-processor-production/tails", {})
    assert r.status_code == 200
    assert body["result"]["url"].startswith("wss://")


# -- IP lists and custom rules -------------------------------------------------------------------------------
def test_ip_list_create_add_read_delete_is_asynchronous(api, sim):
    lists = f"/accounts/{ACCOUNT}/rules/lists"
    r, body = call(api, "POST", lists, {"name": "blocked_sources", "kind": "ip", "description": "ddos"})
    assert r.status_code == 200
    list_id = body["result"]["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", list_id) and body["result"]["num_items"] == 0
    r, _ = call(api, "POST", lists, {"name": "blocked_sources", "kind": "ip"})
    assert r.status_code == 400  # a name is unique in the account
    with pytest.raises(AssertionError, match="does not match"):
        validate_request("POST", lists, {}, {"name": "bad-name", "kind": "ip"})
    r = api.post(lists, json={"name": "bad-name", "kind": "ip"})  # refused by the simulated edge as well
    assert r.status_code == 400

    items = f"{lists}/{list_id}/items"
    sim.state.edge_rules.operation_seconds = 3600.0  # an operation that has not completed yet
    r, body = call(api, "POST", items, [{"ip": "203.0.113.7", "comment": "ddos"}, {"ip": "198.51.100.0/24"}])
    assert r.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", body["result"]["operation_id"])
    _, listed = call(api, "GET", items)
    assert listed["result"] == []  # not applied yet: asynchronous
    sim.state.edge_rules.pending[0].due = 0  # ... now it has completed
    _, listed = call(api, "GET", items, params={"search": "203.0.113"})
    assert [i["ip"] for i in listed["result"]] == ["203.0.113.7"]
    item_id = listed["result"][0]["id"]
    _, all_lists = call(api, "GET", lists)
    assert [(x["name"], x["num_items"]) for x in all_lists["result"]] == [("blocked_sources", 2)]

    r = api.post(items, json=[{"ip": "2001:db8::1"}])  # a bare IPv6 address is refused: /64 or shorter
    assert r.status_code == 400 and "/64" in r.json()["errors"][0]["message"]
    validate_response("POST", items, 400, r.json())
    r = api.post(items, json=[{"ip": "not-an-ip"}])
    assert r.status_code == 400

    sim.state.edge_rules.operation_seconds = 0.0
    r, body = call(api, "DELETE", items, {"items": [{"id": item_id}]})
    assert r.status_code == 200 and body["result"]["operation_id"]
    _, listed = call(api, "GET", items)
    assert [i["ip"] for i in listed["result"]] == ["198.51.100.0/24"]
    r, _ = call(api, "GET", f"{lists}/{'0' * 32}/items")
    assert r.status_code == 404


def test_custom_rule_referencing_a_list_blocks_at_the_edge(api, sim):
    entry = f"/zones/{ZONE}/rulesets/phases/http_request_firewall_custom/entrypoint"
    _, ruleset = call(api, "GET", entry)
    ruleset_id = ruleset["result"]["id"]
    assert [r["ref"] for r in ruleset["result"]["rules"]] == ["geo_block"]
    rule = {"ref": "block_list", "expression": "ip.src in $edge_list", "action": "block", "description": "x"}
    r = api.post(f"/zones/{ZONE}/rulesets/{ruleset_id}/rules", json=rule)
    assert r.status_code == 400 and "list 'edge_list' not found" in r.json()["errors"][0]["message"]
    validate_response("POST", f"/zones/{ZONE}/rulesets/{ruleset_id}/rules", 400, r.json())

    _, created = call(api, "POST", f"/accounts/{ACCOUNT}/rules/lists", {"name": "edge_list", "kind": "ip"})
    sim.state.edge_rules.operation_seconds = 0.0
    call(api, "POST", f"/accounts/{ACCOUNT}/rules/lists/{created['result']['id']}/items", [{"ip": "203.0.113.7"}])
    assert sim.state.snapshot()["edge"]["edge_blocked_ips"] == []  # the list alone blocks nothing
    r, body = call(api, "POST", f"/zones/{ZONE}/rulesets/{ruleset_id}/rules", rule)
    assert r.status_code == 200 and body["result"]["version"] == "2"
    added = next(x for x in body["result"]["rules"] if x["ref"] == "block_list")
    assert sim.state.snapshot()["edge"]["edge_blocked_ips"] == ["203.0.113.7"]

    rule_url = f"/zones/{ZONE}/rulesets/{ruleset_id}/rules/{added['id']}"
    r, body = call(api, "PATCH", rule_url, {"enabled": False, "expression": "ip.src in $edge_list", "action": "block"})
    assert r.status_code == 200 and sim.state.snapshot()["edge"]["edge_blocked_ips"] == []
    r, body = call(api, "DELETE", rule_url)
    assert r.status_code == 200 and [x["ref"] for x in body["result"]["rules"]] == ["geo_block"]
    r, _ = call(api, "DELETE", rule_url)
    assert r.status_code == 404
    r, _ = call(api, "GET", f"/zones/{ZONE}/rulesets/phases/http_request_firewall_managed/entrypoint")
    assert r.status_code == 404


def test_a_zone_without_custom_rules_has_no_entry_point_until_a_put_creates_it(api, sim):
    """Like the real API: no entry point ruleset is a 404 with error 10003; PUT .../entrypoint creates it
    (version 1) and, once it exists, replaces its whole rule list (a new version)."""
    entry = f"/zones/{ZONE}/rulesets/phases/http_request_firewall_custom/entrypoint"
    with pytest.raises(SimError, match="custom_entrypoint"):
        sim.state.set_faults({"custom_entrypoint": "gone"})
    sim.state.set_faults({"custom_entrypoint": "missing"})
    r, body = call(api, "GET", entry)
    assert r.status_code == 404 and body["success"] is False and body["result"] is None
    message = "could not find entrypoint ruleset in the http_request_firewall_custom phase"
    assert body["errors"] == [{"code": 10003, "message": message}]
    assert sim.state.snapshot()["edge"]["custom_entrypoint"] == "missing"

    _, created = call(api, "POST", f"/accounts/{ACCOUNT}/rules/lists", {"name": "edge_list", "kind": "ip"})
    rule = {"ref": "block_list", "expression": "ip.src in $edge_list", "action": "block", "enabled": True}
    r, body = call(api, "PUT", entry, {"rules": [rule, {**rule, "ref": "block_list"}]})
    assert r.status_code == 400 and "block_list" in body["errors"][0]["message"]  # refs are unique
    r, body = call(api, "PUT", entry, {"rules": [{**rule, "expression": "ip.src in $nope"}]})
    assert r.status_code == 400 and "list 'nope' not found" in body["errors"][0]["message"]
    assert api.get(entry).status_code == 404  # a refused PUT creates nothing
    r, body = call(api, "PUT", entry, {"description": "zone custom rules", "rules": [rule]})
    assert r.status_code == 200
    ruleset = body["result"]
    assert (ruleset["kind"], ruleset["phase"], ruleset["version"]) == ("zone", "http_request_firewall_custom", "1")
    assert [x["ref"] for x in ruleset["rules"]] == ["block_list"]
    _, read = call(api, "GET", entry)
    assert read["result"]["id"] == ruleset["id"]
    _, listed = call(api, "GET", f"/accounts/{ACCOUNT}/rules/lists")
    assert listed["result"][0]["num_referencing_filters"] == 1
    sim.state.edge_rules.operation_seconds = 0.0
    call(api, "POST", f"/accounts/{ACCOUNT}/rules/lists/{created['result']['id']}/items", [{"ip": "203.0.113.7"}])
    assert sim.state.snapshot()["edge"]["edge_blocked_ips"] == ["203.0.113.7"]

    # a second PUT replaces the rule list (it is not an append): a new version of the same ruleset
    kept = {**ruleset["rules"][0], "enabled": False}
    kept = {k: kept[k] for k in ("id", "ref", "expression", "action", "enabled")}
    r, body = call(api, "PUT", entry, {"rules": [kept]})
    assert r.status_code == 200 and body["result"]["id"] == ruleset["id"] and body["result"]["version"] == "2"
    assert [(x["id"], x["enabled"]) for x in body["result"]["rules"]] == [(kept["id"], False)]
    assert sim.state.snapshot()["edge"]["edge_blocked_ips"] == []
    r, _ = call(api, "PUT", f"/zones/{ZONE}/rulesets/phases/http_request_firewall_managed/entrypoint", {"rules": []})
    assert r.status_code == 400  # the simulated edge models the custom phase only (said in the message)


def test_a_list_name_is_refused_twice_with_10038(api):
    lists = f"/accounts/{ACCOUNT}/rules/lists"
    call(api, "POST", lists, {"name": "edge_console_blocked", "kind": "ip"})
    r, body = call(api, "POST", lists, {"name": "edge_console_blocked", "kind": "ip"})
    assert r.status_code == 400 and body["errors"][0]["code"] == 10038
    _, listed = call(api, "GET", lists)
    assert [x["name"] for x in listed["result"]] == ["edge_console_blocked"]


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
