"""Cards graded per second on the shared corpus, next to a baseline measured in the same run.

Baseline: ``huggingface_hub.ModelCard`` parsing the same cards (front matter + YAML + metadata object), which is
the least any tool reading cards must do. openscore does that and much more (sections, links, four criteria,
a pydantic report), so the interesting figure is the ratio, and the absolute rate against the target of 3,000
cards per second on one core.

    python benchmarks/corpus_speed.py [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from collections import Counter

from _corpus import CORPUS, ROOT, cards

import openscore


def _baseline(texts: list[str]) -> float:
    from huggingface_hub import ModelCard

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # one warning per card without metadata

    start = time.perf_counter()
    for text in texts:
        with contextlib.suppress(Exception):  # the baseline may fail on odd cards; we only time it
            ModelCard(text, ignore_metadata_errors=True)
    return time.perf_counter() - start


def _openscore(texts: list[str]) -> tuple[float, Counter[str]]:
    verdicts: Counter[str] = Counter()
    start = time.perf_counter()
    for text in texts:
        verdicts[openscore.grade_card(text, files=["model.safetensors"]).verdict.value] += 1
    return time.perf_counter() - start, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="grade only the first N cards")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}; set OPENSCORE_CORPUS", file=sys.stderr)
        return 1
    texts = [text for _, text in cards()]
    if args.limit:
        texts = texts[: args.limit]
    # Load the knowledge data files once, outside the timing: a card with a license, datasets and code links.
    warm_up = (ROOT / "examples" / "open-research-model" / "README.md").read_text(encoding="utf-8")
    openscore.grade_card(warm_up, files=["model.safetensors"])
    base = _baseline(texts)
    ours, verdicts = _openscore(texts)
    n = len(texts)
    print(f"cards:                         {n}")
    print(f"baseline ModelCard parse:      {n / base:8.0f} cards/s")
    print(f"openscore grade_card:          {n / ours:8.0f} cards/s")
    print(f"ratio openscore / baseline:    {base / ours:8.2f}x")
    print(f"target 3,000 cards/s:          {'met' if n / ours >= 3000 else 'NOT met'}")
    print("verdicts (every card listed as having model.safetensors):")
    for verdict, count in verdicts.most_common():
        print(f"  {verdict:<18} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
