"""Standard BOMs: CycloneDX 1.6 ML-BOM (validated with cyclonedx-python-lib) and SPDX 3.0 AI profile JSON-LD."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from fakehub import FakeHub

import openscore
from openscore.cli import main
from openscore.renderers.cyclonedx import MissingExtraError, render_cyclonedx
from openscore.renderers.spdx import render_spdx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "open-research-model"


def _derivative(hub: FakeHub) -> openscore.Report:
    card = "---\nlicense: apache-2.0\nbase_model: openlab/suite-1.4b\nbase_model_relation: quantized\n---\n# GGUF\n"
    hub.add_repo("quant/suite-gguf", {"README.md": card, "m.Q4_K_M.gguf": b"x"})
    return openscore.grade("quant/suite-gguf", endpoint=hub.endpoint, token=False)


def _validate_cyclonedx(text: str) -> dict[str, Any]:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, error
    data: dict[str, Any] = json.loads(text)
    assert data["bomFormat"] == "CycloneDX" and data["specVersion"] == "1.6"
    return data


def _props(component: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


def test_cyclonedx_model_datasets_references_and_verdict() -> None:
    data = _validate_cyclonedx(render_cyclonedx([openscore.grade(EXAMPLE)]))
    model = data["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert [lic["license"]["id"] for lic in model["licenses"]] == ["Apache-2.0"]
    props = _props(model)
    assert props["openscore:verdict"] == ["open-source-ai"]
    assert props["openscore:criterion:usage_terms"] == ["met"]
    datasets = {c["name"] for c in data["components"] if c["type"] == "data"}
    assert datasets == {"example-lab/open-web-corpus", "example-lab/open-code-corpus"}
    kinds = {ref["type"] for ref in model["externalReferences"]}
    assert {"vcs", "license"} <= kinds
    assert any("github.com/example-lab/trainer" in ref["url"] for ref in model["externalReferences"])


def test_cyclonedx_pedigree_from_lineage_and_model_card(hub_env: FakeHub) -> None:
    report = _derivative(hub_env)
    data = _validate_cyclonedx(render_cyclonedx([report]))
    model = data["metadata"]["component"]
    ancestors = model["pedigree"]["ancestors"]
    assert [a["name"] for a in ancestors] == [b.repo_id for b in report.lineage] == ["openlab/suite-1.4b"]
    assert _props(ancestors[0])["openscore:verdict"] == [report.lineage[0].verdict.value]  # type: ignore[union-attr]
    assert any(ref["type"] == "model-card" for ref in model["externalReferences"])
    several = _validate_cyclonedx(render_cyclonedx([report, openscore.grade(EXAMPLE)]))
    assert sum(c["type"] == "machine-learning-model" for c in several["components"]) == 2


def test_missing_bom_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in [m for m in sys.modules if m == "cyclonedx" or m.startswith("cyclonedx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cyclonedx", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'openscore\[bom\]'"):
        render_cyclonedx([openscore.grade(EXAMPLE)])
    assert main(["grade", str(EXAMPLE), "--format", "cyclonedx", "-o", str(tmp_path / "bom.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "openscore[bom]" in err


def _graph(text: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    doc = json.loads(text)
    assert doc["@context"].startswith("https://spdx.org/rdf/3.0")
    by_id: dict[str, dict[str, Any]] = {}
    for el in doc["@graph"]:
        key = el.get("spdxId") or el.get("@id")
        assert key and key not in by_id
        by_id[key] = el
        if el["type"] != "CreationInfo":
            assert el["creationInfo"] in by_id  # defined before use
    rels = [el for el in doc["@graph"] if el["type"] == "Relationship"]
    for rel in rels:
        assert rel["from"] in by_id and all(t in by_id for t in rel["to"])
    (document,) = [el for el in doc["@graph"] if el["type"] == "SpdxDocument"]
    assert all(r in by_id for r in document["rootElement"] + document["element"])
    assert {"core", "ai", "dataset"} <= set(document["profileConformance"])
    return by_id, rels


def test_spdx_ai_profile_structure(hub_env: FakeHub) -> None:
    by_id, rels = _graph(render_spdx([openscore.grade(EXAMPLE)]))
    (model,) = [e for e in by_id.values() if e["type"] == "ai_AIPackage"]
    assert model["ai_standardCompliance"] == ["OSAID 1.0: open-source-ai"]
    kinds = {r["relationshipType"]: r for r in rels}
    assert by_id[kinds["hasDeclaredLicense"]["to"][0]]["simplelicensing_licenseExpression"] == "Apache-2.0"
    trained = {by_id[t]["name"] for t in kinds["trainedOn"]["to"]}
    assert trained == {"example-lab/open-web-corpus", "example-lab/open-code-corpus"}
    assert all(by_id[t]["type"] == "dataset_DatasetPackage" for t in kinds["trainedOn"]["to"])

    report = _derivative(hub_env)
    by_id, rels = _graph(render_spdx([report]))
    (desc,) = [r for r in rels if r["relationshipType"] == "descendantOf"]
    assert by_id[desc["to"][0]]["name"] == "openlab/suite-1.4b" and by_id[desc["to"][0]]["type"] == "ai_AIPackage"
    assert render_spdx([report]) == render_spdx([report])  # stable ids


def test_cli_writes_boms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(EXAMPLE), "--format", "spdx"]) == 0
    _graph(capsys.readouterr().out)
    assert main(["grade", str(EXAMPLE), "--format", "cyclonedx"]) == 0
    _validate_cyclonedx(capsys.readouterr().out)
