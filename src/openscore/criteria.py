"""The four OSAID 1.0 criteria and the verdict: findings in, statuses and a verdict out.

These rules are versioned (:data:`RULES_VERSION`): a report records the version and a digest of the knowledge data
it was graded with, so the same release graded with the same rules gives the same result.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field

from ._rules import _DATA_FILES as _DATA_FILES
from ._rules import RULES_VERSION as RULES_VERSION
from ._rules import rules_version as rules_version
from .findings import (
    FAIL,
    INFO,
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    PARTLY_MET,
    PASS,
    UNDETERMINED,
    UNKNOWN,
    Criterion,
    Evidence,
    Finding,
    LicenseRef,
    Outcome,
    Status,
)
from .licenses import LicensePolicy


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
    findings: tuple[Finding, ...]
    remediation: tuple[str, ...] = Field(default=(), description="What the publisher could do, in order.")


class Criteria(BaseModel):
    """The four criteria of OSAID 1.0 that openscore grades."""

    model_config = ConfigDict(frozen=True)

    parameters: CriterionResult
    data_information: CriterionResult
    code: CriterionResult
    usage_terms: CriterionResult

    def items(self) -> list[tuple[Criterion, CriterionResult]]:
        """The criteria in report order."""
        return list(zip(_CRITERIA, (self.parameters, self.data_information, self.code, self.usage_terms), strict=True))

    def __getitem__(self, name: Criterion | str) -> CriterionResult:
        """One criterion by :class:`Criterion` or name: ``criteria["parameters"]``, ``criteria["data information"]``."""
        key = str(name.value if isinstance(name, Criterion) else name).strip().lower().replace(" ", "_")
        key = key.replace("-", "_")
        if key not in _CRITERION_KEYS:
            raise KeyError(f"{name!r}: not a criterion (one of {', '.join(c.value for c in _CRITERIA)})")
        result: CriterionResult = getattr(self, key)
        return result

    def __iter__(self) -> Iterator[tuple[Criterion, CriterionResult]]:  # type: ignore[override]
        """``(Criterion, CriterionResult)`` pairs in report order (what :meth:`items` lists)."""
        return iter(self.items())

    def __len__(self) -> int:
        return len(_CRITERIA)


def _by_id(findings: Iterable[Finding]) -> dict[str, set[Outcome]]:
    """Each finding id with the outcomes its findings have."""
    out: dict[str, set[Outcome]] = {}
    for f in findings:
        seen = out.get(f.id)
        if seen is None:
            out[f.id] = {f.outcome}
        else:
            seen.add(f.outcome)
    return out


_NONE: frozenset[Outcome] = frozenset()  # the outcomes of a finding id that is absent


def _first(findings: list[Finding], *outcomes: Outcome) -> str | None:
    for f in findings:
        if f.outcome in outcomes:
            return f.message
    return None


def _result(status: Status, summary: str, findings: list[Finding]) -> CriterionResult:
    remedies: list[str] = []
    if status is not MET:
        for f in findings:
            remedy = f.remediation
            if remedy and (f.outcome is FAIL or f.outcome is UNKNOWN) and remedy not in remedies:
                remedies.append(remedy)
    return CriterionResult(status=status, summary=summary, findings=tuple(findings), remediation=tuple(remedies))


def parameters(findings: list[Finding]) -> CriterionResult:
    """Met when weight files are published without a manual approval gate."""
    found = _by_id(findings)
    published = found.get("weights-published", _NONE)
    if FAIL in published:
        return _result(NOT_MET, "No weights are published.", findings)
    if PASS not in published:
        why = next((f.message for f in findings if f.id == "weights-published"), "The file listing is unknown.")
        return _result(UNDETERMINED, why, findings)
    if FAIL in found.get("weights-access-gated", _NONE):
        return _result(PARTLY_MET, "Weights are published behind a manual approval gate.", findings)
    return _result(MET, _first(findings, PASS) or "Weights are published.", findings)


_ELEMENTS = ("data-provenance", "data-scope", "data-collection", "data-labelling", "data-processing")
#: Findings of the data-information criterion that inform but do not decide it.
_DATA_INFO_ONLY = frozenset({"open-data", "dataset-classes", "data-sources-not-read"})


def data_information(findings: list[Finding]) -> CriterionResult:
    """Met when every description element is described (in the card or the listed datasets' cards) or does not
    apply, and the training data is listed; undetermined when the only gaps are sources that were not read."""
    found = _by_id(findings)
    counted = [f for f in findings if f.id not in _DATA_INFO_ONLY]
    if counted and all(f.outcome is UNKNOWN for f in counted):
        return _result(UNDETERMINED, "The model card could not be read.", findings)
    satisfied = [
        e for e in _ELEMENTS if found.get(e, _NONE) & {PASS, NOT_APPLICABLE} and FAIL not in found.get(e, _NONE)
    ]
    unknown = [e for e in _ELEMENTS if e not in satisfied and UNKNOWN in found.get(e, _NONE)]
    missing = [e for e in _ELEMENTS if e not in satisfied and e not in unknown]
    described = [e for e in satisfied if PASS in found.get(e, _NONE)]
    listed = PASS in found.get("datasets-listed", _NONE)
    section = PASS in found.get("training-data-section", _NONE)
    if not missing and not unknown and listed:
        return _result(MET, "The training data is described and the datasets are listed.", findings)
    if not missing and listed:
        names = ", ".join(e.removeprefix("data-") for e in unknown)
        return _result(
            UNDETERMINED,
            f"Not yet known: {names} (the model card does not describe it and a listed dataset's card was not read).",
            findings,
        )
    if described or listed or section:
        parts = []
        if missing:
            parts.append("no description of " + ", ".join(e.removeprefix("data-") for e in missing))
        if unknown:
            parts.append("not checked: " + ", ".join(e.removeprefix("data-") for e in unknown))
        if not listed:
            parts.append("no datasets listed")
        return _result(PARTLY_MET, "Partial data information: " + "; ".join(parts) + ".", findings)
    return _result(NOT_MET, "The card says nothing useful about its training data.", findings)


def code(findings: list[Finding]) -> CriterionResult:
    """Met when training and data-processing code are linked and under an OSI-approved license (stated by the
    card or reported by the code host); undetermined when only the license is not known."""
    found = _by_id(findings)
    published = found.get("code-published", _NONE)
    if UNKNOWN in published:
        return _result(UNDETERMINED, "The model card could not be read.", findings)
    if PASS not in published:
        return _result(NOT_MET, "No code repository is linked.", findings)
    training = PASS in found.get("training-code-published", _NONE)
    processing = PASS in found.get("data-processing-code-published", _NONE)
    license_outcomes = found.get("code-license", _NONE)
    licensed = PASS in license_outcomes
    if training and processing and licensed:
        return _result(
            MET,
            "Training and data-processing code are published under an OSI-approved license.",
            findings,
        )
    if training and processing and UNKNOWN in license_outcomes:
        return _result(
            UNDETERMINED,
            "Training and data-processing code are linked, but their license is not known (not stated, not checked).",
            findings,
        )
    gaps = []
    if not training:
        gaps.append("no training code")
    if not processing:
        gaps.append("no data-processing code")
    if UNKNOWN in license_outcomes:
        gaps.append("code license not known")
    elif not licensed:
        gaps.append("no OSI-approved code license")
    return _result(PARTLY_MET, "Some code is linked, but " + ", ".join(gaps) + ".", findings)


#: Unknowns that block "met": a base model whose terms could not be read may restrict the derivative, so an open
#: license declared by the derivative alone cannot settle its terms.
_BLOCKING_UNKNOWNS = frozenset({"base-model-unreadable", "base-terms-unknown"})


def usage_terms(findings: list[Finding]) -> CriterionResult:
    """Met when the terms let anyone use, study, modify and share for any purpose; undetermined when unknown.

    The most restrictive statement governs: any failing finding (a restrictive license, a restriction stated in
    prose, a gate that imposes terms, a restrictive base) makes the terms not met; an unreadable base keeps them
    undetermined whatever the derivative declares.
    """
    failed = [f for f in findings if f.outcome is FAIL]
    if failed:
        return _result(NOT_MET, failed[0].message, findings)
    blocking = [f for f in findings if f.outcome is UNKNOWN and f.id in _BLOCKING_UNKNOWNS]
    if blocking:
        return _result(UNDETERMINED, blocking[0].message, findings)
    passed = [f for f in findings if f.outcome is PASS and f.id in ("license-declared", "license-file")]
    if passed:
        return _result(MET, passed[0].message, findings)
    return _result(
        UNDETERMINED,
        "The terms are unknown: " + "; ".join(f.message for f in findings if f.outcome is UNKNOWN),
        findings,
    )


_CRITERIA = tuple(Criterion)
_CRITERION_KEYS = frozenset(c.value for c in _CRITERIA)


def evaluate(findings: list[Finding]) -> Criteria:
    """Group findings by criterion and decide each criterion's status."""
    groups: dict[Criterion, list[Finding]] = {c: [] for c in _CRITERIA}
    for f in findings:
        groups[f.criterion].append(f)
    own_parameters, own_data, own_code, own_terms = groups.values()  # in _CRITERIA order
    return Criteria(
        parameters=parameters(own_parameters),
        data_information=data_information(own_data),
        code=code(own_code),
        usage_terms=usage_terms(own_terms),
    )


def verdict(criteria: Criteria) -> tuple[Verdict, str]:
    """The verdict (first matching rule wins) and a one-line reason."""
    params = criteria.parameters.status
    terms = criteria.usage_terms.status
    if params is NOT_MET:
        return Verdict.CLOSED, "No weights are published."
    if terms is NOT_MET and params in (MET, PARTLY_MET):
        return (
            Verdict.WEIGHTS_AVAILABLE,
            f"Weights can be downloaded, but the terms restrict them: {criteria.usage_terms.summary}",
        )
    if params is UNDETERMINED or terms is UNDETERMINED:
        missing = []
        if params is UNDETERMINED:
            missing.append("whether weights are published cannot be told: " + criteria.parameters.summary.rstrip("."))
        if terms is UNDETERMINED:
            missing.append(criteria.usage_terms.summary.rstrip("."))
        elif terms is NOT_MET:
            missing.append("the terms restrict use, so if weights are published the release is weights-available")
        return Verdict.UNDETERMINED, "; ".join(missing) + "."
    results = criteria.items()
    if all(result.status is MET for _, result in results):
        return Verdict.OPEN_SOURCE_AI, "Meets OSAID 1.0 as far as the published material shows."
    short = [name.replace("_", " ") for name, result in results if result.status is not MET]
    if all(result.status is UNDETERMINED for _, result in results if result.status is not MET):
        return Verdict.OPEN_WEIGHTS, (
            "Weights are under open terms; " + " and ".join(short) + " could not be fully checked "
            "(open-source-ai if the checks that were not made pass)."
        )
    return Verdict.OPEN_WEIGHTS, "Weights are under open terms, but " + " and ".join(
        short
    ) + " fall short of OSAID 1.0."


def open_data(criteria: Criteria) -> tuple[bool | None, str]:
    """True when every listed training dataset is itself open ("Open Source AI with Open Data"), False when one is
    not, None when that is not known (nothing listed, or a dataset's terms were not looked up)."""
    for f in criteria.data_information.findings:
        if f.id == "open-data":
            if f.outcome is PASS:
                return True, f.message
            if f.outcome is FAIL:
                return False, f.message
            return None, f.message
    return None, "No training datasets are listed, so whether the data is open cannot be told."


def if_checked(criteria: Criteria, current: Verdict) -> tuple[Verdict | None, list[str]]:
    """The verdict the release would get if every check that was not made passed, and those checks.

    Only for an ``open-weights`` release whose data information or code fall short *only* because a source was not
    read (a dataset card, a code host): ``(open-source-ai, [what was not checked])``. Otherwise ``(None, [])``.
    """
    if current is not Verdict.OPEN_WEIGHTS:
        return None, []
    pending = [r for _, r in criteria.items() if r.status is not MET]
    if not pending or any(r.status is not UNDETERMINED for r in pending):
        return None, []
    checks = [f.message for r in pending for f in r.findings if f.outcome is UNKNOWN and f.id != "open-data"]
    return Verdict.OPEN_SOURCE_AI, checks


# --------------------------------------------------------------------------------------------- lineage

#: How good a status is, for combining a release's criteria with its bases' ("best of" and "worst of").
_RANK = {NOT_MET: 0, UNDETERMINED: 1, PARTLY_MET: 2, MET: 3}
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
    licenses: tuple[LicenseRef, ...] = ()
    note: str | None = Field(default=None, description="Why the base could not be graded, when it could not.")
    loop: bool = Field(
        default=False,
        description="The base_model chain loops back to a release already in it, whose terms are already counted.",
    )


def _lineage_finding(fid: str, criterion: Criterion, outcome: Outcome, message: str, base: Base) -> Finding:
    return Finding(
        id=fid,
        criterion=criterion,
        outcome=outcome,
        message=message,
        evidence=(Evidence(kind="hub", location=f"base model {base.repo_id}", quote=base.relation),),
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
    findings = (*result.findings, *extra)
    remedies = () if status is MET else result.remediation
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
        if base.criteria is None and base.loop:
            continue  # a release already in the chain: its terms are counted where it is graded
        if base.criteria is None:
            extra_usage.append(
                _lineage_finding(
                    "base-model-unreadable",
                    Criterion.USAGE_TERMS,
                    UNKNOWN,
                    f"Base model {base.repo_id} could not be graded ({base.note}), so its terms, which bind this "
                    f"{relation}, are not known; grade with network access to the Hub, or state the base's terms "
                    "(see docs/publishers.md).",
                    base,
                )
            )
        elif base.criteria.usage_terms.status is UNDETERMINED:
            extra_usage.append(
                _lineage_finding(
                    "base-terms-unknown",
                    Criterion.USAGE_TERMS,
                    UNKNOWN,
                    f"The terms of base model {base.repo_id} are undetermined "
                    f"({base.criteria.usage_terms.summary.rstrip('.')}); they bind this {relation} too.",
                    base,
                )
            )
        elif base.criteria.usage_terms.status is NOT_MET:
            drift = usage.status is MET
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
                    outcome=FAIL,
                    message=(
                        f"Base model {base.repo_id} {terms}; this {relation} of it stays bound by those terms"
                        + (", whatever license the derivative declares." if drift else ".")
                    ),
                    evidence=(Evidence(kind="hub", location=f"base model {base.repo_id}", quote=base.relation),),
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
                fid, outcome = f"{slug}-inherited", INFO
                message = f"This {relation} release inherits this from its base {base_ids}: {worst.summary}"
                summary = f"Inherited from base {base_ids}: {worst.summary}"
            else:
                fid, outcome = f"base-{slug}", FAIL
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
