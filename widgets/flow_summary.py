"""The end of a flow: what ran, what did not, open checklist items, and how to undo it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from widgets.clipped_text import ClippedText

CHANGED_STATES = ("passed",)


def summary_text(summary: Any, reverse_title: str | None = None, *, changed: bool = False) -> Text:
    """``summary`` is the engine's ``RunSummary``; ``changed`` says whether a mutating step passed."""
    text = Text()
    if summary.refused:
        head, style = "REFUSED", "bold red"
    elif summary.cancelled:
        head, style = "CANCELLED", "bold yellow"
    elif summary.failed:
        head, style = "FAILED", "bold red"
    else:
        head, style = "DONE", "bold green"
    text.append(f"{head}", style=style)
    text.append(f" · {summary.title} on {summary.environment}\n")
    if summary.refused:
        text.append(f"⊘ {summary.refused}\n", style="red")
    ran = summary.ran
    not_run = summary.not_run
    pending = list(getattr(summary, "pending_manual", []))
    # what matters first: what the metrics checks found, how to undo, the checklist left open; the step lists
    # last (the step list above shows each step's state too): a cut summary loses those first
    for step in ran:  # "Key metrics now: 1 CRIT: error rate 7.10 %"
        note = getattr(step, "note", "")
        if note:
            text.append(f"{step.title}: ", style="bold")
            text.append(note + "\n", style="bold red" if "CRIT" in note else "yellow" if "WARN" in note else "")
    if summary.reverse:
        text.append("undo with: ", style="bold")
        text.append(reverse_title or summary.reverse)
        text.append(f" ({summary.reverse})", style="dim")
        if not changed:
            text.append(" · nothing was changed", style="dim")
        text.append("\n")
    if pending:
        text.append(f"Checklist left open ({len(pending)}): ", style="bold")
        text.append(", ".join(s.title for s in pending) + "\n")
    text.append(f"Ran ({len(ran)}): ", style="bold")
    text.append((", ".join(f"{s.title} [{s.state.value}]" for s in ran) or "nothing") + "\n")
    text.append(f"Not run ({len(not_run)}): ", style="bold")
    text.append((", ".join(s.title for s in not_run) or "none") + "\n")
    return text


class FlowSummary(ClippedText):
    """The summary in the rows it has (max-height in themes/flows.tcss); cut, its last row says so."""

    def show(self, summary: Any, reverse_title: str | None = None, *, changed: bool = False) -> None:
        text = summary_text(summary, reverse_title, changed=changed)
        text.rstrip()
        self.update(text)
