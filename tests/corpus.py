"""The shared corpus of real Hub model cards, for tests that skip cleanly when it is absent.

``../shared/corpus/hub-cards-2023.jsonl.gz`` next to the repository (or ``OPENSCORE_CORPUS``): one JSON object a
line, the card's text under ``readme``.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get(
        "OPENSCORE_CORPUS",
        Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hub-cards-2023.jsonl.gz",
    )
)

#: Mark a test that needs the corpus.
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"shared corpus not found at {CORPUS}")


def records() -> Iterator[dict[str, str]]:
    """``{"file": ..., "readme": ...}`` for every card, in corpus order."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            yield {"file": str(record.get("file") or "?"), "readme": str(record.get("readme") or "")}
