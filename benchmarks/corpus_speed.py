"""Cards graded per second on the shared corpus, next to a baseline measured in the same run.

Baseline: ``huggingface_hub.ModelCard`` parsing the same cards (front matter + YAML + metadata object), which is
the least any tool reading cards must do. openscore does that and much more (sections, links, four criteria,
a pydantic report), so the interesting figure is the ratio, and the absolute rate against the target of 3,000
cards per second on one core.

Each side makes ``--repeat`` passes over all the cards, the two sides taking turns so that both see the machine in
the same state. openscore's caches are emptied before each of its passes (:func:`openscore.caches.clear_caches`),
so every pass is a first pass over the corpus. The best pass of each side is reported, as ``timeit`` does: a
slower pass measures the machine being busy elsewhere, not the code (on shared virtual machines, passes of the
same code differ by 15% or more). The median pass is printed too.

    python benchmarks/corpus_speed.py [--limit N] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import time
from collections import Counter

from _corpus import CORPUS, ROOT, cards

import openscore
from openscore.caches import clear_caches


def _baseline(texts: list[str]) -> float:
    from huggingface_hub import ModelCard

    start = time.perf_counter()
    for text in texts:
        with contextlib.suppress(Exception):  # the baseline may fail on odd cards; we only time it
            ModelCard(text, ignore_metadata_errors=True)
    return time.perf_counter() - start


def _openscore(texts: list[str]) -> tuple[float, Counter[str]]:
    clear_caches()
    verdicts: Counter[str] = Counter()
    start = time.perf_counter()
    for text in texts:
        verdicts[openscore.grade_card(text, files=["model.safetensors"]).verdict.value] += 1
    return time.perf_counter() - start, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="grade only the first N cards")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the cards for each side (best counts)")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}; set OPENSCORE_CORPUS", file=sys.stderr)
        return 1
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # one warning per card without metadata
    texts = [text for _, text in cards()]
    if args.limit:
        texts = texts[: args.limit]
    # Load the knowledge data files once, outside the timing: a card with a license, datasets and code links.
    warm_up = (ROOT / "examples" / "open-research-model" / "README.md").read_text(encoding="utf-8")
    openscore.grade_card(warm_up, files=["model.safetensors"])
    n = len(texts)
    base: list[float] = []
    ours: list[float] = []
    verdicts: Counter[str] = Counter()
    for _ in range(max(1, args.repeat)):
        base.append(_baseline(texts))
        seconds, verdicts = _openscore(texts)
        ours.append(seconds)
    print(f"cards:                         {n}")
    print(f"passes per side:               {len(ours)} (best, then median)")
    print(f"baseline ModelCard parse:      {n / min(base):8.0f} cards/s   {n / statistics.median(base):8.0f}")
    print(f"openscore grade_card:          {n / min(ours):8.0f} cards/s   {n / statistics.median(ours):8.0f}")
    print(f"ratio openscore / baseline:    {min(base) / min(ours):8.2f}x")
    print(f"target 3,000 cards/s:          {'met' if n / min(ours) >= 3000 else 'NOT met'} (best pass)")
    print(f"all passes, openscore:         {', '.join(f'{n / s:.0f}' for s in ours)} cards/s")
    print("verdicts (every card listed as having model.safetensors):")
    for verdict, count in verdicts.most_common():
        print(f"  {verdict:<18} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
