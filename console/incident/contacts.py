"""Emergency contacts, escalation path, channels and notify commands from config (declared in
console/schema/config_model.py, checked at load).

Config (all optional; without them the runbook's Emergency Contacts section is used)::

    contacts:                       # key -> contact
      on-call: {name: On-Call Engineer, how: Check PagerDuty}
      team-lead: {name: Team Lead, email: infrastructure-lead@twist.io, phone: "+1 555 0100"}
      cloudflare: {name: Cloudflare Enterprise Support, email: enterprise-support@cloudflare.com, external: true}
    escalation: [on-call, team-lead, platform-lead, cto]   # contact keys, in order
    channels:                       # key -> channel
      incidents: {name: "#incidents", kind: slack, purpose: Active incidents}
      war-room: {name: War Room, kind: link, url: https://zoom.twist.io/warroom}
    notify:                         # channel key -> argv; the message is given on stdin
      incidents: [slack-notify, --channel, incidents]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.schema.config_model import ChannelSpec, ContactSpec

CONTACT_KEYS = set(ContactSpec.__struct_fields__)
CHANNEL_KEYS = set(ChannelSpec.__struct_fields__)


@dataclass(frozen=True)
class Contact:
    key: str
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    how: str = ""
    external: bool = False

    def reach(self) -> str:
        return ", ".join(x for x in (self.how, self.email, self.phone) if x) or "-"


@dataclass(frozen=True)
class Channel:
    key: str
    name: str
    kind: str = ""
    purpose: str = ""
    url: str = ""
    notify: tuple[str, ...] = ()


@dataclass
class Contacts:
    contacts: dict[str, Contact] = field(default_factory=dict)
    escalation: list[str] = field(default_factory=list)
    channels: dict[str, Channel] = field(default_factory=dict)

    def path(self) -> list[Contact]:
        return [self.contacts[k] for k in self.escalation if k in self.contacts]

    def external(self) -> list[Contact]:
        return [c for c in self.contacts.values() if c.external]

    def war_room(self) -> Channel | None:
        for ch in self.channels.values():
            if ch.key == "war-room" or ch.kind == "war-room":
                return ch
        return None

    def notifiable(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.notify]


def runbook_defaults() -> Contacts:
    """The runbook's Emergency Contacts section."""
    contacts = [
        Contact("on-call", "On-Call Engineer", how="Check PagerDuty"),
        Contact("team-lead", "Team Lead", email="infrastructure-lead@twist.io"),
        Contact("platform-lead", "Platform Lead", email="platform-lead@twist.io"),
        Contact("cto", "CTO", email="cto@twist.io"),
        Contact(
            "cloudflare", "Cloudflare Enterprise Support", email="enterprise-support@cloudflare.com", external=True
        ),
        Contact("pagerduty", "PagerDuty Support", email="support@pagerduty.com", external=True),
    ]
    channels = [
        Channel("edge-alerts", "#edge-alerts", "slack", "Automated alerts"),
        Channel("edge-oncall", "#edge-oncall", "slack", "On-call discussion"),
        Channel("incidents", "#incidents", "slack", "Active incidents"),
        Channel("status-page", "Status Page", "link", "Public status", "status.twist.io"),
        Channel("war-room", "War Room", "war-room", "Incident call", "zoom.twist.io/warroom"),
    ]
    return Contacts(
        {c.key: c for c in contacts}, ["on-call", "team-lead", "platform-lead", "cto"], {c.key: c for c in channels}
    )


def load_contacts(config: Any) -> Contacts:
    """Contacts from the config's ``contacts``/``escalation``/``channels``/``notify`` sections, as checked
    when the config was loaded (:class:`console.schema.config_model.ConfigFile`: a bad entry is a
    ``ConfigError`` at load). Sections the config does not have come from the runbook defaults."""
    defaults = runbook_defaults()
    model = getattr(config, "model", None)
    if model is None:
        return defaults
    contacts = defaults.contacts
    if model.contacts is not None:
        contacts = {}
        for key, spec in model.contacts.items():
            if isinstance(spec, str):
                contacts[key] = Contact(key, spec.strip())
            else:
                contacts[key] = Contact(
                    key, spec.name.strip(), spec.role, spec.email, spec.phone, spec.how, spec.external
                )
    escalation = [k for k in defaults.escalation if k in contacts]
    if model.escalation is not None:
        escalation = list(model.escalation)
    channels = dict(defaults.channels)
    if model.channels is not None:
        channels = {}
        for key, spec in model.channels.items():
            if isinstance(spec, str):
                channels[key] = Channel(key, spec or key)
            else:
                channels[key] = Channel(key, spec.name or key, spec.kind, spec.purpose, spec.url)
    for key, argv in (model.notify or {}).items():
        ch = channels[key]
        channels[key] = Channel(ch.key, ch.name, ch.kind, ch.purpose, ch.url, tuple(argv))
    return Contacts(contacts, escalation, channels)


def escalation_lines(contacts: Contacts) -> list[str]:
    """Plain lines for showing the escalation path next to a P0 flow (no Textual)."""
    lines = [f"{n}. {c.name}: {c.reach()}" for n, c in enumerate(contacts.path(), start=1)]
    lines += [f"External: {c.name}: {c.reach()}" for c in contacts.external()]
    room = contacts.war_room()
    if room is not None:
        lines.append(f"War room: {room.url or room.name}")
    channels = [c.name for c in contacts.channels.values() if c.kind == "slack"]
    if channels:
        lines.append("Channels: " + ", ".join(channels))
    return lines
