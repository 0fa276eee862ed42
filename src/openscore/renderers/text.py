"""Plain-text rendering for terminals: the verdict, one line per criterion, evidence, what would improve it.

Text from the release (license names, headings, quotes) is written by strangers: control characters, including
ANSI escape sequences, are replaced so that a card cannot rewrite the user's terminal.
"""

from __future__ import annotations

import re

from ..criteria import VERDICT_MEANING
from ..findings import Evidence, Outcome, Status
from ..report import Report

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

MARKS = {
    Status.MET: "[+]",
    Status.PARTLY_MET: "[~]",
    Status.NOT_MET: "[-]",
    Status.UNDETERMINED: "[?]",
}
_OUTCOME_MARKS = {
    Outcome.PASS: "+",
    Outcome.FAIL: "-",
    Outcome.UNKNOWN: "?",
    Outcome.INFO: "i",
    Outcome.NOT_APPLICABLE: "~",
}


def _tri(value: bool | None) -> str:
    """A fact that can be unknown, in words: "not known" is never shown as "no"."""
    return "unknown" if value is None else ("yes" if value else "no")


def safe(text: str) -> str:
    """Replace control and bidi-override characters with U+FFFD (tabs and newlines become spaces)."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " ").replace("\n", " "))


def _evidence(ev: Evidence) -> str:
    where = ev.location
    if ev.lines:
        a, b = ev.lines
        where += f", README.md line {a}" if a == b else f", README.md lines {a}-{b}"
    return safe(f"{where}: {ev.quote}" if ev.quote else where)


def render_text(report: Report, *, verbose: bool = False) -> str:
    """A human-readable report. ``verbose`` lists every finding with all its evidence."""
    out: list[str] = []
    head = report.target
    if report.revision:
        head += f" @ {report.revision[:12]}"
    out.append(safe(f"{head}  ({report.source})"))
    out.append(f"Verdict: {report.verdict.value} - {VERDICT_MEANING[report.verdict]}")
    out.append(safe(f"  {report.verdict_reason}"))
    for base in report.lineage:
        indent = "  " * base.depth
        state = base.verdict.value if base.verdict else f"not graded: {base.note}"
        out.append(safe(f"{indent}<- {base.relation} of {base.repo_id} ({state})"))
    out.append("")
    for name, result in report.criteria.items():
        label = name.value.replace("_", " ")
        out.append(safe(f"{MARKS[result.status]} {label:<17} {result.status.value:<13} {result.summary}"))
        shown = 0
        for f in result.findings:
            if not verbose and (f.outcome is Outcome.INFO or not f.evidence or shown >= 2):
                continue
            for ev in f.evidence if verbose else f.evidence[:1]:
                out.append(f"      {_OUTCOME_MARKS[f.outcome]} {f.id}: {_evidence(ev)}")
            shown += 1
        if verbose:
            for f in result.findings:
                if not f.evidence:
                    out.append(safe(f"      {_OUTCOME_MARKS[f.outcome]} {f.id}: {f.message}"))
    out.append("")
    out.append(safe(f"Open data: {_tri(report.open_data)} - {report.open_data_reason}"))
    if report.licenses:
        out.append(safe("Licenses: " + ", ".join(f"{lic.key} ({lic.policy.value})" for lic in report.licenses)))
    remedies = [(name, r) for name, result in report.criteria.items() for r in result.remediation]
    if remedies:
        out.append("")
        out.append("What would improve it:")
        for name, remedy in remedies:
            out.append(safe(f"  - {name.value.replace('_', ' ')}: {remedy}"))
    if report.unreadable:
        out.append("")
        out.append("Could not be read:")
        for note in report.unreadable:
            out.append(safe(f"  - {note}"))
    out.append("")
    out.append(f"openscore {report.openscore_version}, rules {report.rules_version}")
    return "\n".join(out)
