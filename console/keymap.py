"""The user keymap: the config's ``keys:`` section maps action ids to keys (no Textual).

    keys:
      logs.open: L
      flow.rollback: ctrl+r      # a runbook flow: flow.<flow id>
      app.help: "?,f1"           # several keys: comma-separated

Checked against the catalogue (``console/actions.py``): an unknown action id, a key that is not a key,
an action whose key is shared by design (the flow modal's enter), and a key bound twice in one scope are
config errors at ``file:line: keys.<id>: what``. "Twice in one scope" counts the app-wide keys in every
full screen (not in modals, which do not see them); clashes among the built-in defaults (a screen's own
key over an app-wide one, one enter per flow-modal state) are by design and are not reported.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Iterable, Mapping

from console.config import ConfigError

#: one key: modifiers, then a printable character or a Textual key name (f1, pageup, question_mark)
_KEY = re.compile(r"^((ctrl|shift|alt|meta|super)\+)*([!-~]|[a-z][a-z0-9_]*)$")


def _error(config: Any, path: tuple, message: str) -> ConfigError:
    if config is not None and hasattr(config, "error_at"):
        return config.error_at(path, message)
    return ConfigError(message, key=".".join(path))


def read_keymap(config: Any) -> dict[str, str]:
    """The ``keys:`` section as ``{action id: Textual key spec}`` (syntax checked, ids not yet)."""
    from console.actions import normalize_key

    section = config.section("keys") if config is not None and hasattr(config, "section") else None
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise _error(config, ("keys",), "expected a mapping of action ids to keys (see edge-console keys)")
    out: dict[str, str] = {}
    for action_id, key in section.items():
        path = ("keys", str(action_id))
        if not isinstance(action_id, str) or not action_id:
            raise _error(config, path, "expected an action id (see edge-console keys)")
        if isinstance(key, bool) or not isinstance(key, (str, int)) or str(key) == "":
            raise _error(config, path, f"expected a key such as L or ctrl+r, got {key!r}")
        spec = normalize_key(str(key))
        for part in spec.split(","):
            if not _KEY.match(part):
                raise _error(config, path, f"{part!r} is not a key (examples: L, ctrl+r, f2, ?)")
        out[action_id] = spec
    return out


def apply_keymap(actions: Iterable[Any], keymap: Mapping[str, str], config: Any = None) -> list[Any]:
    """The actions with the keymap's keys; raises ``ConfigError`` at ``keys.<id>`` for an unknown id,
    a fixed action or a key bound twice in one scope."""
    from console.actions import SCOPES

    actions = list(actions)
    by_id = {a.id: a for a in actions}
    for action_id in keymap:
        action = by_id.get(action_id)
        if action is None:
            near = sorted(i for i in by_id if i.split(".")[0] == action_id.split(".")[0])[:8]
            hint = f" (known here: {', '.join(near)})" if near else " (edge-console keys lists them)"
            raise _error(config, ("keys", action_id), f"unknown action id{hint}")
        if action.fixed:
            raise _error(
                config,
                ("keys", action_id),
                f"{action.title!r} shares its key with other steps of the same screen by design and cannot be remapped",
            )
    out = [replace(a, key=keymap[a.id]) if a.id in keymap else a for a in actions]
    remapped = set(keymap)
    # who holds each key in each scope; app-wide keys count in every full (non-modal) screen
    holders: dict[tuple[str, str], list[Any]] = {}
    for action in out:
        for key in action.keys:
            holders.setdefault((action.scope, key), []).append(action)
    for action in out:
        if action.id not in remapped:
            continue
        for key in action.keys:
            scopes = [action.scope]
            if action.scope == "app":
                scopes += [s for s, (_, modal) in SCOPES.items() if not modal and s != "app"]
            elif not SCOPES.get(action.scope, ("", True))[1]:
                scopes.append("app")
            for scope in scopes:
                others = [o for o in holders.get((scope, key), []) if o.id != action.id]
                if others:
                    other = others[0]
                    screen = other.scope if action.scope == "app" else action.scope
                    where = SCOPES.get(screen, (screen, False))[0]
                    everywhere = ", everywhere" if other.scope == "app" else ""
                    raise _error(
                        config,
                        ("keys", action.id),
                        f"key {key!r} is bound twice in {where}: also {other.id} ({other.title}{everywhere})",
                    )
    return out
