"""Renderers turn a :class:`~openscore.report.Report` into text, JSON, HTML, Markdown or a badge."""

from .badge import render_badge
from .html import render_html, render_markdown, render_summary_html
from .text import render_text

__all__ = ["render_badge", "render_html", "render_markdown", "render_summary_html", "render_text"]
