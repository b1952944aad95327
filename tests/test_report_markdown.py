"""The incident report is Markdown ready to paste: parsed with markdown-it-py (it comes with rich) and
checked by structure: headings, one list item per header field, a timeline item per entry to the second,
the Response times table, the recovery checklist one item per line. For a real and for a drill incident,
and with hostile text in the records (it stays text: no heading, link, emphasis or table cell of its own)."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from console.incident.manager import IncidentManager
from console.incident.recovery import RECOVERY_STEPS, RecoveryCheck
from console.incident.report import render_report
from tests.test_incident_report import Clock, script_incident


def sections(markdown: str) -> dict[str, dict]:
    """{heading: {"level", "paragraphs", "items" (list item texts), "rows" (table body rows), "links"}}."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(markdown)
    out: dict[str, dict] = {}
    current = None
    in_item = 0
    in_tbody = False
    row: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            current = {"level": int(tok.tag[1]), "paragraphs": [], "items": [], "rows": [], "links": 0, "emphasis": 0}
            out[tokens[i + 1].content] = current
        elif current is None:
            continue
        elif tok.type == "list_item_open":
            in_item += 1
        elif tok.type == "list_item_close":
            in_item -= 1
        elif tok.type == "tbody_open":
            in_tbody = True
        elif tok.type == "tbody_close":
            in_tbody = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and in_tbody:
            current["rows"].append(row)
        elif tok.type == "inline" and tokens[i - 1].type == "heading_open":
            current["links"] += sum(1 for c in tok.children or [] if c.type == "link_open")
        elif tok.type == "inline" and tokens[i - 1].type in ("td_open", "th_open"):
            row.append(tok.content)
        elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
            children = tok.children or []
            current["links"] += sum(1 for c in children if c.type == "link_open")
            current["emphasis"] += sum(1 for c in children if c.type in ("em_open", "strong_open"))
            text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
            (current["items"] if in_item else current["paragraphs"]).append(text)
    return out


def check_structure(markdown: str, incident, *, drill: bool) -> dict[str, dict]:
    parsed = sections(markdown)
    headings = list(parsed)
    title = headings[0]
    assert parsed[title]["level"] == 1
    assert title.startswith("SIMULATED DRILL: Incident Report: ") if drill else title.startswith("Incident Report: ")
    timeline_heading = "Timeline (SIMULATED DRILL)" if drill else "Timeline"
    assert headings[1:] == [
        timeline_heading,
        "Response times",
        "Recovery checklist",
        "Root Cause",
        "Resolution",
        "Action Items",
    ]
    assert all(parsed[h]["level"] == 2 for h in headings[1:])
    # each header field is a list item of its own
    fields = [item.split(":", 1)[0] for item in parsed[title]["items"]]
    expected_fields = ["Incident ID", "Severity", "Status", "Duration", "Impact"]
    if drill:
        expected_fields.insert(1, "Type")
    assert fields == expected_fields, parsed[title]["items"]
    assert parsed[title]["items"][0] == f"Incident ID: {incident.id}"
    if drill:
        assert any("SIMULATED DRILL" in p for p in parsed[title]["paragraphs"])
    # the timeline to the second, one item per entry (the report's own bookkeeping left out)
    timeline = parsed[timeline_heading]["items"]
    shown = [e for e in incident.entries if e.kind != "report"]
    assert len(timeline) == len(shown)
    for item, entry in zip(timeline, sorted(shown, key=lambda e: (e.ts, e.seq))):
        assert re.match(r"^\d{2}:\d{2}:\d{2} - ", item), item
        assert item.startswith(entry.ts.strftime("%H:%M:%S"))
    # response times: a table with the three measures
    rows = parsed["Response times"]["rows"]
    assert [r[0] for r in rows] == ["Time to acknowledge", "Time to mitigate", "Time to resolve"]
    # the recovery checklist: one item per runbook step
    checklist = parsed["Recovery checklist"]["items"]
    assert len(checklist) == len(RECOVERY_STEPS)
    for item, (_, text) in zip(checklist, RECOVERY_STEPS):
        assert text in item
    return parsed


def test_a_real_incidents_report_parses_with_the_structure(state_dir):
    m = script_incident(state_dir, Clock())
    incident = m.current
    assert not incident.is_drill
    parsed = check_structure(render_report(incident), incident, drill=False)
    rows = parsed["Response times"]["rows"]
    assert rows[0][1:] == ["4m 00s", "2026-03-14 10:02:30"] and rows[1][1] == "12m 00s" and rows[2][1] == "14m 30s"
    assert all(item.startswith("[x] ") for item in parsed["Recovery checklist"]["items"])
    assert parsed["Action Items"]["items"] == [
        "[ ] Add a canary stage to rollback-edge.yml",
        "[ ] Alert on queue consumer 5xx",
    ]
    assert "SIMULATED" not in render_report(incident)


def test_a_drills_report_parses_with_the_structure_and_says_so(state_dir):
    clock = Clock()
    m = IncidentManager(state_dir=state_dir, clock=clock, user="trainee@drill", drill=True)
    incident = m.start("P1", "DDoS drill", "request rate 25k/s")
    clock.advance(seconds=42)
    m.mark_phase("acknowledged")
    clock.advance(seconds=75)
    m.record_flow_step(
        {
            "flow": "under-attack-mode",
            "step": "patch",
            "status": "passed",
            "environment": "production",
            "simulated": True,
            "mutating": True,
        }
    )
    m.mark_phase("mitigation-applied")
    clock.advance(minutes=2, seconds=3)
    m.mark_phase("service-restored")
    checks = [RecoveryCheck(key, text, "pass" if i % 2 else "fail") for i, (key, text) in enumerate(RECOVERY_STEPS)]
    m.record_recovery(checks)
    incident = m.current
    assert incident.id.startswith("DRILL-") and incident.is_drill
    markdown = render_report(incident)
    parsed = check_structure(markdown, incident, drill=True)
    assert [r[1] for r in parsed["Response times"]["rows"]] == ["42s", "1m 57s", "4m 00s"]
    items = parsed["Recovery checklist"]["items"]
    assert [item[:3] for item in items] == ["[ ]" if i % 2 == 0 else "[x]" for i in range(len(RECOVERY_STEPS))]
    assert any("[production, SIMULATED]" in item for item in parsed["Timeline (SIMULATED DRILL)"]["items"])
    # the file is next to the drill's record, not beside real incidents
    path, _ = m.write_report()
    assert path.parent == state_dir / "incidents" / "drills"


@pytest.mark.parametrize(
    "hostile",
    [
        "# not a heading",
        "[click](http://203.0.113.9/x)",
        "*shout* _this_",
        "a | b | c",
        "<b>html</b>",
        "- not a list",
        "1. not a list",
        "`code`",
        "[ref]: http://203.0.113.9/",
    ],
)
def test_hostile_record_text_stays_text(state_dir, hostile):
    clock = Clock()
    m = IncidentManager(state_dir=state_dir, clock=clock, user="ops")
    m.start("P2", hostile, hostile)
    m.note(hostile)
    clock.advance(minutes=1)
    m.close(hostile, hostile, [hostile])
    incident = m.current
    parsed = check_structure(render_report(incident), incident, drill=False)
    for heading, section in parsed.items():
        assert section["links"] == 0, heading
        if section["level"] == 2:  # (the header fields' names are bold)
            assert section["emphasis"] == 0, heading
    assert parsed["Root Cause"]["paragraphs"] == [" ".join(hostile.split())]
    assert parsed["Action Items"]["items"] == ["[ ] " + hostile]
    assert any(item.endswith(f"Note: {hostile} (ops)") for item in parsed["Timeline"]["items"])
