"""``edge-console serve``: the console in war-room browsers, read-only, one console process per tab.

Textual-free. ``shared.py`` (the environment a served console reads: forced read-only, the shared
simulated edge) is imported by ``console.session``; the rest only by the ``serve`` command:
``hosts.py`` (loopback checks), ``auth.py`` (token, cookie, Host/Origin checks: aiohttp middleware),
``slots.py`` (session limit), ``command.py`` (the child's argv and environment), ``supervise.py``
(child processes in their own process groups, under ``console.runbook.childguard``), ``assets.py`` and
``page.html`` (the page, served offline), ``web.py`` (the aiohttp app), ``cli.py`` (the command),
``howto.py`` (the "how to share" text the terminal console's ``w`` key shows).
"""
