"""Live log tail: ``wrangler tail <worker> --format json`` parsed, filtered, summarised and saved.

Core only (no Textual): the event model, the incremental parser, filter expressions, the bounded
store, the error/CPU breakdown, the subprocess source and the headless ``edge-console tail``.
"""
