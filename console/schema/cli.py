"""``edge-console schema config|runbook``: print the JSON Schema of the config or of a runbook file.

Point an editor at it for completion, hover docs and errors while typing (yaml-language-server)::

    # yaml-language-server: $schema=/path/to/runbook.schema.json
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from console.schema.generate import SCHEMAS, schema_text


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the config or of a runbook file (for editors)",
        description="Print the JSON Schema generated from the declared config or runbook model. Save it and "
        "put `# yaml-language-server: $schema=FILE` at the top of your YAML for completion, docs "
        "and errors in your editor.",
    )
    p.add_argument("name", choices=sorted(SCHEMAS), help="which file's schema")
    p.add_argument("--output", "-o", metavar="FILE", default=None, help="write it to FILE instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = schema_text(args.name)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        return 0
    sys.stdout.write(text)
    return 0
