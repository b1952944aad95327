"""Drills on the simulated edge: scripts (``script.py``), the runbook's expectations per scenario
(``expectations.py``), playing a script (``runner.py``), scoring the responder (``score.py``) and
``edge-console drill`` (``cli.py``). Shipped scripts are package data in ``console/drills/``."""
