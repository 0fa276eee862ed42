"""Front-matter parsing, decoding and Markdown indexing on messy input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openscore import card
from openscore.card import (
    MAX_CARD_BYTES,
    decode_card,
    load_yaml_mapping,
    metadata_from_mapping,
    parse_card,
    split_front_matter,
)


def test_front_matter_basic_and_line_numbers() -> None:
    card = parse_card("---\nlicense: mit\ndatasets:\n- a/b\n---\n# Title\n\n## Training Data\ntext\n")
    assert card.metadata.license == ["mit"]
    assert card.metadata.datasets == ["a/b"]
    assert card.metadata_keys == {"license": 2, "datasets": 3}
    assert card.front_matter_end == 5
    assert [(s.heading, s.level, s.start_line, s.end_line) for s in card.sections] == [
        ("Title", 1, 6, 10),
        ("Training Data", 2, 8, 10),
    ]


def test_bom_crlf_and_lone_cr() -> None:
    card = parse_card("\ufeff---\r\nlicense: apache-2.0\r\n---\r\n# A\rline\r\n")
    assert card.metadata.license == ["apache-2.0"]
    assert card.sections[0].heading == "A"
    assert card.problems == []


def test_real_world_mess_is_coerced() -> None:
    meta = metadata_from_mapping(
        {
            "license": ["apache-2.0", {"nested": 1}, 3.0],
            "license_name": ["first", "second"],
            "datasets": "single/dataset",
            "base_model": 1.5,
            "language": None,
            1: "non-string key",
            "extra_gated_fields": {"Name": "text", "I agree": {"type": "checkbox"}, 2: "x"},
        }
    )
    assert meta.license == ["apache-2.0", "3.0"]
    assert meta.license_name == "first"
    assert meta.datasets == ["single/dataset"]
    assert meta.base_model == ["1.5"]
    assert meta.language == []
    assert meta.extra_gated_fields == {"Name": "text", "I agree": "checkbox", "2": "x"}


def test_dates_and_duplicate_keys() -> None:
    card = parse_card("---\nlicense: mit\nlicense: apache-2.0\nreleased: 2024-01-02\nlicense_name: 2024-01-02\n---\n")
    assert card.metadata.license == ["apache-2.0"]  # YAML: the last duplicate wins, as on the Hub
    assert card.metadata.license_name == "2024-01-02"


def test_broken_yaml_is_a_problem_not_an_exception() -> None:
    card = parse_card("---\nlicense: [mit\n\tdatasets: x\n---\n# Body\n")
    assert card.problems and "not valid YAML" in card.problems[0]
    assert card.metadata.license == []
    assert card.sections[0].heading == "Body"


def test_non_mapping_and_unterminated_front_matter() -> None:
    assert "not a mapping" in parse_card("---\n- a\n- b\n---\n").problems[0]
    assert "not terminated" in parse_card("---\nlicense: mit\n# no end\n").problems[0]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(lines) + "\nlicense: mit\n---\n"
    card = parse_card(text)  # refused before expansion (test_hostile_input checks the memory it takes)
    assert any("alias" in p for p in card.problems)


def test_headings_in_code_fences_are_ignored_and_setext_html_bold_found() -> None:
    text = "Intro\n=====\n```\n# not a heading\n```\n<h2>Data</h2>\n**Training data**\nbody\nSub\n---\n"
    card = parse_card(text)
    assert [(s.heading, s.level) for s in card.sections] == [
        ("Intro", 1),
        ("Data", 2),
        ("Training data", 6),
        ("Sub", 2),
    ]


def test_links() -> None:
    card = parse_card(
        "See [code](https://github.com/a/b) and https://huggingface.co/datasets/x/y.\n<a href='https://x.org/z'>z</a>"
    )
    assert [(link.url, link.text, link.line) for link in card.links] == [
        ("https://github.com/a/b", "code", 1),
        ("https://huggingface.co/datasets/x/y", "", 1),
        ("https://x.org/z", "", 2),
    ]


def test_decode_binary_non_utf8_nul_and_huge() -> None:
    text, problems = decode_card(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    assert text is None and "binary" in problems[0]
    text, problems = decode_card("caf\u00e9".encode("latin-1"))
    assert text == "caf\ufffd" and "UTF-8" in problems[0]
    text, problems = decode_card(b"# ok\x00 here")
    assert text is not None
    assert "\x00" not in parse_card(text).text
    big = b"# big\n" + b"x" * (MAX_CARD_BYTES + 10)
    text, problems = decode_card(big)
    assert text is not None and len(text) == MAX_CARD_BYTES and "only the first" in problems[0]


def test_empty_card() -> None:
    card = parse_card("")
    assert card.sections == [] and card.links == [] and card.problems == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nlicense: mit\n---\nbody", ("---\n", "license: mit")),
        ("---\n---\n", None),  # as on the Hub: an empty block needs a blank line
        ("---\n\n---\n", ("---\n", "")),
        ("---\na\n--- \t\nb", ("---\n", "a")),
        ("---\na\n---x\n---\n", ("---\n", "a\n---x")),
        ("  \n\t---\na: 1\n---\n", ("  \n\t---\n", "a: 1")),
        ("\u00a0\u2028---\na\n---", ("\u00a0\u2028---\n", "a")),
        ("---x\na\n---\n", None),
        ("---\nnever closed\n", None),
        ("", None),
    ],
)
def test_split_front_matter_as_the_hub_does(text: str, expected: tuple[str, str] | None) -> None:
    assert split_front_matter(text) == expected


def test_selected_keys_are_loaded_and_typed_by_pyyaml() -> None:
    block = "license: mit\n'tags': [a]\nyes: 1\n'on': 2\n1: 3\nother: 4\nmodel-index: [{name: x}]"
    assert load_yaml_mapping(block, frozenset({"license", "tags", "yes", "on", "1"})) == (
        {"license": "mit", "tags": ["a"], "on": 2},
        None,
    )
    typed, problem = load_yaml_mapping("a: yes\nb: 0x1F\nc: 1:30\nd: 2024-01-02\nf: ~\ng: '1'\nh: [1, '1']\ni: 017")
    assert problem is None
    assert typed == {"a": True, "b": 31, "c": 90, "d": dt.date(2024, 1, 2), "f": None, "g": "1", "h": [1, "1"], "i": 15}


def test_deep_nesting_is_refused() -> None:
    deep = "license:\n" + "".join(f"{'  ' * (i + 1)}- k{i}:\n" for i in range(100)) + "  " * 102 + "v: 1"
    mapping, problem = load_yaml_mapping(deep, frozenset({"license"}))
    assert mapping is None and problem and "deeper" in problem
    assert "deeper" in (load_yaml_mapping("license: " + "[" * 200 + "]" * 200)[1] or "")
    shallow = "license:\n" + "".join(f"{'  ' * (i + 1)}- k{i}:\n" for i in range(10)) + "  " * 12 + "v: 1"
    assert load_yaml_mapping(shallow, frozenset({"license"}))[1] is None


def test_stars_that_are_not_aliases_are_not_counted() -> None:
    block = "extra_gated_prompt: '" + " *bold* " * 200 + "'\nlicense: mit"
    assert load_yaml_mapping(block, frozenset({"license"})) == ({"license": "mit"}, None)


def test_blanks_are_exactly_backslash_s_without_newline() -> None:
    """card._BLANKS spells out "\\s" without "\\n"; it must stay exactly that on this Python's Unicode."""
    everything = "".join(map(chr, range(0x110000)))
    assert re.findall(card._BLANK, everything) == [c for c in re.findall(r"\s", everything) if c != "\n"]
    assert re.findall("[" + card._S + "]", everything) == re.findall(r"\s", everything)


_LINK_PIECES = ["[", "]", "(", ")", "](", "a", " ", "\t", "<", ">", '"', "'", "[a](b)", "![i](p)", "http://x"]


@given(
    st.lists(st.sampled_from(_LINK_PIECES), max_size=40).map("".join),
    st.integers(min_value=0, max_value=310),
)
def test_markdown_links_equal_the_link_pattern(line: str, brackets: int) -> None:
    """The linear link scan finds exactly what the Markdown link pattern's findall finds, around the 300-character
    bound on link text too."""
    for text in (line, "[" * brackets + line, line + "[" * brackets + "](u)"):
        assert card._markdown_links(text) == card._MD_LINK.findall(text)
