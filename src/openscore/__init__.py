"""openscore: how open is an AI model release, under the Open Source AI Definition 1.0?

>>> import openscore
>>> report = openscore.grade("examples/open-research-model")   # a folder, or a Hub id such as "org/name"
>>> report.verdict
<Verdict.OPEN_SOURCE_AI: 'open-source-ai'>

See :func:`grade`, :func:`grade_card`, :func:`grade_many`, :func:`grade_author` and :class:`Report`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:  # the names below are imported on first use: `import openscore` stays fast
    from ._rules import RULES_VERSION, rules_version
    from .batch import BatchResult, Failure, grade_author, grade_many
    from .criteria import Base, Criteria, CriterionResult, Verdict
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
    from .explain import explain
    from .findings import Criterion, Evidence, Finding, LicenseRef, Outcome, Status
    from .grading import grade, grade_card, grade_release
    from .hub import HubClient
    from .licenses import LicenseInfo, LicensePolicy
    from .report import SCHEMA_VERSION, Report

#: Where each public name lives; imported by :func:`__getattr__` when first used.
_LAZY = {
    "RULES_VERSION": "._rules",
    "rules_version": "._rules",
    "BatchResult": ".batch",
    "Failure": ".batch",
    "grade_author": ".batch",
    "grade_many": ".batch",
    "Base": ".criteria",
    "Criteria": ".criteria",
    "CriterionResult": ".criteria",
    "Verdict": ".criteria",
    "GatedRepoError": ".errors",
    "HubResponseError": ".errors",
    "HubUnavailableError": ".errors",
    "InvalidTargetError": ".errors",
    "InvalidTokenError": ".errors",
    "OpenscoreError": ".errors",
    "RateLimitedError": ".errors",
    "RevisionNotFoundError": ".errors",
    "TargetNotFoundError": ".errors",
    "explain": ".explain",
    "Criterion": ".findings",
    "Evidence": ".findings",
    "Finding": ".findings",
    "LicenseRef": ".findings",
    "Outcome": ".findings",
    "Status": ".findings",
    "grade": ".grading",
    "grade_card": ".grading",
    "grade_release": ".grading",
    "HubClient": ".hub",
    "LicenseInfo": ".licenses",
    "LicensePolicy": ".licenses",
    "SCHEMA_VERSION": ".report",
    "Report": ".report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'openscore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
    "explain",
    "grade",
    "grade_author",
    "grade_card",
    "grade_many",
    "grade_release",
    "rules_version",
]
