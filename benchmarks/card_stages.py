"""Where the time of grading one card goes: microseconds per card for each stage, on the shared corpus.

Companion to corpus_speed.py (which gives the end-to-end rate against the target): this one says which stage to
work on next. Each stage is timed alone over the same cards, best of three passes; the stages overlap (parse_card
is part of release_from_card), so the figures do not add up to grade_card.

    python benchmarks/card_stages.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from _corpus import CORPUS, ROOT, cards

import openscore
from openscore import card, criteria, probes, report, sources
from openscore.probes import code, data_information, parameters, usage_terms

FILES = ["model.safetensors"]


def _best(fn: Callable[[Any], object], items: Sequence[Any]) -> float:
    """Microseconds per item, best of three passes."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return best / len(items) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=4000, help="use the first N cards (0: all)")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"corpus not found at {CORPUS}; set OPENSCORE_CORPUS", file=sys.stderr)
        return 1
    texts = [text for _, text in cards()]
    if args.limit:
        texts = texts[: args.limit]
    warm_up = (ROOT / "examples" / "open-research-model" / "README.md").read_text(encoding="utf-8")
    openscore.grade_card(warm_up, files=FILES)
    releases = [sources.release_from_card(t, files=FILES) for t in texts]
    parsed = [r.card for r in releases if r.card is not None]
    found = [probes.run_all(r) for r in releases]
    stages: list[tuple[str, Callable[[Any], object], Sequence[Any]]] = [
        ("grade_card (all of it)", lambda t: openscore.grade_card(t, files=FILES), texts),
        ("release_from_card", lambda t: sources.release_from_card(t, files=FILES), texts),
        ("  parse_card", card.parse_card, texts),
        ("    sections", lambda c: card._sections(c.lines, c.front_matter_end, c.body), parsed),
        ("    links", lambda c: card._links(c.lines, c.front_matter_end, c.body), parsed),
        ("probe parameters", parameters.probe, releases),
        ("probe data_information", data_information.probe, releases),
        ("probe code", code.probe, releases),
        ("probe usage_terms", usage_terms.probe, releases),
        ("evaluate", criteria.evaluate, found),
        (
            "build_report (with evaluate)",
            lambda pair: report.build_report(*pair),
            list(zip(releases, found, strict=True)),
        ),
    ]
    print(f"cards: {len(texts)}")
    for name, fn, items in stages:
        print(f"{name:30s} {_best(fn, items):8.1f} µs/card")
    return 0


if __name__ == "__main__":
    sys.exit(main())
