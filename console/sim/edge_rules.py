"""The simulated edge's account IP Lists and zone rulesets (custom rules): what the edge block flows change.

Like the real API (Cloudflare API v4, ``lists`` and ``rulesets``):

- adding or removing list items is asynchronous: the call answers ``{"operation_id": ...}`` at once and the
  items change when the bulk operation completes (``operation_seconds`` later on the simulator's clock), so a
  read-back right after the call may not see them yet;
- a list item is an IPv4 address, an IPv4 CIDR of /8 to /32 or an IPv6 CIDR of /12 to /64 (a bare IPv6
  address is refused); a list name is ``[A-Za-z0-9_]``, at most 50 characters, unique in the account;
- a rule's expression may name a list (``ip.src in $name``) only if that list exists;
- the zone's ``http_request_firewall_custom`` entry point ruleset exists from the start with the security
  Worker's geo rule; adding a rule creates a new ruleset version. A zone that never had custom rules has no
  entry point: reading it is a 404 (error 10003 "could not find entrypoint ruleset in the ... phase"), and
  only ``PUT .../rulesets/phases/{phase}/entrypoint`` creates it (``drop_entrypoint()`` starts a zone so; the
  simulator's ``custom_entrypoint: missing`` fault calls it). That PUT replaces the whole rule list.

An IP is blocked at the edge when it is in a list that an enabled ``block`` rule of that entry point references:
its requests never reach the Worker (``SimState`` takes them out of the traffic before the Worker's layers).
Everything here runs under the state's lock.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

CUSTOM_PHASE = "http_request_firewall_custom"
_LIST_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_LIST_REF = re.compile(r"\$([A-Za-z0-9_]+)")
RULE_ACTIONS = ("block", "challenge", "js_challenge", "managed_challenge", "log", "skip")
MAX_ITEMS_PER_CALL = 1000


class RulesError(Exception):
    """A request the real API refuses: ``status``, ``code`` and ``message`` as it answers them."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _hex_id() -> str:
    return uuid.uuid4().hex


@dataclass
class _Operation:
    id: str
    list_id: str
    due: float
    add: list[dict[str, Any]] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)


class EdgeRules:
    def __init__(self, clock: Callable[[], float], iso: Callable[[float], str], started: float) -> None:
        self.clock = clock
        self.iso = iso
        self.operation_seconds = 1.0
        self.lists: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        self.pending: list[_Operation] = []
        self.started = started
        #: the zone's http_request_firewall_custom entry point ruleset; None: the zone has none (yet)
        self.ruleset: dict[str, Any] | None = None
        self.seed_entrypoint()

    def seed_entrypoint(self) -> None:
        """The entry point as the simulated zone starts: the security Worker's geo rule."""
        created = self.iso(self.started - 86400 * 30)
        geo_rule = {
            "id": _hex_id(),
            "version": "1",
            "action": "block",
            "ref": "geo_block",
            "expression": '(ip.src.country in {"KP" "IR"})',
            "description": "Geo block (security Worker)",
            "enabled": True,
            "last_updated": created,
        }
        self.ruleset = {
            "id": _hex_id(),
            "name": "default",
            "description": "",
            "kind": "zone",
            "phase": CUSTOM_PHASE,
            "version": "1",
            "last_updated": created,
            "rules": [geo_rule],
        }
        self._count_references()

    def drop_entrypoint(self) -> None:
        """A zone that never had custom rules: no entry point ruleset in the custom phase."""
        self.ruleset = None
        self._count_references()

    # -- lists -------------------------------------------------------------------------------------------
    def settle(self) -> None:
        """Complete the bulk operations whose time has come."""
        now = self.clock()
        due = [op for op in self.pending if op.due <= now]
        self.pending = [op for op in self.pending if op.due > now]
        for op in due:
            items = self.items.get(op.list_id)
            if items is None:
                continue
            for item_id in op.remove:
                items.pop(item_id, None)
            existing = {item["ip"]: item_id for item_id, item in items.items()}
            for item in op.add:
                old = existing.get(item["ip"])
                if old is not None:  # the same IP again: its comment is updated
                    items[old].update(comment=item.get("comment", ""), modified_on=item["modified_on"])
                else:
                    items[item["id"]] = item
            self.lists[op.list_id]["num_items"] = len(items)
            self.lists[op.list_id]["modified_on"] = self.iso(now)

    def all_lists(self) -> list[dict[str, Any]]:
        self.settle()
        return [dict(v) for v in self.lists.values()]

    def create_list(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise RulesError(400, 10026, "request body must be an object with name and kind")
        name, kind = body.get("name"), body.get("kind")
        if not isinstance(name, str) or not _LIST_NAME.match(name):
            raise RulesError(400, 10026, "name: only letters, digits and _ (at most 50 characters)")
        if kind not in ("ip", "redirect", "hostname", "asn"):
            raise RulesError(400, 10026, f"kind: expected one of ip, redirect, hostname, asn, got {kind!r}")
        if kind != "ip":
            raise RulesError(400, 10026, "the simulated edge models ip lists only")
        if any(v["name"] == name for v in self.lists.values()):
            raise RulesError(400, 10038, f"list {name!r} already exists")
        now = self.iso(self.clock())
        entry = {
            "id": _hex_id(),
            "name": name,
            "kind": kind,
            "description": str(body.get("description") or ""),
            "num_items": 0,
            "num_referencing_filters": 0,
            "created_on": now,
            "modified_on": now,
        }
        self.lists[entry["id"]] = entry
        self.items[entry["id"]] = {}
        return dict(entry)

    def _list(self, list_id: str) -> dict[str, dict[str, Any]]:
        self.settle()
        if list_id not in self.items:
            raise RulesError(404, 10000, "list not found")
        return self.items[list_id]

    def list_items(
        self, list_id: str, search: str | None, cursor: str | None, per_page: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        items = sorted(self._list(list_id).values(), key=lambda item: item["created_on"] + item["id"])
        if search:
            items = [item for item in items if item["ip"].startswith(search)]
        start = int(cursor) if cursor and cursor.isdigit() else 0
        page = items[start : start + per_page]
        after = str(start + per_page) if start + per_page < len(items) else None
        return [dict(item) for item in page], after

    def add_items(self, list_id: str, body: Any) -> str:
        self._list(list_id)
        if not isinstance(body, list) or not body:
            raise RulesError(400, 10026, "request body must be a non-empty array of items")
        if len(body) > MAX_ITEMS_PER_CALL:
            raise RulesError(400, 10026, f"at most {MAX_ITEMS_PER_CALL} items per call")
        now = self.iso(self.clock())
        adds = []
        for i, item in enumerate(body):
            if not isinstance(item, dict) or not isinstance(item.get("ip"), str):
                raise RulesError(400, 10026, f'items[{i}]: an ip list item needs "ip"')
            ip = normalise_ip(item["ip"], i)
            comment = item.get("comment", "")
            if not isinstance(comment, str):
                raise RulesError(400, 10026, f"items[{i}].comment: expected a string")
            adds.append({"id": _hex_id(), "ip": ip, "comment": comment, "created_on": now, "modified_on": now})
        return self._queue(_Operation(_hex_id(), list_id, self.clock() + self.operation_seconds, add=adds))

    def delete_items(self, list_id: str, body: Any) -> str:
        items = self._list(list_id)
        wanted = body.get("items") if isinstance(body, dict) else None
        if (
            not isinstance(wanted, list)
            or not wanted
            or not all(isinstance(w, dict) and isinstance(w.get("id"), str) for w in wanted)
        ):
            raise RulesError(400, 10026, 'request body must be {"items": [{"id": ...}, ...]}')
        unknown = [w["id"] for w in wanted if w["id"] not in items]
        if unknown:
            raise RulesError(400, 10026, f"items not in the list: {', '.join(unknown[:5])}")
        return self._queue(
            _Operation(_hex_id(), list_id, self.clock() + self.operation_seconds, remove=[w["id"] for w in wanted])
        )

    def _queue(self, op: _Operation) -> str:
        self.pending.append(op)
        if op.due <= self.clock():
            self.settle()
        return op.id

    # -- rulesets ------------------------------------------------------------------------------------------
    def entrypoint(self, phase: str) -> dict[str, Any]:
        if phase != CUSTOM_PHASE or self.ruleset is None:
            raise RulesError(404, 10003, f"could not find entrypoint ruleset in the {phase} phase")
        return _copy_ruleset(self.ruleset)

    def put_entrypoint(self, phase: str, body: Any) -> dict[str, Any]:
        """Create the phase's entry point ruleset, or replace its rules (the whole list) with ``body["rules"]``."""
        if phase != CUSTOM_PHASE:
            raise RulesError(400, 20021, f"the simulated edge models the {CUSTOM_PHASE} phase only, not {phase}")
        if not isinstance(body, dict) or not isinstance(body.get("rules"), list):
            raise RulesError(400, 20021, "rules: expected a list of rules")
        if body.get("kind", "zone") != "zone":
            raise RulesError(
                400, 20021, f"kind: an entry point ruleset of a zone is kind zone, not {body.get('kind')!r}"
            )
        if body.get("phase", phase) != phase:
            raise RulesError(400, 20021, f"phase: {body.get('phase')!r} does not match the path's {phase}")
        rules: list[dict[str, Any]] = []
        for raw in body["rules"]:
            rule = self._check_rule(raw, rules)
            if (
                isinstance(raw, dict)
                and isinstance(raw.get("id"), str)
                and self.ruleset is not None
                and any(r["id"] == raw["id"] for r in self.ruleset["rules"])
            ):
                rule["id"] = raw["id"]  # an existing rule given back keeps its id
            rules.append(rule)
        now = self.iso(self.clock())
        if self.ruleset is None:
            self.ruleset = {
                "id": _hex_id(),
                "name": str(body.get("name") or "default"),
                "description": str(body.get("description") or ""),
                "kind": "zone",
                "phase": phase,
                "version": "1",
                "last_updated": now,
                "rules": rules,
            }
            self._count_references()
            return _copy_ruleset(self.ruleset)
        self.ruleset["rules"] = rules
        for key in ("name", "description"):
            if isinstance(body.get(key), str):
                self.ruleset[key] = body[key]
        return self._bump()

    def _check_rule(self, body: Any, existing: list[dict[str, Any]]) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise RulesError(400, 20021, "a rule must be an object")
        expression, action = body.get("expression"), body.get("action")
        if not isinstance(expression, str) or not expression.strip():
            raise RulesError(400, 20021, "rule expression: must not be empty")
        if action not in RULE_ACTIONS:
            raise RulesError(400, 20021, f"rule action: {action!r} is not supported in {CUSTOM_PHASE}")
        names = {v["name"] for v in self.lists.values()}
        for name in _LIST_REF.findall(expression):
            if name not in names:
                raise RulesError(
                    400,
                    20021,
                    f"filter parsing error (1:{expression.find('$') + 1}): {expression}\n  ^^ list '{name}' not found",
                )
        now = self.iso(self.clock())
        rule = {
            "id": _hex_id(),
            "version": "1",
            "action": action,
            "expression": expression,
            "description": str(body.get("description") or ""),
            "enabled": body.get("enabled", True) is not False,
            "last_updated": now,
        }
        if isinstance(body.get("ref"), str) and body["ref"]:
            if any(r.get("ref") == body["ref"] for r in existing):
                raise RulesError(400, 20021, f"a rule with ref {body['ref']!r} already exists in this ruleset")
            rule["ref"] = body["ref"]
        else:
            rule["ref"] = rule["id"]
        return rule

    def _bump(self) -> dict[str, Any]:
        now = self.iso(self.clock())
        assert self.ruleset is not None
        self.ruleset["version"] = str(int(self.ruleset["version"]) + 1)
        self.ruleset["last_updated"] = now
        self._count_references()
        return _copy_ruleset(self.ruleset)

    def add_rule(self, ruleset_id: str, body: Any) -> dict[str, Any]:
        if self.ruleset is None or ruleset_id != self.ruleset["id"]:
            raise RulesError(404, 10003, f"could not find ruleset {ruleset_id}")
        rule = self._check_rule(body, self.ruleset["rules"])
        self.ruleset["rules"].append(rule)
        return self._bump()

    def update_rule(self, ruleset_id: str, rule_id: str, body: Any) -> dict[str, Any]:
        rule = self._rule(ruleset_id, rule_id)
        if not isinstance(body, dict):
            raise RulesError(400, 20021, "a rule must be an object")
        merged = {**rule, **{k: v for k, v in body.items() if k in ("expression", "action", "description", "enabled")}}
        checked = self._check_rule({**merged, "ref": None}, [])
        rule.update(
            expression=checked["expression"],
            action=checked["action"],
            description=checked["description"],
            enabled=checked["enabled"],
            last_updated=checked["last_updated"],
            version=str(int(rule["version"]) + 1),
        )
        return self._bump()

    def delete_rule(self, ruleset_id: str, rule_id: str) -> dict[str, Any]:
        rule = self._rule(ruleset_id, rule_id)
        self.ruleset["rules"].remove(rule)
        return self._bump()

    def _rule(self, ruleset_id: str, rule_id: str) -> dict[str, Any]:
        if self.ruleset is None or ruleset_id != self.ruleset["id"]:
            raise RulesError(404, 10003, f"could not find ruleset {ruleset_id}")
        for rule in self.ruleset["rules"]:
            if rule["id"] == rule_id:
                return rule
        raise RulesError(404, 10003, f"could not find rule {rule_id} in ruleset {ruleset_id}")

    def _rules(self) -> list[dict[str, Any]]:
        return self.ruleset["rules"] if self.ruleset is not None else []

    def _count_references(self) -> None:
        for entry in self.lists.values():
            entry["num_referencing_filters"] = sum(
                1 for rule in self._rules() if entry["name"] in _LIST_REF.findall(rule["expression"])
            )

    def edge_blocked(self) -> list[str]:
        """The IPs and CIDRs an enabled block rule of the custom phase blocks through a list."""
        self.settle()
        names = set()
        for rule in self._rules():
            if rule.get("enabled", True) and rule["action"] == "block":
                names |= set(_LIST_REF.findall(rule["expression"]))
        out: set[str] = set()
        for list_id, entry in self.lists.items():
            if entry["name"] in names:
                out |= {item["ip"] for item in self.items[list_id].values()}
        return sorted(out)

    def snapshot(self) -> dict[str, Any]:
        self.settle()
        return {
            "lists": [
                {**entry, "items": sorted(i["ip"] for i in self.items[entry["id"]].values())}
                for entry in self.lists.values()
            ],
            "pending_list_operations": len(self.pending),
            "custom_rules": [{k: r.get(k) for k in ("ref", "action", "expression", "enabled")} for r in self._rules()],
            "custom_entrypoint": "missing" if self.ruleset is None else "present",
            "edge_blocked_ips": self.edge_blocked(),
        }


def normalise_ip(text: str, index: int = 0) -> str:
    """An IP list item as the API accepts it: IPv4 address or CIDR, IPv6 CIDR of /64 or shorter."""
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=True)
            if net.version == 6 and net.prefixlen > 64:
                raise ValueError("IPv6 CIDRs are limited to /64")
            widest = 8 if net.version == 4 else 12  # custom lists: IPv4 /8 to /32, IPv6 /12 to /64
            if net.prefixlen < widest:
                raise ValueError(f"IPv{net.version} CIDRs must be /{widest} or narrower")
            return str(net)
        addr = ipaddress.ip_address(text)
    except ValueError as exc:
        raise RulesError(400, 10026, f"items[{index}].ip: {text!r} is not a valid IP or CIDR ({exc})") from None
    if addr.version == 6:
        raise RulesError(
            400,
            10026,
            f"items[{index}].ip: an IPv6 item must be a CIDR of /64 or shorter "
            f"(e.g. {ipaddress.ip_network(f'{text}/64', strict=False)})",
        )
    return str(addr)


def _copy_ruleset(ruleset: dict[str, Any]) -> dict[str, Any]:
    return {**ruleset, "rules": [dict(rule) for rule in ruleset["rules"]]}


def edge_blocked_share(blocked: list[str], shares: dict[str, float]) -> float:
    """The share of the attack traffic (``ATTACK_IPS``: ip -> share) whose source an edge entry covers."""
    nets = [ipaddress.ip_network(entry, strict=False) for entry in blocked]
    total = 0.0
    for ip, share in shares.items():
        addr = ipaddress.ip_address(ip)
        if any(addr.version == net.version and addr in net for net in nets):
            total += share
    return min(1.0, total)
