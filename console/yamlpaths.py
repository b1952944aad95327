"""Where things are in a YAML file: key paths to line numbers, for messages that say file:line: key."""

from __future__ import annotations

import yaml

KeyPath = tuple[str | int, ...]

#: libyaml's scanner and parser when PyYAML was built with it (the usual wheels are): parsing the
#: shipped runbooks took ~0.7 s of CPU in pure Python. Marks (lines) and errors are the same.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, object]:
    """One parse of ``text``: the node tree (for line numbers) and the data built from it.
    Raises yaml.YAMLError (MarkedYAMLError with the line) on bad YAML."""
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def line_map(node: yaml.Node | None, prefix: KeyPath = (), out: dict[KeyPath, int] | None = None) -> dict[KeyPath, int]:
    """Map every key path in a composed YAML document to its 1-based line."""
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
