"""PatternGroup gives exactly the result of one big alternation, and its literal prefilter never skips a match."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openscore.cardrules import _load
from openscore.patterns import MAX_ANCHORS, PatternGroup, _merge_prefixes, fold, prefix_literals, required_literals

PROPERTY = settings.get_profile("openscore-fuzz")  # registered in conftest.py


def _rule_groups() -> list[tuple[str, list[str], int]]:
    """Every prose pattern list in data/cards.json, with its flags."""
    d = _load()
    out: list[tuple[str, list[str], int]] = [
        ("data_headings", d["data_headings"]["patterns"], re.I),
        ("data_heading_excludes", d["data_headings"]["exclude"], re.I),
        ("gate_terms", d["gate_terms"]["patterns"], re.I),
        ("checkpoint_mentions", d["checkpoint_mentions"]["patterns"], re.I),
        ("unshareable", d["data_classes"]["unshareable"], re.I),
        ("obtainable", d["data_classes"]["obtainable"], re.I),
    ]
    out += [(f"element {k}", e["patterns"], re.I) for k, e in d["data_elements"].items()]
    out += [(f"role {k}", pats, re.I) for k, pats in d["code_roles"]["roles"].items()]
    out += [
        (f"code license {p['license']}", [p["pattern"]], 0 if p.get("case_sensitive") else re.I)
        for p in d["code_license_phrases"]["phrases"]
    ]
    return out


GROUPS = _rule_groups()
COMPILED = [
    (name, PatternGroup(pats, flags), re.compile("|".join(f"(?:{p})" for p in pats), flags))
    for name, pats, flags in GROUPS
]


def _words() -> list[str]:
    """Literal fragments of the rules, so generated texts hit the patterns often."""
    words: set[str] = set()
    for _, pats, flags in GROUPS:
        for p in pats:
            words |= required_literals(p, flags) or set()
    return sorted(words)


WORDS = _words()
ODD = [
    "\u0130",
    "\u0131",
    "\u017f",
    "\u212a",
    "K",
    "I",
    "S",
    "-",
    " ",
    "\n",
    "2",
    "2.0",
    "v",
    "1,000",
    "tokens",
    "%",
    "é",
    "ß",
    "🤗",
]


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.start(), a.end(), a.group(0)) == (b.start(), b.end(), b.group(0))


@PROPERTY
@given(
    st.lists(
        st.one_of(
            st.sampled_from(WORDS),
            st.sampled_from(WORDS).map(str.upper),
            st.sampled_from(WORDS).map(str.title),
            st.sampled_from(ODD),
            st.text(max_size=4),
        ),
        max_size=30,
    ).map(" ".join)
)
def test_group_search_equals_one_alternation(text: str) -> None:
    folded = fold(text)
    for name, group, combined in COMPILED:
        expected = combined.search(text)
        assert _same(group.search(text), expected), name
        assert _same(group.search(text, folded), expected), name
        assert group.matches(text) is (expected is not None), name


LABELLED = [
    [(role, p, re.I) for role, pats in _load()["code_roles"]["roles"].items() for p in pats],
    [
        (p["license"], p["pattern"], 0 if p.get("case_sensitive") else re.I)
        for p in _load()["code_license_phrases"]["phrases"]
    ],
]


@PROPERTY
@given(
    st.lists(
        st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS).map(str.upper), st.sampled_from(ODD)), max_size=20
    ).map(" ".join)
)
def test_labels_matching_equals_searching_each_label(text: str) -> None:
    for rows in LABELLED:
        group = PatternGroup([(p, f) for _, p, f in rows], labels=[label for label, _, _ in rows])
        expected = [
            label
            for label in dict.fromkeys(label for label, _, _ in rows)
            if any(re.search(p, text, f) for lab, p, f in rows if lab == label)
        ]
        assert group.labels_matching(text) == expected


def test_labels_must_match_patterns() -> None:
    with pytest.raises(ValueError):
        PatternGroup(["a", "b"], labels=["only one"])


@pytest.mark.parametrize(
    "text",
    [
        "We trained on Wikipedia and arXiv (1.2 trillion tokens), deduplicated and filtered.",
        "TRAINING DATA: \u0130nternal datasets, not publicly available.",
        "\u017felected by hand; the \u212aelvin set was crawled in 2023.",
        "Code: Apache 2.0; see the MIT License. GPLv3 parts; Mozilla Public License 2.0.",
        "checkpoints are published as branches (revision=step1000)",
        "",
    ],
)
def test_group_search_on_examples(text: str) -> None:
    for name, group, combined in COMPILED:
        assert _same(group.search(text), combined.search(text)), name


def test_earliest_pattern_wins_at_the_same_position() -> None:
    group = PatternGroup([r"ab", r"abc", r"a"])
    m = group.search("xxabc")
    assert m is not None and m.group(0) == "ab"
    assert PatternGroup([r"abc", r"ab"]).search("xxabc").group(0) == "abc"  # type: ignore[union-attr]


def test_required_literals() -> None:
    assert required_literals(r"\btrain(?:ed|ing)?\b", re.I) == {"train"}
    assert required_literals(r"\b(?:wikipedia|common ?crawl)\b", re.I) == {"wikipedia", "common"}
    assert required_literals(r"\bMIT\b", 0) == {"MIT"}
    assert required_literals(r"\bMIT\b", re.I) == {"mit"}
    assert required_literals(r"\d+", 0) is None
    assert required_literals(r"(?:a|\d)", 0) is None  # one branch without a literal: always run
    assert required_literals(r"x(?i:abc)", 0) == {"x"}  # a scoped flag change is not analysed
    assert required_literals(r"(", 0) is None  # invalid patterns are left to re.compile to report


def test_prefix_literals() -> None:
    assert prefix_literals(r"\bstep\d{3,}\b", re.I) == {"step"}
    assert prefix_literals(r"\b(?:wikipedia|common ?crawl)\b", re.I) == {"wikipedia", "common"}
    assert prefix_literals(r"\b(?:pre-?)?train", re.I) is None  # may start with "pre" or "train"
    # The parser factors the common "L" out of the branches ("L(?:inguistic...|DC)"); the prefixes are spelled out.
    assert prefix_literals(r"\bLinguistic Data Consortium\b|\bLDC\d", 0) == {"Linguistic Data Consortium", "LDC"}
    assert prefix_literals(r"\bMPL-?2\b|\bMozilla Public License", re.I) == {"mpl", "mozilla public license"}
    assert prefix_literals(r"ab(?:c|)d", 0) == {"ab"}  # a branch that may be empty adds nothing
    assert prefix_literals(r"x(?:a|b+)", 0) == {"x"}  # nor one without a literal start
    assert prefix_literals(r"\d+ tokens", 0) is None


def test_merged_prefixes_cover_every_prefix() -> None:
    """Each prefix starts with one of the merged ones, so no match start is lost."""
    prefixes = ["selected", "selection", "sampled", "we used", "we collected", "cur", "curated", "ab", "abc", "x"]
    merged = _merge_prefixes(prefixes)
    assert merged == ("ab", "cur", "sampled", "select", "we collected", "we used", "x")
    assert all(any(p.startswith(m) for m in merged) for p in prefixes)


def test_long_texts_allow_more_anchors_before_the_ordinary_search() -> None:
    """Past MAX_ANCHORS false starts in a long text, the result is still the leftmost match."""
    text = "step " * 5000 + "x" * 100_000 + " step1234"
    group = PatternGroup([r"\bstep\d{3,}\b"], re.I)
    m = group.search(text)
    assert m is not None and m.group(0) == "step1234"


@pytest.mark.parametrize("n", [0, 1, MAX_ANCHORS, MAX_ANCHORS + 5])
def test_anchored_search_past_many_false_starts(n: int) -> None:
    """Many occurrences of the prefix that do not match, then one that does: still the leftmost match."""
    text = "Step up. " * n + "steps step1000 STEP2000"
    for pattern in (r"\bstep\d{3,}\b", r"\b(?:step|walk)\d{3,}\b"):
        group = PatternGroup([pattern], re.I)
        expected = re.compile(pattern, re.I).search(text)
        assert _same(group.search(text), expected)


def test_every_rule_pattern_has_a_prefilter() -> None:
    """Not needed for correctness, but a rule without literals is searched on every text: keep it that way."""
    missing = [p for _, pats, flags in GROUPS for p in pats if required_literals(p, flags) is None]
    assert missing == []


def test_fold_covers_every_character_re_matches_to_an_ascii_letter() -> None:
    """Any character that ``re.IGNORECASE`` equates with an ASCII letter folds to that letter."""
    chars = "".join(chr(cp) for cp in range(128, sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)
    for m in re.finditer(r"[a-z]", chars, re.IGNORECASE):
        ch = m.group(0)
        folded = fold(ch)
        assert len(folded) == 1 and re.fullmatch(folded, ch, re.IGNORECASE), (hex(ord(ch)), folded)
