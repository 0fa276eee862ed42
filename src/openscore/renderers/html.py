"""HTML and Markdown renderings of a report, for notebooks (Jupyter's ``_repr_html_`` / ``_repr_markdown_``).

The HTML is one self-contained fragment: inline CSS scoped under ``div.openscore-report`` (no external assets, no
JavaScript), neutral colours that read on light and dark themes, and the verdict and status colours of
:mod:`openscore.renderers.style` shared with the badges. Everything taken from the report is HTML-escaped; the
Markdown escapes Markdown and HTML metacharacters in stranger text and only links to http(s) URLs it built itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..criteria import VERDICT_MEANING, Base, CriterionResult
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

# Every rule is scoped under ``div.openscore-report.openscore-report`` (the class twice): specificity (0,2,1) or more,
# above notebook defaults such as JupyterLab's ``.jp-RenderedHTMLCommon td {text-align: right}`` (0,1,1), classic
# Notebook's ``.rendered_html td`` and JupyterLab's ``.jp-RenderedHTMLCommon ul:not(.list-inline)`` (0,2,1), in
# JupyterLab, classic Notebook, VS Code and nbconvert alike. Colours inherit the theme's text colour (light and dark);
# only the pills carry their own background and dark text.
_S = f"div.{CSS_CLASS}.{CSS_CLASS}"
_CSS = f"""<style>
{_S}{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:13px;
line-height:1.45;color:inherit;max-width:72em;margin:.25em 0;text-align:left}}
{_S} .os-banner{{border-left:6px solid #9f9f9f;border-radius:4px;padding:.5em .8em;margin-bottom:.6em;
background:rgba(127,127,127,.1)}}
{_S} .os-pill{{display:inline-block;padding:0 .5em;border-radius:3px;color:#111;font-weight:600;
white-space:nowrap}}
{_S} .os-target{{font-weight:600;overflow-wrap:break-word;word-break:normal}}
{_S} .os-seg,{_S} .os-status{{white-space:nowrap}}
{_S} .os-muted{{opacity:.75}}
{_S} h4{{font-size:1em;font-weight:600;margin:.6em 0 .2em;padding:0}}
{_S} table{{border-collapse:collapse;width:100%;margin:.4em 0;table-layout:auto;font-size:inherit;border:0}}
{_S} th,{_S} td{{text-align:left;vertical-align:top;padding:.3em .5em;border:0;
border-bottom:1px solid rgba(127,127,127,.35);background:transparent;color:inherit;white-space:normal;
line-height:inherit;max-width:none}}
{_S} th{{font-weight:600}}
{_S} ul{{margin:.2em 0;padding-left:1.2em;text-align:left}}
{_S} li{{margin:.1em 0}}
{_S} code{{font-size:.95em;padding:0 .2em;border-radius:2px;background:rgba(127,127,127,.15);color:inherit}}
{_S} q{{quotes:"\\201C" "\\201D";font-style:italic}}
{_S} .os-loc{{opacity:.8}}
{_S} a{{color:inherit;text-decoration:underline}}
{_S} .os-footer{{font-size:11px;opacity:.7;margin-top:.4em}}
</style>"""


def _tri(value: bool | None) -> str:
    """A fact that can be unknown, in words: "not known" is never shown as "no"."""
    return "unknown" if value is None else ("yes" if value else "no")


def _e(text: str) -> str:
    """Clean and HTML-escape stranger text (quotes too, so it is safe in attributes)."""
    return html.escape(clean(text), quote=True)


_BACKTICKS = re.compile(r"`([^`]+)`")


def _rich(text: str) -> str:
    """Like :func:`_e`, with Markdown code spans (`` `x` ``) in our own messages shown as ``<code>x</code>``.

    The text is escaped first, so a code span can only ever hold escaped text.
    """
    return _BACKTICKS.sub(r"<code>\1</code>", _e(text))


def _name(text: str, *, whole_segments: bool = False) -> str:
    """A repository id or path, escaped, with a line-break opportunity (``<wbr>``) after each ``/``.

    ``whole_segments`` (table cells) also keeps each part between slashes on one line, so that a narrow column
    breaks names at ``/`` and never inside a part (nor at its hyphens).
    """
    parts = _e(text).split("/")
    if whole_segments:
        parts = [f'<span class="os-seg">{p}</span>' if p else p for p in parts]
    return "/<wbr>".join(parts)


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


def _base_state(base: Base) -> str:
    """A base's verdict as a pill, or why it was not graded (never shown as a verdict)."""
    if base.verdict is not None:
        state = _pill(base.verdict.value, VERDICT_COLORS[base.verdict])
        if base.loop:
            state += ' <span class="os-muted">(the chain loops back here; its terms are already counted)</span>'
        return state
    return f'<span class="os-muted">not graded: {_rich(base.note or "no reason recorded")}</span>'


_UNKNOWN = '<span class="os-muted">unknown</span>'


def _lineage_html(lineage: Sequence[Base]) -> str:
    """The lineage section: each base up the chain with its relation, verdict (or why not graded) and licenses."""
    if not lineage:
        return ""
    rows = []
    for base in lineage:
        indent = "\u2003" * (base.depth - 1) + ("\u21b3 " if base.depth > 1 else "")
        revision = f' <span class="os-muted">@ {_e(base.revision[:12])}</span>' if base.revision else ""
        licenses = ", ".join(f"<code>{_e(lic.key)}</code>" for lic in base.licenses) or (
            '<span class="os-muted">none declared</span>' if base.verdict is not None else _UNKNOWN
        )
        rows.append(
            f'<tr><td class="os-target">{indent}{_name(base.repo_id, whole_segments=True)}{revision}</td>'
            f"<td>{_e(base.relation)}</td><td>{base.depth}</td><td>{_base_state(base)}</td>"
            f"<td>{licenses}</td></tr>"
        )
    return (
        '<div class="os-lineage"><h4>Lineage</h4>'
        "<table><thead><tr><th>base model</th><th>relation</th><th>depth</th><th>verdict</th>"
        f"<th>licenses</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_html(report: Report) -> str:
    """The report as a self-contained HTML fragment for notebooks: verdict banner, criteria table, lineage, details."""
    color = VERDICT_COLORS[report.verdict]
    out = [f'<div class="{CSS_CLASS}">', _CSS]
    link = ""
    if report.source == "hub" and report.repo_id:
        link = f' <a href="{_e(hub_url(report.repo_id))}" rel="noopener noreferrer" target="_blank">Hub page</a>'
    out.append(f'<div class="os-banner" style="border-left-color:{color}">')
    out.append(
        f"<div>{_pill(report.verdict.value, color)} "
        f'<span class="os-target">{_name(_heading(report))}</span> '
        f'<span class="os-muted">({_e(report.source)}){link}</span></div>'
    )
    out.append(f"<div><strong>OSAID 1.0:</strong> {_e(VERDICT_MEANING[report.verdict])}</div>")
    out.append(f'<div class="os-muted">{_rich(report.verdict_reason)}</div>')
    if report.verdict_if_checked is not None:
        checks = "".join(f"<li>{_rich(c)}</li>" for c in report.unchecked[:6])
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
        remedies = "".join(f"<li>{_rich(r)}</li>" for r in result.remediation)
        elements = element_summary(result.findings)
        summary = _rich(result.summary) + (f'<div class="os-muted">{_e(elements)}</div>' if elements else "")
        out.append(
            f"<tr><th>{_e(CRITERION_NAMES[name])}</th><td>{mark}</td><td>{summary}</td>"
            f"<td>{f'<ul>{evidence}</ul>' if evidence else ''}</td>"
            f"<td>{f'<ul>{remedies}</ul>' if remedies else ''}</td></tr>"
        )
    out.append("</tbody></table>")

    out.append(_lineage_html(report.lineage))
    out.append(f"<div><strong>Open data:</strong> {_tri(report.open_data)} \u2013 ")
    out.append(f"{_rich(report.open_data_reason)}</div>")
    if report.licenses:
        items = "".join(
            f"<li><code>{_e(lic.key)}</code> {_e(lic.name)} "
            f'<span class="os-muted">({_e(lic.policy.value)}'
            + (", OSI-approved" if lic.osi_approved and lic.policy.value != "osi-approved" else "")
            + f") \u2013 {_rich(lic.reason)}</span></li>"
            for lic in report.licenses
        )
        out.append(f"<div><strong>Licenses:</strong><ul>{items}</ul></div>")
    if report.unreadable:
        items = "".join(f"<li>{_rich(note)}</li>" for note in report.unreadable)
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
    if report.lineage:
        out.append("")
        out.append("**Lineage:**")
        for base in report.lineage:
            state = base.verdict.value if base.verdict else f"not graded: {md(base.note or 'no reason recorded')}"
            keys = ", ".join(md(lic.key) for lic in base.licenses) or ("none declared" if base.verdict else "unknown")
            out.append(
                f"{'  ' * (base.depth - 1)}- {md(base.relation)} of {md(base.repo_id)}: {state} (licenses: {keys})"
            )
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
                f'<tr><td class="os-target">{_name(target, whole_segments=True)}</td>'
                f"<td>{_pill('error', ERROR_COLOR, title=kind)}</td>"
                f'<td colspan="5"><code>{_e(kind)}</code> {_rich(message)}</td></tr>'
            )
            continue
        report = item
        statuses = "".join(
            f'<td class="os-status">{_pill(STATUS_MARKS[r.status], STATUS_COLORS[r.status], title=r.status.value)} '
            f"{_e(r.status.value)}</td>"
            for _, r in report.criteria.items()
        )
        out.append(
            f'<tr><td class="os-target">{_name(_heading(report), whole_segments=True)}</td>'
            f"<td>{_pill(report.verdict.value, VERDICT_COLORS[report.verdict])}</td>{statuses}"
            f"<td>{_tri(report.open_data)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return "\n".join(out)
