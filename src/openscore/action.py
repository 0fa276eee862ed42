"""The GitHub Action's step (``action.yml`` at the repository root runs ``python -m openscore.action``).

It grades one target (the repository folder by default, or a Hub repository id), then writes

- the badge: an SVG and shields.io endpoint JSON beside it (``openscore-badge.svg``, ``openscore-badge.json``);
- a Markdown job summary appended to ``$GITHUB_STEP_SUMMARY``;
- SARIF 2.1.0 for ``github/codeql-action/upload-sarif`` (``openscore.sarif``), so code scanning shows each failing
  finding at its README lines;
- the outputs ``verdict``, ``badge``, ``endpoint`` and ``sarif`` to ``$GITHUB_OUTPUT``;

and exits 1, with an ``::error::`` line saying which verdict and which criterion fell short, when the verdict is
less open than ``fail-below``. Its inputs come from the environment (``OPENSCORE_TARGET``, ``OPENSCORE_FAIL_BELOW``,
``OPENSCORE_BADGE``, ``OPENSCORE_SARIF``, ``OPENSCORE_REVISION``), never from text pasted into a shell script. It can
be run anywhere the same way: ``OPENSCORE_TARGET=. python -m openscore.action``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from . import errors
from .cli import VERDICT_ORDER, fail_below_message
from .grading import grade
from .renderers.badge import render_badge
from .renderers.html import render_markdown
from .renderers.sarif import render_sarif
from .renderers.style import markdown_escape
from .renderers.text import safe
from .report import Report

__all__ = ["job_summary", "main"]


def _annotation(text: str) -> str:
    """``text`` as the message of a workflow command (``%``, CR and LF escaped as GitHub asks)."""
    return safe(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def job_summary(report: Report, fail_below: str | None, badge: str | None) -> str:
    """The Markdown job summary: the badge, the verdict against the threshold, and the report."""
    out = ["## openscore: OSAID 1.0", ""]
    if badge:
        out += [f"![OSAID 1.0: {report.verdict.value}]({markdown_escape(badge)})", ""]
    if fail_below:
        line = fail_below_message(report, fail_below)
        out += [f"**Gate:** {markdown_escape(line) if line else f'not below `{fail_below}`: passed'}", ""]
    out.append(render_markdown(report))
    return "\n".join(out) + "\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)


def main(env: Mapping[str, str] | None = None) -> int:
    """Run the Action's step; returns the exit status (0 passed, 1 below the threshold, 2 bad input, 3 not found)."""
    env = os.environ if env is None else env
    target = env.get("OPENSCORE_TARGET", "").strip() or "."
    fail_below = env.get("OPENSCORE_FAIL_BELOW", "").strip() or None
    badge = env.get("OPENSCORE_BADGE", "openscore-badge.svg").strip()
    sarif = env.get("OPENSCORE_SARIF", "openscore.sarif").strip()
    revision = env.get("OPENSCORE_REVISION", "").strip() or None
    if fail_below and fail_below not in VERDICT_ORDER:
        print(f"::error::fail-below must be one of {', '.join(VERDICT_ORDER)}, not {_annotation(fail_below)}")
        return 2
    try:
        report = grade(target, revision=revision)
    except errors.OpenscoreError as exc:
        print(f"::error::openscore: {_annotation(exc.message)}")
        return exc.exit_code
    written: dict[str, str] = {"verdict": report.verdict.value}
    if badge:
        svg = Path(badge)
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(render_badge(report, format="svg", style="criteria"), encoding="utf-8")
        endpoint = svg.with_suffix(".json")
        endpoint.write_text(render_badge(report, format="endpoint") + "\n", encoding="utf-8")
        written |= {"badge": str(svg), "endpoint": str(endpoint)}
    if sarif:
        sarif_path = Path(sarif)
        sarif_path.parent.mkdir(parents=True, exist_ok=True)
        sarif_path.write_text(render_sarif([report]), encoding="utf-8")
        written["sarif"] = str(sarif_path)
    _append(env.get("GITHUB_STEP_SUMMARY"), job_summary(report, fail_below, badge or None))
    _append(env.get("GITHUB_OUTPUT"), "".join(f"{k}={safe(v)}\n" for k, v in written.items()))
    print(safe(f"openscore: {report.target}: {report.verdict.value}"))
    line = fail_below_message(report, fail_below) if fail_below else None
    if line:
        print(f"::error title=openscore::{_annotation(line)}")
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
