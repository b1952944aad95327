"""Declares ``edge-console schema config|runbook`` (runs in :mod:`console.schema.cli`)."""

from __future__ import annotations

from typing import Any

from console.commands import handler


def register(subparsers: Any) -> None:
    from console.schema.generate import SCHEMAS

    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the config or of a runbook file (for editors)",
        description="Print the JSON Schema generated from the declared config or runbook model. Save it and "
        "put `# yaml-language-server: $schema=FILE` at the top of your YAML for completion, docs "
        "and errors in your editor.",
    )
    p.add_argument("name", choices=sorted(SCHEMAS), help="which file's schema")
    p.add_argument("--output", "-o", metavar="FILE", default=None, help="write it to FILE instead of stdout")
    p.set_defaults(func=handler("console.schema.cli:run"))
