"""Where things are in a YAML file: key paths to line numbers, for messages that say file:line: key."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from console.limits import MAX_FILE_BYTES, MAX_LITERAL_BYTES, MAX_YAML_DEPTH, size_text

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[str | int, ...]

_FLOAT_TAG = "tag:yaml.org,2002:float"
_INT_TAG = "tag:yaml.org,2002:int"
#: an integer with more digits than this cannot become a float (1e308 is the largest)
_MAX_INT_DIGITS = 300


class YamlLimitError(Exception):
    """A file the console refuses to load whole: too large, an alias, too deep, a non-finite number.
    ``line`` (1-based) and ``key`` (dotted) say where when known; ``str()`` is the bare reason."""

    def __init__(self, message: str, *, line: int | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.key = key


def read_yaml_file(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> str:
    """The text of a config or runbook file, read up to ``limit`` bytes.

    Raises YamlLimitError("larger than 1 MiB") past the limit (a FIFO or device is read no further
    either), and FileNotFoundError, OSError or UnicodeDecodeError as reading does."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise YamlLimitError(f"larger than {size_text(limit)}")
    return data.decode("utf-8")


def safe_loader() -> Any:
    """libyaml's scanner and parser when PyYAML was built with it (the usual wheels are): parsing the
    shipped runbooks took ~0.7 s of CPU in pure Python. Marks (lines) and errors are the same.

    PyYAML is imported here, on the first parse, not with this module: importing it (every module of
    the package, two of them compiling large regexes) cost ~30-50 ms of the start-up without a config
    file, which parses no YAML before the first frame."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def __getattr__(name: str) -> Any:
    if name == "SAFE_LOADER":  # the loader class, as this module's constant used to be
        return safe_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def compose_and_load(text: str) -> tuple[yaml.Node | None, object]:
    """One parse of ``text``: the node tree (for line numbers) and the data built from it.

    Raises yaml.YAMLError (MarkedYAMLError with the line) on bad YAML, and YamlLimitError for an
    alias (``*name``: refused outright, so a "billion laughs" document costs nothing), nesting deeper
    than MAX_YAML_DEPTH, or a number that is not finite (``.nan``, ``.inf``, ``1e999``)."""
    check_events(text)
    loader = safe_loader()(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            check_numbers(node)
            data = loader.construct_document(node)
        else:
            data = None
    finally:
        loader.dispose()
    return node, data


def load_literal(text: str, limit: int = MAX_LITERAL_BYTES) -> object:
    """A short YAML value written inside a string (a condition's ``x in [none, minor]``, a capture's
    ``path|0``), read under the file's rules: raises YamlLimitError past ``limit`` bytes ("longer
    than 4 KiB"), for an alias, deep nesting or a non-finite number, and yaml.YAMLError when it is
    not YAML. (``yaml.safe_load`` expanded an alias "billion laughs" here.)"""
    if len(text) > limit or len(text.encode("utf-8", "replace")) > limit:
        raise YamlLimitError(f"longer than {size_text(limit)}")
    return compose_and_load(text)[1]


def check_events(text: str) -> None:
    """Refuse aliases and deep nesting from the parser's event stream (linear, before any node is
    built or any alias expanded)."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=safe_loader()):
        if isinstance(event, yaml.AliasEvent):
            raise YamlLimitError(
                f"YAML aliases are not allowed (*{event.anchor}): write the value out", line=event.start_mark.line + 1
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlLimitError(f"nested deeper than {MAX_YAML_DEPTH} levels", line=event.start_mark.line + 1)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def check_numbers(node: yaml.Node) -> None:
    """Refuse a float scalar that is not finite (``.nan``, ``-.inf``, ``1e999``) or an integer too
    large to become one, naming its key and line: such a value froze polling, disabled alerts and
    made timeouts endless."""
    import yaml

    stack: list[tuple[yaml.Node, KeyPath]] = [(node, ())]
    while stack:
        current, key = stack.pop()
        if isinstance(current, yaml.MappingNode):
            stack.extend((value, (*key, str(knode.value))) for knode, value in reversed(current.value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, (*key, i)) for i, item in reversed(list(enumerate(current.value))))
        elif isinstance(current, yaml.ScalarNode) and current.tag in (_FLOAT_TAG, _INT_TAG):
            problem = _number_problem(current)
            if problem:
                raise YamlLimitError(problem, line=current.start_mark.line + 1, key=dotted(key) or None)


def _number_problem(node: yaml.ScalarNode) -> str | None:
    """What is wrong with a number scalar, built as the loader builds it (hex, octal, sexagesimal
    ``!!float "inf:0"``): not finite in a float, or not a number at all (``!!int abc``)."""
    if len(str(node.value)) > _MAX_INT_DIGITS + 2:  # too long for any finite number (and cheap to refuse)
        return "must be a finite number"
    import yaml

    constructor = yaml.constructor.SafeConstructor()
    try:
        if node.tag == _INT_TAG:
            value: object = constructor.construct_yaml_int(node)
        else:
            value = constructor.construct_yaml_float(node)
        return None if math.isfinite(float(value)) else "must be a finite number"  # type: ignore[arg-type]
    except OverflowError:
        return "must be a finite number"
    except (ValueError, TypeError, yaml.YAMLError):
        return "is not a number"


def line_map(node: yaml.Node | None, prefix: KeyPath = (), out: dict[KeyPath, int] | None = None) -> dict[KeyPath, int]:
    """Map every key path in a composed YAML document to its 1-based line."""
    import yaml

    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            line_map(value_node, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = (*prefix, index)
            out[key] = item.start_mark.line + 1
            line_map(item, key, out)
    return out


def dotted(key: KeyPath) -> str:
    """``("environments", "prod", "tools", 0)`` -> ``environments.prod.tools[0]``."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
