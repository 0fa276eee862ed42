"""The guard suite: adversarial-but-plausible releases (tests/fixtures/guard) must never be graded more open than an
expert grades them.

Each release (relabelled fine-tunes, merges of restricted bases, adapters of gated models, open licenses with
research-only prose, weights hosted elsewhere, gates that add terms, quantizations that drop ``base_model``, datasets
under non-commercial terms called "open data", an unreachable base, a gated dataset card, and an open control) is
graded through the loopback fake Hub and fake code host; ``expected.json`` gives the expert's verdict and why.
A case may be marked ``known_overstated`` (graded more open than its label, a rule gap): the label is kept, the case
is an expected failure (strict, so a rule that starts catching it makes the marker go), and the set of overstated
releases must be exactly those. None is marked today.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from realcards import GUARD_CODEHOSTS, GUARD_SET, Graded, deciding_finding, grade_fixture_set

EXPECTED: dict[str, dict[str, Any]] = {
    k: v
    for k, v in json.loads((GUARD_SET / "expected.json").read_text(encoding="utf-8")).items()
    if not k.startswith("_")
}
KNOWN_OVERSTATED = {k for k, v in EXPECTED.items() if v.get("known_overstated")}


@pytest.fixture(scope="module")
def graded() -> dict[str, Graded]:
    return {g.label.repo_id: g for g in grade_fixture_set(GUARD_SET, GUARD_CODEHOSTS, max_workers=4)}


def test_guard_suite_size_and_kinds() -> None:
    assert 12 <= len(EXPECTED) <= 20
    kinds = {v["kind"] for v in EXPECTED.values()}
    for kind in (
        "relabelled-finetune",
        "merge",
        "adapter",
        "research-only-prose",
        "weights-elsewhere",
        "gate-terms",
        "quantized-no-metadata",
        "nc-data-called-open",
        "unreachable-base",
        "gated-dataset-card",
    ):
        assert kind in kinds


@pytest.mark.parametrize(
    "repo_id",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=EXPECTED[k]["known_overstated"]))
        if k in KNOWN_OVERSTATED
        else k
        for k in sorted(EXPECTED)
    ],
)
def test_guard_verdict(graded: dict[str, Graded], repo_id: str) -> None:
    g = graded[repo_id]
    assert g.report is not None, g.error
    assert g.got == g.label.expected, f"{repo_id}: {g.got}; decided by {deciding_finding(g.report, g.label.expected)}"


def test_no_overstated_verdict_beyond_the_known_ones(graded: dict[str, Graded]) -> None:
    over = {k for k, g in graded.items() if g.overstated}
    assert over == KNOWN_OVERSTATED, {
        k: deciding_finding(graded[k].report, graded[k].label.expected)  # type: ignore[arg-type]
        for k in over ^ KNOWN_OVERSTATED
        if graded[k].report is not None
    }
    assert all(g.report is not None for g in graded.values())


def test_never_closed_when_weights_are_hosted_elsewhere(graded: dict[str, Graded]) -> None:
    g = graded["offsite-lab/kite-13b"]
    assert g.got == "undetermined"


@pytest.mark.parametrize(
    ("repo_id", "open_data"),
    [
        ("dataopen-lab/brook-1b", False),  # a CC-BY-NC corpus the card calls "open data"
        ("clearwater-lab/otter-1b", True),  # an ODC-By corpus, public
        ("campus-nlp/tern-1b", None),  # no dataset listed: unknown, never "no"
        ("gatekeep-ai/moor-7b", None),
    ],
)
def test_open_data(graded: dict[str, Graded], repo_id: str, open_data: bool | None) -> None:
    report = graded[repo_id].report
    assert report is not None
    assert report.open_data is open_data, report.open_data_reason
    expected = EXPECTED[repo_id].get("open_data", open_data)
    assert expected is open_data


def test_gated_dataset_card_leaves_data_information_undetermined(graded: dict[str, Graded]) -> None:
    report = graded["gatedset-lab/sparrow-3b"].report
    assert report is not None
    assert report.criteria.data_information.status.value == "undetermined"
    assert report.verdict.value == "open-weights"
    assert report.verdict_if_checked is not None and report.verdict_if_checked.value == "open-source-ai"


def test_unreachable_base_is_undetermined_not_open(graded: dict[str, Graded]) -> None:
    report = graded["orphan-lab/wren-7b-chat"].report
    assert report is not None
    assert report.verdict.value == "undetermined"
    assert report.criteria.usage_terms.status.value == "undetermined"
