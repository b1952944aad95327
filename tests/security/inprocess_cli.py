"""``edge-console ARGS`` run in the test's own process: ``console.cli.main``, what ``python -m console``
runs, with stdout and stderr captured. For tests that check an answer of the command line many times
(one input value each): an interpreter start per value was most of their cost. An exception that
``main`` lets out fails the test as a traceback would. Each test file that uses it keeps one test
through the real entry point in a subprocess (``inputs_files_util.cli``)."""

from __future__ import annotations

import contextlib
import io
import subprocess


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``main(args)`` with this test's environment (state dir, fake tools, sim tokens: the env vars the
    fixtures set); its exit code and output in the shape ``subprocess.run`` gives."""
    from console.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors exit like the command would
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["edge-console", *args], code, out.getvalue(), err.getvalue())
