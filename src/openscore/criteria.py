"""The four OSAID 1.0 criteria and the verdict: findings in, statuses and a verdict out.

These rules are versioned (:data:`RULES_VERSION`): a report records the version and a digest of the knowledge data
it was graded with, so the same release graded with the same rules gives the same result.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from .findings import Criterion, Finding, Outcome, Status

#: Bump on any change to how findings become statuses or a verdict (semantic versioning).
RULES_VERSION = "1.0.0"
_DATA_FILES = (
    "cards.json",
    "files.json",
    "hub_licenses.json",
    "license_names.json",
    "license_texts.json",
    "spdx_licenses.json",
)


@cache
def rules_version() -> str:
    """:data:`RULES_VERSION` plus a short digest of the knowledge data files (``1.0.0+3f2a9c1d``)."""
    digest = hashlib.sha256()
    base = resources.files("openscore").joinpath("data")
    for name in _DATA_FILES:
        entry = base.joinpath(name)
        if entry.is_file():
            digest.update(name.encode())
            digest.update(entry.read_bytes())
    return f"{RULES_VERSION}+{digest.hexdigest()[:8]}"


class Verdict(enum.StrEnum):
    """How open a release is (OSAID 1.0 and the G7 openness vocabulary). Ordered from most to least open."""

    OPEN_SOURCE_AI = "open-source-ai"
    OPEN_WEIGHTS = "open-weights"
    UNDETERMINED = "undetermined"
    WEIGHTS_AVAILABLE = "weights-available"
    CLOSED = "closed"


#: One-line meaning of each verdict, used by every renderer.
VERDICT_MEANING = {
    Verdict.OPEN_SOURCE_AI: "meets OSAID 1.0 as far as the published material shows: open weights, data "
    "information and code under open terms",
    Verdict.OPEN_WEIGHTS: "weights under open terms, but data information or code fall short of OSAID 1.0",
    Verdict.WEIGHTS_AVAILABLE: "weights can be downloaded, but the terms restrict use, modification or sharing",
    Verdict.UNDETERMINED: "the published material cannot settle the usage terms or whether weights are published",
    Verdict.CLOSED: "no weights are published",
}


class CriterionResult(BaseModel):
    """One criterion's status, the findings that decided it, and what would improve it."""

    model_config = ConfigDict(frozen=True)

    status: Status
    summary: str = Field(description="One line on why the criterion has this status.")
    findings: list[Finding]
    remediation: list[str] = Field(default_factory=list, description="What the publisher could do, in order.")


class Criteria(BaseModel):
    """The four criteria of OSAID 1.0 that openscore grades."""

    model_config = ConfigDict(frozen=True)

    parameters: CriterionResult
    data_information: CriterionResult
    code: CriterionResult
    usage_terms: CriterionResult

    def items(self) -> list[tuple[Criterion, CriterionResult]]:
        """The criteria in report order."""
        return [
            (Criterion.PARAMETERS, self.parameters),
            (Criterion.DATA_INFORMATION, self.data_information),
            (Criterion.CODE, self.code),
            (Criterion.USAGE_TERMS, self.usage_terms),
        ]


def _by_id(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(f.id, []).append(f)
    return out


def _outcomes(found: dict[str, list[Finding]], fid: str) -> set[Outcome]:
    return {f.outcome for f in found.get(fid, [])}


def _first(findings: list[Finding], *outcomes: Outcome) -> str | None:
    for f in findings:
        if f.outcome in outcomes:
            return f.message
    return None


def _result(status: Status, summary: str, findings: list[Finding]) -> CriterionResult:
    remedies: list[str] = []
    for f in findings:
        if f.remediation and f.outcome in (Outcome.FAIL, Outcome.UNKNOWN) and f.remediation not in remedies:
            remedies.append(f.remediation)
    if status is Status.MET:
        remedies = []
    return CriterionResult(status=status, summary=summary, findings=findings, remediation=remedies)


def parameters(findings: list[Finding]) -> CriterionResult:
    """Met when weight files are published without a manual approval gate."""
    found = _by_id(findings)
    published = _outcomes(found, "weights-published")
    if Outcome.FAIL in published:
        return _result(Status.NOT_MET, "No weights are published.", findings)
    if Outcome.PASS not in published:
        return _result(Status.UNDETERMINED, "The file listing is unknown.", findings)
    if Outcome.FAIL in _outcomes(found, "weights-access-gated"):
        return _result(Status.PARTLY_MET, "Weights are published behind a manual approval gate.", findings)
    return _result(Status.MET, _first(findings, Outcome.PASS) or "Weights are published.", findings)


_ELEMENTS = ("data-provenance", "data-scope", "data-collection", "data-labelling", "data-processing")


def data_information(findings: list[Finding]) -> CriterionResult:
    """Met when the card describes all five aspects of the training data and lists the public data."""
    found = _by_id(findings)
    counted = [f for f in findings if f.id != "open-data"]
    if counted and all(f.outcome is Outcome.UNKNOWN for f in counted):
        return _result(Status.UNDETERMINED, "The model card could not be read.", findings)
    present = [e for e in _ELEMENTS if Outcome.PASS in _outcomes(found, e)]
    listed = Outcome.PASS in _outcomes(found, "datasets-listed")
    section = Outcome.PASS in _outcomes(found, "training-data-section")
    if section and len(present) == len(_ELEMENTS) and listed:
        return _result(Status.MET, "The training data is described and the public datasets are listed.", findings)
    if present or listed or section:
        missing = [e.removeprefix("data-") for e in _ELEMENTS if e not in present]
        parts = []
        if missing:
            parts.append("no description of " + ", ".join(missing))
        if not listed:
            parts.append("no datasets listed")
        return _result(Status.PARTLY_MET, "Partial data information: " + "; ".join(parts) + ".", findings)
    return _result(Status.NOT_MET, "The card says nothing useful about its training data.", findings)


def code(findings: list[Finding]) -> CriterionResult:
    """Met when training and data-processing code are linked and stated to be under an OSI-approved license."""
    found = _by_id(findings)
    published = _outcomes(found, "code-published")
    if Outcome.UNKNOWN in published:
        return _result(Status.UNDETERMINED, "The model card could not be read.", findings)
    if Outcome.PASS not in published:
        return _result(Status.NOT_MET, "No code repository is linked.", findings)
    training = Outcome.PASS in _outcomes(found, "training-code-published")
    processing = Outcome.PASS in _outcomes(found, "data-processing-code-published")
    licensed = Outcome.PASS in _outcomes(found, "code-license")
    if training and processing and licensed:
        return _result(
            Status.MET,
            "Training and data-processing code are published under an OSI-approved license.",
            findings,
        )
    gaps = []
    if not training:
        gaps.append("no training code")
    if not processing:
        gaps.append("no data-processing code")
    if not licensed:
        gaps.append("no OSI-approved code license stated")
    return _result(Status.PARTLY_MET, "Some code is linked, but " + ", ".join(gaps) + ".", findings)


def usage_terms(findings: list[Finding]) -> CriterionResult:
    """Met when the terms let anyone use, study, modify and share for any purpose; undetermined when unknown."""
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    if failed:
        return _result(Status.NOT_MET, failed[0].message, findings)
    passed = [f for f in findings if f.outcome is Outcome.PASS and f.id in ("license-declared", "license-file")]
    if passed:
        return _result(Status.MET, passed[0].message, findings)
    return _result(
        Status.UNDETERMINED,
        "The terms are unknown: " + "; ".join(f.message for f in findings if f.outcome is Outcome.UNKNOWN),
        findings,
    )


def evaluate(findings: list[Finding]) -> Criteria:
    """Group findings by criterion and decide each criterion's status."""
    groups: dict[Criterion, list[Finding]] = {c: [] for c in Criterion}
    for f in findings:
        groups[f.criterion].append(f)
    return Criteria(
        parameters=parameters(groups[Criterion.PARAMETERS]),
        data_information=data_information(groups[Criterion.DATA_INFORMATION]),
        code=code(groups[Criterion.CODE]),
        usage_terms=usage_terms(groups[Criterion.USAGE_TERMS]),
    )


def verdict(criteria: Criteria) -> tuple[Verdict, str]:
    """The verdict (first matching rule wins) and a one-line reason."""
    params = criteria.parameters.status
    terms = criteria.usage_terms.status
    if params is Status.NOT_MET:
        return Verdict.CLOSED, "No weights are published."
    if terms is Status.NOT_MET and params in (Status.MET, Status.PARTLY_MET):
        return (
            Verdict.WEIGHTS_AVAILABLE,
            f"Weights can be downloaded, but the terms restrict them: {criteria.usage_terms.summary}",
        )
    if params is Status.UNDETERMINED or terms is Status.UNDETERMINED:
        missing = []
        if params is Status.UNDETERMINED:
            missing.append("the file listing is unknown, so published weights cannot be checked")
        if terms is Status.UNDETERMINED:
            missing.append(criteria.usage_terms.summary.rstrip("."))
        elif terms is Status.NOT_MET:
            missing.append("the terms restrict use, so if weights are published the release is weights-available")
        return Verdict.UNDETERMINED, "; ".join(missing) + "."
    if all(result.status is Status.MET for _, result in criteria.items()):
        return Verdict.OPEN_SOURCE_AI, "Meets OSAID 1.0 as far as the published material shows."
    short = [name.value.replace("_", " ") for name, result in criteria.items() if result.status is not Status.MET]
    return Verdict.OPEN_WEIGHTS, "Weights are under open terms, but " + " and ".join(
        short
    ) + " fall short of OSAID 1.0."


def open_data(criteria: Criteria) -> tuple[bool, str]:
    """True when every listed training dataset is itself open ("Open Source AI with Open Data")."""
    for f in criteria.data_information.findings:
        if f.id == "open-data":
            return f.outcome is Outcome.PASS, f.message
    return False, "No training datasets are listed."
