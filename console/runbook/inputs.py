"""Typed flow inputs: parse and validate what an operator typed (pure functions).

Every error names the field and what is wrong; nothing runs until all inputs are valid.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import urlsplit

from console.runbook.model import Flow, InputError, InputSpec
from console.runbook.template import Context, TemplateError, render
from console.sanitize import UNSAFE_CLASS

_DURATION_RE = re.compile(r"^([0-9]+) *([smhdw])$")  # ASCII digits: \d also matches "٣"
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
#: Printable text without control characters; argv elements are never shell-parsed, but an operator's
#: reason still must not smuggle newlines into records, nor C1 controls or bidi/format characters
#: (U+009B is CSI, U+202E reverses what is read) into terminals: the sanitiser's set, plus ``\n``/``\t``.
#: Also refused in inputs: line/paragraph separators (U+2028/9), the soft hyphen (U+00AD) and zero-width
#: characters (U+200B-D): invisible or line-breaking, so what is recorded is not what the operator saw.
_INPUT_INVISIBLE = "\u00ad\u200b-\u200d\u2028\u2029"
_CONTROL_RE = re.compile(f"[\\t\\n{UNSAFE_CLASS}{_INPUT_INVISIBLE}]")
_NUMBER_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
MAX_STRING = 500


def duration_seconds(text: str) -> int:
    """``"7d"`` -> 604800. Raises ValueError."""
    match = _DURATION_RE.match(text.strip().lower())
    if not match:
        from console.metrics.promduration import parse_duration

        try:  # Prometheus's syntax too: 1h30m
            return int(parse_duration(text.strip().lower()))
        except ValueError:
            raise ValueError(f"{text!r} is not a duration such as 30s, 15m, 2h, 7d, 1h30m") from None
    return int(match.group(1)) * _DURATION_UNITS[match.group(2)]


def parse_input(spec: InputSpec, raw: Any) -> Any:
    """The typed value of ``raw`` for ``spec`` (``None`` when empty and optional). Raises InputError."""
    text = "" if raw is None else (str(raw) if not isinstance(raw, bool) else ("true" if raw else "false"))
    text = text.strip()
    if text == "":
        if spec.required:
            raise InputError(spec.name, f"{spec.display_label} is required")
        return None
    kind = spec.type
    try:
        if kind == "string":
            if _CONTROL_RE.search(text):
                raise ValueError("must not contain control characters, bidi/format characters or newlines")
            if len(text) > MAX_STRING:
                raise ValueError(f"is longer than {MAX_STRING} characters")
            return text
        if kind == "choice":
            if text not in spec.choices:
                raise ValueError(f"{text!r} is not one of: {', '.join(spec.choices)}")
            return text
        if kind == "int":
            if not re.fullmatch(r"[+-]?[0-9]+", text):
                raise ValueError(f"{text!r} is not a whole number")
            return _bounded(spec, int(text))
        if kind == "number":
            if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise ValueError(f"{text!r} is not a finite number")
            if not _NUMBER_RE.fullmatch(text):  # float() also takes "٣" and "1_000"
                raise ValueError(f"{text!r} is not a number")
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"{text!r} is not a finite number")
            return _bounded(spec, value)
        if kind == "duration":
            seconds = duration_seconds(text)
            if seconds <= 0:
                raise ValueError("must be longer than zero")
            if spec.minimum is not None and seconds < spec.minimum:
                raise ValueError(f"must be at least {int(spec.minimum)}s")
            if spec.maximum is not None and seconds > spec.maximum:
                raise ValueError(f"must be at most {int(spec.maximum)}s")
            return text.lower().replace(" ", "")
        if kind == "bool":
            lowered = text.lower()
            if lowered in ("true", "yes", "y", "1", "on"):
                return True
            if lowered in ("false", "no", "n", "0", "off"):
                return False
            raise ValueError(f"{text!r} is not true or false")
        if kind == "ip":
            if not re.fullmatch(r"[0-9A-Fa-f:.]+", text):
                raise ValueError(f"{text!r} is not an IP address")
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a valid IPv4 or IPv6 address") from None
            return str(_client_address(text, address))
        if kind == "cidr":
            if not re.fullmatch(r"[0-9A-Fa-f:.]+/[0-9]{1,3}", text):
                raise ValueError(f"{text!r} is not a CIDR range such as 203.0.113.0/24")
            try:
                return str(ipaddress.ip_network(text, strict=True))
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a valid CIDR range: {exc}") from None
        if kind == "edge_ip":
            # a Cloudflare IP list item: an IPv4 address or CIDR; IPv6 only as a CIDR of /64 or shorter
            # (the API refuses a bare IPv6 address), so an IPv6 address is taken as its /64
            if "/" in text:
                network = ipaddress.ip_network(parse_input(replace(spec, type="cidr"), text))
                if network.version == 6 and network.prefixlen > 64:
                    raise ValueError(f"{text!r}: an IPv6 range must be /64 or shorter")
                _edge_range_problem(text, network)
                return str(network)
            address = parse_input(replace(spec, type="ip"), text)
            return str(ipaddress.ip_network(f"{address}/64", strict=False)) if ":" in address else address
        if kind == "url":
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
                raise ValueError(f"{text!r} is not an http(s) URL")
            return text
        if kind == "timestamp":
            if not text.isascii():
                raise ValueError(f"{text!r} is not an ISO 8601 time such as 2024-01-15T00:00:00Z")
            candidate = text[:-1] + "+00:00" if text.endswith("Z") else text
            try:
                moment = datetime.fromisoformat(candidate)
            except ValueError:
                raise ValueError(f"{text!r} is not an ISO 8601 time such as 2024-01-15T00:00:00Z") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError as exc:
        raise InputError(spec.name, f"{spec.display_label}: {exc}") from None
    raise InputError(spec.name, f"unknown input type {kind!r}")


def _client_address(
    text: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address a client would have: an IPv4-mapped IPv6 address (``::ffff:1.2.3.4``) is the IPv4
    address it carries (the key the edge stores and the value the operator meant); the unspecified
    address, loopback, broadcast, multicast, link-local and reserved addresses (IPv4-compatible
    ``::1.2.3.4`` included) are refused (blocking them blocks nothing, or the edge itself)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified:
        raise ValueError(f"{text!r} is the unspecified address, not a client address")
    if address.is_loopback:
        raise ValueError(f"{text!r} is a loopback address, not a client address")
    if isinstance(address, ipaddress.IPv4Address) and int(address) == 0xFFFFFFFF:
        raise ValueError(f"{text!r} is the broadcast address, not a client address")
    if address.is_multicast:
        raise ValueError(f"{text!r} is a multicast address, not a client address")
    if address.is_link_local:
        raise ValueError(f"{text!r} is a link-local address, not a client address")
    if address.is_reserved:
        # IPv4 240.0.0.0/4; IPv6 ::/8 holds the IPv4-compatible forms (::127.0.0.1 is ::7f00:1, a
        # different key than the loopback it names)
        raise ValueError(
            f"{text!r} is a reserved address (IPv4-compatible IPv6 forms such as ::1.2.3.4 "
            "included), not a client address"
        )
    return address


#: the widest CIDR a Cloudflare IP list takes (custom lists: IPv4 /8 to /32, IPv6 /12 to /64)
EDGE_WIDEST_PREFIX = {4: 8, 6: 12}


def _edge_range_problem(text: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> None:
    """An edge block range the API refuses (wider than /8 or /12: ``0.0.0.0/0`` would block every client),
    or one that holds no client (loopback, multicast, link-local, reserved): the same rule as an address."""
    widest = EDGE_WIDEST_PREFIX[network.version]
    if network.prefixlen < widest:
        raise ValueError(f"{text!r}: an IPv{network.version} range must be /{widest} or narrower (the API refuses it)")
    for what in ("loopback", "multicast", "link-local", "reserved"):
        if getattr(network, "is_" + what.replace("-", "_")):
            raise ValueError(f"{text!r} is a {what} range, not client addresses")


def _bounded(spec: InputSpec, value: float) -> Any:
    if spec.minimum is not None and value < spec.minimum:
        raise ValueError(f"must be at least {_fmt(spec.minimum)}, got {_fmt(value)}")
    if spec.maximum is not None and value > spec.maximum:
        raise ValueError(f"must be at most {_fmt(spec.maximum)}, got {_fmt(value)}")
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def default_for(spec: InputSpec, ctx: Context) -> str | None:
    """The default shown in a form: a literal, or a template over the environment/memory. A default whose
    template cannot be resolved (``{env.paths.checkout}`` not configured) is ``None``."""
    if spec.default is None:
        return None
    if isinstance(spec.default, bool):
        return "true" if spec.default else "false"
    if isinstance(spec.default, (int, float)):
        return _fmt(spec.default)
    try:
        return render(str(spec.default), ctx)
    except TemplateError:
        return None


def _worker_role_problem(spec: InputSpec, value: Any, env: Any) -> str | None:
    """A worker role the environment names no script for (``choices_from: workers``)."""
    if spec.choices_from != "workers" or value is None or env is None:
        return None
    if value in spec.options(env):
        return None
    name = getattr(env, "name", "?")
    offered = ", ".join(spec.options(env)) or "none"
    return (
        f"{value!r} has no worker in environment {name!r} (configured: {offered}); add it under "
        f"environments.{name}.workers"
    )


def check_inputs(flow: Flow, raw: Mapping[str, Any], ctx: Context) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate every input: ``(values, errors by field)``. Missing raw values take their defaults;
    unknown names are errors. A form shows ``errors[field]`` next to its field."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {spec.name for spec in flow.inputs}
    for name in raw:
        if name not in known:
            hint = ", ".join(sorted(known)) or "none"
            errors[name] = f"flow {flow.id} has no input {name!r} (inputs: {hint})"
    for spec in flow.inputs:
        given = raw.get(spec.name)
        if given is None:
            given = default_for(spec, ctx)
        try:
            values[spec.name] = parse_input(spec, given)
        except InputError as exc:
            errors[spec.name] = exc.message
            continue
        problem = _worker_role_problem(spec, values[spec.name], ctx.env)
        if problem:
            errors[spec.name] = problem
    return values, errors


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """``["ip=1.2.3.4", "reason=abuse"]`` -> dict. Raises InputError on an item without ``=``."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError(item, f"--set {item!r}: expected key=value")
        key, value = item.split("=", 1)
        key = key.strip()
        if not key:
            raise InputError(item, f"--set {item!r}: the key is empty")
        out[key] = value
    return out
