"""Real model cards, labelled by experts, graded the way the Hub serves them (see tests/realcards.py).

The cards are read at run time from the shared corpus (``../shared/corpus``), never copied here; the facts that live
outside each card (file listings, datasets and their cards, code host licenses) are written in our own words in
tests/fixtures/real_cards and served by the loopback fake Hub and fake code host. Skipped when the shared corpus or
the labels are absent.

Floors: no verdict may be more open than its label (0 overstated, 0 false open-source-ai); agreement on the
high-confidence rows of real-cards.tsv is at least 95% (issue 12's target).
"""

from __future__ import annotations

import pytest
from corpus import CORPUS
from realcards import EXTRA_LABELS, LABELS, Graded, deciding_finding, grade_real, read_labels

pytestmark = pytest.mark.skipif(
    not (CORPUS.exists() and LABELS.exists()), reason=f"shared corpus or labels not found ({CORPUS}, {LABELS})"
)

#: Agreement on the high-confidence rows of real-cards.tsv (issue 12's target).
HIGH_CONFIDENCE_FLOOR = 0.95


def _describe(graded: list[Graded]) -> str:
    return "\n".join(
        f"{g.label.repo_id}: expected {g.label.expected}, got {g.got}; "
        + (deciding_finding(g.report, g.label.expected) if g.report is not None else str(g.error))
        for g in graded
    )


@pytest.fixture(scope="module")
def real() -> list[Graded]:
    return grade_real(read_labels(LABELS), CORPUS, max_workers=4)


@pytest.fixture(scope="module")
def extra() -> list[Graded]:
    return grade_real(read_labels(EXTRA_LABELS), CORPUS, max_workers=4)


def test_every_labelled_card_is_graded(real: list[Graded], extra: list[Graded]) -> None:
    failed = [g for g in real + extra if g.report is None]
    assert not failed, _describe(failed)


def test_never_overstated(real: list[Graded], extra: list[Graded]) -> None:
    over = [g for g in real + extra if g.overstated]
    assert not over, _describe(over)
    assert not [g for g in real + extra if g.got == "open-source-ai" and not g.agrees]


def test_high_confidence_agreement(real: list[Graded], extra: list[Graded]) -> None:
    high = [g for g in real if g.label.confidence == "high"]
    agree = sum(g.agrees for g in high)
    print(f"\nreal-cards.tsv high-confidence agreement: {agree}/{len(high)} = {agree / len(high):.1%}")
    assert agree / len(high) >= HIGH_CONFIDENCE_FLOOR, _describe([g for g in high if not g.agrees])
    extra_high = [g for g in extra if g.label.confidence == "high"]
    assert all(g.agrees for g in extra_high), _describe([g for g in extra_high if not g.agrees])


def test_held_back_only_by_unread_sources_says_what_it_would_be(real: list[Graded]) -> None:
    """A release held back only by a check that was not made names the verdict it would get (issue 12 item 5)."""
    for g in real:
        report = g.report
        assert report is not None
        pending = [r for _, r in report.criteria.items() if r.status.value != "met"]
        if (
            report.verdict.value == "open-weights"
            and pending
            and all(r.status.value == "undetermined" for r in pending)
        ):
            assert report.verdict_if_checked is not None and report.verdict_if_checked.value == "open-source-ai"
            assert report.unchecked
