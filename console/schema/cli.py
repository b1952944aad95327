"""``edge-console schema config|runbook``: print the JSON Schema of the config or of a runbook file.

Point an editor at it for completion, hover docs and errors while typing (yaml-language-server)::

    # yaml-language-server: $schema=/path/to/runbook.schema.json
"""

from __future__ import annotations

import argparse
import sys

from console.schema.generate import schema_text


def run(args: argparse.Namespace) -> int:
    text = schema_text(args.name)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        return 0
    sys.stdout.write(text)
    return 0
