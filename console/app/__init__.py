"""The application layer: what the console does, without Textual (layers: ``screens -> widgets ->
console.app -> console core``; the core never imports this package, ``pyproject.toml [tool.importlinter]``).

- :mod:`console.app.flows`: what a runbook flow run needs from the app (``FlowContext``) and how flows are
  reached from the dashboard (``resolve_target``, ``section_slug``).
- :mod:`console.app.tail`: the log tail's state (``LogTail``: settings, store and filter, feed and parse pump,
  switching workers); ``screens.log_view.TailController`` adds the Textual glue (worker, timer, panes).
- :mod:`console.app.protocols`: typed Protocols for the poll source and the tail feed the screens are given,
  and ``ConsoleApp``: the app's attributes as screens read them.
- :mod:`console.app.events`: the typed event bus (``EventBus``; ``PollCompleted``, ``AuditRecorded``,
  ``ScenarioSwitched``, ``AlertsUpdated``) the app's subscribers listen on.
- :mod:`console.app.incidents`: the incident session (``IncidentSession``: alerts to the timeline, the
  operator's incident actions, resume, other writers); ``screens.incident_response.IncidentResponse`` adds
  the Textual glue (modals, toasts, the banner and bar on every screen).
- :mod:`console.app.incident_notify`: notifying a channel, the decisions (plan, refusal, confirmation, drill
  marker, secrets kept out of the output).

Importing this package loads nothing: import the module you need.
"""
