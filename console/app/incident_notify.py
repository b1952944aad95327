"""Notifying a channel from an incident, the decisions (no Textual, no I/O): whether a channel may be sent
to (a notify command is an action: refused read-only), the message proposed, the confirmation typed, the
drill marker, and the secrets a notify command's output must never show. The session
(:class:`console.app.incidents.IncidentSession`) runs the command (``console.incident.notify.run_notify``)
and records the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.incident.notify import notify_confirmation, notify_refusal

__all__ = [
    "DRILL_PREFIX",
    "NotNotified",
    "NotifyPlan",
    "check_message",
    "confirmation_problem",
    "drill_message",
    "known_secrets",
    "plan_notify",
]

#: a drill's messages say so first: whoever reads the channel must not take them for real
DRILL_PREFIX = "[SIMULATED DRILL]"


@dataclass(frozen=True)
class NotifyPlan:
    """A notify command that may be sent: the channel, the message proposed, the confirmation it needs."""

    channel_key: str
    channel_name: str
    command: str
    default_message: str
    confirmation: Any = field(repr=False, default=None)  # console.runbook.policy.Confirmation


@dataclass(frozen=True)
class NotNotified:
    """Why nothing can be sent: ``refused`` when policy says no (read-only), else the channel has no command."""

    text: str
    refused: bool = False


def plan_notify(
    contacts: Any, channel_key: str, incident: Any, *, read_only: bool, env_name: str
) -> NotifyPlan | NotNotified:
    """The plan for sending to ``channel_key`` about ``incident``, or why not."""
    channel = contacts.channels.get(channel_key)
    if channel is None:
        return NotNotified(f"no channel {channel_key!r} in the contacts")
    if not channel.notify:
        return NotNotified(f"{channel.name}: no notify command in config (notify.{channel.key})")
    refusal = notify_refusal(channel.key, read_only, env_name)
    if refusal:  # a notify command is an action
        return NotNotified(refusal, refused=True)
    war_room = contacts.war_room()
    default = f"{incident.id} {incident.severity} {incident.title} - phase {incident.phase}" + (
        f" - war room {war_room.url}" if war_room and war_room.url else ""
    )
    return NotifyPlan(channel.key, channel.name, channel.notify[0], default, notify_confirmation(channel.key, env_name))


def check_message(text: str) -> tuple[bool, str]:
    """The message form's check: (ok, why not)."""
    if not text.strip():
        return False, "message: must not be empty"
    return True, ""


def confirmation_problem(plan: NotifyPlan, typed: str, cancel_hint: str = "") -> str:
    """ "" when ``typed`` confirms sending; else what the prompt says (nothing is sent)."""
    if plan.confirmation.accepts(typed):
        return ""
    suffix = f" ({cancel_hint})" if cancel_hint else ""
    return f"type {plan.confirmation.expected!r} to send{suffix}: nothing sent"


def drill_message(message: str, drill: bool) -> str:
    """A drill's message starts with :data:`DRILL_PREFIX` (once)."""
    if drill and not message.startswith(DRILL_PREFIX):
        return f"{DRILL_PREFIX} {message}"
    return message


def known_secrets(env: Any) -> list[str | None]:
    """The environment's tokens, so a notify command's output never shows them."""
    from console.secrets import SecretError, read_secret

    out: list[str | None] = []
    for var, file in (
        (getattr(env, "api_token_env", None), getattr(env, "api_token_file", None)),
        (getattr(env, "admin_token_env", None), getattr(env, "admin_token_file", None)),
    ):
        try:
            out.append(read_secret(var, file))
        except (SecretError, OSError):
            continue
    return out
