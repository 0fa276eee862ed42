"""Locate and read the shared corpus of real Hub model cards (``../shared/corpus/hub-cards-2023.jsonl.gz``)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("OPENSCORE_CORPUS", ROOT.parent / "shared" / "corpus" / "hub-cards-2023.jsonl.gz"))


def cards(path: Path = CORPUS) -> Iterator[tuple[str, str]]:
    """Yield ``(name, readme)`` for every card in the corpus."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            yield str(record.get("file") or "?"), str(record.get("readme") or "")
