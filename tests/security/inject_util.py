"""Helpers for the terminal-injection tests: hostile payloads, a hostile edge on 127.0.0.1 (metrics
label values, health JSON and Cloudflare API errors carrying terminal controls), a fake ``wrangler``
whose tail events and output carry them, a config that points the console at both, and a runner that
puts the real ``edge-console`` on a pseudo-terminal and returns every byte it wrote there."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]

#: Each payload ends in a marker word, so a scan can tell the hostile bytes from the console's own.
HOSTILE = {  # the short ones first: a narrow pane still shows them
    "c1": "\x9b2Jpwned-c1",  # CSI as one C1 character
    "bidi": "\u202epwned-bidi",  # right-to-left override
    "osc0": "\x1b]0;pwned-title\x07",  # set the terminal title
    "clear": "\x1b[2Jpwned-clear",  # clear the screen
    "osc52": "\x1b]52;c;cHduZWQtY2xpcA==\x07",  # write the clipboard
}
PAYLOAD = "".join(HOSTILE.values())
#: How each payload must show: as visible escapes (the bytes of the backslash forms).
VISIBLE = {
    "osc0": b"\\x1b]0;pwned-title\\x07",
    "osc52": b"\\x1b]52;c;cHduZWQtY2xpcA==\\x07",
    "clear": b"\\x1b[2Jpwned-clear",
    "c1": b"\\x9b2Jpwned-c1",
    "bidi": b"\\u202epwned-bidi",
}

#: Bytes that must never reach the terminal: an OSC carrying a marker, any OSC 52, the hostile
#: clear-screen, any C1 control (UTF-8 C2 80-C2 9F) and the bidi/format characters in UTF-8.
FORBIDDEN = re.compile(
    rb"\x1b\][^\x07\x1b]{0,64}pwned"
    rb"|\x1b\]52;"
    rb"|\x1b\[2Jpwned"
    rb"|\xc2[\x80-\x9f]"
    rb"|\xe2\x80[\x8e\x8f\xaa-\xae]"
    rb"|\xe2\x81[\xa6-\xa9]"
    rb"|\xd8\x9c"
    rb"|\xef\xbb\xbf"
)

API_TOKEN_ENV = "EDGE_TEST_API_TOKEN"
ZONE = "fedcba9876543210fedcba9876543210"
ACCOUNT = "0123456789abcdef0123456789abcdef"
NAMESPACE = "00112233445566778899aabbccddeeff"


#: a complete Select Graphic Rendition sequence (colours, bold, reverse): what a cell looks like, not its text
_SGR = re.compile(rb"\x1b\[[0-9;:]*m")


def forbidden(data: bytes) -> list[bytes]:
    """Every forbidden sequence in ``data`` with some context, for the assertion message."""
    return [data[max(0, m.start() - 20) : m.end() + 10] for m in FORBIDDEN.finditer(data)]


def assert_no_injection(data: bytes, *, visible: bool = True, where: str = "") -> None:
    """No hostile control sequence in ``data``; with ``visible`` every payload shows escaped (so the
    hostile text did reach the output: the test is not vacuous). The incident report is Markdown, whose
    text escapes ``[`` (``\\x1b\\[2J`` renders as ``\\x1b[2J``): either form counts as shown."""
    found = forbidden(data)
    assert not found, f"{where}: raw control sequences reached the terminal: {found[:5]}"
    if visible:
        missing = [
            name for name, shown in VISIBLE.items() if shown not in data and shown.replace(b"[", b"\\[") not in data
        ]
        assert not missing, f"{where}: payloads not shown as visible escapes: {missing}\n{data[-3000:]!r}"


# -- the hostile edge -------------------------------------------------------------------------------


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class HostileEdge:
    """An HTTP server on 127.0.0.1: the simulated edge's metrics page plus series whose label values
    carry the payloads, a health answer with them in status fields, and a Cloudflare API that fails
    with them in its error messages."""

    def __init__(self) -> None:
        from console.sim.exposition import Exposition
        from console.sim.state import SimState

        self.exposition = Exposition(SimState("normal", seed=7))
        self.requests: list[str] = []
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                edge.requests.append(self.path)
                if self.path.startswith("/metrics"):
                    self._send(200, edge.metrics(), "text/plain; version=0.0.4")
                elif self.path.startswith("/health"):
                    self._send(200, edge.health(), "application/json")
                elif self.path.startswith("/client/v4"):
                    self._send(403, edge.cf_error(), "application/json")
                else:
                    self._send(404, b"{}", "application/json")

            do_PATCH = do_POST = do_PUT = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metrics(self) -> bytes:
        page = self.exposition.render().decode("utf-8")
        value = _label(PAYLOAD)
        page += f'edge_queue_backlog{{queue="{value}"}} 7.0\nedge_security_blocks_total{{rule="{value}"}} 1234.0\n'
        return page.encode("utf-8")

    def health(self) -> bytes:
        return json.dumps(
            {
                "status": "degraded",
                "version": PAYLOAD,
                "components": {"kv" + PAYLOAD: "down" + PAYLOAD, "d1": {"status": "ok"}},
            },
            ensure_ascii=False,
        ).encode("utf-8")

    def cf_error(self) -> bytes:
        return json.dumps(
            {
                "success": False,
                "errors": [{"code": 10000, "message": "Authentication error " + PAYLOAD}],
                "messages": [],
                "result": None,
            },
            ensure_ascii=False,
        ).encode("utf-8")

    def start(self) -> "HostileEdge":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the fake wrangler ------------------------------------------------------------------------------

FAKE_WRANGLER = r'''#!{python}
"""A hostile wrangler: `tail` streams events whose fields carry the payloads (pretty-printed JSON,
as wrangler writes it), anything else prints them on stdout and stderr."""
import json, sys, time
PAYLOAD = {payload!r}
args = sys.argv[1:]
if args[:1] == ["tail"]:
    sys.stderr.write("hostile banner " + PAYLOAD + "\n")
    sys.stderr.flush()
    print("noise line " + PAYLOAD, flush=True)
    deadline = time.monotonic() + {seconds}
    n = 0
    while time.monotonic() < deadline:
        if n >= {events}:  # the burst is out: a quiet tail (wrangler's with no traffic) until the deadline
            time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
            continue
        n += 1
        event = {{
            "outcome": "exception" if n % 2 else "ok" + PAYLOAD,
            "scriptName": "worker" + PAYLOAD,
            "eventTimestamp": int(time.time() * 1000),
            "cpuTime": 3, "wallTime": 9,
            "event": {{"request": {{"method": "GET" + PAYLOAD, "url": "https://x.example/p" + PAYLOAD + "?q=" + PAYLOAD,
                                   "headers": {{"cf-connecting-ip": "203.0.113.9", "user-agent": PAYLOAD}},
                                   "cf": {{"colo": "FRA" + PAYLOAD, "country": PAYLOAD}}}},
                      "response": {{"status": 500}}}},
            "logs": [{{"level": "error", "message": ["log " + PAYLOAD, {{"k": PAYLOAD}}], "timestamp": 1}}],
            "exceptions": [{{"name": "Error" + PAYLOAD, "message": "boom " + PAYLOAD, "stack": "at x\n" + PAYLOAD}}],
            "extra" + PAYLOAD: PAYLOAD,
        }}
        sys.stdout.write(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        time.sleep(0.2)
    sys.exit(0)
print("child stdout " + PAYLOAD, flush=True)
sys.stderr.write("child stderr " + PAYLOAD + "\n")
print(json.dumps({{"result": PAYLOAD}}, ensure_ascii=False), flush=True)
sys.exit(0)
'''


def write_fake_wrangler(bin_dir: Path, seconds: float = 60.0, events: int | None = None) -> Path:
    """The hostile wrangler: ``tail`` streams an event every 0.2 s for ``seconds`` (only the first
    ``events`` of them, then stays connected and quiet, when given)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / "wrangler"
    limit = 10**9 if events is None else events
    path.write_text(
        FAKE_WRANGLER.format(python=sys.executable, payload=PAYLOAD, seconds=seconds, events=limit), encoding="utf-8"
    )
    path.chmod(0o755)
    return path


RUNBOOK = """\
flows:
  - id: hostile-flow
    title: "Deploys \\e]0;pwned-title\\a\\e]52;c;cHduZWQtY2xpcA==\\a\\e[2Jpwned-clear\\x9b2Jpwned-c1\\u202epwned-bidi"
    section: "Hostile"
    description: "from a user file \\e]0;pwned-title\\a"
    steps:
      - id: list
        kind: check
        title: "List \\x9b2Jpwned-c1"
        command:
          tool: wrangler
          args: [deployments, list]
          timeout: 30
"""


def write_config(tmp_path: Path, edge: HostileEdge, wrangler: Path, refresh_seconds: float = 1.0) -> Path:
    runbook = tmp_path / "hostile-runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    path = tmp_path / "config.yaml"
    path.write_text(
        f"""\
default_environment: production
refresh_seconds: {refresh_seconds:g}
tools:
  wrangler: [{wrangler}]
runbooks: [{runbook}]
environments:
  production:
    base_url: {edge.url}
    worker: vau-processor-production
    account_id: "{ACCOUNT}"
    zone_id: "{ZONE}"
    kv_namespace_id: "{NAMESPACE}"
    api_token_env: {API_TOKEN_ENV}
    cloudflare_api_url: {edge.url}/client/v4
""",
        encoding="utf-8",
    )
    return path


# -- a real pseudo-terminal -------------------------------------------------------------------------


def console_env(state_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TERM": "xterm-256color",
            "COLUMNS": "160",
            "LINES": "48",
            API_TOKEN_ENV: "test-token-123",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if state_dir is not None:
        env["EDGE_CONSOLE_STATE_DIR"] = str(state_dir)
    env.update(extra)
    return env


def text_screen(columns: int, lines: int):
    """A pyte screen (the VT emulator) that draws a run of single-cell characters up to the end of the
    cursor's line in one step, as ``pyte.Screen.draw`` would one character at a time (a new cell with the
    cursor's attributes for each, the cursor after the run): pyte's per-character path (a width lookup and
    a namedtuple ``_replace`` per cell) was most of the CPU of the tests that read a screen. The rest of a
    run that wraps, insert mode, and wide or combining characters take pyte's own path."""
    import pyte
    from pyte import modes

    one_cell: set[str] = set()  # characters pyte's wcwidth gave width 1

    class TextScreen(pyte.Screen):
        def draw(self, data: str) -> None:
            shown = data.translate(self.g1_charset if self.charset else self.g0_charset)
            cursor = self.cursor
            x = cursor.x
            fit = min(len(shown), self.columns - x)
            if fit <= 0 or len(shown) != len(data) or modes.IRM in self.mode or not self._one_cell(shown):
                return super().draw(data)
            attrs = cursor.attrs
            cell = type(attrs)
            rest = tuple(attrs)[1:]
            line = self.buffer[cursor.y]
            for offset, char in enumerate(shown[:fit], x):
                line[offset] = tuple.__new__(cell, (char, *rest))
            cursor.x = x + fit
            self.dirty.add(cursor.y)
            if fit < len(shown):  # the rest wraps (or overwrites the last column): pyte's own path
                super().draw(data[fit:])

        @staticmethod
        def _one_cell(data: str) -> bool:
            if (data.isascii() and data.isprintable()) or one_cell.issuperset(data):
                return True
            new = set(data) - one_cell
            if all(pyte.screens.wcwidth(char) == 1 for char in new):
                one_cell.update(new)
                return True
            return False

    return TextScreen(columns, lines)


class PtyProcess:
    """``python -m console ARGS`` with stdin/stdout/stderr on a fresh pseudo-terminal (160x48)."""

    def __init__(self, args: list[str], env: dict[str, str], cols: int = 160, rows: int = 48) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "console", *args],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.size = (cols, rows)
        self._screen: Any = None  # a VT emulator of this terminal (pyte), made on first use
        self._fed = 0
        self._text = ""  # what the emulator showed after its last feed

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.output += chunk
        return True

    def _drain(self) -> bool:
        """Read what is already waiting (up to 1 MiB); False once the terminal is closed. A pty read
        returns at most 4 kB: the predicate then sees each frame once, not every piece of it (pyte
        re-rendering the screen for each piece was most of this process's CPU)."""
        start = len(self.output)
        while len(self.output) - start < 1 << 20 and select.select([self.master], [], [], 0)[0]:
            if not self._read(0):
                return False
        return True

    def wait_for(self, predicate, timeout: float) -> bool:
        """Read until ``predicate(output)`` holds or ``timeout`` passes; True when it held."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(bytes(self.output)):
                return True
            if not self._read(min(0.2, max(0.0, deadline - time.monotonic()))) or not self._drain():
                break
        return bool(predicate(bytes(self.output)))

    def screen_text(self) -> str:
        """What the terminal shows now (its rows joined by newlines), from a VT emulator fed every byte."""
        import pyte

        if self._screen is None:
            self._screen = text_screen(*self.size)
            self._stream = pyte.ByteStream(self._screen)
        if self._fed < len(self.output) or not self._text:
            # without the colour/style sequences (SGR, ``ESC [ ... m``): they change no character shown, and
            # were 40% of Textual's bytes and a third of the emulator's time (most of this process's CPU)
            self._stream.feed(_SGR.sub(b"", self.output[self._fed :]))
            self._fed = len(self.output)
            self._text = "\n".join(self._screen.display)
        return self._text

    def wait_screen(self, predicate: Callable[[str], bool], timeout: float) -> bool:
        """Read until ``predicate(screen text)`` holds or ``timeout`` passes: a condition on what is
        shown, not on bytes sent (the app redraws only what changed)."""
        return self.wait_for(lambda _out: predicate(self.screen_text()), timeout)

    def finish(self, timeout: float) -> int:
        """Read everything until the process exits and the terminal is quiet (killed after
        ``timeout``); its exit code."""
        deadline = time.monotonic() + timeout
        while True:
            if not self._read(0.2):
                break  # every writer closed the terminal
            if self.proc.poll() is not None and not select.select([self.master], [], [], 0.3)[0]:
                break
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"edge-console did not finish within {timeout}s:\n{bytes(self.output)[-2000:]!r}")
        return self.proc.wait(10)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def close(self) -> None:
        self.kill()
        try:
            os.close(self.master)
        except OSError:
            pass


def run_on_pty(args: list[str], env: dict[str, str], timeout: float = 90.0, cols: int = 160) -> tuple[int, bytes]:
    proc = PtyProcess(args, dict(env, COLUMNS=str(cols)), cols=cols)
    try:
        code = proc.finish(timeout)
        return code, bytes(proc.output)
    finally:
        proc.close()
