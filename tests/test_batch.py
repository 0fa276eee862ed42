"""Batches: concurrency, input order, failures that never stop a batch, authors, shared caches, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient
from openscore.batch import BatchResult, Failure, grade_author, grade_many

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "hub" / "expected.json").read_text())
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "open-research-model"


def client(hub: FakeHub, **kwargs: object) -> HubClient:
    return HubClient(endpoint=hub.endpoint, token=False, backoff=0.01, **kwargs)  # type: ignore[arg-type]


def test_grade_many_keeps_order_and_failures(hub_env: FakeHub) -> None:
    targets = ["tinyforge/quark-2", "nobody/nothing", str(EXAMPLE), "not a repo!", "campuslab/vision-nc-base"]
    batch = grade_many(targets, client=client(hub_env), max_workers=4, progress_bar=False)
    assert len(batch) == 5
    assert [r.target for r in batch] == targets
    assert isinstance(batch[1], Failure) and batch[1].kind == "not-found"
    assert isinstance(batch[3], Failure) and batch[3].kind == "invalid-target"
    assert [r.verdict.value for r in batch.reports] == ["open-weights", "open-source-ai", "weights-available"]
    counts = batch.verdict_counts()
    assert counts["failed"] == 2 and sum(counts.values()) == 5
    records = batch.to_records()
    assert records[1]["error_kind"] == "not-found" and records[0]["verdict"] == "open-weights"


def test_every_fixture_in_one_batch(hub_env: FakeHub) -> None:
    ids = sorted(EXPECTED)
    batch = grade_many(ids, client=client(hub_env), max_workers=8, progress_bar=False)
    assert isinstance(batch, BatchResult)
    assert [r.target for r in batch] == ids
    assert not batch.failures, batch.failures


def test_datasets_are_looked_up_once_per_batch(hub_env: FakeHub) -> None:
    hub_env.add_repo(
        "copy/a",
        {"README.md": "---\nlicense: mit\ndatasets: [openlab/heap-deduplicated]\n---\n", "m.safetensors": b"x"},
    )
    hub_env.add_repo(
        "copy/b",
        {"README.md": "---\nlicense: mit\ndatasets: [openlab/heap-deduplicated]\n---\n", "m.safetensors": b"x"},
    )
    grade_many(["copy/a", "copy/b", "openlab/suite-1.4b"], client=client(hub_env), progress_bar=False)
    lookups = [p for _, p in hub_env.requests if p.startswith("/api/datasets/openlab/heap-deduplicated")]
    assert len(lookups) == 1


def test_grade_author_uses_the_listing(hub_env: FakeHub) -> None:
    batch = grade_author("herdlab", client=client(hub_env), progress_bar=False)
    assert sorted(r.target for r in batch) == ["herdlab/herd-2-7b-chat", "herdlab/herd-3-8b"]
    info_calls = [p for _, p in hub_env.requests if p.startswith("/api/models/herdlab/")]
    assert info_calls == []  # metadata came from the listing
    assert grade_author("nobody-at-all", client=client(hub_env), progress_bar=False).verdict_counts() == {}


def test_offline_regrade_from_cache(hub_env: FakeHub, tmp_path: Path) -> None:
    cache = tmp_path / "api-cache"
    first = grade_many(["tinyforge/quark-2"], client=client(hub_env, api_cache_dir=cache), progress_bar=False)
    hub_env.requests.clear()
    again = grade_many(
        ["tinyforge/quark-2", "windmill-ai/breeze-7b-v0.1"],
        client=client(hub_env, api_cache_dir=cache, offline=True),
        progress_bar=False,
    )
    assert hub_env.requests == []
    report = again[0]
    assert isinstance(report, openscore.Report) and isinstance(first[0], openscore.Report)
    assert report.verdict == first[0].verdict and report.revision == first[0].revision
    assert isinstance(again[1], Failure) and "offline" in again[1].message


def test_pandas_and_html_summary(hub_env: FakeHub) -> None:
    batch = grade_many([str(EXAMPLE), "nobody/nothing"], client=client(hub_env), progress_bar=False)
    html = batch._repr_html_()
    assert "open-source-ai" in html and "not-found" in html
    pd = pytest.importorskip("pandas")
    frame = batch.to_pandas()
    assert isinstance(frame, pd.DataFrame) and next(iter(frame["verdict"])) == "open-source-ai"


def test_plot_is_readable_and_left_out_of_pyplot(hub_env: FakeHub) -> None:
    pytest.importorskip("matplotlib")
    plt = pytest.importorskip("matplotlib.pyplot")
    batch = grade_many([str(EXAMPLE), "nobody/nothing"], client=client(hub_env), progress_bar=False)
    before = plt.get_fignums()
    fig = batch.plot()
    assert plt.get_fignums() == before  # not open in pyplot: a notebook shows the returned figure once
    left, right = fig.axes[:2]
    assert left.get_xlabel() and right.get_ylabel()
    assert all(float(t).is_integer() for t in [*left.get_xticks(), *right.get_yticks()])  # whole-number counts
    fig.canvas.draw()
    legend = right.get_legend()
    assert legend is not None and legend.get_window_extent().x0 >= right.get_window_extent().x1  # beside the bars
