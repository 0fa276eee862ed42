"""SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format) for code scanning.

One result per finding that fails or cannot be settled (``fail`` and ``unknown`` outcomes), with the finding id as
``ruleId``, located at the README lines of its evidence (or at the file it names), so that GitHub code scanning
shows it on the pull request that changed the model card. Each finding id is one rule in ``tool.driver.rules``,
its help text being the finding's remediation. A ``fail`` finding of a criterion that is not met is an ``error``,
of a partly met criterion a ``warning``; an ``unknown`` finding is a ``note`` (unknown is never shown as failed).

Upload the file with ``github/codeql-action/upload-sarif`` (see docs/publishers.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._version import __version__
from ..findings import Evidence, Finding, Outcome, Status
from .style import clean

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "render_sarif", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _level(finding: Finding, status: Status) -> str:
    if finding.outcome is Outcome.UNKNOWN:
        return "note"
    return "error" if status is Status.NOT_MET else "warning"


def _base_dir(report: Report) -> str:
    """Where the release's files are, relative to the working directory: ``""`` for the repository root."""
    if report.source != "folder":
        return ""
    try:
        rel = Path(report.target).resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return ""
    text = rel.as_posix()
    return "" if text == "." else text


def _uri(base: str, name: str) -> str:
    path = PurePosixPath(base, clean(name).lstrip("/")) if base else PurePosixPath(clean(name).lstrip("/"))
    return quote(str(path), safe="/._-~")


def _location(report: Report, finding: Finding) -> dict[str, Any]:
    base = _base_dir(report)
    evidence: Evidence | None = next((e for e in finding.evidence if e.lines), None)
    if evidence is not None and evidence.lines:
        start, end = evidence.lines
        region: dict[str, Any] = {"startLine": max(1, start), "endLine": max(1, start, end)}
        if evidence.quote:
            region["snippet"] = {"text": clean(evidence.quote)}
        physical = {"artifactLocation": {"uri": _uri(base, "README.md")}, "region": region}
        return {"physicalLocation": physical, "message": {"text": clean(evidence.location)}}
    named = next((e for e in finding.evidence if e.kind == "file" and e.location), None)
    uri = _uri(base, named.location) if named is not None else _uri(base, "README.md")
    # Code scanning wants a line: the top of the file stands for "this file as a whole".
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": 1}}}


def _rule(finding: Finding) -> dict[str, Any]:
    help_text = finding.remediation or f"{finding.message} (openscore explain {finding.id})"
    return {
        "id": finding.id,
        "name": "".join(part.capitalize() for part in finding.id.split("-")),
        "shortDescription": {"text": clean(f"{finding.criterion.value.replace('_', ' ')}: {finding.id}")},
        "fullDescription": {"text": clean(finding.message)},
        "help": {"text": clean(help_text)},
        "defaultConfiguration": {"level": "error" if finding.outcome is Outcome.FAIL else "note"},
        "properties": {"tags": ["osaid", finding.criterion.value]},
    }


def sarif_log(reports: Sequence[Report]) -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``reports`` as plain data (one run, one result per failing or unknown finding)."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        for name, criterion in report.criteria.items():
            for finding in criterion.findings:
                if finding.outcome not in (Outcome.FAIL, Outcome.UNKNOWN):
                    continue
                if finding.id not in index:
                    index[finding.id] = len(rules)
                    rules.append(_rule(finding))
                text = f"{report.target}: {finding.message}"
                if finding.remediation:
                    text += f" To improve: {finding.remediation}"
                results.append(
                    {
                        "ruleId": finding.id,
                        "ruleIndex": index[finding.id],
                        "level": _level(finding, criterion.status),
                        "message": {"text": clean(text)},
                        "locations": [_location(report, finding)],
                        "properties": {
                            "target": clean(report.target),
                            "criterion": name.value,
                            "criterionStatus": criterion.status.value,
                            "outcome": finding.outcome.value,
                            "verdict": report.verdict.value,
                        },
                    }
                )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "openscore",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "verdicts": {clean(r.target): r.verdict.value for r in reports},
            "rulesVersions": sorted({r.rules_version for r in reports}),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(reports: Sequence[Report]) -> str:
    """``reports`` as a SARIF 2.1.0 JSON document."""
    return json.dumps(sarif_log(reports), indent=2, ensure_ascii=False) + "\n"
