"""Emergency contacts: the escalation path, external contacts, channels and the war room.

``enter`` on a contact records that they were called (timeline); ``enter`` on a channel with a
notify command runs it (message on stdin) after the operator edits the message."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from console.incident.contacts import Contacts
from screens.base import EdgeScreen
from screens.textual_compat import Footer  # Textual's, each key styled once
from widgets.keybindings import bindings


class ContactsScreen(EdgeScreen):
    BINDINGS = bindings("contacts")

    def __init__(self, contacts: Contacts) -> None:
        super().__init__()
        self.contacts = contacts
        self.row_keys: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_chrome()
        yield Static(
            "Escalation path, external contacts and channels (runbook: Emergency Contacts)", id="contacts-title"
        )
        yield DataTable(id="contacts-table", cursor_type="row")
        yield Static("", id="contacts-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "who / where", "how to reach", "note")
        for step, contact in enumerate(self.contacts.path(), start=1):
            table.add_row(Text(f"{step}.", style="bold"), Text(contact.name), Text(contact.reach()), Text(contact.role))
            self.row_keys.append(("contact", contact.key))
        for contact in self.contacts.external():
            table.add_row(Text("ext", style="dim"), Text(contact.name), Text(contact.reach()), Text("external"))
            self.row_keys.append(("contact", contact.key))
        listed = {k for kind, k in self.row_keys}
        for contact in self.contacts.contacts.values():
            if contact.key not in listed:
                table.add_row("", Text(contact.name), Text(contact.reach()), Text(contact.role))
                self.row_keys.append(("contact", contact.key))
        use = self.app.keys_text("contacts.use") or "enter"  # type: ignore[attr-defined]
        for channel in self.contacts.channels.values():
            note = Text(channel.purpose)
            if channel.notify:
                note.append(f"  notify: {use}", style="bold")
            # a channel that sends says so in the first column: at the note's end the mark was past the
            # screen's edge at 80 columns (the note column starts at 69), and the hint names the mark
            kind = Text("notify", style="bold") if channel.notify else Text("chan", style="dim")
            table.add_row(kind, Text(channel.name), Text(channel.url or channel.kind), note)
            self.row_keys.append(("channel", channel.key))
        has_incident = self.app.incident_response.manager.current is not None  # type: ignore[attr-defined]
        self.query_one("#contacts-hint", Static).update(
            Text(
                f"{use} on a contact records the escalation on the timeline; on a channel marked 'notify' it sends "
                "a message"
                if has_incident
                else "No incident open: escalations are recorded once one is started."
            )
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_use()

    def action_use(self) -> None:
        table = self.query_one(DataTable)
        if not self.row_keys or table.cursor_row is None:
            return
        kind, key = self.row_keys[table.cursor_row]
        response = self.app.incident_response  # type: ignore[attr-defined]
        if kind == "contact":
            response.escalate(key)
        else:
            response.ask_notify(key)
