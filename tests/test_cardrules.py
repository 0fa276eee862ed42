"""Prose rules from data/cards.json: headings, code links and roles, code licenses, gate terms."""

from __future__ import annotations

import re

import pytest

from openscore.cardrules import (
    PatternGroup,
    code_license_ids,
    code_repository,
    code_roles,
    dataset_id_from_url,
    gate_terms,
    is_data_heading,
    required_words,
)


@pytest.mark.parametrize(
    "heading", ["Training Data", "Pretraining data", "Dataset", "Training Details", "Data Preprocessing", "Corpus"]
)
def test_data_headings(heading: str) -> None:
    assert is_data_heading(heading)


@pytest.mark.parametrize("heading", ["Evaluation data", "Benchmarks", "Usage", "License", "Test data"])
def test_not_data_headings(heading: str) -> None:
    assert not is_data_heading(heading)


def test_code_repositories() -> None:
    assert code_repository("https://github.com/org/repo/tree/main/x") == "github.com/org/repo"
    assert code_repository("https://www.github.com/org/repo.git") == "github.com/org/repo"
    assert code_repository("https://gitlab.com/group/sub/project/-/blob/main/x") == "gitlab.com/group/sub/project"
    assert code_repository("https://huggingface.co/spaces/org/demo") == "huggingface.co/spaces/org/demo"
    assert code_repository("https://github.com/sponsors/someone") is None
    assert code_repository("https://example.org/github.com/a/b") is None


def test_roles() -> None:
    assert code_roles("The code used to pretrain the model") == ["training"]
    assert "data-processing" in code_roles("scripts that deduplicate and filter the corpus (data pipeline)")
    assert code_roles("an inference server") == ["inference"]


@pytest.mark.parametrize(
    ("text", "lic"),
    [
        ("released under the Apache 2.0 license", "apache-2.0"),
        ("Apache-2.0", "apache-2.0"),
        ("MIT license", "mit"),
        ("BSD-3-Clause", "bsd-3-clause"),
        ("licensed GPLv3", "gpl-3.0"),
        ("under the Mozilla Public License", "mpl-2.0"),
    ],
)
def test_code_license_phrases(text: str, lic: str) -> None:
    assert lic in code_license_ids(text)


def test_mit_is_case_sensitive() -> None:
    assert code_license_ids("we submit the permit") == []


def test_dataset_links_and_gate_terms() -> None:
    assert dataset_id_from_url("https://huggingface.co/datasets/org/name") == "org/name"
    assert dataset_id_from_url("https://hf.co/datasets/c4") == "c4"
    assert dataset_id_from_url("https://huggingface.co/org/name") is None
    assert gate_terms("You agree to the license and the acceptable use policy")
    assert gate_terms("Please share your contact information") is None


def test_words_inside_links_are_not_gate_terms() -> None:
    assert gate_terms("Read our privacy notice at https://example.org/terms/ before sharing your email") is None
    assert gate_terms("See [our notice](https://example.org/legal/terms) for how we process data") is None


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (r"\bhyper-?parameters?\b", ["hyper"]),
        (r"\bconsists? of\b.{0,80}\bweb\b", ["consist"]),
        (r"\bBSD[- ]3\b|\bBSD-3-Clause\b", ["BSD", "BSD-3-Clause"]),
        (r"\b(?:common ?crawl|news articles?|crawl(?:ed|ing))\b", ["common", "news article", "crawl"]),
        (r"\b(?:pre-?)?train(?:ing)?", None),  # an optional group first: no word is required
        (r"\b(?:gb|tb)\b", None),  # words too short to screen with
        (r"\b\d+ tokens", None),
        (r"\bstep\d{3,}\b", ["step"]),
    ],
)
def test_required_words(source: str, words: list[str] | None) -> None:
    assert required_words(source) == words


def test_prefilter_sees_through_case_folding() -> None:
    group = PatternGroup([r"\bscraped from\b", r"\bprovenance\b"], re.IGNORECASE)
    texts = ["SCRAPED from x", "\u017fcraped from", "prove\u0130nance", "\u0130 scraped from", "Provenance", "none"]
    for text in texts:  # U+017F (long s) is "s" to re.IGNORECASE
        assert group.matches(text) == bool(re.search(r"\bscraped from\b|\bprovenance\b", text, re.IGNORECASE))
    assert group.matches("\u017fcraped from")
    assert group.search("x scraped from; provenance").group(0) == "scraped from"  # type: ignore[union-attr]
