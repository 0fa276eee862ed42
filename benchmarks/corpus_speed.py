"""Cards graded per second on the shared corpus, next to two baselines measured in the same run.

Baselines: PyYAML's C safe loader parsing the same cards' front matter alone (the least any tool reading card
metadata must do), and ``huggingface_hub.ModelCard`` parsing the cards (front matter + YAML + metadata object).
openscore does that and much more (sections, links, four criteria, a pydantic report), so the interesting figures
are the ratios, and the absolute rate against the target of 1,000 cards per second on one core.

Each side makes ``--repeat`` passes over all the cards, the sides taking turns so that all see the machine in the
same state. The best pass of each side is reported, as ``timeit`` does: a slower pass measures the machine being
busy elsewhere, not the code (on shared virtual machines, passes of the same code differ by 15% or more). The median
pass is printed too, and the peak memory of the process (``ru_maxrss``).

    python benchmarks/corpus_speed.py [--limit N] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import resource
import statistics
import sys
import time
from collections import Counter

import yaml
from _corpus import CORPUS, ROOT, cards

import openscore
from openscore.card import normalise_text, split_front_matter

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _front_matter(text: str) -> str | None:
    found = split_front_matter(normalise_text(text))
    return found[1] if found else None


def _yaml_only(blocks: list[str | None]) -> float:
    """Seconds to parse every card's front matter with the C safe loader (None: the card has no block)."""
    start = time.perf_counter()
    for block in blocks:
        if block is not None:
            with contextlib.suppress(yaml.YAMLError):
                yaml.load(block, Loader=_LOADER)
    return time.perf_counter() - start


def _baseline(texts: list[str]) -> float:
    from huggingface_hub import ModelCard

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
    parser.add_argument("--repeat", type=int, default=3, help="passes over the cards for each side (best counts)")
    parser.add_argument("--no-modelcard", action="store_true", help="skip the huggingface_hub.ModelCard baseline")
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
    blocks = [_front_matter(text) for text in texts]
    parsed: list[float] = []
    base: list[float] = []
    ours: list[float] = []
    verdicts: Counter[str] = Counter()
    for _ in range(max(1, args.repeat)):
        parsed.append(_yaml_only(blocks))
        if not args.no_modelcard:
            base.append(_baseline(texts))
        seconds, verdicts = _openscore(texts)
        ours.append(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"cards:                         {n} ({sum(b is not None for b in blocks)} with front matter)")
    print(f"passes per side:               {len(ours)} (best, then median)")
    print(f"C YAML parse of front matter:  {n / min(parsed):8.0f} cards/s   {n / statistics.median(parsed):8.0f}")
    if base:
        print(f"baseline ModelCard parse:      {n / min(base):8.0f} cards/s   {n / statistics.median(base):8.0f}")
    print(f"openscore grade_card:          {n / min(ours):8.0f} cards/s   {n / statistics.median(ours):8.0f}")
    print(f"ratio openscore / YAML parse:  {min(parsed) / min(ours):8.2f}x (time of the YAML parse / openscore's)")
    if base:
        print(f"ratio openscore / ModelCard:   {min(base) / min(ours):8.2f}x")
    print(f"target 1,000 cards/s:          {'met' if n / min(ours) >= 1000 else 'NOT met'} (best pass)")
    print(f"peak memory (maxrss):          {peak_mb:8.0f} MB")
    print(f"all passes, openscore:         {', '.join(f'{n / s:.0f}' for s in ours)} cards/s")
    print("verdicts (every card listed as having model.safetensors):")
    for verdict, count in verdicts.most_common():
        print(f"  {verdict:<18} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
