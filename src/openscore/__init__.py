"""openscore: how open is an AI model release, under the Open Source AI Definition 1.0?

>>> import openscore
>>> report = openscore.grade("examples/open-research-model")   # a folder, or a Hub id such as "org/name"
>>> report.verdict
<Verdict.OPEN_SOURCE_AI: 'open-source-ai'>

See :func:`grade`, :func:`grade_card`, :func:`grade_many`, :func:`grade_author` and :class:`Report`.
"""

from ._version import __version__
from .batch import BatchResult, Failure, grade_author, grade_many
from .criteria import RULES_VERSION, Base, Criteria, CriterionResult, Verdict, rules_version
from .errors import (
    GatedRepoError,
    HubResponseError,
    HubUnavailableError,
    InvalidTargetError,
    InvalidTokenError,
    OpenscoreError,
    RateLimitedError,
    RevisionNotFoundError,
    TargetNotFoundError,
)
from .findings import Criterion, Evidence, Finding, LicenseRef, Outcome, Status
from .grading import grade, grade_card, grade_release
from .hub import HubClient
from .licenses import LicenseInfo, LicensePolicy
from .report import SCHEMA_VERSION, Report

__all__ = [
    "RULES_VERSION",
    "SCHEMA_VERSION",
    "Base",
    "BatchResult",
    "Criteria",
    "Criterion",
    "CriterionResult",
    "Evidence",
    "Failure",
    "Finding",
    "GatedRepoError",
    "HubClient",
    "HubResponseError",
    "HubUnavailableError",
    "InvalidTargetError",
    "InvalidTokenError",
    "LicenseInfo",
    "LicensePolicy",
    "LicenseRef",
    "OpenscoreError",
    "Outcome",
    "RateLimitedError",
    "Report",
    "RevisionNotFoundError",
    "Status",
    "TargetNotFoundError",
    "Verdict",
    "__version__",
    "grade",
    "grade_author",
    "grade_card",
    "grade_many",
    "grade_release",
    "rules_version",
]
