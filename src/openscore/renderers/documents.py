"""Whole documents for one or several reports, one per output format of ``openscore grade --format``.

``text``, ``json`` and ``jsonl`` are written by the command line as results arrive; the formats here take every
report of a run at once: ``markdown`` and ``html`` (a standalone page), ``sarif`` (SARIF 2.1.0 for code scanning,
:mod:`openscore.renderers.sarif`), ``cyclonedx`` (a CycloneDX 1.6 ML-BOM, :mod:`openscore.renderers.cyclonedx`,
needs the ``bom`` extra) and ``spdx`` (SPDX 3.0 AI profile JSON-LD, :mod:`openscore.renderers.spdx`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from .style import clean

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["DOCUMENT_FORMATS", "DocumentFormat", "render_document"]

DocumentFormat = Literal["markdown", "html", "sarif", "cyclonedx", "spdx"]

#: The formats :func:`render_document` writes.
DOCUMENT_FORMATS: tuple[str, ...] = ("markdown", "html", "sarif", "cyclonedx", "spdx")


def _html_page(reports: Sequence[Report]) -> str:
    from .html import render_html, render_summary_html

    title = "openscore: " + (reports[0].target if len(reports) == 1 else f"{len(reports)} releases")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(clean(title))}</title></head><body>",
    ]
    if len(reports) > 1:
        parts.append(render_summary_html(reports))
    parts.extend(render_html(r) for r in reports)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_document(reports: Sequence[Report], format: DocumentFormat | str) -> str:
    """``reports`` as one document in ``format`` (see the module docstring).

    Raises:
        ValueError: an unknown format.
        openscore.renderers.cyclonedx.MissingExtraError: ``cyclonedx`` without the ``bom`` extra installed.
    """
    if format == "markdown":
        from .html import render_markdown

        return "\n---\n\n".join(render_markdown(r) for r in reports)
    if format == "html":
        return _html_page(reports)
    if format == "sarif":
        from .sarif import render_sarif

        return render_sarif(reports)
    if format == "cyclonedx":
        from .cyclonedx import render_cyclonedx

        return render_cyclonedx(reports)
    if format == "spdx":
        from .spdx import render_spdx

        return render_spdx(reports)
    raise ValueError(f"unknown format {format!r}: one of {', '.join(DOCUMENT_FORMATS)}")
