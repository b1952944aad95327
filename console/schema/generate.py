"""JSON Schemas generated from the declared models, for editors (yaml-language-server) and the shipped
``schemas/*.json`` files (a test keeps those equal to what this module generates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: schema name -> (module, class, title)
SCHEMAS = {
    "config": ("console.schema.config_model", "ConfigFile", "Edge Console configuration"),
    "runbook": ("console.schema.runbook_model", "RunbookFile", "Edge Console runbook"),
}

#: fields with a default in the model (so the console words the problem itself) that editors should require
REQUIRED_WITH_DEFAULT = {"config": ("environments",)}

#: where the repository ships them (``schemas/config.schema.json``, ``schemas/runbook.schema.json``)
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "schemas"


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``config`` or ``runbook``."""
    import importlib

    import msgspec

    module, cls, title = SCHEMAS[name]
    generated = msgspec.json.schema(getattr(importlib.import_module(module), cls))
    top = generated["$defs"][cls]
    for field in REQUIRED_WITH_DEFAULT.get(name, ()):  # checked by a rule in the model, required for editors
        top["required"] = sorted({*top.get("required", []), field})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **generated}


def schema_text(name: str) -> str:
    """The schema as the shipped file holds it: indented JSON, keys in declaration order, a final newline."""
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"


def shipped_path(name: str) -> Path:
    return SHIPPED_DIR / f"{name}.schema.json"
