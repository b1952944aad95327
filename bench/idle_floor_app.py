"""The idle floor: a bare Textual app laid out like the dashboard at 80x24 (a header line, a 7-row
metrics pane and a health pane over each other, a queue and a security pane beside them, a log list
below) that every 2 s changes as much of the screen as the dashboard's poll does: the header, the
seven metric rows, the queue and security rows and the log's newest lines, all in one frame. Its idle
CPU is what Textual alone costs for such a frame (``bench/bench_idle_floor.py`` runs it)."""

from __future__ import annotations

import itertools
import time

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Static

CSS = """
#head { height: 1; background: $panel; }
#grid { layout: grid; grid-size: 2 2; grid-columns: 1fr 1fr; grid-rows: auto 1fr; height: 1fr; }
.pane { border: round $primary 60%; padding: 0 1; height: auto; text-wrap: nowrap; }
#col, #side { height: auto; }
#logbox { column-span: 2; height: 1fr; min-height: 4; border: round $primary 60%; padding: 0 1; }
#log { height: 1fr; }
#metrics { height: 9; }
#queues { height: 5; }
#security { height: 8; }
#logstatus { height: 1; }
#foot { height: 1; dock: bottom; }
"""
LABELS = ("Request rate", "Error rate", "P95 latency", "Cache hit rate", "CPU time P95", "Memory", "Queue backlog")
SPARK = "▁▂▃▄▅▆▇█"
LOG_LINES = 4  # the dashboard's log pane at 80x24 shows four


class Floor(App):
    CSS = CSS

    def compose(self) -> ComposeResult:
        yield Static("", id="head")
        with Container(id="grid"):
            with Vertical(id="col"):
                yield Static("", id="metrics", classes="pane")
                yield Static("UP healthy v2.4.1\nvau-processor security-waf\nrate-limiter queue\ncache", classes="pane")
            with Vertical(id="side"):
                yield Static("", id="queues", classes="pane")
                yield Static("", id="security", classes="pane")
            with Vertical(id="logbox"):
                yield Static("", id="logstatus")
                yield Static("", id="log")
        yield Static("A Flows  r Respond  l Logs  u Audit  q Quit  ? Help", id="foot")

    def on_mount(self) -> None:
        self.n = itertools.count()
        self.tick()
        self.set_interval(2.0, self.tick)

    def tick(self) -> None:
        """Everything the dashboard's poll changes, in one frame and without a layout pass (fixed heights,
        ``layout=False``, as the console's panes update)."""
        n = next(self.n)
        head = Text.assemble((" bench ", "bold reverse"), " metrics ", ("LIVE", "green"), f" {n % 2}s ago │ 127.0.0.1")
        rows = [
            Text.assemble(
                f"{label:<15} ", (f"{(n * 37 + i * 11) % 9000:>9,} u ", "bold"), ("✓ OK  ", "green"), SPARK[(n + i) % 8]
            )
            for i, label in enumerate(LABELS)
        ]
        queues = [Text.assemble(f"queue-{i:<6} {(n * 7 + i) % 90:>6} ", ("✓ OK", "green"), " ↑3.0/s") for i in range(3)]
        rules = [
            Text.assemble(f"rule-{i:<5} {(n + i) % 9}.5/s ", (f"{n * 100 + i:>8} total", "bold")) for i in range(6)
        ]
        stamp = time.strftime("%H:%M:%S")
        log = "\n".join(f"{stamp} ✓ ok   GET  200 /api/v1/session/{n}/{j}" for j in range(LOG_LINES))
        for selector, content in (
            ("#head", head),
            ("#metrics", Text("\n").join(rows)),
            ("#queues", Text("\n").join(queues)),
            ("#security", Text("\n").join(rules)),
            ("#logstatus", f"● streaming 20 ev/s  {n * 40}/10,000 events"),
            ("#log", log),
        ):
            self.query_one(selector, Static).update(content, layout=False)


if __name__ == "__main__":
    Floor().run()
