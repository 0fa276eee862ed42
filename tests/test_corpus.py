"""Every real card in the shared corpus grades without an exception (skipped when the corpus is absent)."""

from __future__ import annotations

import pytest
from corpus import needs_corpus, records

import openscore
from openscore import Report

pytestmark = pytest.mark.long  # see tests/conftest.py: `python -m pytest --long`


@needs_corpus
def test_every_corpus_card_grades() -> None:
    failures: list[str] = []
    count = 0
    for record in records():
        count += 1
        try:
            report = openscore.grade_card(record["readme"], files=["model.safetensors", "README.md"])
            if count % 500 == 0:  # spot-check that reports serialise and validate
                Report.model_validate_json(report.to_json())
        except Exception as exc:
            failures.append(f"{record['file']}: {type(exc).__name__}: {exc}")
    assert count > 10_000
    assert failures == [], failures[:10]
