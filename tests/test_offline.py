"""Offline means offline, and a cache means the same answer (issue 13): a run from a warm ``--cache-dir`` with
``offline`` makes no request to the Hub or a code host and gives reports equal, field for field, to the online run
that filled the cache (the grading time aside)."""

from __future__ import annotations

from pathlib import Path

from fakecodehost import FakeCodeHost
from fakehub import FakeHub

import openscore
from openscore.batch import grade_many

#: Releases that exercise every look-up: branches (checkpoints), datasets and their cards, base models, code links.
TARGETS = [
    "glasshouse-llm/resin-7b",
    "dolmen-institute/omni-7b",
    "dolmen-institute/omni-7b-instruct",
    "hobbyist-ml/suite-1.4b-finetuned",
    "openlab/suite-1.4b",
    "herd-collective/herd-3.1-8b",
]


def _dumps(batch: openscore.BatchResult) -> list[dict[str, object]]:
    out = []
    for result in batch:
        assert isinstance(result, openscore.Report), result
        out.append(result.model_dump(mode="json", exclude={"graded_at"}))
    return out


def test_offline_rerun_makes_no_request_and_gives_the_same_reports(
    hub_env: FakeHub, fake_code_host: FakeCodeHost, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    online = grade_many(TARGETS, cache_dir=cache, progress_bar=False, max_workers=2)
    assert not online.failures
    assert hub_env.requests and fake_code_host.requests  # the online run did ask
    hub_env.requests.clear()
    fake_code_host.requests.clear()
    offline = grade_many(TARGETS, cache_dir=cache, offline=True, progress_bar=False, max_workers=2)
    assert hub_env.requests == []
    assert fake_code_host.requests == []
    assert _dumps(offline) == _dumps(online)


def test_offline_without_a_cache_makes_no_request_and_says_so(hub_env: FakeHub, fake_code_host: FakeCodeHost) -> None:
    batch = grade_many(TARGETS[:2], offline=True, progress_bar=False)
    assert hub_env.requests == [] and fake_code_host.requests == []
    assert len(batch.failures) == 2 and all("offline" in f.message for f in batch.failures)


def test_a_dataset_card_missing_at_its_commit_reads_the_same_offline(hub_env: FakeHub, tmp_path: Path) -> None:
    """A listed dataset without a README: the online run keeps that answer (a commit never changes), so the offline
    re-run says "not found" too, not "not in the cache"."""
    readme = (
        "---\nlicense: apache-2.0\ndatasets:\n- glasshouse-llm/resin-data\n---\n# Resin mini\n\n"
        "## Training data\n\nThe listed dataset.\n"
    )
    hub_env.add_repo("offline-check/mini", {"README.md": readme, "model.safetensors": b"w"}, {"sha": "c" * 40})
    cache = tmp_path / "cache"
    online = grade_many(["offline-check/mini"], cache_dir=cache, progress_bar=False, code_lookup=False)
    dumped = _dumps(online)
    assert "glasshouse-llm/resin-data" in str(dumped) and "not found" in str(dumped)
    hub_env.requests.clear()
    offline = grade_many(["offline-check/mini"], cache_dir=cache, offline=True, progress_bar=False, code_lookup=False)
    assert hub_env.requests == []
    assert _dumps(offline) == dumped
