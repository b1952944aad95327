"""The health pane keeps each component's mark beside its name when the list wraps: at 80x24 the pane is 36
columns wide, and a plain word wrap put a component's mark at the end of the line above its name
("! vau-processor degraded  ✓" then "security-waf"), so a degraded component read as checked."""

from __future__ import annotations

from rich.text import Text

from console.metrics.model import Health
from screens.textual_compat import screen_text_lines
from tests.fakes import StaticPoller
from tests.test_dashboard_layout import static_app
from tests.util import wait_for
from widgets.health_pane import HealthPane, flow_units

MARKS = ("✓", "!", "✖")
COMPONENTS = {
    "vau-processor": "degraded",
    "security-waf": "healthy",
    "rate-limiter": "healthy",
    "queue-processor": "healthy",
    "cache": "down",
}


def test_flow_units_never_splits_a_unit_and_fits_the_width():
    units = [Text(f"✓ component-{i}") for i in range(7)]
    out = flow_units(units, 36).plain
    lines = out.split("\n")
    assert len(lines) > 1 and all(len(line) <= 36 for line in lines)
    assert sorted(t.strip() for line in lines for t in line.split("  ") if t.strip()) == sorted(u.plain for u in units)
    assert flow_units(units, 0).plain.count("\n") == 0  # no width known yet: one line
    wide = Text("✓ " + "x" * 50)  # longer than the width: on a line of its own
    assert flow_units([Text("✓ a"), wide, Text("✓ b")], 20).plain.split("\n") == ["✓ a", wide.plain, "✓ b"]


class DegradedPoller(StaticPoller):
    async def poll(self):
        result = await super().poll()
        result.health = Health(True, "healthy", dict(COMPONENTS), "2.4.1")
        return result


async def test_a_wrapped_component_list_keeps_each_mark_beside_its_name_at_80x24():
    app = static_app(read_only=True)
    app.poller = DegradedPoller(now=app.poller.now)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        await wait_for(lambda: "cache" in str(pane.render()), message="the components shown")
        await pilot.pause()
        rows = screen_text_lines(app)
        top = next(i for i, row in enumerate(rows) if "─ Health " in row)
        left = rows[top].index("╭")
        right = rows[top].index("╮", left)
        box = []
        for row in rows[top + 1 :]:
            inner = row[left : right + 1]
            if inner.startswith("╰"):
                break
            box.append(inner.strip("│ "))
        assert box[0].startswith("✓ UP"), rows
        lines = box[1:]
        assert len(lines) > 1, rows  # the list wraps at this width
        for line in lines:
            assert line.split()[0] in MARKS and line.split()[-1] not in MARKS, rows
        text = " ".join(lines)
        assert "! vau-processor degraded" in text and "✖ cache down" in text and "✓ security-waf" in text
