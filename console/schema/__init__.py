"""Declared models of the console's YAML files (config, runbook) and the one checker that reads them.

* :mod:`console.schema.validate`: checks data against a model and reports every problem with its key path.
* :mod:`console.schema.config_model` and :mod:`console.schema.runbook_model`: the declarations, one
  one-line doc per field (they are the JSON Schemas' descriptions too).
* :mod:`console.schema.generate`: JSON Schema for ``edge-console schema config|runbook`` and the shipped
  ``schemas/*.json`` files.
"""
