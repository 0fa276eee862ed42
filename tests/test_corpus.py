"""Every real card in the shared corpus grades without an exception (skipped when the corpus is absent)."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

import openscore
from openscore import Report

CORPUS = Path(
    os.environ.get(
        "OPENSCORE_CORPUS",
        Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hub-cards-2023.jsonl.gz",
    )
)


@pytest.mark.skipif(not CORPUS.exists(), reason=f"shared corpus not found at {CORPUS}")
def test_every_corpus_card_grades() -> None:
    failures: list[str] = []
    count = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            count += 1
            try:
                report = openscore.grade_card(record["readme"], files=["model.safetensors", "README.md"])
                if count % 500 == 0:  # spot-check that reports serialise and validate
                    Report.model_validate_json(report.to_json())
            except Exception as exc:
                failures.append(f"{record.get('file')}: {type(exc).__name__}: {exc}")
    assert count > 10_000
    assert failures == [], failures[:10]
