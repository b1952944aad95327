"""Start a simulated tool quickly: ``python -S <this file> console.sim.tools.<tool> ARGS...``.

The console runs a simulated ``wrangler``/``gh``/``terraform``/``npm``/``node`` once per step, so the
interpreter's start-up is paid on every call. ``-S`` skips ``site`` (the site-packages scan, ``.pth`` files
and the editable install's import finder, about a sixth of a call); the tools need only the standard
library and the ``console`` package, whose directory this file finds from its own path (the checkout in an
editable install, site-packages in a normal one) and puts at the END of ``sys.path``, after the standard
library, so nothing there can shadow it. The module name stays in the argv, so a process list shows
``console.sim.tools.wrangler tail ...`` as with ``python -m``. Kept tiny: a script is compiled on every run.
"""

import os
import sys

TOOLS = ("wrangler", "gh", "terraform", "npm", "node")


def run() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    module = sys.argv[1] if len(sys.argv) > 1 else ""
    package, _, tool = module.rpartition(".")
    if package != "console.sim.tools" or tool not in TOOLS:
        sys.stderr.write(f"usage: python -S {__file__} console.sim.tools.{{{','.join(TOOLS)}}} [ARGS...]\n")
        return 2
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == here:
        del sys.path[0]  # this script's directory: the tools' modules are not top-level modules
    sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(here))))
    del sys.argv[1]
    return int(__import__(module, fromlist=["main"]).main() or 0)


if __name__ == "__main__":
    sys.exit(run())
