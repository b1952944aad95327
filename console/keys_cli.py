"""``edge-console keys [--json]``: the action catalogue as seen in the current configuration (the user
keymap from ``keys:``, the runbook's flows, read-only), for a war-room cheat sheet.

``edge-console keys --update-readme README.md`` rewrites the README's generated key table (between the
markers in ``console/actions.py``) from the catalogue's defaults; ``make keys-doc`` runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.config import ConfigError

EXIT_USAGE = 2


def configured_catalogue(config, read_only: bool):
    """The catalogue for ``config``: its runbook's flows, its keymap, read-only. Raises ConfigError
    (keymap) or RunbookError (runbook)."""
    from console.actions import build_catalogue
    from console.keymap import read_keymap
    from console.runbook import load_for_config

    runbook = load_for_config(config)
    return build_catalogue(runbook, keymap=read_keymap(config), read_only=read_only, config=config)


def update_readme(path: Path) -> bool:
    """Rewrite the generated table in ``path``; True when it changed."""
    from console.actions import readme_table, replace_readme_section
    from console.runbook import load_for_config

    text = path.read_text(encoding="utf-8")
    new = replace_readme_section(text, readme_table(load_for_config(None)))
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def cmd_keys(args: argparse.Namespace) -> int:
    from console.runbook.model import RunbookError
    from console.sanitize import clean_line, json_dumps

    if args.update_readme:
        try:
            changed = update_readme(Path(args.update_readme))
        except (OSError, ValueError) as exc:
            print(f"edge-console: keys: {args.update_readme}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{args.update_readme}: key table {'updated' if changed else 'already current'}")
        return 0
    from console.session import open_session_from_args

    session = open_session_from_args(args, start_sim=False)
    try:
        try:
            catalogue = configured_catalogue(session.config, bool(session.read_only))
        except RunbookError as exc:
            print(f"edge-console: {exc}", file=sys.stderr)
            return EXIT_USAGE
        rows = [action.as_dict() for action in catalogue]
        if args.json:
            print(json_dumps(rows, indent=2))
            return 0
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            flags = ("changes the edge" if r["dangerous"] else "") + ("" if r["enabled"] else " (not bound)")
            print(
                clean_line(
                    f"{r['id']:<{width}}  {r['key'] or '-':<14} {r['scope']:<15} {r['title']}"
                    + (f"  [{flags.strip()}]" if flags.strip() else "")
                )
            )
        for problem in catalogue.problems:
            print(clean_line(f"note: {problem}"))
        return 0
    except ConfigError:
        raise  # cli.main prints it as file:line: key: what, exit 2
    finally:
        session.close()
