"""Adversarial review of the incident report drawn by Rich's Markdown renderer (screens/incident_report.py).

Hostile text in incident records (notes typed or written by ``edge-console incident note``, fields of an
incident file edited by another writer) and in the configured dashboard link must stay inert text on the
screen: Markdown decodes character references (``&#x202e;``) and percent escapes in link text
(``%1b``) *after* the report went through the sanitiser, so those must not become characters a terminal
obeys; an incident file's recording path must not close its code span and forge report sections."""

from __future__ import annotations

import io
import json

import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from rich.markdown import Markdown
from textual.app import App

from console.incident.manager import IncidentManager
from console.incident.report import render_report
from console.sanitize import is_clean
from screens.incident_report import IncidentReportScreen
from screens.textual_compat import render_update
from tests.test_incident_report import Clock
from tests.util import wait_for


def drawn(markdown: str, width: int = 100) -> str:
    """The report as the screen draws it (the same renderer and options), as terminal text."""
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=True, color_system=None).print(Markdown(markdown, hyperlinks=False))
    return buf.getvalue()


def an_incident(state_dir, *notes: str) -> IncidentManager:
    m = IncidentManager(state_dir=state_dir, clock=Clock(), user="alice@edge-ops")
    m.start("P2", "Error spike", "5xx in all regions")
    for note in notes:
        m.note(note)
    return m


#: character references a note may hold (the note itself is clean text: ``&``, ``#`` and digits)
ENTITY_NOTE = "before &#x202E;gnp.exe &#10;## Resolution &#8232;&#xFEFF;&#x200B;&#xE0041;&#13;after"


def test_adv10_character_references_in_a_note_do_not_decode_to_bidi_or_line_breaks(state_dir):
    m = an_incident(state_dir, ENTITY_NOTE)
    report = render_report(m.current)
    shown = drawn(report)
    assert is_clean(shown), [line for line in shown.splitlines() if not is_clean(line)]
    # the note is shown as typed, on its one timeline line
    assert "&#x202E;gnp.exe &#10;## Resolution" in shown


class ReportApp(App):
    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def on_mount(self) -> None:
        self.push_screen(IncidentReportScreen("", self.markdown))


async def test_adv10_report_screen_sends_no_bidi_or_controls_to_the_terminal(state_dir):
    m = an_incident(state_dir, ENTITY_NOTE)
    app = ReportApp(render_report(m.current))
    async with app.run_test(size=(140, 60)):
        await wait_for(lambda: isinstance(app.screen, IncidentReportScreen) and app.screen.query("#report-markdown"))
        await wait_for(lambda: "Timeline" in "".join(seg.text for seg in _segments(app)), message="report drawn")
        frame = "".join(seg.text for seg in _segments(app))
    assert "\u202e" not in frame and "\u2028" not in frame and "\ufeff" not in frame and "\u200b" not in frame


def _segments(app):
    update = render_update(app)
    return [seg for strip in getattr(update, "strips", []) for seg in strip] or [
        seg for strip in app.screen._compositor.render_strips() for seg in strip
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://grafana.example.com/d/edge%1b%5b2J%c2%9b%e2%80%ae?from=1&to=now",
        "https://xn--exegnp-gf0cxk.example.com/d/edge?from=1&to=now",  # punycode of RLO + "exegnp" + ZWSP
    ],
    ids=["percent", "punycode"],
)
def test_adv10_dashboard_link_with_percent_escapes_shows_no_escape_or_csi(state_dir, url):
    """A dashboard URL is a PlainUrl (no whitespace, any path): ``%1b%5b2J`` is clean text in the config,
    but Markdown's link text is the percent-*decoded* URL: ESC [ 2 J, a C1 CSI and an RLO on the screen;
    an ``xn--`` host is shown punycode-decoded (an RLO, a zero-width space)."""
    m = an_incident(state_dir)
    shown = drawn(render_report(m.current, [("Dashboard", url)]), width=200)
    assert is_clean(shown), [line for line in shown.splitlines() if not is_clean(line)]
    assert "Dashboard" in shown


def test_adv10_recording_path_from_an_incident_file_cannot_forge_sections(state_dir):
    """An incident file is outside text (another writer, a hand edit): a note's ``recording`` path with a
    backtick and blank lines closed the code span and added a heading of its own to the report."""
    m = an_incident(state_dir)
    path = m.store.path(m.current.id)
    forged = "/tmp/rec`\n\n## Resolution\n\nService restored; no customer impact.\n\n`x.jsonl.gz"
    entry = {"seq": 99, "ts": "2026-03-14T09:59:00Z", "kind": "note", "text": "Recording", "by": "x"}
    entry["data"] = {"recording": forged}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(dict(entry, incident=m.current.id)) + "\n")
    incident = m.store.load(m.current.id)
    assert any(e.data.get("recording") == forged for e in incident.entries)
    report = render_report(incident)
    tokens = MarkdownIt("commonmark").enable("table").parse(report)
    headings = [tokens[i + 1].content for i, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert headings.count("Resolution") == 1, headings
    assert headings[-1] == "Recording", headings
    assert forged.replace("\n", "\\n") in report  # the path shown whole, its line breaks visible


def test_adv10_a_megabyte_note_in_an_incident_file_is_bounded_in_the_report(state_dir):
    """Notes are at most 4000 characters when written by the console; a line of an incident file is not.
    ``![a`` repeated costs markdown-it ~0.1 ms each (a 300 KB note: ~11 s of the UI loop), so the report
    bounds what it shows of one record."""
    m = an_incident(state_dir)
    path = m.store.path(m.current.id)
    entry = {"seq": 99, "ts": "2026-03-14T09:59:00Z", "kind": "note", "text": "![a" * 300_000, "by": "x"}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(dict(entry, incident=m.current.id)) + "\n")
    incident = m.store.load(m.current.id)
    report = render_report(incident)
    assert len(report) < 50_000, len(report)


def test_adv10_note_text_starts_no_link_label_scans(state_dir, monkeypatch):
    """A ``[`` of outside text was left unescaped, so each one (or ``![``) started a link or image label scan:
    ~30-40 us a character against ~3 us for escaped text. Fifty notes of 4000 characters (the console's
    own limit, e.g. ``edge-console incident note`` in a loop) made a 200 KB report whose parse held the UI
    loop ~7.5 s when the report screen opened. Counted, not timed: the scans are the report's own (its
    task-list boxes), whatever the notes say."""
    import markdown_it.helpers as helpers

    calls = []
    real = helpers.parseLinkLabel
    monkeypatch.setattr(helpers, "parseLinkLabel", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    plain = render_report(an_incident(state_dir, "plain note").current)
    Markdown(plain, hyperlinks=False)
    baseline = len(calls)
    calls.clear()
    m = an_incident(state_dir / "hostile", *(["![a" * 1333, "[" * 4000, "[a](" * 1000] * 3))
    Markdown(render_report(m.current), hyperlinks=False)
    assert len(calls) <= baseline, (len(calls), baseline)


async def test_adv10_the_report_screen_parses_a_bounded_part_of_a_huge_report():
    """An incident file has no size bound (entries from other writers, thousands of notes at the console's
    own 4000-character limit): the screen parsed and laid out the whole report in the UI loop (~4.5 us a
    character of escaped text: a 2 MB report held the UI ~9 s). It shows a bounded head and says where the
    whole report is."""
    lines = ["# Incident Report: big", "", "## Timeline", ""]
    lines += [f"- 10:00:{i % 60:02d} - Note: " + "x " * 1000 for i in range(1000)]  # ~2 MB of plain text
    markdown = "\n".join(lines) + "\n"
    app = ReportApp(markdown)
    async with app.run_test(size=(100, 30)):
        await wait_for(lambda: isinstance(app.screen, IncidentReportScreen) and app.screen.query("#report-markdown"))
        shown = app.screen.query_one("#report-markdown").content
        assert len(shown.markup) <= 110_000, len(shown.markup)
        assert shown.markup.startswith("# Incident Report: big\n")
        assert "whole report" in shown.markup.splitlines()[-1]
        assert app.screen.markdown == markdown  # the screen keeps the report itself whole
