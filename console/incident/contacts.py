"""Emergency contacts, escalation path, channels and notify commands from config (validated).

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

CONTACT_KEYS = {"name", "role", "email", "phone", "how", "external"}
CHANNEL_KEYS = {"name", "kind", "purpose", "url"}


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
        Contact("cloudflare", "Cloudflare Enterprise Support", email="enterprise-support@cloudflare.com", external=True),
        Contact("pagerduty", "PagerDuty Support", email="support@pagerduty.com", external=True),
    ]
    channels = [
        Channel("edge-alerts", "#edge-alerts", "slack", "Automated alerts"),
        Channel("edge-oncall", "#edge-oncall", "slack", "On-call discussion"),
        Channel("incidents", "#incidents", "slack", "Active incidents"),
        Channel("status-page", "Status Page", "link", "Public status", "status.twist.io"),
        Channel("war-room", "War Room", "war-room", "Incident call", "zoom.twist.io/warroom"),
    ]
    return Contacts({c.key: c for c in contacts}, ["on-call", "team-lead", "platform-lead", "cto"],
                    {c.key: c for c in channels})


def load_contacts(config: Any) -> Contacts:
    """Contacts from the config's ``contacts``/``escalation``/``channels``/``notify`` sections.

    Raises the config's ``ConfigError`` (``file:line: key: what``) for bad entries. Sections the
    config does not have come from the runbook defaults.
    """
    defaults = runbook_defaults()
    if config is None:
        return defaults
    raw_contacts = config.section("contacts")
    raw_escalation = config.section("escalation")
    raw_channels = config.section("channels")
    raw_notify = config.section("notify")

    contacts = defaults.contacts
    if raw_contacts is not None:
        if not isinstance(raw_contacts, dict):
            raise config.error_at(("contacts",), "expected a mapping of contact key -> {name, email, phone, how}")
        contacts = {}
        for key, body in raw_contacts.items():
            where = ("contacts", str(key))
            if isinstance(body, str):
                body = {"name": body}
            if not isinstance(body, dict):
                raise config.error_at(where, "expected a mapping with name, email, phone, how, external")
            for sub in body:
                if sub not in CONTACT_KEYS:
                    raise config.error_at((*where, str(sub)), "unknown key (known: " + ", ".join(sorted(CONTACT_KEYS)) + ")")
            name = body.get("name")
            if not isinstance(name, str) or not name.strip():
                raise config.error_at((*where, "name"), "is required (a non-empty string)")
            for sub in ("role", "email", "phone", "how"):
                if sub in body and not isinstance(body[sub], (str, int)):
                    raise config.error_at((*where, sub), "expected a string")
            email = str(body.get("email", "") or "")
            if email and "@" not in email:
                raise config.error_at((*where, "email"), f"{email!r} is not an email address")
            external = body.get("external", False)
            if not isinstance(external, bool):
                raise config.error_at((*where, "external"), f"expected true or false, got {external!r}")
            contacts[str(key)] = Contact(str(key), name.strip(), str(body.get("role", "") or ""), email,
                                         str(body.get("phone", "") or ""), str(body.get("how", "") or ""), external)

    escalation = [k for k in defaults.escalation if k in contacts]
    if raw_escalation is not None:
        if not isinstance(raw_escalation, list):
            raise config.error_at(("escalation",), "expected a list of contact keys, in escalation order")
        escalation = []
        for index, key in enumerate(raw_escalation):
            if not isinstance(key, str) or key not in contacts:
                raise config.error_at(("escalation", index), f"{key!r} names no contact (known: "
                                      + ", ".join(contacts) + ")")
            escalation.append(key)

    channels = dict(defaults.channels)
    if raw_channels is not None:
        if not isinstance(raw_channels, dict):
            raise config.error_at(("channels",), "expected a mapping of channel key -> {name, kind, purpose, url}")
        channels = {}
        for key, body in raw_channels.items():
            where = ("channels", str(key))
            if isinstance(body, str):
                body = {"name": body}
            if not isinstance(body, dict):
                raise config.error_at(where, "expected a mapping with name, kind, purpose, url")
            for sub in body:
                if sub not in CHANNEL_KEYS:
                    raise config.error_at((*where, str(sub)), "unknown key (known: " + ", ".join(sorted(CHANNEL_KEYS)) + ")")
                if not isinstance(body[sub], str):
                    raise config.error_at((*where, str(sub)), "expected a string")
            channels[str(key)] = Channel(str(key), body.get("name") or str(key), body.get("kind", ""),
                                         body.get("purpose", ""), body.get("url", ""))

    if raw_notify is not None:
        if not isinstance(raw_notify, dict):
            raise config.error_at(("notify",), "expected a mapping of channel key -> argv list")
        for key, argv in raw_notify.items():
            where = ("notify", str(key))
            if str(key) not in channels:
                raise config.error_at(where, "names no channel (known: " + ", ".join(channels) + ")")
            if not isinstance(argv, list) or not argv or not all(
                    isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in argv):
                raise config.error_at(where, "expected an argv list such as [slack-notify, --channel, incidents] "
                                      "(the message is given on stdin; no shell)")
            ch = channels[str(key)]
            channels[str(key)] = Channel(ch.key, ch.name, ch.kind, ch.purpose, ch.url, tuple(str(p) for p in argv))
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
