"""Plain-text rendering for terminals: the verdict, one line per criterion, evidence, what would improve it.

Text from the release (license names, headings, quotes) is written by strangers: control characters, including
ANSI escape sequences, are replaced so that a card cannot rewrite the user's terminal.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from ..criteria import VERDICT_MEANING
from ..findings import Evidence, Finding, Outcome, Status
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
        doc = "dataset card" if ev.kind == "dataset-card" else "README.md"
        where += f", {doc} line {a}" if a == b else f", {doc} lines {a}-{b}"
    return safe(f"{where}: {ev.quote}" if ev.quote else where)


#: The OSAID data-description elements, in report order.
DATA_ELEMENTS = ("data-provenance", "data-scope", "data-collection", "data-labelling", "data-processing")
_ELEMENT_WORDS = {
    Outcome.PASS: "described",
    Outcome.NOT_APPLICABLE: "not applicable",
    Outcome.UNKNOWN: "not checked",
    Outcome.FAIL: "missing",
}


def element_summary(findings: Sequence[Finding]) -> str:
    """The data-description elements in one line: ``provenance described (card); labelling not applicable; ...``."""
    parts: list[str] = []
    for f in findings:
        if f.id not in DATA_ELEMENTS or f.outcome is Outcome.INFO:
            continue
        where = ""
        if f.outcome is Outcome.PASS and f.evidence:
            where = " (dataset card)" if f.evidence[0].kind == "dataset-card" else " (card)"
        parts.append(f"{f.id.removeprefix('data-')} {_ELEMENT_WORDS.get(f.outcome, f.outcome.value)}{where}")
    return "; ".join(parts)


#: The narrowest width :func:`wrap_lines` wraps to (narrower terminals get lines of this width).
MIN_WIDTH = 40


def wrap_lines(text: str, width: int) -> str:
    """``text`` with each line longer than ``width`` wrapped, continuation lines indented under the line's start.

    Words are never broken (a long URL or repository id stays whole, even past ``width``); lines that fit are
    left as they are, so the layout of short reports does not change.
    """
    width = max(width, MIN_WIDTH)
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        hang = lead + ("      " if line.lstrip().startswith("[") else "    ")
        out.extend(
            textwrap.wrap(
                line,
                width=width,
                initial_indent="",
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
                drop_whitespace=True,
            )
            or [line]
        )
    return "\n".join(out)


def render_text(report: Report, *, verbose: bool = False, width: int | None = None) -> str:
    """A human-readable report. ``verbose`` lists every finding with all its evidence.

    ``width`` wraps long lines to that many columns (see :func:`wrap_lines`); the command line passes the
    terminal's width when it writes to a terminal. ``None`` (the default) leaves lines whole.
    """
    out: list[str] = []
    head = report.target
    if report.revision:
        head += f" @ {report.revision[:12]}"
    out.append(safe(f"{head}  ({report.source})"))
    out.append(f"Verdict: {report.verdict.value} - {VERDICT_MEANING[report.verdict]}")
    out.append(safe(f"  {report.verdict_reason}"))
    if report.verdict_if_checked is not None:
        out.append(safe(f"  If the checks not made pass: {report.verdict_if_checked.value}"))
        for check in report.unchecked[:6]:
            out.append(safe(f"    ? {check}"))
    for base in report.lineage:
        indent = "  " * base.depth
        state = base.verdict.value if base.verdict else f"not graded: {base.note}"
        out.append(safe(f"{indent}<- {base.relation} of {base.repo_id} ({state})"))
    out.append("")
    for name, result in report.criteria.items():
        label = name.value.replace("_", " ")
        out.append(safe(f"{MARKS[result.status]} {label:<17} {result.status.value:<13} {result.summary}"))
        elements = element_summary(result.findings)
        if elements:
            out.append(safe(f"      elements: {elements}"))
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
    text = "\n".join(out)
    return wrap_lines(text, width) if width is not None else text
