"""Edge Console core: configuration, runbook model, data sources, actions and incident state.

Nothing in this package imports Textual; the TUI lives in the ``widgets``, ``screens`` and
``themes`` packages.
"""

__version__ = "0.1.0"
