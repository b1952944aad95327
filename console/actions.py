"""The one catalogue of actions (no Textual): every key the console binds, with a stable id.

An :class:`Action` is ``id, key, title, scope, dangerous, handler``. The code's actions are
:data:`CODE_ACTIONS`; the runbook's flows become actions too (:func:`flow_action`, id ``flow.<flow id>``,
scope ``dashboard``, dangerous when the flow changes something). From this catalogue, and only from it,
the UI builds every screen's ``BINDINGS`` (``widgets/keybindings.py``), the footer, ``?`` help, the
command palette, every hint that names a key (:meth:`Catalogue.hint`), the README key table
(:func:`readme_table`) and ``edge-console keys``.

:func:`build_catalogue` applies the configuration: the user keymap (``keys:`` in the config, checked by
``console/keymap.py``) and read-only (a dangerous action is not bound: ``enabled=False``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

#: Scopes: where an action's key works. ``modal`` scopes do not see the app-wide keys.
SCOPES: dict[str, tuple[str, bool]] = {
    "app": ("everywhere", False),
    "dashboard": ("dashboard", False),
    "logs": ("logs (l)", False),
    "logs.list": ("logs: the event list", False),
    "logs.event": ("logs: one event", True),
    "audit": ("audit trail", False),
    "incident": ("incident timeline", False),
    "incident.report": ("incident report", False),
    "contacts": ("contacts", False),
    "flow": ("a running flow", True),
    "flow.picker": ("flow picker", True),
    "help": ("help (?)", True),
    "quit": ("quit confirmation", True),
    "prompt": ("incident prompts", True),
    "prompt.phase": ("phase picker (m)", True),
    "prompt.resume": ("resume an open incident", True),
    "scenario": ("scenario picker (z)", True),
    "detail": ("full text of a row", True),
    "replay": ("replay (edge-console replay)", False),
    "logs.breakdown": ("logs: the error breakdown", False),
    "drill.score": ("drill score", True),
}

#: How a key is written for people (Textual names on the left).
KEY_NAMES = {
    "question_mark": "?",
    "colon": ":",
    "slash": "/",
    "escape": "esc",
    "full_stop": ".",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "equals_sign": "=",
    "comma": ",",
    "minus": "-",
    "plus": "+",
    "underscore": "_",
    "exclamation_mark": "!",
}
#: And back: what people write in ``keys:`` to the name Textual uses.
KEY_ALIASES = {v: k for k, v in KEY_NAMES.items()} | {" ": "space", "esc": "escape", "return": "enter"}


@dataclass(frozen=True)
class Action:
    id: str
    key: str  # Textual key spec, comma-separated ("escape,q"); "" for no key (palette only)
    title: str
    scope: str
    handler: str  # the Textual action string the binding runs ("open_log", "app.run_flow('x')")
    dangerous: bool = False  # changes the edge: not bound read-only
    show: bool = True  # in the footer
    priority: bool = False
    group: str = ""  # footer group ("Flows")
    fixed: bool = False  # shares its key with others by design (the flow modal's enter): no remap
    palette: str = ""  # command palette text ("" = not in the palette)
    help: str = ""  # one line for the palette / help
    enabled: bool = True  # bound in this configuration
    default_key: str = ""  # the key before the user's keymap
    note: str = ""  # why it is not enabled

    @property
    def keys(self) -> list[str]:
        return [k.strip() for k in self.key.split(",") if k.strip()]

    @property
    def key_label(self) -> str:
        return key_label(self.key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key_label,
            "scope": self.scope,
            "title": self.title,
            "dangerous": self.dangerous,
            "enabled": self.enabled,
        }


def key_label(key: str) -> str:
    """``"escape,q"`` -> ``"esc, q"``; ``"question_mark"`` -> ``"?"``."""
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(",") if k.strip())


def normalize_key(key: str) -> str:
    """What a person writes (``?``, ``esc``, ``ctrl+r``, ``L``) to Textual's key spec."""
    out = []
    for part in key.split(","):
        part = part if part == " " else part.strip()
        out.append(KEY_ALIASES.get(part, part))
    return ",".join(out)


def _a(id: str, key: str, title: str, scope: str, handler: str, **kw: Any) -> Action:
    return Action(id, key, title, scope, handler, default_key=key, **kw)


#: The phase picker's keys (console.incident.model.MARKABLE_PHASES, in order; PHASE_TEXT wording)
_PHASES = (
    ("1", "Engineer acknowledged"),
    ("2", "Root cause identified"),
    ("3", "Mitigation applied"),
    ("4", "Service restored"),
)

#: Every action of the code. Ids are dotted and stable: the config's ``keys:`` names them.
CODE_ACTIONS: tuple[Action, ...] = (
    # everywhere (the app)
    _a("app.quit", "q", "Quit", "app", "quit", help="asks first while an incident is open or a CRIT alert is up"),
    _a("app.help", "question_mark", "Help", "app", "help", help="every key that works where you are"),
    _a(
        "app.palette",
        "colon",
        "Commands",
        "app",
        "command_palette",
        show=False,
        help="the command palette (also ctrl+p): every flow by title",
    ),
    _a(
        "app.share",
        "w",
        "Share",
        "app",
        "share_help",
        show=False,
        palette="Share this console: read-only in a browser (edge-console serve)",
        help="shows the command and URL; starts nothing",
    ),
    _a(
        "incident.open",
        "i",
        "Incident",
        "app",
        "app.incident",
        show=False,
        palette="Incident: start",
        help="start an incident (severity P0-P3, title, impact) or open its timeline",
    ),
    _a(
        "incident.note",
        "n",
        "Note",
        "app",
        "app.incident_note",
        show=False,
        palette="Incident: note",
        help="add a note to the timeline",
    ),
    _a(
        "incident.phase",
        "m",
        "Mark phase",
        "app",
        "app.incident_phase",
        show=False,
        palette="Incident: mark phase",
        help="acknowledged, root cause, mitigation, restored",
    ),
    _a(
        "alert.ack",
        "a",
        "Ack alert",
        "app",
        "app.alert_ack",
        show=False,
        palette="Alert: acknowledge",
        help="silence the top alert until it clears",
    ),
    _a(
        "incident.contacts",
        "c",
        "Contacts",
        "app",
        "app.incident_contacts",
        show=False,
        palette="Incident: contacts and escalation",
        help="escalation path, channels, notify",
    ),
    _a(
        "record.toggle",
        "ctrl+t",
        "Record",
        "app",
        "record_toggle",
        show=False,
        palette="Recording: start or stop (edge-console replay plays it)",
        help="record what the console sees (gzip JSON lines under the state dir); again stops",
    ),
    _a(
        "sim.scenario",
        "z",
        "Scenario",
        "app",
        "switch_scenario",
        show=False,
        palette="",
        help="the simulated edge only: switch its scenario live (not during a drill)",
    ),
    # the dashboard
    _a(
        "flow.respond",
        "r",
        "Respond",
        "dashboard",
        "app.respond",
        palette="Respond: runbook flow for the alerts",
        help="the runbook response to the active alerts (worst first), else to the worst metric",
    ),
    _a("logs.open", "l", "Logs", "dashboard", "open_log", help="full-screen log view"),
    _a(
        "audit.open",
        "u",
        "Audit",
        "dashboard",
        "app.audit_view",
        palette="Audit trail: runbook steps that ran",
        help="the audit trail: runbook steps that ran, newest first",
    ),
    _a(
        "dashboard.fleet",
        "f",
        "Fleet/endpoint",
        "dashboard",
        "toggle_fleet",
        help="fleet-wide numbers from Prometheus (with prometheus_url)",
    ),
    _a(
        "dashboard.history_window",
        "h",
        "History window",
        "dashboard",
        "history_window",
        show=False,
        help="with prometheus_url: sparklines over the last hour, overnight (12 h) or a day",
    ),
    # the log view
    _a("logs.back", "escape", "Back", "logs", "back"),
    _a("logs.pause", "space", "Pause", "logs", "pause"),
    _a(
        "logs.filter",
        "slash",
        "Filter",
        "logs",
        "filter",
        help="cpu>25, level:error, outcome:exception, status:5xx, !text, ...",
    ),
    _a("logs.server_filter", "f", "Wrangler filters", "logs", "server_filter"),
    _a("logs.breakdown", "b", "Breakdown", "logs", "breakdown", help="top errors and CPU time"),
    _a("logs.window", "w", "Window", "logs", "window"),
    _a("logs.save", "s", "Save", "logs", "save", help="save the events as evidence"),
    _a("logs.reconnect", "r", "Reconnect", "logs", "reconnect"),
    _a(
        "logs.workers",
        "W",
        "Workers",
        "logs",
        "switch_workers",
        help="tail another of the edge's workers, or several merged (each row labelled)",
    ),
    _a("logs.details", "enter", "Details", "logs.list", "select"),
    _a("logs.up", "up", "Up", "logs.list", "cursor(-1)", show=False),
    _a("logs.down", "down", "Down", "logs.list", "cursor(1)", show=False),
    _a("logs.page_up", "pageup", "Page up", "logs.list", "page(-1)", show=False),
    _a("logs.page_down", "pagedown", "Page down", "logs.list", "page(1)", show=False),
    _a("logs.oldest", "home", "Oldest", "logs.list", "first", show=False),
    _a("logs.follow", "end", "Follow", "logs.list", "follow"),
    _a("logs.event.close", "escape,q,enter", "Close", "logs.event", "dismiss"),
    # the audit trail
    _a("audit.back", "escape", "Back", "audit", "app.pop_screen"),
    _a("audit.reload", "r", "Refresh", "audit", "reload"),
    # the incident timeline
    _a("timeline.back", "escape", "Back", "incident", "app.pop_screen"),
    _a("timeline.note", "n", "Note", "incident", "app.incident_note"),
    _a("timeline.phase", "m", "Phase", "incident", "app.incident_phase"),
    _a(
        "incident.severity",
        "s",
        "Severity",
        "incident",
        "app.incident_severity",
        palette="Incident: change severity",
        help="raise or lower the severity",
    ),
    _a("timeline.contacts", "c", "Contacts", "incident", "app.incident_contacts"),
    _a(
        "incident.close",
        "x",
        "Close incident",
        "incident",
        "app.incident_close",
        palette="Incident: close",
        help="recovery checklist, root cause, resolution, report",
    ),
    _a(
        "incident.report",
        "r",
        "Report",
        "incident",
        "app.incident_report",
        palette="Incident: report",
        help="write and view the incident report",
    ),
    _a(
        "incident.review",
        "v",
        "Review item done",
        "incident",
        "app.incident_review",
        palette="Incident: review item done",
        help="post-incident review checklist",
    ),
    _a(
        "incident.timeline",
        "",
        "Timeline",
        "incident",
        "app.incident_timeline",
        palette="Incident: timeline",
        help="the open incident's timeline",
    ),
    _a("report.back", "escape,q", "Back", "incident.report", "app.pop_screen"),
    _a("contacts.back", "escape", "Back", "contacts", "app.pop_screen"),
    _a("contacts.use", "enter", "Escalate / notify", "contacts", "use"),
    # a running flow (the enter and escape actions share their keys: one is enabled at a time)
    _a("flow.close", "escape", "Close", "flow", "close", fixed=True),
    _a("flow.cancel", "escape", "Cancel flow", "flow", "cancel", fixed=True),
    _a("flow.continue", "enter", "Continue", "flow", "continue_form", fixed=True),
    _a("flow.tick", "enter", "Tick item", "flow", "tick", fixed=True),
    _a("flow.finish", "enter", "Finish", "flow", "finish", fixed=True),
    _a("flow.run", "enter", "Run step", "flow", "run", fixed=True),
    _a("flow.done", "enter", "Close", "flow", "close", fixed=True),
    _a("flow.tick_space", "space", "Tick item", "flow", "tick", show=False),
    _a("flow.skip", "s", "Skip step", "flow", "skip"),
    _a(
        "flow.describe",
        "ctrl+o",
        "Show all",
        "flow",
        "describe",
        show=False,
        help="the flow's whole description, or once it finished its whole summary (cut on a small terminal)",
    ),
    _a("flow.undo", "u", "Open undo flow", "flow", "reverse", dangerous=True),
    _a("flow.quit", "q", "Quit", "flow", "hold_quit", show=False, help="while a step runs: esc stops it first"),
    _a("flow.picker.close", "escape", "Close", "flow.picker", "dismiss_none"),
    # small modals
    _a("help.close", "escape,q,question_mark", "Close", "help", "dismiss"),
    _a("quit.confirm", "y", "Quit anyway", "quit", "answer(True)"),
    _a("quit.cancel", "n,escape,q", "Stay", "quit", "answer(False)"),
    _a("prompt.cancel", "escape", "Cancel", "prompt", "cancel"),
    _a("prompt.not_now", "escape,n", "Not now", "prompt.resume", "cancel"),
    _a("prompt.resume", "y", "Resume", "prompt.resume", "resume_first"),
    *(_a(f"prompt.phase.{n}", n, title, "prompt.phase", f"pick({n})", show=False) for n, title in _PHASES),
    # the scenario picker (simulated edge) and a drill's score
    _a("sim.scenario.back", "escape,q", "Back", "scenario", "dismiss(None)"),
    _a("drill.score.close", "escape,q,enter", "Close", "drill.score", "dismiss(None)"),
    # full text of a row (timeline, log, breakdown) and copying it
    _a("detail.close", "escape,q,enter", "Close", "detail", "dismiss"),
    _a(
        "detail.copy",
        "c",
        "Copy text",
        "detail",
        "copy",
        help="OSC 52: the terminal's clipboard (tmux: set-clipboard on)",
    ),
    _a("logs.detail.copy", "c", "Copy text", "logs.event", "copy", help="OSC 52: the terminal's clipboard"),
    _a("breakdown.up", "up", "Previous error", "logs.breakdown", "row(-1)", show=False),
    _a("breakdown.down", "down", "Next error", "logs.breakdown", "row(1)", show=False),
    _a("breakdown.open", "enter", "Full message", "logs.breakdown", "open_row"),
    # a replay (edge-console replay FILE)
    _a("replay.pause", "space", "Pause/play", "replay", "replay_pause"),
    _a("replay.back", "left_square_bracket", "-1 min", "replay", "replay_back"),
    _a("replay.forward", "right_square_bracket", "+1 min", "replay", "replay_forward"),
    _a("replay.next_mark", "full_stop", "Next alert/step", "replay", "replay_next_mark"),
    _a("replay.faster", "plus,equals_sign", "Faster", "replay", "replay_faster"),
    _a("replay.slower", "minus", "Slower", "replay", "replay_slower"),
)

FLOW_GROUP = "Flows"


def flow_action(flow: Any) -> Action:
    """A runbook flow as an action (``flow.<id>``; key from the runbook, may be empty)."""
    title = str(flow.title) + (f" ({flow.override_text})" if getattr(flow, "replaces", None) else "")
    bits = [flow.section, flow.id] + (["changes things"] if flow.mutating else [])
    if getattr(flow, "replaces", None):
        bits.append(flow.override_text)
    return Action(
        f"flow.{flow.id}",
        flow.key or "",
        title,
        "dashboard",
        f"app.run_flow({flow.id!r})",
        dangerous=bool(flow.mutating),
        group=FLOW_GROUP,
        palette=f"Flow: {flow.title}",
        help=" · ".join(str(b) for b in bits),
        default_key=flow.key or "",
    )


class Catalogue:
    """The actions as configured: keys after the keymap, dangerous ones disabled read-only."""

    def __init__(self, actions: Iterable[Action], *, read_only: bool = False, problems: Iterable[str] = ()) -> None:
        self.actions: dict[str, Action] = {}
        for action in actions:
            if action.id in self.actions:
                raise ValueError(f"two actions have the id {action.id!r}")
            self.actions[action.id] = action
        self.read_only = read_only
        self.problems = list(problems)

    def __iter__(self):
        return iter(self.actions.values())

    def get(self, action_id: str) -> Action | None:
        return self.actions.get(action_id)

    def in_scope(self, scope: str, *, enabled_only: bool = True) -> list[Action]:
        return [a for a in self.actions.values() if a.scope == scope and (a.enabled or not enabled_only)]

    def flows(self) -> list[Action]:
        return [a for a in self.actions.values() if a.group == FLOW_GROUP]

    def key_of(self, action_id: str) -> str:
        """The first key (as people write it) an enabled action is bound to, or ""."""
        action = self.actions.get(action_id)
        if action is None or not action.enabled or not action.keys:
            return ""
        return KEY_NAMES.get(action.keys[0], action.keys[0])

    def hint(self, action_id: str, words: str) -> str:
        """``"r respond"``: the key and what it does, or "" when the action is not bound (then the hint
        is left out rather than naming a key that does something else)."""
        key = self.key_of(action_id)
        return f"{key} {words}" if key else ""

    def keys_text(self, action_id: str) -> str:
        """Every key of an enabled action for a sentence: ``"n, esc or q"``; "" when not bound."""
        action = self.actions.get(action_id)
        if action is None or not action.enabled or not action.keys:
            return ""
        labels = [KEY_NAMES.get(k, k) for k in action.keys]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]

    def keymap(self) -> dict[str, str]:
        """``{id: key}`` for every action whose key differs from its default (for ``App.set_keymap``)."""
        return {a.id: a.key for a in self.actions.values() if a.key != a.default_key and a.key}


def build_catalogue(
    runbook: Any = None, *, keymap: Mapping[str, str] | None = None, read_only: bool = False, config: Any = None
) -> Catalogue:
    """The code's actions plus the runbook's flows, with the user keymap applied and read-only at
    assembly. A runbook flow key that a code action already uses in its scope (or everywhere) is not
    bound (``note`` says why; the palette still has the flow). Keymap problems (unknown id, a key bound
    twice in one scope) raise ``ConfigError`` at the config's line (``console/keymap.py``)."""
    from console.keymap import apply_keymap

    actions = list(CODE_ACTIONS)
    if runbook is not None:
        actions.extend(flow_action(flow) for flow in runbook.flows.values())
    actions = apply_keymap(actions, keymap or {}, config)
    problems: list[str] = []
    taken = {k for a in actions if a.group != FLOW_GROUP and a.scope in ("app", "dashboard") for k in a.keys}
    out: list[Action] = []
    for action in actions:
        if action.dangerous and read_only:
            action = replace(action, enabled=False, note="read-only: changes the edge")
        elif action.group == FLOW_GROUP and action.keys:
            clash = [k for k in action.keys if k in taken]
            if clash:
                why = f"key {key_label(clash[0])!r} for flow {action.id[5:]!r} is already bound; use the palette"
                problems.append(why)
                action = replace(action, key="", note=why)
            else:
                taken.update(action.keys)
        out.append(action)
    return Catalogue(out, read_only=read_only, problems=problems)


def code_catalogue() -> Catalogue:
    """The code's actions with their default keys (what ``BINDINGS`` are built from)."""
    return Catalogue(CODE_ACTIONS)


def readme_table(runbook: Any = None) -> str:
    """The README's key table (Markdown): the built-in defaults, generated from the catalogue."""
    catalogue = build_catalogue(runbook)
    rows = ["| where | key | what it does | id | changes the edge |", "|---|---|---|---|---|"]
    for scope, (where, _modal) in SCOPES.items():
        for action in catalogue.in_scope(scope):
            if not action.keys:
                continue
            key = " ".join(f"`{k.strip()}`" for k in action.key_label.split(", "))
            what = action.title + (f": {action.help}" if action.help and action.group != FLOW_GROUP else "")
            rows.append(
                f"| {where} | {key} | {what.replace('|', '/')} | `{action.id}` | {'yes' if action.dangerous else ''} |"
            )
    return "\n".join(rows) + "\n"


README_BEGIN = "<!-- keys:begin (generated by `make keys-doc` from console/actions.py; do not edit) -->"
README_END = "<!-- keys:end -->"


def replace_readme_section(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table`` (ValueError without markers)."""
    start = text.index(README_BEGIN) + len(README_BEGIN)
    end = text.index(README_END, start)
    return text[:start] + "\n" + table + text[end:]
