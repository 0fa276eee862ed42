"""Streaming batches: a bounded number of targets in flight, results written as they come, cancellation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from openscore.batch import grade_many, iter_grade
from openscore.grading import Grader

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "open-research-model")


def test_targets_are_read_lazily_with_a_bounded_number_in_flight() -> None:
    consumed = 0

    def targets() -> Iterator[str]:
        nonlocal consumed
        for i in range(200):
            consumed += 1
            yield EXAMPLE if i % 2 == 0 else f"/nonexistent/folder-{i}"

    results = iter_grade(targets(), grader=Grader(), max_workers=4, in_flight=8)
    first = next(results)
    assert first.target == EXAMPLE
    assert consumed <= 9
    rest = list(results)
    assert len(rest) == 199 and consumed == 200
    assert [r.target for r in rest[:2]] == ["/nonexistent/folder-1", EXAMPLE]


def test_closing_the_iterator_cancels_pending_work() -> None:
    results = iter_grade((EXAMPLE for _ in range(10_000)), grader=Grader(), max_workers=4, in_flight=8)
    next(results)
    results.close()  # returns at once; nothing else is graded


def test_grade_many_writes_jsonl_as_it_goes(tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    batch = grade_many(
        [EXAMPLE, "/nonexistent/folder", EXAMPLE], output=out, keep=False, progress_bar=False, max_workers=2
    )
    assert len(batch) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [ln["target"] for ln in lines] == [EXAMPLE, "/nonexistent/folder", EXAMPLE]
    assert lines[0]["verdict"] == "open-source-ai"
    assert lines[1]["error"]["kind"] == "invalid-target"


def test_grade_many_writes_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet output needs pyarrow")
    out = tmp_path / "results.parquet"
    batch = grade_many([EXAMPLE, "/nonexistent/folder"], output=out, progress_bar=False)
    assert len(batch) == 2  # keep=True by default
    rows = pq.read_table(out).to_pylist()
    assert [r["verdict"] for r in rows] == ["open-source-ai", None]
    assert rows[1]["error_kind"] == "invalid-target"
