"""Census throughput and memory, as ratios measured in the same run.

    python benchmarks/census_speed.py [CORPUS.jsonl.gz] [--quick]

- throughput of the corpus with 2 worker processes against 1 (target >= 1.7x on 2 free cores);
- peak worker memory (max RSS) for 1x and 4x the corpus (target: within 20 %: partitions of bounded size);
- live batch memory (tracemalloc peak) for 1,000 and 10,000 targets streamed with ``keep=False`` (flat, not linear).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import distributed

from openscore.batch import grade_many
from openscore.census import run_census

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hub-cards-2023.jsonl.gz"
EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "open-research-model")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def census_run(sources: list[str], workers: int) -> tuple[float, float, int]:
    """Seconds, the largest worker's peak RSS (MB) and rows, on a fresh local cluster."""
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
        tempfile.TemporaryDirectory() as out,
    ):
        start = time.perf_counter()
        result = run_census(sources, out, scheduler=cluster.scheduler_address, progress_bar=False)
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_rss_mb)
        return seconds, max(peaks.values()), result.rows


def batch_peak(n: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        tracemalloc.start()
        grade_many(
            (EXAMPLE for _ in range(n)), output=Path(out) / "r.jsonl", keep=False, progress_bar=False, max_workers=4
        )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = args[0] if args else str(CORPUS)
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    t1, m1, rows = census_run([corpus], 1)
    t2, _, _ = census_run([corpus], 2)
    print(f"census 1 worker:  {rows} rows in {t1:.1f} s ({rows / t1:.0f} rows/s)")
    print(f"census 2 workers: {rows} rows in {t2:.1f} s ({rows / t2:.0f} rows/s)  speed-up {t1 / t2:.2f}x")
    if "--quick" not in sys.argv:
        t4, m4, rows4 = census_run([corpus] * 4, 1)
        print(f"peak worker RSS 1x: {m1:.0f} MB, 4x ({rows4} rows, {t4:.1f} s): {m4:.0f} MB  ratio {m4 / m1:.2f}")
    b1, b10 = batch_peak(1_000), batch_peak(10_000)
    print(f"live batch peak (keep=False): 1,000 targets {b1:.1f} MB, 10,000 targets {b10:.1f} MB  ratio {b10 / b1:.2f}")


if __name__ == "__main__":
    main()
