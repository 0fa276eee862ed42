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

from .findings import Criterion, Evidence, Finding, LicenseRef, Outcome, Status
from .licenses import LicensePolicy

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


def _by_id(findings: Iterable[Finding]) -> dict[str, set[Outcome]]:
    """Each finding id with the outcomes its findings have."""
    out: dict[str, set[Outcome]] = {}
    for f in findings:
        out.setdefault(f.id, set()).add(f.outcome)
    return out


_NONE: frozenset[Outcome] = frozenset()  # the outcomes of a finding id that is absent


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
    published = found.get("weights-published", _NONE)
    if Outcome.FAIL in published:
        return _result(Status.NOT_MET, "No weights are published.", findings)
    if Outcome.PASS not in published:
        return _result(Status.UNDETERMINED, "The file listing is unknown.", findings)
    if Outcome.FAIL in found.get("weights-access-gated", _NONE):
        return _result(Status.PARTLY_MET, "Weights are published behind a manual approval gate.", findings)
    return _result(Status.MET, _first(findings, Outcome.PASS) or "Weights are published.", findings)


_ELEMENTS = ("data-provenance", "data-scope", "data-collection", "data-labelling", "data-processing")


def data_information(findings: list[Finding]) -> CriterionResult:
    """Met when the card describes all five aspects of the training data and lists the public data."""
    found = _by_id(findings)
    counted = [f for f in findings if f.id != "open-data"]
    if counted and all(f.outcome is Outcome.UNKNOWN for f in counted):
        return _result(Status.UNDETERMINED, "The model card could not be read.", findings)
    present = [e for e in _ELEMENTS if Outcome.PASS in found.get(e, _NONE)]
    listed = Outcome.PASS in found.get("datasets-listed", _NONE)
    section = Outcome.PASS in found.get("training-data-section", _NONE)
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
    published = found.get("code-published", _NONE)
    if Outcome.UNKNOWN in published:
        return _result(Status.UNDETERMINED, "The model card could not be read.", findings)
    if Outcome.PASS not in published:
        return _result(Status.NOT_MET, "No code repository is linked.", findings)
    training = Outcome.PASS in found.get("training-code-published", _NONE)
    processing = Outcome.PASS in found.get("data-processing-code-published", _NONE)
    licensed = Outcome.PASS in found.get("code-license", _NONE)
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


_CRITERIA = tuple(Criterion)


def evaluate(findings: list[Finding]) -> Criteria:
    """Group findings by criterion and decide each criterion's status."""
    groups: dict[Criterion, list[Finding]] = {c: [] for c in _CRITERIA}
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
    results = criteria.items()
    if all(result.status is Status.MET for _, result in results):
        return Verdict.OPEN_SOURCE_AI, "Meets OSAID 1.0 as far as the published material shows."
    short = [name.value.replace("_", " ") for name, result in results if result.status is not Status.MET]
    return Verdict.OPEN_WEIGHTS, "Weights are under open terms, but " + " and ".join(
        short
    ) + " fall short of OSAID 1.0."


def open_data(criteria: Criteria) -> tuple[bool, str]:
    """True when every listed training dataset is itself open ("Open Source AI with Open Data")."""
    for f in criteria.data_information.findings:
        if f.id == "open-data":
            return f.outcome is Outcome.PASS, f.message
    return False, "No training datasets are listed."


# --------------------------------------------------------------------------------------------- lineage

#: How good a status is, for combining a release's criteria with its bases' ("best of" and "worst of").
_RANK = {Status.NOT_MET: 0, Status.UNDETERMINED: 1, Status.PARTLY_MET: 2, Status.MET: 3}
#: Relations whose releases inherit their base's data information and code (they train nothing of their own
#: on new data, or their card points at the base for it).
INHERITING_RELATIONS = frozenset({"quantized", "adapter"})


class Base(BaseModel):
    """A base model in a release's lineage, as graded (or why it could not be)."""

    model_config = ConfigDict(frozen=True)

    repo_id: str
    relation: str = Field(description="How the release derives from this base: finetune, adapter, quantized, merge.")
    depth: int = Field(default=1, description="1 for a direct base, 2 for its base, and so on.")
    revision: str | None = None
    verdict: Verdict | None = None
    criteria: Criteria | None = Field(
        default=None, exclude=True, description="The base's criteria, its own lineage applied (not serialised)."
    )
    statuses: dict[str, Status] = Field(default_factory=dict, description="The base's four criterion statuses.")
    licenses: list[LicenseRef] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Why the base could not be graded, when it could not.")


def _lineage_finding(fid: str, criterion: Criterion, outcome: Outcome, message: str, base: Base) -> Finding:
    return Finding(
        id=fid,
        criterion=criterion,
        outcome=outcome,
        message=message,
        evidence=[Evidence(kind="hub", location=f"base model {base.repo_id}", quote=base.relation)],
        remediation=None,
    )


_RESTRICTIVE_POLICIES = frozenset(
    {
        LicensePolicy.USE_RESTRICTED,
        LicensePolicy.NON_COMMERCIAL,
        LicensePolicy.RESEARCH_ONLY,
        LicensePolicy.NO_DERIVATIVES,
    }
)


def _licenses_text(base: Base) -> str:
    return ", ".join(f"{lic.key} ({lic.policy.value})" for lic in base.licenses) or "its terms"


def _with(result: CriterionResult, status: Status, summary: str, extra: list[Finding]) -> CriterionResult:
    findings = [*result.findings, *extra]
    remedies = [] if status is Status.MET else result.remediation
    return CriterionResult(status=status, summary=summary, findings=findings, remediation=remedies)


def apply_lineage(own: Criteria, relation: str | None, bases: list[Base]) -> Criteria:
    """Combine a derivative's criteria with its direct bases' (already combined with theirs, so rules chain).

    - Usage terms: the most restrictive terms along the chain govern; a base whose terms restrict makes the
      derivative's terms ``not-met`` (``license-drift`` when the derivative claims open terms).
    - Data information and code: a quantized or adapter release inherits its base's when they are better than
      its own; a fine-tune or merge is only as good as the worse of its own and its bases' (a fine-tune must
      describe its own fine-tuning data as well as its base's).
    """
    direct = [b for b in bases if b.depth == 1]
    if not direct or relation is None:
        return own
    graded = [b for b in direct if b.criteria is not None]
    usage = own.usage_terms
    extra_usage: list[Finding] = []
    for base in direct:
        if base.criteria is None:
            extra_usage.append(
                _lineage_finding(
                    "base-model-unreadable",
                    Criterion.USAGE_TERMS,
                    Outcome.UNKNOWN,
                    f"Base model {base.repo_id} could not be graded ({base.note}); graded from its own material.",
                    base,
                )
            )
        elif base.criteria.usage_terms.status is Status.NOT_MET:
            drift = usage.status is Status.MET
            own_restrictive = any(lic.policy in _RESTRICTIVE_POLICIES for lic in base.licenses)
            terms = (
                f"is under {_licenses_text(base)}"
                if own_restrictive
                else f"is bound by restrictive terms ({base.criteria.usage_terms.summary.rstrip('.')})"
            )
            extra_usage.append(
                Finding(
                    id="license-drift" if drift else "base-terms-restrict",
                    criterion=Criterion.USAGE_TERMS,
                    outcome=Outcome.FAIL,
                    message=(
                        f"Base model {base.repo_id} {terms}; this {relation} of it stays bound by those terms"
                        + (", whatever license the derivative declares." if drift else ".")
                    ),
                    evidence=[Evidence(kind="hub", location=f"base model {base.repo_id}", quote=base.relation)],
                    remediation="Derive from a base released under open terms, or state the base's terms.",
                )
            )
    if extra_usage:
        usage = usage_terms([*usage.findings, *extra_usage])
    combined: dict[str, CriterionResult] = {"data_information": own.data_information, "code": own.code}
    if graded:
        base_ids = ", ".join(b.repo_id for b in graded)
        inherit = relation in INHERITING_RELATIONS
        for name, mine in combined.items():
            worst = min((getattr(b.criteria, name) for b in graded), key=lambda r: _RANK[r.status])
            gap = _RANK[worst.status] - _RANK[mine.status]
            if (inherit and gap <= 0) or (not inherit and gap >= 0):
                continue  # the release's own status stands
            slug = name.replace("_", "-")
            if inherit:
                fid, outcome = f"{slug}-inherited", Outcome.INFO
                message = f"This {relation} release inherits this from its base {base_ids}: {worst.summary}"
                summary = f"Inherited from base {base_ids}: {worst.summary}"
            else:
                fid, outcome = f"base-{slug}", Outcome.FAIL
                message = f"The base {base_ids} falls short here ({worst.status.value}): {worst.summary}"
                summary = f"Limited by base {base_ids}: {worst.summary}"
            note = _lineage_finding(fid, Criterion(name), outcome, message, graded[0])
            combined[name] = _with(mine, worst.status, summary, [note])
    return Criteria(
        parameters=own.parameters,
        data_information=combined["data_information"],
        code=combined["code"],
        usage_terms=usage,
    )
