"""Findings: what one probe observed about a release, with the evidence that led to it.

A finding is atomic and judgement-light: "no weight files in the listing", "license `llama2` is use-restricted".
The criteria module turns findings into statuses and a verdict. Finding ids are stable across versions and
documented in docs/findings.md.
"""

from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .licenses import LicenseInfo, LicensePolicy

#: Quotes in evidence are cut to this many characters.
MAX_QUOTE = 200


class Outcome(enum.StrEnum):
    """What a finding says about its question."""

    PASS = "pass"  # the release does what OSAID asks here
    FAIL = "fail"  # it does not
    UNKNOWN = "unknown"  # the published material cannot tell
    INFO = "info"  # a fact worth showing that does not count either way
    NOT_APPLICABLE = "not-applicable"  # the question does not arise for this release (the evidence says why)


class Status(enum.StrEnum):
    """A criterion's status."""

    MET = "met"
    PARTLY_MET = "partly-met"
    NOT_MET = "not-met"
    UNDETERMINED = "undetermined"


#: The members again, as module names for the code that reads them for every finding: on Python 3.11 each
#: ``Outcome.PASS`` goes through ``EnumType.__getattr__`` (about 100 ns, ten times a module name; 3.12 dropped it).
PASS, FAIL, UNKNOWN, INFO = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.INFO
NOT_APPLICABLE = Outcome.NOT_APPLICABLE
MET, PARTLY_MET, NOT_MET, UNDETERMINED = Status.MET, Status.PARTLY_MET, Status.NOT_MET, Status.UNDETERMINED


class Criterion(enum.StrEnum):
    """The four OSAID 1.0 criteria openscore grades."""

    PARAMETERS = "parameters"
    DATA_INFORMATION = "data_information"
    CODE = "code"
    USAGE_TERMS = "usage_terms"


EvidenceKind = Literal["metadata", "file", "card", "listing", "hub", "dataset-card", "code-host"]


class Evidence(BaseModel):
    """Where a finding comes from: a metadata field, a file, a card section (with lines), the file listing."""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind = Field(
        description="metadata, file, card (README prose), listing, hub (API facts), dataset-card (a listed training "
        "dataset's own card) or code-host (a code repository's host)"
    )
    location: str = Field(description="The field name, file path or card section heading.")
    lines: tuple[int, int] | None = Field(default=None, description="First and last line in README.md, 1-based.")
    quote: str | None = Field(default=None, description="A short quote of what was seen (at most 200 characters).")


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters for use as evidence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class LicenseRef(BaseModel):
    """A license a finding is about, with openscore's policy class for it and the reason."""

    model_config = ConfigDict(frozen=True)

    key: str = Field(description="Hub license id, SPDX id (lowercase) or license name.")
    name: str
    spdx: str | None = None
    policy: LicensePolicy
    osi_approved: bool | None = None
    reason: str

    @classmethod
    def from_info(cls, info: LicenseInfo) -> LicenseRef:
        """Build from a :class:`~openscore.licenses.LicenseInfo`."""
        return cls(
            key=info.key,
            name=info.name,
            spdx=info.spdx,
            policy=info.policy,
            osi_approved=info.osi_approved,
            reason=info.reason,
        )


class Finding(BaseModel):
    """One observation of one probe."""

    # Immutable, like every part of a report: a module may keep a finding that says the same for every release.

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id, e.g. 'weights-published'; documented in docs/findings.md.")
    criterion: Criterion
    outcome: Outcome
    message: str
    evidence: tuple[Evidence, ...] = ()
    remediation: str | None = Field(default=None, description="What the publisher could do, when it fails.")
    license: LicenseRef | None = Field(default=None, description="The license this finding is about, if any.")
