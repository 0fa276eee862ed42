"""Findings that say the same for every release are built once and shared by the reports that make them: they must
behave exactly like findings built for one report, and no report may change what another holds."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

import openscore
from openscore.findings import FAIL, Criterion, Finding, shared_finding

FIELDS: dict[str, Any] = {
    "id": "code-published",
    "criterion": Criterion.CODE,
    "outcome": FAIL,
    "message": "The card links no code repository.",
    "remediation": "Link the repositories.",
}


def test_a_shared_finding_equals_one_built_for_a_report() -> None:
    shared = shared_finding(**FIELDS)
    own = Finding(**FIELDS)
    assert shared == own
    assert shared.model_dump() == own.model_dump()
    assert shared.model_dump_json() == own.model_dump_json()
    assert Finding.model_validate_json(shared.model_dump_json()) == own


def test_its_evidence_list_refuses_changes() -> None:
    shared = shared_finding(**FIELDS)
    evidence = shared.evidence
    for change in (
        lambda: evidence.append(evidence),  # type: ignore[arg-type]
        lambda: evidence.extend([]),
        lambda: evidence.insert(0, evidence),  # type: ignore[arg-type]
        lambda: evidence.clear(),
        lambda: evidence.pop(),
        lambda: evidence.sort(key=id),
        evidence.reverse,
    ):
        with pytest.raises(TypeError):
            change()
    with pytest.raises(TypeError):
        evidence += []
    assert shared.evidence == []


def test_it_survives_copies_and_pickling() -> None:
    shared = shared_finding(**FIELDS)
    for copied in (copy.copy(shared), copy.deepcopy(shared), pickle.loads(pickle.dumps(shared))):
        assert copied == shared
        assert copied.model_dump() == shared.model_dump()
    assert shared.model_copy(update={"message": "other"}).message == "other"


def test_a_shared_finding_with_evidence_copies_and_pickles() -> None:
    shared = shared_finding(**FIELDS, evidence=[{"kind": "card", "location": "x", "lines": (1, 2)}])
    assert shared == Finding(**FIELDS, evidence=[{"kind": "card", "location": "x", "lines": (1, 2)}])
    with pytest.raises(TypeError):
        shared.evidence.pop()
    for copied in (copy.deepcopy(shared), pickle.loads(pickle.dumps(shared))):
        assert copied == shared
        assert copied.evidence[0].lines == (1, 2)


def test_reports_of_bare_cards_share_findings_and_stay_independent() -> None:
    first = openscore.grade_card("# A model\n\nNo details.\n", files=["model.safetensors"])
    second = openscore.grade_card("# Another model\n\nNothing either.\n", files=["model.safetensors"])
    a = {f.id: f for f in first.findings()}
    b = {f.id: f for f in second.findings()}
    assert a["code-published"] is b["code-published"]  # shared, not rebuilt
    assert a["training-data-section"] is b["training-data-section"]
    with pytest.raises(TypeError):
        a["code-published"].evidence.append(a["training-data-section"].evidence)  # type: ignore[arg-type]
    assert json.loads(first.to_json())["criteria"]["code"]["findings"][0]["evidence"] == []


def test_results_made_only_of_shared_findings_are_shared_and_read_only() -> None:
    first = openscore.grade_card("# A model\n", files=["model.safetensors"])
    second = openscore.grade_card("# Another model\n", files=["model.safetensors"])
    assert first.criteria.code is second.criteria.code
    assert first.criteria.data_information is second.criteria.data_information
    with pytest.raises(TypeError):
        first.criteria.code.findings.append(first.criteria.code.findings[0])
    with pytest.raises(TypeError):
        first.criteria.code.remediation.clear()
    assert first.criteria.code.remediation  # still there
    for copied in (copy.deepcopy(first), pickle.loads(pickle.dumps(first))):
        assert copied.model_dump() == first.model_dump()
    assert type(first).model_validate_json(first.to_json()).model_dump() == first.model_dump()


def test_declared_licenses_are_shared_only_where_everything_is_the_same() -> None:
    def declared(card: str) -> Finding:
        report = openscore.grade_card(card, files=["model.safetensors"])
        return next(f for f in report.findings() if f.id == "license-declared")

    first = declared("---\nlicense: mit\n---\n# One\n")
    again = declared("---\nlicense: mit\n---\n# Two\n")
    lower = declared("---\ntags: [x]\nlicense: mit\n---\n# Three\n")
    assert first is again
    assert first.evidence[0].lines == (2, 2)
    assert lower.evidence[0].lines == (3, 3)
    assert lower.message == first.message
