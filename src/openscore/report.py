"""The report: a typed, versioned, JSON-serialisable account of one graded release.

Its JSON Schema is published in docs/report.schema.json (``openscore schema`` prints it).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._version import __version__
from .criteria import (
    Base,
    Criteria,
    Verdict,
    apply_lineage,
    evaluate,
    if_checked,
    open_data,
    rules_version,
    verdict,
)
from .findings import Finding, LicenseRef
from .release import Release, SourceKind

#: Bump when the report's shape changes (fields added: minor; renamed or removed: major).
SCHEMA_VERSION = "2.0"


class Report(BaseModel):
    """How open one release is under OSAID 1.0, with the evidence for every call.

    ``verdict`` is one of ``open-source-ai``, ``open-weights``, ``weights-available``, ``undetermined`` or
    ``closed``; ``criteria`` holds the four criteria with their findings and remediation. openscore grades what a
    release publishes; "open-source-ai" means it meets OSAID 1.0 as far as the published material shows, not that
    the OSI has certified anything.
    """

    model_config = ConfigDict(frozen=True)

    schema_version: str = SCHEMA_VERSION
    target: str = Field(description="What was graded, as the user named it.")
    source: SourceKind = Field(description="hub, folder or card")
    repo_id: str | None = Field(default=None, description="The Hub repository id, for Hub releases.")
    revision: str | None = Field(default=None, description="The commit sha that was graded, for Hub releases.")
    verdict: Verdict
    verdict_reason: str
    verdict_if_checked: Verdict | None = Field(
        default=None,
        description="The verdict if every check that was not made passed (a dataset card or code host that was not "
        "read), when only such checks hold the release back; null otherwise.",
    )
    unchecked: tuple[str, ...] = Field(
        default=(), description="The checks that were not made and would settle verdict_if_checked."
    )
    open_data: bool | None = Field(
        description="Every training dataset is itself openly licensed and downloadable: true, false, or null when "
        "that is not known (no dataset listed, or a dataset's terms not looked up)."
    )
    open_data_reason: str
    criteria: Criteria
    licenses: tuple[LicenseRef, ...] = Field(default=(), description="Licenses found, with their policy class.")
    relation: str | None = Field(default=None, description="finetune, adapter, quantized or merge, for derivatives.")
    lineage: tuple[Base, ...] = Field(default=(), description="Base models up the chain, nearest first.")
    unreadable: tuple[str, ...] = Field(default=(), description="What could not be read, in plain words.")
    openscore_version: str = __version__
    rules_version: str
    graded_at: dt.datetime

    def _repr_html_(self) -> str:
        """Jupyter display: a verdict banner and the criteria table (see :mod:`openscore.renderers.html`)."""
        from .renderers.html import render_html  # renderers depend on the report: imported when first displayed

        return render_html(self)

    def _repr_markdown_(self) -> str:
        """Markdown display for front ends that prefer it."""
        from .renderers.html import render_markdown

        return render_markdown(self)

    def __str__(self) -> str:
        """The plain-text rendering (what ``openscore grade`` prints)."""
        from .renderers.text import render_text

        return render_text(self)

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """A report read back from :meth:`to_json` output (validated; raises ``pydantic.ValidationError``)."""
        return cls.model_validate_json(text)

    def findings(self) -> list[Finding]:
        """Every finding of every criterion."""
        return [f for _, result in self.criteria.items() for f in result.findings]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-compatible data."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the report."""
        schema: dict[str, Any] = cls.model_json_schema(mode="serialization")
        return schema


def base_entry(report: Report, relation: str, depth: int = 1) -> Base:
    """A graded base, as a lineage entry of a derivative."""
    return Base(
        repo_id=report.repo_id or report.target,
        relation=relation,
        depth=depth,
        revision=report.revision,
        verdict=report.verdict,
        criteria=report.criteria,
        statuses={name.value: result.status for name, result in report.criteria.items()},
        licenses=report.licenses,
    )


def build_report(
    release: Release,
    findings: list[Finding],
    *,
    bases: list[Base] | None = None,
    graded_at: dt.datetime | None = None,
) -> Report:
    """Evaluate ``findings`` into criteria and a verdict and wrap them with the release's identity.

    ``bases`` are the release's graded bases (direct ones at depth 1, their bases deeper); see
    :func:`openscore.criteria.apply_lineage`.
    """
    relation = release.relation()
    criteria = apply_lineage(evaluate(findings), relation, bases or [])
    decided, reason = verdict(criteria)
    potential, unchecked = if_checked(criteria, decided)
    is_open, open_reason = open_data(criteria)
    licenses: dict[str, LicenseRef] = {}
    for f in criteria.usage_terms.findings:
        if f.license is not None and f.license.key not in licenses:
            licenses[f.license.key] = f.license
    return Report(
        target=release.target,
        source=release.source,
        repo_id=release.repo_id,
        revision=release.revision,
        verdict=decided,
        verdict_reason=reason,
        verdict_if_checked=potential,
        unchecked=tuple(unchecked),
        open_data=is_open,
        open_data_reason=open_reason,
        criteria=criteria,
        licenses=tuple(licenses.values()),
        relation=relation,
        lineage=tuple(bases or ()),
        unreadable=(
            *release.readme_problems,
            *(u for u in release.unreadable if u not in release.readme_problems),
        ),
        rules_version=rules_version(),
        graded_at=graded_at or dt.datetime.now(dt.UTC),
    )
