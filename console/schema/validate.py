"""Check parsed YAML against a declared model (msgspec Structs) and collect every problem at once.

A model is a ``msgspec.Struct`` whose fields are annotated with :func:`doc` (a one-line description and
the constraints: ``ge``, ``le``, ``gt``, ``pattern``, ``min_length`` ...). msgspec itself stops at the first
error, so this module walks the model's type information (``msgspec.inspect``) and the data side by side:
each problem is ``(key path, what)``, the key path maps to a line through :func:`console.yamlpaths.line_map`,
and the caller prints them all as ``file:line: key: what``.

Extras a field may carry (``doc(..., text=True, check=f, message=...)``):

* ``text``: a number is accepted where a string is declared (``worker: 123``) and becomes ``"123"``;
* ``message``: the phrase used instead of the generic one when the type or a bound is wrong
  (``"expected a percentage 0-99"`` -> ``alerts.hysteresis_percent: expected a percentage 0-99, got 120``);
* ``pattern_message``: the phrase when ``pattern`` does not match;
* ``check``: ``f(value) -> str | None``, a rule on the converted value (a filter that parses, an email);
* ``key_word``: for a mapping with a closed set of keys (a ``Literal`` key type): ``unknown metric (known: ...)``,
  and for a ``Literal`` value: ``unknown step kind 'shell' (known: ...)``;
* ``known``: the order to list a ``Literal``'s values in (msgspec sorts them).

A Struct may define ``problems(self, invalid) -> Iterable[(subpath, what)]`` for rules across its fields;
it runs even when some fields are wrong (``invalid`` names them; they hold their defaults), so a rule skips
what it cannot judge and every problem of a file still comes out in one run. ``None`` counts as absent (YAML ``key:`` with no value), as before.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

import msgspec
from msgspec import inspect as mi

from console.limits import is_finite_number, too_long_text

KeyPath = tuple[str | int, ...]
Problem = tuple[KeyPath, str]

#: inline secrets: a key with one of these words gets "use NAME_env or NAME_file" (in the config only)
SECRET_WORDS = (
    "token",
    "password",
    "passwd",
    "secret",
    "webhook_url",
    "routing_key",
    "api_key",
    "apikey",
    "integration_key",
    "private_key",
    "credentials",
)


class _Bad:
    """Marks a value that did not pass (the Struct holding it is not built)."""


BAD = _Bad()


def doc(
    text: str,
    *,
    text_ok: bool = False,
    check: Callable[[Any], str | None] | None = None,
    message: str | None = None,
    pattern_message: str | None = None,
    key_word: str | None = None,
    known: tuple[Any, ...] | None = None,
    **constraints: Any,
) -> msgspec.Meta:
    """A field's one-line description and constraints (``Annotated[int, doc("...", ge=1)]``)."""
    extra = {
        name: value
        for name, value in (
            ("text", text_ok),
            ("check", check),
            ("message", message),
            ("pattern_message", pattern_message),
            ("key_word", key_word),
            ("known", known),
        )
        if value
    }
    return msgspec.Meta(description=text, extra=extra or None, **constraints)


def secret_hint(key: str) -> str | None:
    """The pointed message for an inline secret such as ``api_token: ...``, else None."""
    lowered = key.lower()
    if any(word in lowered for word in SECRET_WORDS) and not lowered.endswith(("_env", "_file")):
        return f"secrets are not stored in the config: use {key}_env or {key}_file"
    return None


_INFO: dict[type, Any] = {}


def check(model: type, data: Any, *, secrets: bool = False) -> tuple[Any, list[Problem]]:
    """``(instance or BAD, problems)``: ``data`` read as ``model``; ``secrets`` turns an unknown key that
    names a secret into the "secrets are not stored in the config" message."""
    info = _INFO.get(model)
    if info is None:
        info = _INFO[model] = mi.type_info(model)
    walker = _Walker(secrets)
    value = walker.walk(info, data, (), {})
    return value, walker.problems


def _num(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _kind(t: Any) -> str:
    while isinstance(t, mi.Metadata):
        t = t.type
    return {
        mi.BoolType: "true or false",
        mi.IntType: "a whole number",
        mi.FloatType: "a number",
        mi.StrType: "a string",
        mi.ListType: "a list",
        mi.DictType: "a mapping",
        mi.StructType: "a mapping",
        mi.LiteralType: "one of " + ", ".join(map(str, getattr(t, "values", ()))),
        mi.NoneType: "nothing",
    }.get(type(t), "a value")


class _Walker:
    def __init__(self, secrets: bool) -> None:
        self.secrets = secrets
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, message: str) -> _Bad:
        self.problems.append((path, message))
        return BAD

    def walk(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if isinstance(t, mi.Metadata):
            return self.walk(t.type, value, path, {**extra, **(t.extra or {})})
        result = self.convert(t, value, path, extra)
        rule = extra.get("check")
        if rule is not None and result is not BAD:
            problem = rule(result)
            if problem:
                return self.add(path, problem)
        return result

    def fail(self, path: KeyPath, value: Any, extra: dict[str, Any], generic: str) -> _Bad:
        message = extra.get("message")
        return self.add(path, f"{message}, got {value!r}" if message else generic)

    def convert(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if isinstance(t, mi.AnyType):
            return value
        if isinstance(t, mi.UnionType):
            return self.union(t, value, path, extra)
        if isinstance(t, mi.NoneType):
            return None if value is None else self.fail(path, value, extra, f"expected nothing, got {value!r}")
        if isinstance(t, mi.BoolType):
            if not isinstance(value, bool):
                return self.fail(path, value, extra, f"expected true or false, got {value!r}")
            return value
        if isinstance(t, (mi.IntType, mi.FloatType)):
            return self.number(t, value, path, extra)
        if isinstance(t, mi.StrType):
            return self.string(t, value, path, extra)
        if isinstance(t, mi.LiteralType):
            if isinstance(value, bool) or value not in t.values:
                known = ", ".join(map(str, extra.get("known") or t.values))
                word = extra.get("key_word")
                generic = f"unknown {word} {value!r} (known: {known})" if word else f"{value!r} is not one of: {known}"
                return self.fail(path, value, extra, generic)
            return value
        if isinstance(t, mi.ListType):
            return self.sequence(t, value, path, extra)
        if isinstance(t, mi.DictType):
            return self.mapping(t, value, path, extra)
        if isinstance(t, mi.StructType):
            return self.struct(t, value, path, extra)
        raise TypeError(f"the schema walker does not know {t!r}")  # a declaration mistake, not user input

    def number(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        whole = isinstance(t, mi.IntType)
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            return self.fail(path, value, extra, f"expected {'a whole number' if whole else 'a number'}, got {value!r}")
        if not is_finite_number(value):
            return self.add(path, "must be a finite number")
        ge, le, gt, lt = t.ge, t.le, t.gt, t.lt
        low_ok = (ge is None or value >= ge) and (gt is None or value > gt)
        high_ok = (le is None or value <= le) and (lt is None or value < lt)
        if low_ok and high_ok:
            return value if whole else float(value)
        if extra.get("message"):
            return self.fail(path, value, extra, "")
        if whole and ge is not None and le is not None:
            return self.add(path, f"must be between {_num(ge)} and {_num(le)}, got {_num(value)}")
        if not low_ok:
            if gt is not None:
                bound = "zero" if gt == 0 else _num(gt)
                return self.add(path, f"must be greater than {bound}, got {_num(value)}")
            return self.add(path, f"must be at least {_num(ge)}, got {_num(value)}")
        if le is not None:
            return self.add(path, f"{too_long_text(le)}, got {float(value):g}")
        return self.add(path, f"must be less than {_num(lt)}, got {_num(value)}")

    def string(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and extra.get("text"):
            value = str(value)
        if not isinstance(value, str):
            return self.fail(path, value, extra, f"expected a string, got {type(value).__name__}")
        if t.min_length is not None and len(value) < t.min_length:
            return self.fail(
                path,
                value,
                extra,
                "must not be empty" if t.min_length == 1 else f"must be at least {t.min_length} characters",
            )
        if t.max_length is not None and len(value) > t.max_length:
            return self.fail(path, value, extra, f"must be at most {t.max_length} characters, got {len(value)}")
        if t.pattern is not None and not _matches(t.pattern, value):
            said = extra.get("pattern_message")
            shown = _USERINFO.sub("//****@", value)  # a password in a URL is not echoed in the error
            return self.add(path, f"{said}, got {shown!r}" if said else f"{shown!r} does not match {t.pattern}")
        return value

    def sequence(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if not isinstance(value, list):
            return self.fail(path, value, extra, f"expected a list, got {type(value).__name__}")
        if t.min_length and len(value) < t.min_length:
            return self.fail(
                path, value, extra, "must not be empty" if t.min_length == 1 else f"needs at least {t.min_length} items"
            )
        if t.max_length is not None and len(value) > t.max_length:
            return self.add(path, f"at most {t.max_length} items, got {len(value)}")
        items = [self.walk(t.item_type, item, (*path, index), {}) for index, item in enumerate(value)]
        return BAD if any(item is BAD for item in items) else items

    def mapping(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if not isinstance(value, dict):
            return self.fail(path, value, extra, f"expected a mapping, got {type(value).__name__}")
        if t.min_length and len(value) < t.min_length:
            return self.fail(path, value, extra, "must not be empty")
        out: dict[str, Any] = {}
        bad = False
        key_type = t.key_type.type if isinstance(t.key_type, mi.Metadata) else t.key_type
        for key, item in value.items():
            name = str(key)
            if isinstance(key_type, mi.LiteralType) and name not in key_type.values:
                word = extra.get("key_word", "key")
                known = ", ".join(map(str, extra.get("known") or key_type.values))
                self.add((*path, name), f"unknown {word} (known: {known})")
                bad = True
                continue
            converted = self.walk(t.value_type, item, (*path, name), {})
            bad = bad or converted is BAD
            out[name] = converted
        return BAD if bad else out

    def struct(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        fields = {f.encode_name: f for f in t.fields}
        if not isinstance(value, dict):
            generic = f"expected a mapping ({', '.join(fields)}), got {type(value).__name__}"
            return self.fail(path, value, extra, generic)
        for key in value:
            name = str(key)
            if name not in fields:
                hint = self.secret_hint(name, fields)
                self.add((*path, name), hint or "unknown key (known: " + ", ".join(sorted(fields)) + ")")
        before = len(self.problems)
        kwargs: dict[str, Any] = {}
        invalid: set[str] = set()
        for name, f in fields.items():
            item = value.get(name)
            if item is None:
                if f.required:
                    self.add((*path, name), "is required")
                    invalid.add(f.name)
                continue
            converted = self.walk(f.type, item, (*path, name), {})
            if converted is BAD:
                invalid.add(f.name)
            else:
                kwargs[f.name] = converted
        required_ok = all(f.name in kwargs for f in fields.values() if f.required)
        rules = getattr(t.cls, "problems", None)
        if callable(rules) and required_ok:
            # the rules across fields run even when another field is wrong (every problem in one run);
            # each rule skips the fields named in ``invalid`` (those hold their defaults here)
            for sub, message in rules(t.cls(**kwargs), frozenset(invalid)):
                self.add((*path, *sub), message)
        if len(self.problems) != before:
            return BAD
        return t.cls(**kwargs)

    def secret_hint(self, name: str, fields: dict[str, Any]) -> str | None:
        if f"{name}_env" in fields or f"{name}_file" in fields:
            return f"secrets are not stored in the config: use {name}_env or {name}_file"
        return secret_hint(name) if self.secrets else None

    def union(self, t: Any, value: Any, path: KeyPath, extra: dict[str, Any]) -> Any:
        if value is None and any(isinstance(m, mi.NoneType) for m in t.types):
            return None
        member = _member(t.types, value, extra)
        if member is None:
            kinds = " or ".join(dict.fromkeys(_kind(m) for m in t.types if not isinstance(m, mi.NoneType)))
            return self.fail(path, value, extra, f"expected {kinds}, got {type(value).__name__}")
        return self.walk(member, value, path, extra)


def _member(types: Iterable[Any], value: Any, extra: dict[str, Any]) -> Any:
    """The member of a union that ``value``'s YAML type selects (a mapping -> the Struct, ...)."""

    def base(t: Any) -> Any:
        while isinstance(t, mi.Metadata):
            t = t.type
        return t

    wanted: tuple[type, ...]
    if isinstance(value, bool):
        wanted = (mi.BoolType,)
    elif isinstance(value, dict):
        wanted = (mi.StructType, mi.DictType)
    elif isinstance(value, list):
        wanted = (mi.ListType,)
    elif isinstance(value, str):
        wanted = (mi.StrType, mi.LiteralType)
    elif isinstance(value, int):
        wanted = (mi.IntType, mi.FloatType, mi.LiteralType)
    elif isinstance(value, float):
        wanted = (mi.FloatType,)
    else:
        wanted = ()
    for t in types:
        inner = base(t)
        if isinstance(inner, wanted) or (isinstance(inner, mi.UnionType) and _member(inner.types, value, extra)):
            return t
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for t in types:  # a number where text is accepted
            meta = t.extra if isinstance(t, mi.Metadata) else None
            if isinstance(base(t), mi.StrType) and ((meta or {}).get("text") or extra.get("text")):
                return t
    return None


_PATTERNS: dict[str, Any] = {}


_USERINFO = re.compile(r"//[^\s/?#@]*@")


def _matches(pattern: str, value: str) -> bool:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled.search(value) is not None
