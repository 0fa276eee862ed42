"""Renderers turn a :class:`~openscore.report.Report` into text for people or machines."""

from .text import render_text

__all__ = ["render_text"]
