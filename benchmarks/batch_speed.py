"""Batch throughput against the loopback fake Hub with injected latency, next to a sequential baseline.

Serves 300 releases (copies of the labelled fixtures under new ids) with a fixed delay on every request, then
grades them with ``grade_many`` at 16 workers and, as the baseline measured in the same run, one by one with
``openscore.grade``. Prints releases per second for both, the speed-up, and HTTP requests per release (model
info + README for a typical public release; lineage, dataset and LICENSE look-ups come on top and are shared
across the batch).

    python benchmarks/batch_speed.py [--releases 300] [--latency 0.05] [--workers 16]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakecodehost import keep_code_hosts_local  # noqa: E402
from fakehub import FakeHub  # noqa: E402

_CLOSED_CODE_HOST = keep_code_hosts_local()  # code host look-ups are on by default: never a real host here

import openscore  # noqa: E402
from openscore import HubClient  # noqa: E402
from openscore.batch import grade_many  # noqa: E402


def _populate(hub: FakeHub, count: int) -> list[str]:
    sources = [
        r for r in hub.repo_ids if not (hub.get_repo(r) or object.__new__(object)).__dict__.get("meta", {}).get("fail")
    ]
    ids: list[str] = []
    for i in range(count):
        src = hub.get_repo(sources[i % len(sources)])
        assert src is not None
        repo_id = f"bench{i // 50}/release-{i}"
        hub.add_repo(repo_id, dict(src.files), dict(src.meta))
        ids.append(repo_id)
    return ids


def _kinds(hub: FakeHub, prefix: str = "") -> Counter[str]:
    """Requests by kind; with ``prefix``, only those for repositories whose path starts with it."""
    kinds: Counter[str] = Counter()
    for _, path in hub.requests:
        if prefix and prefix not in path:
            continue
        if path.startswith("/api/models/") and path.endswith("/refs"):
            kinds["refs"] += 1
        elif path.startswith("/api/models/"):
            kinds["model info"] += 1
        elif path.startswith("/api/datasets/"):
            kinds["dataset info"] += 1
        elif path.endswith("/README.md"):
            kinds["README"] += 1
        else:
            kinds["other files"] += 1
    return kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    with FakeHub(ROOT / "tests" / "fixtures" / "hub") as hub:
        ids = _populate(hub, args.releases)
        hub.latency = args.latency

        hub.requests.clear()
        start = time.perf_counter()
        batch = grade_many(
            ids, client=HubClient(endpoint=hub.endpoint, token=False), max_workers=args.workers, progress_bar=False
        )
        concurrent = time.perf_counter() - start
        kinds = _kinds(hub)
        own = _kinds(hub, "/bench")  # the releases' own requests, without their bases' and datasets'
        requests = len(hub.requests)

        # Baselines on a sample (extrapolated per release), fresh clients so nothing is cached:
        # one by one with the same shared caches as a batch (what concurrency buys) ...
        sample = ids[: max(30, args.releases // 10)]
        start = time.perf_counter()
        grade_many(sample, client=HubClient(endpoint=hub.endpoint, token=False), max_workers=1, progress_bar=False)
        sequential = (time.perf_counter() - start) / len(sample)
        # ... and naive: openscore.grade in a loop, nothing shared (what a script without batches does).
        naive_sample = sample[:15]
        start = time.perf_counter()
        for repo_id in naive_sample:
            with contextlib.suppress(openscore.OpenscoreError):
                openscore.grade(repo_id, client=HubClient(endpoint=hub.endpoint, token=False))
        naive = (time.perf_counter() - start) / len(naive_sample)
    n = len(ids)
    print(f"releases: {n}, latency {args.latency * 1000:.0f} ms per request, {args.workers} workers")
    print(
        f"grade_many:             {n / concurrent:7.1f} releases/s  ({concurrent:.1f} s, {len(batch.failures)} failed)"
    )
    print(
        f"sequential baseline:    {1 / sequential:7.1f} releases/s  (grade_many with 1 worker, {len(sample)} sampled)"
    )
    print(f"naive loop:             {1 / naive:7.1f} releases/s  (openscore.grade one by one, nothing shared)")
    print(f"speed-up vs sequential: {sequential * n / concurrent:7.1f}x  (target 10x)")
    print(f"speed-up vs naive loop: {naive * n / concurrent:7.1f}x")
    print(f"HTTP requests/release:  {requests / n:7.2f}  (all kinds; lineage and datasets shared across the batch)")
    for kind, count in kinds.most_common():
        print(f"  {kind:<14} {count / n:5.2f} per release")
    typical = (own["model info"] + own["README"]) / n
    print(f"own model info + README: {typical:6.2f} per release  (target at most 2 for a typical public release)")
    print(f"own requests, all kinds: {sum(own.values()) / n:6.2f} per release  (LICENSE files and refs on top)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
