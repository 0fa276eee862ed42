"""HTML and Markdown renderings of a report, for notebooks (Jupyter's ``_repr_html_`` / ``_repr_markdown_``).

The HTML is one self-contained fragment: inline CSS scoped under ``div.openscore-report`` (no external assets, no
JavaScript), neutral colours that read on light and dark themes, and the verdict and status colours of
:mod:`openscore.renderers.style` shared with the badges. Everything taken from the report is HTML-escaped; the
Markdown escapes Markdown and HTML metacharacters in stranger text and only links to http(s) URLs it built itself.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ..criteria import VERDICT_MEANING, CriterionResult
from ..findings import Criterion, Evidence, Outcome
from ..report import Report
from .style import (
    CRITERION_NAMES,
    ERROR_COLOR,
    STATUS_COLORS,
    STATUS_MARKS,
    VERDICT_COLORS,
    clean,
    hub_url,
    markdown_escape,
    markdown_url,
)
from .text import element_summary

__all__ = ["CSS_CLASS", "render_html", "render_markdown", "render_summary_html"]

#: The class every rule of the inline stylesheet is scoped under.
CSS_CLASS = "openscore-report"

#: How many findings with evidence each criterion shows as "key evidence".
KEY_EVIDENCE = 3

# "div." raises specificity above notebook defaults such as JupyterLab's right-aligned table cells.
_CSS = f"""<style>
div.{CSS_CLASS}{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:13px;
line-height:1.45;color:inherit;max-width:72em;margin:.25em 0}}
div.{CSS_CLASS} .os-banner{{border-left:6px solid #9f9f9f;border-radius:4px;padding:.5em .8em;margin-bottom:.6em;
background:rgba(127,127,127,.1)}}
div.{CSS_CLASS} .os-pill{{display:inline-block;padding:0 .5em;border-radius:3px;color:#111;font-weight:600;
white-space:nowrap}}
div.{CSS_CLASS} .os-target{{font-weight:600;word-break:break-all}}
div.{CSS_CLASS} .os-muted{{opacity:.75}}
div.{CSS_CLASS} table{{border-collapse:collapse;width:100%;margin:.4em 0;table-layout:auto}}
div.{CSS_CLASS} th,div.{CSS_CLASS} td{{text-align:left;vertical-align:top;padding:.3em .5em;border:0;
border-bottom:1px solid rgba(127,127,127,.35);background:transparent;color:inherit;white-space:normal}}
div.{CSS_CLASS} th{{font-weight:600}}
div.{CSS_CLASS} ul{{margin:.2em 0;padding-left:1.2em}}
div.{CSS_CLASS} li{{margin:.1em 0}}
div.{CSS_CLASS} q{{quotes:"\\201C" "\\201D";font-style:italic}}
div.{CSS_CLASS} .os-loc{{opacity:.8}}
div.{CSS_CLASS} a{{color:inherit;text-decoration:underline}}
div.{CSS_CLASS} .os-footer{{font-size:11px;opacity:.7;margin-top:.4em}}
</style>"""


def _tri(value: bool | None) -> str:
    """A fact that can be unknown, in words: "not known" is never shown as "no"."""
    return "unknown" if value is None else ("yes" if value else "no")


def _e(text: str) -> str:
    """Clean and HTML-escape stranger text (quotes too, so it is safe in attributes)."""
    return html.escape(clean(text), quote=True)


def _pill(text: str, color: str, title: str | None = None) -> str:
    tip = f' title="{_e(title)}"' if title else ""
    return f'<span class="os-pill" style="background:{color}"{tip}>{_e(text)}</span>'


def _where(ev: Evidence) -> str:
    where = ev.location
    if ev.lines:
        a, b = ev.lines
        where += f", README.md line {a}" if a == b else f", README.md lines {a}\u2013{b}"
    return where


def _key_evidence(result: CriterionResult) -> list[tuple[str, str, str | None]]:
    """Up to :data:`KEY_EVIDENCE` (finding id, location, quote), one per finding that has evidence."""
    out: list[tuple[str, str, str | None]] = []
    for f in result.findings:
        if f.outcome is Outcome.INFO or not f.evidence:
            continue
        ev = f.evidence[0]
        out.append((f.id, _where(ev), ev.quote))
        if len(out) >= KEY_EVIDENCE:
            break
    return out


def _heading(report: Report) -> str:
    head = report.target
    if report.revision:
        head += f" @ {report.revision[:12]}"
    return head


def _footer(report: Report) -> str:
    parts = [f"openscore {report.openscore_version}", f"rules {report.rules_version}"]
    if report.revision:
        parts.append(f"revision {report.revision}")
    parts.append(f"graded {report.graded_at.isoformat(timespec='seconds')}")
    return " \u00b7 ".join(clean(p) for p in parts)


def render_html(report: Report) -> str:
    """The report as a self-contained HTML fragment for notebooks: verdict banner, criteria table, details."""
    color = VERDICT_COLORS[report.verdict]
    out = [f'<div class="{CSS_CLASS}">', _CSS]
    link = ""
    if report.source == "hub" and report.repo_id:
        link = f' <a href="{_e(hub_url(report.repo_id))}" rel="noopener noreferrer" target="_blank">Hub page</a>'
    out.append(f'<div class="os-banner" style="border-left-color:{color}">')
    out.append(
        f"<div>{_pill(report.verdict.value, color)} "
        f'<span class="os-target">{_e(_heading(report))}</span> '
        f'<span class="os-muted">({_e(report.source)}){link}</span></div>'
    )
    out.append(f"<div><strong>OSAID 1.0:</strong> {_e(VERDICT_MEANING[report.verdict])}</div>")
    out.append(f'<div class="os-muted">{_e(report.verdict_reason)}</div>')
    if report.verdict_if_checked is not None:
        checks = "".join(f"<li>{_e(c)}</li>" for c in report.unchecked[:6])
        out.append(
            f"<div><strong>If the checks not made pass:</strong> {_e(report.verdict_if_checked.value)}"
            + (f"<ul>{checks}</ul>" if checks else "")
            + "</div>"
        )
    out.append("</div>")

    out.append("<table><thead><tr><th>criterion</th><th>status</th><th>summary</th>")
    out.append("<th>key evidence</th><th>what would improve it</th></tr></thead><tbody>")
    for name, result in report.criteria.items():
        status = result.status
        mark = _pill(f"{STATUS_MARKS[status]} {status.value}", STATUS_COLORS[status])
        evidence = "".join(
            f'<li><code>{_e(fid)}</code> \u2013 <span class="os-loc">{_e(where)}</span>'
            + (f": <q>{_e(quote)}</q>" if quote else "")
            + "</li>"
            for fid, where, quote in _key_evidence(result)
        )
        remedies = "".join(f"<li>{_e(r)}</li>" for r in result.remediation)
        elements = element_summary(result.findings)
        summary = _e(result.summary) + (f'<div class="os-muted">{_e(elements)}</div>' if elements else "")
        out.append(
            f"<tr><th>{_e(CRITERION_NAMES[name])}</th><td>{mark}</td><td>{summary}</td>"
            f"<td>{f'<ul>{evidence}</ul>' if evidence else ''}</td>"
            f"<td>{f'<ul>{remedies}</ul>' if remedies else ''}</td></tr>"
        )
    out.append("</tbody></table>")

    out.append(f"<div><strong>Open data:</strong> {_tri(report.open_data)} \u2013 ")
    out.append(f"{_e(report.open_data_reason)}</div>")
    if report.licenses:
        items = "".join(
            f"<li><code>{_e(lic.key)}</code> {_e(lic.name)} "
            f'<span class="os-muted">({_e(lic.policy.value)}'
            + (", OSI-approved" if lic.osi_approved and lic.policy.value != "osi-approved" else "")
            + f") \u2013 {_e(lic.reason)}</span></li>"
            for lic in report.licenses
        )
        out.append(f"<div><strong>Licenses:</strong><ul>{items}</ul></div>")
    if report.unreadable:
        items = "".join(f"<li>{_e(note)}</li>" for note in report.unreadable)
        out.append(f"<div><strong>Could not be read:</strong><ul>{items}</ul></div>")
    out.append(f'<div class="os-footer">{_e(_footer(report))}</div>')
    out.append("</div>")
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return markdown_escape(text).strip()


def render_markdown(report: Report) -> str:
    """The report as Markdown for notebooks: verdict, criteria table, evidence and remediation, details."""
    md = _md_cell
    out: list[str] = []
    head = f"**OSAID 1.0: {report.verdict.value}** \u2013 {md(_heading(report))} ({md(report.source)})"
    if report.source == "hub" and report.repo_id:
        head += f" \u2013 [Hub page]({markdown_url(hub_url(report.repo_id))})"
    out.append(head)
    out.append("")
    out.append(f"> {md(VERDICT_MEANING[report.verdict])}  ")
    out.append(f"> {md(report.verdict_reason)}")
    if report.verdict_if_checked is not None:
        out.append(f"> If the checks not made pass: **{report.verdict_if_checked.value}**")
    out.append("")
    out.append("| | criterion | status | summary |")
    out.append("|---|---|---|---|")
    for name, result in report.criteria.items():
        mark, status = STATUS_MARKS[result.status], result.status.value
        out.append(f"| {mark} | {CRITERION_NAMES[name]} | {status} | {md(result.summary)} |")
    details: list[str] = []
    for name, result in report.criteria.items():
        lines = [
            f"  - evidence: {md(fid)} \u2013 {md(where)}" + (f": \u201c{md(quote)}\u201d" if quote else "")
            for fid, where, quote in _key_evidence(result)
        ]
        lines += [f"  - to improve: {md(r)}" for r in result.remediation]
        if lines:
            details.append(f"- **{CRITERION_NAMES[name]}**")
            details.extend(lines)
    if details:
        out.append("")
        out.extend(details)
    out.append("")
    out.append(f"**Open data:** {_tri(report.open_data)} \u2013 {md(report.open_data_reason)}")
    if report.licenses:
        out.append("")
        out.append(
            "**Licenses:** "
            + "; ".join(f"{md(lic.key)} ({md(lic.name)}, {md(lic.policy.value)})" for lic in report.licenses)
        )
    if report.unreadable:
        out.append("")
        out.append("**Could not be read:**")
        out.extend(f"- {md(note)}" for note in report.unreadable)
    out.append("")
    out.append(f"*{md(_footer(report))}*")
    return "\n".join(out) + "\n"


def render_summary_html(items: Sequence[Report | tuple[str, str, str]]) -> str:
    """A table with one row per target of a batch: a :class:`Report`, or ``(target, error kind, message)``.

    Report rows show the verdict in its colour, the four criterion statuses and open data; failure rows show the
    error kind and message.
    """
    out = [f'<div class="{CSS_CLASS}">', _CSS, "<table><thead><tr><th>target</th><th>verdict</th>"]
    out.append("".join(f"<th>{_e(CRITERION_NAMES[c])}</th>" for c in Criterion))
    out.append("<th>open data</th></tr></thead><tbody>")
    for item in items:
        if isinstance(item, tuple):
            target, kind, message = item
            out.append(
                f'<tr><td class="os-target">{_e(target)}</td>'
                f"<td>{_pill('error', ERROR_COLOR, title=kind)}</td>"
                f'<td colspan="5"><code>{_e(kind)}</code> {_e(message)}</td></tr>'
            )
            continue
        report = item
        statuses = "".join(
            f"<td>{_pill(STATUS_MARKS[r.status], STATUS_COLORS[r.status], title=r.status.value)} "
            f"{_e(r.status.value)}</td>"
            for _, r in report.criteria.items()
        )
        out.append(
            f'<tr><td class="os-target">{_e(_heading(report))}</td>'
            f"<td>{_pill(report.verdict.value, VERDICT_COLORS[report.verdict])}</td>{statuses}"
            f"<td>{_tri(report.open_data)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return "\n".join(out)
