"""The simulated ``wrangler tail <worker> --format json [--status ...] [--method ...] [--search ...]
[--ip ...] [--sampling-rate ...]``.

Streams pretty-printed multi-line JSON events (4-space indent) like wrangler 4, a banner first and
occasional non-JSON noise, until killed. It learns the scenario from ``GET $EDGE_SIM_URL/admin/state``
about every second; if the simulated edge stays unreachable for a while the "tail session" ends
(exit 1), as a real tail does when its connection closes. Like wrangler in a non-interactive shell,
it refuses to run without ``CLOUDFLARE_API_TOKEN``.
"""

from __future__ import annotations

from console.sim.tools import jsonlite as json  # json.loads/dumps without importing json (start-up time)
import os
import sys
import threading
import time
from types import SimpleNamespace

from console.sim.names import SIM_ACCOUNT_ID
from console.sim.tail_events import TailEventGenerator, events_per_second
from console.sim.tail_worker_events import RATE_FACTOR, role_of
from console.sim.tools.flags import Flag, FlagError, Style, yargs_choices
from console.sim.tools.flags import parse as parse_flags
from console.sim.tools._common import http_request
from console.sim.tools._urls import quote

# started with every console on the simulated edge: no ``typing`` at run time (annotations are not evaluated)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NO_TOKEN = (
    "✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN "
    "environment variable for wrangler to work. Please go to "
    "https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ for instructions "
    "on how to create an api token, and assign its value to CLOUDFLARE_API_TOKEN."
)
BAD_TOKEN = (
    "✘ [ERROR] A request to the Cloudflare API (/accounts/5100000000000000000000000000a001/workers/scripts/{worker}/tails) "
    "failed.\n\n  Authentication error [code: 10000]"
)
STATUS_OF = {
    "ok": ("ok",),
    "error": ("exception", "exceededCpu", "exceededMemory", "unknown"),
    "canceled": ("canceled",),
}
UNREACHABLE_EXIT_S = 10.0


#: ``wrangler tail``'s options (workers-sdk ``packages/wrangler/src/tail/index.ts``) and wrangler's globals
TAIL_FLAGS = (
    Flag(("--format",), "format", check=yargs_choices("format", ("json", "pretty"))),
    Flag(("--status",), "status", repeated=True, greedy=True, check=yargs_choices("status", tuple(STATUS_OF))),
    Flag(("--header",), "header", requires_arg=True),
    Flag(("--method",), "method", repeated=True, greedy=True, requires_arg=True),
    Flag(("--sampling-rate",), "sampling_rate"),
    Flag(("--search",), "search", requires_arg=True),
    Flag(("--ip",), "ip", repeated=True, greedy=True, requires_arg=True),
    Flag(("--env", "-e"), "env", requires_arg=True),
    Flag(("--config", "-c"), "config", requires_arg=True),
    Flag(("--cwd",), "cwd", requires_arg=True),
)


def parse_args(argv: list[str]) -> SimpleNamespace | None:
    """The tail's arguments, or None after printing wrangler's error (strict yargs: unknown or extra arguments,
    a bad choice, a missing value). Without ``--format`` the output is ``pretty`` on a terminal and ``json``
    otherwise (``args.format ??= process.stdout.isTTY ? "pretty" : "json"``)."""
    try:
        parsed = parse_flags(argv, TAIL_FLAGS, Style.YARGS)
    except FlagError as exc:
        print(f"✘ [ERROR] {exc.message}", file=sys.stderr, flush=True)
        return None
    extra = parsed.unknown + parsed.positionals[1:]
    if extra:
        label = "argument" if len(extra) == 1 else "arguments"
        print(f"\n✘ [ERROR] Unknown {label}: {', '.join(extra)}\n", file=sys.stderr, flush=True)
        return None
    raw_rate = parsed.get("sampling_rate")
    try:
        rate = 1.0 if raw_rate is None else float(raw_rate)
    except ValueError:
        rate = float("nan")  # yargs' number of a non-number
    fmt = parsed.get("format") or ("pretty" if sys.stdout.isatty() else "json")
    return SimpleNamespace(
        worker=parsed.positionals[0] if parsed.positionals else None,
        format=fmt,
        status=parsed.lists.get("status", []),
        method=parsed.lists.get("method", []),
        search=parsed.get("search"),
        ip=parsed.lists.get("ip", []),
        header=parsed.get("header"),
        sampling_rate=rate,
    )


class ScenarioWatcher:
    """Polls the simulated edge's admin state in a thread; ``scenario`` is the latest known name."""

    def __init__(self, base_url: str | None, interval: float = 1.0) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.interval = interval
        self.scenario = os.environ.get("EDGE_SIM_TAIL_SCENARIO", "normal")
        self.last_ok = time.monotonic()
        self.failing_since: float | None = None
        self._stop = threading.Event()

    def fetch(self) -> None:
        if not self.base_url:
            return
        admin = os.environ.get("EDGE_SIM_ADMIN_TOKEN")
        headers = {"Authorization": f"Bearer {admin}"} if admin else {}
        try:
            status, body, _ = http_request(self.base_url, "GET", "/admin/state", None, headers, 2)
            if status >= 400:
                raise OSError(f"HTTP {status}")
            state = json.loads(body.decode("utf-8"))
        except (OSError, ValueError):
            if self.failing_since is None:
                self.failing_since = time.monotonic()
            return
        self.failing_since = None
        if isinstance(state, dict) and isinstance(state.get("scenario"), str):
            self.scenario = state["scenario"]

    def unreachable_for(self) -> float:
        return 0.0 if self.failing_since is None else time.monotonic() - self.failing_since

    def start(self) -> None:
        self.fetch()
        threading.Thread(target=self._loop, daemon=True, name="scenario-watch").start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.fetch()


def _keep(event: dict[str, Any], args: SimpleNamespace) -> bool:
    if args.status:
        allowed = {o for s in args.status for o in STATUS_OF[s]}
        if event.get("outcome") not in allowed:
            return False
    request = (event.get("event") or {}).get("request") or {}
    if args.method and str(request.get("method", "")).upper() not in {m.upper() for m in args.method}:
        return False
    if args.ip and (request.get("headers") or {}).get("cf-connecting-ip") not in args.ip:
        return False
    if args.search:
        text = json.dumps([log.get("message") for log in event.get("logs", [])])
        if args.search not in text:
            return False
    return True


def _token_accepted(token: str) -> bool:
    """``GET /client/v4/user/tokens/verify`` on the simulated edge (True when it cannot be asked)."""
    base = os.environ.get("EDGE_SIM_URL", "").rstrip("/")
    if not base:
        return True
    try:
        status, _, _ = http_request(
            base, "GET", "/client/v4/user/tokens/verify", None, {"Authorization": f"Bearer {token}"}, 5
        )
    except (OSError, ValueError):
        return True
    return status not in (401, 403)


def _missing_worker(worker: str, token: str) -> str:
    """Like wrangler, which creates the tail with ``POST .../workers/scripts/<worker>/tails`` first: a script
    the account does not have fails with code 10007 ("" when it exists or the edge cannot be asked)."""
    base = os.environ.get("EDGE_SIM_URL", "").rstrip("/")
    if not base:
        return ""
    path = f"/accounts/{SIM_ACCOUNT_ID}/workers/scripts/{quote(worker, safe='')}/tails"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        status, _, _ = http_request(base, "POST", "/client/v4" + path, b"{}", headers, 5)
    except (OSError, ValueError):
        return ""
    if status == 404:
        return (
            f"✘ [ERROR] A request to the Cloudflare API ({path}) failed.\n\n"
            "  This Worker does not exist on your account. [code: 10007]"
        )
    return ""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "tail":
        argv = argv[1:]
    args = parse_args(argv)
    if args is None:
        return 1
    token = os.environ.get("CLOUDFLARE_API_TOKEN", "")
    if not token:
        print(NO_TOKEN, file=sys.stderr, flush=True)
        return 1
    expected = os.environ.get("EDGE_SIM_API_TOKEN")
    worker = args.worker or "vau-processor-production"
    # the console passes its token only as CLOUDFLARE_API_TOKEN (no EDGE_SIM_* secret reaches a child):
    # then the simulated API itself says whether the token is good, as Cloudflare's would
    if (expected and token != expected) or (not expected and not _token_accepted(token)):
        print(BAD_TOKEN.format(worker=worker), file=sys.stderr, flush=True)
        return 1
    missing = _missing_worker(worker, token)
    if missing:
        print(missing, file=sys.stderr, flush=True)
        return 1
    if not 0 < args.sampling_rate <= 1:
        print("✘ [ERROR] --sampling-rate must be between 0 and 1", file=sys.stderr, flush=True)
        return 1
    watcher = ScenarioWatcher(os.environ.get("EDGE_SIM_URL"))
    watcher.start()
    gen = TailEventGenerator(worker, seed=int(os.environ.get("EDGE_SIM_TAIL_SEED", "0")) or None)
    multiplier = float(os.environ.get("EDGE_SIM_TAIL_RATE", "1") or 1)
    out = sys.stdout
    pretty = args.format == "pretty"
    try:
        out.write(" ⛅️ wrangler 4.42.0 (simulated)\n" + "─" * 40 + "\n")
        out.write(
            f"Successfully created tail, expires at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(time.time() + 6 * 3600))}\n"
        )
        out.write(f"Connected to {worker}, waiting for logs...\n")
        out.flush()
        credit = 0.0
        last = time.monotonic()
        sent = 0
        overload_shown = False
        while True:
            time.sleep(0.05)
            if watcher.unreachable_for() > UNREACHABLE_EXIT_S:
                print(
                    "✘ [ERROR] Tail disconnected: the connection to the Cloudflare edge closed (code 1006)",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            now = time.monotonic()
            scenario = watcher.scenario
            rate = events_per_second(scenario) * multiplier * RATE_FACTOR.get(role_of(worker), 1.0)
            credit += (now - last) * rate * args.sampling_rate
            last = now
            burst = scenario == "ddos" and gen.rng.random() < 0.05
            n = int(credit) + (int(rate * 0.5) if burst else 0)
            credit -= int(credit)
            chunks = []
            now_ms = time.time() * 1000
            if scenario == "ddos" and not overload_shown:
                chunks.append(_dump(gen.overload_notice(now_ms), pretty))
                overload_shown = True
            elif scenario != "ddos" and overload_shown:
                overload_shown = False
            for _ in range(n):
                event = gen.event(scenario, now_ms)
                if _keep(event, args):
                    chunks.append(_dump(event, pretty))
                    sent += 1
                    if sent % 400 == 0:
                        chunks.append("▲ [WARNING] tail: websocket heartbeat was late (1.2 s); messages may be delayed")
            if chunks:
                out.write("\n".join(chunks) + "\n")
                out.flush()
    except (BrokenPipeError, KeyboardInterrupt):
        try:
            sys.stdout = None  # type: ignore[assignment]
        except Exception:
            pass
        return 0


def _dump(event: dict[str, Any], pretty: bool) -> str:
    if not pretty:
        return json.dumps(event, indent=4, ensure_ascii=False)
    req = (event.get("event") or {}).get("request") or {}
    return f"{req.get('method', '')} {req.get('url', '')} - {event.get('outcome', '').capitalize()} @ {time.strftime('%H:%M:%S')}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
