"""Shortcuts taken for speed give exactly what the plain code gives.

Each shortcut is checked against the plain code it replaced (kept here as the reference): hand-written edge
cases, generated input (hypothesis; the example count comes from ``OPENSCORE_FUZZ_EXAMPLES`` as in
``test_fuzz.py``) and, where the corpus is present, every card of it.
"""

from __future__ import annotations

import re

import pytest
from corpus import needs_corpus, records
from hypothesis import given, settings
from hypothesis import strategies as st

from openscore.card import (
    EMPTY_METADATA,
    MAX_CARD_BYTES,
    decode_card,
    decode_card_text,
    normalise_text,
    parse_card,
    split_front_matter,
)
from openscore.findings import LicenseRef, quote
from openscore.licenses import classify
from openscore.patterns import fold

FUZZ = settings.get_profile("openscore-fuzz")  # registered in conftest.py

# ------------------------------------------------------------------------------------------- references


def _quote(text: str, limit: int = 200) -> str:
    """The plain ``quote``: collapse all of the text, then cut it."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_OLD_TOP_KEYS = re.compile(r"^([A-Za-z_][\w.-]*)[ \t]*:", re.MULTILINE)


def _metadata_keys(text: str) -> dict[str, int]:
    """The plain line numbers of the top-level front-matter keys (a MULTILINE ``^`` search of the block)."""
    found = split_front_matter(normalise_text(text))
    if found is None:
        return {}
    opening, block = found
    keys: dict[str, int] = {}
    line, pos = opening.count("\n") + 1, 0
    for km in _OLD_TOP_KEYS.finditer(block):
        if km.group(1) not in keys:
            line += block.count("\n", pos, km.start())
            pos = km.start()
            keys[km.group(1)] = line
    return keys


def _check_card(text: str) -> None:
    parsed = parse_card(text)
    assert parsed.body == "\n".join(parsed.lines[parsed.front_matter_end :])
    if parsed.has_front_matter:
        assert parsed.metadata_keys == _metadata_keys(text)


# ------------------------------------------------------------------------------------------- decoding

EDGE_TEXTS = [
    "",
    "# plain ASCII\n",
    "\ufeff# a BOM\n",
    "\ufeff\ufeff# two BOMs\n",
    "caf\u00e9 \U0001f600",
    "lone surrogate \ud800 here",
    "nul\x00bytes" * 3,
    "\x00" * 50,
    "\x01\x02\x03\x04 control " * 20,
    "x" * 200 + "\x00" * 3,
    "a\r\nb\rc",
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_decode_card_text_equals_the_round_trip(text: str) -> None:
    assert decode_card_text(text) == decode_card(text.encode("utf-8", errors="replace"))


@pytest.mark.parametrize("size", [MAX_CARD_BYTES - 1, MAX_CARD_BYTES, MAX_CARD_BYTES + 1])
@pytest.mark.parametrize("char", ["a", "\u00e9"])
def test_decode_card_text_at_the_size_cap(size: int, char: str) -> None:
    text = char * (size // len(char.encode()))
    assert decode_card_text(text) == decode_card(text.encode("utf-8", errors="replace"))


@FUZZ
@given(st.one_of(st.text(max_size=400), st.text(alphabet="\x00\x01\x07\x1b\t\n\r a\u00e9\ufeff", max_size=400)))
def test_decode_card_text_equals_the_round_trip_generated(text: str) -> None:
    assert decode_card_text(text, max_bytes=300) == decode_card(text.encode("utf-8", errors="replace"), max_bytes=300)


@FUZZ
@given(st.binary(max_size=64), st.binary(max_size=64))
def test_decode_card_reads_utf8_sig(prefix: bytes, rest: bytes) -> None:
    """The BOM-stripping decode equals Python's "utf-8-sig" codec, errors included."""
    for data in (prefix + rest, b"\xef\xbb\xbf" + rest, b"\xef\xbb" + rest):
        text, problems = decode_card(data)
        if text is None:
            continue
        try:
            expected = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            assert any("not valid UTF-8" in p for p in problems)
        else:
            assert text == expected and not any("not valid UTF-8" in p for p in problems)


# ------------------------------------------------------------------------------------------- parsing


CARDS = [
    "",
    "no front matter\n# Title\n",
    "---\nlicense: mit\n---\n# Title\nbody\n",
    "---\nlicense: mit\n---",
    "---\nlicense: mit\n---   \n",
    "\n\n---\na: 1\nb:\n  - x\nc : 2\n_d.e-f: 3\na: 4\n---\nbody",
    "---\n  indented: key\nkey2: v\n---\n",
    "---\nnot terminated\n",
    "---\n---\n# empty block\n",
]


@pytest.mark.parametrize("text", CARDS)
def test_body_and_key_lines(text: str) -> None:
    _check_card(text)


@FUZZ
@given(st.lists(st.sampled_from(["---", "\n", "a: 1", " b: 2", "c:", "-", " ", "\t", "x", "#"]), max_size=30))
def test_body_and_key_lines_generated(parts: list[str]) -> None:
    _check_card("".join(parts))


def test_cards_without_front_matter_share_the_empty_metadata() -> None:
    assert parse_card("# no front matter").metadata is EMPTY_METADATA
    assert EMPTY_METADATA.model_config.get("frozen") is True


@needs_corpus
def test_every_corpus_card_body_and_key_lines() -> None:
    count = 0
    for record in records():
        _check_card(record["readme"])
        assert decode_card_text(record["readme"]) == decode_card(record["readme"].encode("utf-8", errors="replace"))
        count += 1
    assert count > 10_000


# ------------------------------------------------------------------------------------------- findings


@pytest.mark.parametrize(
    "text",
    ["", "short", " a  b ", "word " * 200, "x" * 900, " " * 900 + "tail", "y" * 799 + " z", "\n\t" * 500 + "w"],
)
@pytest.mark.parametrize("limit", [1, 5, 120, 200])
def test_quote_equals_collapsing_everything(text: str, limit: int) -> None:
    assert quote(text, limit) == _quote(text, limit)


@FUZZ
@given(st.text(alphabet=" \n\tab\u00a0\u2028", max_size=3000), st.integers(min_value=1, max_value=250))
def test_quote_equals_collapsing_everything_generated(text: str, limit: int) -> None:
    assert quote(text, limit) == _quote(text, limit)


def test_license_refs_are_shared_and_equal_to_new_ones() -> None:
    info = classify("apache-2.0")
    first = LicenseRef.from_info(info)
    assert LicenseRef.from_info(classify("apache-2.0")) is first
    assert first == LicenseRef(
        key=info.key,
        name=info.name,
        spdx=info.spdx,
        policy=info.policy,
        osi_approved=info.osi_approved,
        reason=info.reason,
    )


# ------------------------------------------------------------------------------------------- folding


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["train", "data", "gpl", "step", "k", "is"]))
def test_fold_keeps_positions_and_finds_every_case_insensitive_literal(text: str, literal: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    for m in re.finditer(re.escape(literal), text, re.IGNORECASE):
        assert folded[m.start() : m.end()] == literal
    if text.isascii():
        assert folded == text.lower()
