"""Streaming batches: a bounded number of targets in flight, results written as they come, cancellation."""

from __future__ import annotations

import json
import multiprocessing
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from fakehub import FakeHub

from openscore import HubClient
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


def _serve_copies(conn: Any, count: int) -> None:
    """A fake Hub serving ``count`` copies of the fixture releases, in its own process (its growing state must not
    count in the batch's memory); it answers until told to stop."""
    with FakeHub(FIXTURES / "hub") as hub:
        sources = [r for r in hub.repo_ids if not (hub.get_repo(r).meta or {}).get("fail")]  # type: ignore[union-attr]
        ids = []
        for i in range(count):
            src = hub.get_repo(sources[i % len(sources)])
            assert src is not None
            ids.append(f"copies{i // 50}/release-{i}")
            hub.add_repo(ids[-1], dict(src.files), dict(src.meta))
        hub.requests = _NoLog()
        conn.send((hub.endpoint, ids))
        conn.recv()


class _NoLog(list[tuple[str, str]]):
    def append(self, item: tuple[str, str]) -> None:
        pass


def _batch_peak(endpoint: str, ids: list[str], out: Path) -> int:
    client = HubClient(endpoint=endpoint, token=False)
    tracemalloc.start()
    try:
        grade_many(iter(ids), client=client, output=out, keep=False, progress_bar=False, max_workers=4)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streamed_batch_memory_does_not_grow_with_the_targets(tmp_path: Path) -> None:
    """A batch written to JSONL and not kept holds the same memory for 4N Hub targets as for N (tracemalloc peak
    of this process; the fake Hub runs in another)."""
    n = 150
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    server = ctx.Process(target=_serve_copies, args=(there, 6 * n), daemon=True)
    server.start()
    try:
        endpoint, ids = here.recv()
        _batch_peak(endpoint, ids[:n], tmp_path / "warm.jsonl")  # first use: lazy imports, compiled patterns
        small = _batch_peak(endpoint, ids[n : 2 * n], tmp_path / "small.jsonl")
        large = _batch_peak(endpoint, ids[2 * n :], tmp_path / "large.jsonl")
        here.send("stop")
    finally:
        server.join(timeout=30)
        if server.is_alive():
            server.terminate()
    lines = (tmp_path / "large.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 * n
    assert large <= 1.3 * small, (small, large)
