"""Probes: small functions that each answer one question about a :class:`~openscore.release.Release`.

Every probe returns findings (see :mod:`openscore.findings`) and is documented in docs/findings.md. They read
facts only; the criteria module decides what the findings add up to.
"""

from __future__ import annotations

from ..findings import Finding
from ..release import Release
from . import code, data_information, parameters, usage_terms


def run_all(release: Release) -> list[Finding]:
    """Run every probe on ``release`` and return all findings, grouped by criterion."""
    findings: list[Finding] = []
    findings += parameters.probe(release)
    findings += data_information.probe(release)
    findings += code.probe(release)
    findings += usage_terms.probe(release)
    return findings


__all__ = ["run_all"]
