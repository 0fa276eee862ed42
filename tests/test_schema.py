"""The published JSON Schema of the report (docs/report.schema.json) matches the code, and reports validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import openscore

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_published_schema_is_current() -> None:
    published = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert published == openscore.Report.json_schema(), "regenerate: openscore schema > docs/report.schema.json"


@pytest.mark.parametrize("name", ["open-research-model", "weights-only-model", "restricted-model"])
def test_reports_validate_against_the_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    report = openscore.grade(EXAMPLES / name)
    jsonschema.validate(json.loads(report.to_json()), openscore.Report.json_schema())
