"""SARIF 2.1.0 output: one result per failing or unknown finding, at the README lines of its evidence."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from openscore import grade, grade_card
from openscore.cli import main
from openscore.renderers.sarif import sarif_log

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-2.1.0-subset.schema.json").read_text())


def _validate(log: object) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, errors[0]


def test_failing_and_unknown_findings_are_results_at_readme_lines() -> None:
    report = grade(ROOT / "examples" / "weights-only-model")
    log = sarif_log([report])
    _validate(log)
    run = log["runs"][0]
    expected = [f for f in report.findings() if f.outcome.value in ("fail", "unknown")]
    assert len(run["results"]) == len(expected) > 0
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    for result, finding in zip(run["results"], expected, strict=True):
        assert result["ruleId"] == finding.id
        assert rule_ids[result["ruleIndex"]] == finding.id
        assert result["level"] in ("error", "warning", "note")
        assert result["level"] == "note" if finding.outcome.value == "unknown" else result["level"] != "note"
        physical = result["locations"][0]["physicalLocation"]
        lines = next((e.lines for e in finding.evidence if e.lines), None)
        if lines:
            assert physical["artifactLocation"]["uri"].endswith("README.md")
            assert (physical["region"]["startLine"], physical["region"]["endLine"]) == lines
    for rule in run["tool"]["driver"]["rules"]:
        finding = next(f for f in expected if f.id == rule["id"])
        assert rule["help"]["text"] == (finding.remediation or rule["help"]["text"])


def test_open_release_has_no_errors_and_located_card_evidence() -> None:
    card = "---\nlicense: llama2\n---\n# Model\n\nSome words.\n\n## Training data\n\nWe trained on data.\n"
    log = sarif_log([grade_card(card, files=["model.safetensors"])])
    _validate(log)
    results = log["runs"][0]["results"]
    assert any(r["ruleId"] == "license-declared" and r["level"] == "error" for r in results)
    located = [r for r in results if "endLine" in r["locations"][0]["physicalLocation"]["region"]]
    assert located, "card findings carry README lines"
    open_log = sarif_log([grade(ROOT / "examples" / "open-research-model")])
    _validate(open_log)
    assert all(r["level"] != "error" for r in open_log["runs"][0]["results"])


def test_cli_writes_sarif_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "openscore.sarif"
    assert main(["grade", "examples/restricted-model", "--format", "sarif", "-o", str(out)]) == 0
    log = json.loads(out.read_text())
    _validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris and all(u.startswith("examples/restricted-model/") for u in uris)
