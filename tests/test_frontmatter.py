"""The fast front-matter loader agrees with PyYAML: ``load_simple`` returns None, or exactly what ``_load_selected``
returns (which must then not raise).

Three differential tests: hand-written tricky blocks; generated blocks (hypothesis: ``OPENSCORE_FUZZ_EXAMPLES`` sets
how many, default 200, as in test_fuzz.py, and half as many for YAML written by PyYAML); every front matter of the
shared corpus of real cards (skipped when the corpus is absent). Each block is loaded with the keys openscore reads
and with every key of the block, so that values of every kind are built and compared, not only the few openscore
keeps.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from typing import Any

import pytest
import yaml
from corpus import needs_corpus, records
from hypothesis import given, settings
from hypothesis import strategies as st

from openscore.card import _FRONT_MATTER, _METADATA_KEYS, _load_selected, normalise_text
from openscore.frontmatter import load_simple

FUZZ = settings.get_profile("openscore-fuzz")  # registered in conftest.py
EXAMPLES = FUZZ.max_examples

# ------------------------------------------------------------------------------------------- helpers


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types and key order at every level (``True`` is not ``1``; NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (
            len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
            and all(_same(x, y) for x, y in zip(a.values(), b.values(), strict=True))
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


_KEY_GUESS = re.compile(r"^[ \-]*['\"]?([^:'\"#\n]*?)['\"]? *:", re.MULTILINE)


def _every_key(block: str) -> frozenset[str]:
    """Every root key of the block as PyYAML reads it, and anything on any line that looks like a key."""
    keys = {m.group(1) for m in _KEY_GUESS.finditer(block)}
    try:
        node = yaml.compose(block, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, UnicodeError, RecursionError):
        node = None
    if isinstance(node, yaml.MappingNode):
        keys.update(k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode))
    return frozenset(keys)


def _check(block: str, keys: frozenset[str]) -> dict[str, Any] | None:
    """``load_simple``'s answer, after checking it against ``_load_selected``."""
    got = load_simple(block, keys)
    if got is not None:
        expected = _load_selected(block, keys)  # must not raise when the block was accepted
        assert _same(got, expected), f"{block!r} with keys {sorted(keys)}:\n  fast: {got!r}\n  yaml: {expected!r}"
    return got


def _check_both(block: str) -> dict[str, Any] | None:
    """Check with the keys openscore reads and with every key; the answer for every key."""
    _check(block, _METADATA_KEYS)
    return _check(block, _every_key(block))


# ------------------------------------------------------------------------------------------- hand-written blocks

MODEL_INDEX = """\
license: apache-2.0
tags:
- generated_from_trainer
datasets:
- xtreme
metrics:
- f1
model-index:
- name: xlm-roberta-base-finetuned-panx-it
  results:
  - task:
      name: Token Classification
      type: token-classification
    dataset:
      name: xtreme
      type: xtreme
      args: PAN-X.it
    metrics:
    - name: F1
      type: f1
      value: 0.8124233755619126
      verified: false
  - task:
      type: reinforcement-learning
    metrics:
    - type: mean_reward
      value: 660.00 +/- 141.99
"""

WIDGET = """\
language: en
tags:
- newspapers
license: mit
widget:
- text: "1820 [DATE] We received a letter from [MASK] Majesty."
- text: '[MASK] [DATE] The Franco-Prussian war: a matter of great concern.'
  example_title: "Example #2"
- candidate_labels: ["test1", "test"]
  results: []
"""

#: Blocks in the subset: ``load_simple`` must accept them (and agree with PyYAML).
ACCEPTED = [
    "license: mit",
    "license: mit\n",
    MODEL_INDEX,
    WIDGET,
    "tags:\n  - a\n  - b\nlicense: apache-2.0\n",
    "language:\n- en\n- fr\nlicense: cc-by-4.0\n\n# a comment\n   \n",
    "extra_gated_fields:\n  Name: text\n  I agree to the terms: checkbox\n  Country: country\n  yes: 1\n",
    "extra_gated_fields:\n  Affiliation:\n    type: text\n  Consent:\n    type: checkbox\nextra_gated_prompt: Agree",
    "      tags:\n      - unity-ml-agents\n      - ML-Agents-Huggy\n      library_name: ml-agents",
    "a: yes\nb: No\nc: ON\nd: off\ne: ~\nf: null\ng:\nh: 0x1F\ni: 017\nj: 1_000\nk: 1:30\nl: .inf\nm: -.Inf\n"
    "n: .NaN\no: 2024-01-02\np: 2001-12-14t21:59:43.10-05:00\nq: 1.0e+3\nr: 1e3\ns: 0o17\nt: +12\nu: 0b101\n"
    "v: 3.14\nw: 6.8523015e+5\nx: 190:20:30.15\ny: 2001-12-14 21:59:43.10\nz: 0.\naa: NULL\nab: Off\nac: y\nad: n",
    "a: 'it''s'\nb: \"dq # not a comment\"\nc: '#x'\nd: ''\ne: \"\"\nf: 'yes'\ng: \"1\"\nh: '  padded  '",
    "a: [en, fr]\nb: []\nc: [ ]\nd: ['x', \"y\"]\ne: [a, b,]\nf: [1, 2.5, yes, _x]\ng: [a b, c.d/e+f-g] # c",
    "a: b # comment\nc: d#e\nf: g:h\ni: http://x.y/z?a=b#frag\nj: a  b\nk: trailing   \nl: x [y] {z}, w",
    "'quoted key': 1\n\"dq key\": 2\n'yes': 3\nyes: 4\n1: 5\n~: 6\nlicense: x\n'license': y",
    "dup: 1\nother: x\ndup: [2]",
    "nested:\n  dup: 1\n  dup: 2\n  1: int key\n  1.0: float key\n  true: bool key\n  null: null key\n  '1': str",
    "a:\n- b: 1\n  c:\n  - d\n  - e: f\n    g: h\n- i\n-\n- \nj: k",
    "a:\n-\n  b: 1\n-\n  - x\n  - y\n- z\n",
    "a: -1\nb: --x\nc: x-\nd: a - b\ne: -.5\nf: '-'",
    "a: \u00e9t\u00e9\nb: \u65e5\u672c\nc: \U0001f917\nd: a\u00a0b\ne\u00a0: f\ng: h\u00a0#i",
    "a:\n  # comment inside\n  b: 1\n# comment at column 0\n  c: 2\n",
    "key with spaces  : v\na:b: c\na :b: d\nx: ...\ny: ---\nz: a:b",
    "a:\n  b:\n  - c\n  d: e\nf:\n    g:\n        - h\n    i: j",
    "a:\n-   b: 1\n    c: 2\n-  d: 3\n   e: 4",
    "a: # comment\n  - x\nb: # comment\n- y\nc:   \n  d: e",
    "license: other\nlicense_name: llama3\nlicense_link: LICENSE\nbase_model: meta/x\nbase_model_relation: merge",
    "inference: false\nthumbnail: https://x.y/z.png\nco2_eq_emissions:\n  emissions: 1.5\n  source: x",
    "a: 2024-01-02T10:00:00Z\nb: 2024-1-2\nc: 1900-01-01 00:00:00 +5\nd: 99999999999999999999999\ne: 1e400",
    'a: "tab\\there \\x41\\u00e9\\U0001F917 \\\\ \\" \\/ \\N\\_\\L\\P\\0\\a\\b\\e\\v\\f\\r\\ "\n"k\\x41\\n": v',
    'a: "\\U0010FFFF \\uE000 \\uFFFE \\ufeff \\x85 \\u2028 \\x00"\nb: "yes"\nc: ["x"]',
    "-1: a\n-x: b\n--: c\n-.5: d\n-: e\nf: -g",
]

#: Any blocks: ``load_simple`` may refuse them, but when it accepts one it must agree with PyYAML (which must then
#: not raise). Most are invalid YAML or outside the subset; some are valid and in it.
TRICKY = [
    "", "\n", "   ", "# only a comment", "---", "...", "a: 1\n---\nb: 2", "a: 1\n...\n", "... : x", "...: x",
    "--- a: 1", "- a\n- b", "just a scalar", "a", "a:b", "'a'", "[a]", "{a: 1}", "a: 1\nb", "- a: 1\nb: 2",
    "a: b: c", "a: b:", "a: b :", "a: b : # c", "a: 'x' y", "a: 'x'#c", "a: \"x\"y", "a: \"x\"#c", "a: [x]#c",
    "a: [x] y", "a: [x, [y]]", "a: {b: c}", "a: [a: b]", "a: [,]", "a: [a,,b]", "a: [-, x]", "a: ['it''s']",
    "a: [\"a,b\"]", "a: [a #b]", "a: [x", "a: x]", "a: |\n  text", "a: >-\n  text", "a: |", "a: &x 1\nb: *x",
    "a: !!str 1", "a: !t x", "? a\n: b", "%YAML 1.1\n---\na: 1", "a:\tb", "\ta: b", "a: b\t# c", "a: b\r\nc: d",
    "a: b\x85c: d", "a: b\u2028c", "\ufeffa: b", "a: \ufeffb", "a: \x00", "a: \x7f", "a: \x1b", "a: \ud800",
    "a: \ufffe", "a: b\n  c", "a: b\n  c: d", "a:\n  b\n", "a:\n  b: 1\n c: 2", "a:\n    b: 1\n  c: 2",
    "a:\n  - x\n  b: 1", "a: 1\n- x", "a:\n- b: 1\n c: 2", "a: 'multi\n  line'", "a: \"multi\n  line\"",
    "a: \"esc\\n\"", "a: \"\\x41\"", "a: \"\\\"\"", "'a' : b", "\"a\" : b", "'a':b", "a : b", "a: =", "=: 1",
    "<<: 1", "a:\n  <<: {b: 1}", "a:\n  <<: x", "a:\n  =: x", "a: <<", "a: 2024-02-30", "2024-02-30: x",
    "a:\n  2024-02-30: x", "a: 1" + "0" * 5000, "a: -", "a: - b", "a: - - c", "- - a", "a:\n- - b", "a: ?x",
    "a: :x", "a: ,x", "a: @x", "a: `x`", "a: %x", "a: ]", "a: }", "a: *", "a: &", "a: !", "a: #x\n  b",
    "x" * 300 + ": v", "x" * 1100 + ": v", "'" + "x" * 1100 + "': v", "a: b\n b: c", "a:\n - b\n - c",
    "a:\n  - b\n   - c", "a: 1\n  # comment\nb: 2", "  a: 1\nb: 2", "a: 1\n  b: 2", "on: push\nyes: 1\nNo: 2",
    "-a: b", "a#b: c", "a #b: c", "[a]: b", "{a}: b", "&a a: b", "a: b #c: d", "a: 'b' #c: d", "a:   \n  - x",
    "a:\n- b:\n  - c\n  d: e", "a:\n-   b: 1\n  c: 2", "a:\n-\n- b\n -c", "- \n", "-", "a:\n-", ":", ": a",
    "a:\n  -\n    - b", "a:\n\n\n  b: 1\n\n", "a: 1\n\n  \nb: 2", "a: 'b''", "a: '''", "a: 'x''y'", "key: \"'\"",
    "a: [b, 'c', \"d\"] # e", "a:\n  ? b\n  : c", "a: 1 # c\n# d\n  e: 2", "1: a\n2:\n  - b", "~: a\nnull: b",
    "true: a\nTrue: b", "a: [yes, No, ~, 0x1F, 1:30, .inf, 2024-01-02]", "a: [2024-02-30]", "a: [=]", "a: [<<]",
    "a:\n  - =\n  - <<", "a: !!binary aGk=", "a:\n  b: &x 1\n  c: *x", "\n\na: 1", "a: 1\n\n", " a: 1\n b: 2",
    "a: b\n\tc: d", "a: \"\t\"", "a: '\u00a0'", "\u00a0a: b", "a\u00a0 : b", "a:\u00a0b", "a:\u3000b",
    'a: "\\ud800"', '"\\ud800": x', 'a: "\\U00110000"', 'a: "\\Ud800"', 'a: "\\uDFFF"', 'a: "\\x4"', 'a: "\\xZZ"',
    'a: "\\q"', "a: \"\\'\"", 'a: "x\\"', 'a: "\\\t"', 'a: "\\\n  b"', '"\\x41: 1', "--- : x", "---: x",
    "--- x: y", "- : x", "-- - x: y", "--- # c\na: 1", "... # c\na: 1",
]  # fmt: skip


@pytest.mark.parametrize("block", ACCEPTED)
def test_blocks_in_the_subset_are_accepted_and_agree(block: str) -> None:
    assert load_simple(block, _METADATA_KEYS) is not None
    assert _check_both(block) is not None


@pytest.mark.parametrize("block", TRICKY)
def test_tricky_blocks_are_refused_or_agree(block: str) -> None:
    _check_both(block)


def test_deep_nesting_is_left_to_pyyaml() -> None:
    deep = "".join(f"{'  ' * i}k{i}:\n" for i in range(100)) + "  " * 100 + "v: 1"
    assert _check_both(deep) is None
    shallow = "".join(f"{'  ' * i}k{i}:\n" for i in range(20)) + "  " * 20 + "v: 1"
    assert _check_both(shallow) is not None


def test_root_keys_are_selected_as_pyyaml_selects_them() -> None:
    block = "license: mit\n'tags': [a]\nyes: 1\n'on': 2\n1: 3\nother: 4"
    assert load_simple(block, frozenset({"license", "tags", "yes", "on", "1"})) == {
        "license": "mit",
        "tags": ["a"],
        "on": 2,
    }
    assert load_simple(block, frozenset()) == {}


def test_kept_values_are_typed_by_pyyaml() -> None:
    got = _check_both("a: yes\nb: 0x1F\nc: 1:30\nd: 2024-01-02\ne: .inf\nf: ~\ng: '1'\nh: [1, '1']\ni: 017")
    assert _same(
        got,
        {
            "a": True,
            "b": 31,
            "c": 90,
            "d": dt.date(2024, 1, 2),
            "e": math.inf,
            "f": None,
            "g": "1",
            "h": [1, "1"],
            "i": 15,
        },
    )


def test_results_share_no_mutable_object() -> None:
    block = "tags:\n- a\nextra_gated_fields:\n  Name: text\nlanguage: [en]"
    first, second = load_simple(block, _METADATA_KEYS), load_simple(block, _METADATA_KEYS)
    assert first == second and first is not None and second is not None
    for key in first:
        assert first[key] is not second[key]


# ------------------------------------------------------------------------------------------- generated blocks

GOOD_KEYS = [
    "license", "tags", "datasets", "language", "extra_gated_fields", "name", "type", "value", "model-index", "task",
    "yes", "On", "n", "1", "1.5", "0x1F", "~", "null", "2024-01-02", "a b", "a:b", "key ", "a'b", 'a"b', "a,b", "a]",
    "'quoted'", "'it''s'", "'yes'", '"dq"', '"a: b"', "I agree to the terms", "\u00e9t\u00e9", "x.y", "<<", "=",
]  # fmt: skip
ODD_KEYS = [
    "...", "---", "-x", "?x", "? x", "a#b", "a #b", '"d\\"q"', "'", "&a k", "*a", "!t k", "[k]", "{k}", "x" * 260, "",
    "a: b", "- x", "a\tb", "'a' ", "%k", "@k", "2024-02-30",
]  # fmt: skip
GOOD_VALUES = [
    "mit", "apache-2.0", "yes", "No", "ON", "~", "null", "1e3", "1.0e+3", "0x1F", "0o17", "017", "1_000", "1:30",
    ".inf", "-.INF", ".NaN", "2024-01-02", "2001-12-14t21:59:43.10-05:00", "'single'", "'it''s'", "''", '"double"',
    '""', '"a: b # c"', "[a, b]", "[]", "[a,]", "['x', \"y\"]", "[1, yes, ~]", "a#b", "-1", "a :b", "spaces  ",
    "\u00a0x", "\u00fc", "http://x.y/#z", "a, b", "a ]", "'a' #c", "a - b", "Text, with [brackets] and {braces}",
]  # fmt: skip
ODD_VALUES = [
    "2024-02-30", "=", "<<", "'unterminated", '"esc\\n"', '"unterminated', "[,]", "[a: b]", "{a: b}", "{}", "|",
    ">-", "&anchor x", "*alias", "!tag x", "a: b", "a:", "a :", "- x", "-", "?", "%x", "@x", "`x`", "x\u2028y",
    "'a'#c", "[a] b", "a\tb", "'a' b", "[a, [b]]", "1" * 5000, "\ufeff", "\x00",
]  # fmt: skip
GOOD_COMMENTS = ["", "", "", "", " # c", "  # c: d", " #"]
ODD_COMMENTS = ["# c", "\t# c", " # c\u2028", ":", " :", " x", "'"]
RAW_LINES = ["", "# comment", "  # comment", "---", "...", "  continuation", "- ", "-", "\t", " ", "%YAML 1.1", "? x"]
PIECES = [" ", "  ", "-", "- ", ":", ": ", "#", " #", "'", '"', "[", "]", "{", "&", "*", "!", "|", ">", "\t", "~"]


@st.composite
def yamlish_blocks(draw: st.DrawFn) -> str:
    """Front matter from a grammar: nested mappings and sequences of plausible keys and values, now and then an odd
    key, value or comment, then up to three mutations (a line shifted, cut, spliced, or inserted)."""
    lines: list[str] = []

    def pick(good: list[str], odd: list[str]) -> str:
        return draw(st.sampled_from(odd if draw(st.integers(0, 14)) == 0 else good))

    def mapping(indent: int, depth: int, first: str | None = None) -> None:
        for i in range(draw(st.integers(1, 3))):
            lead = first if first is not None and i == 0 else " " * indent
            key = pick(GOOD_KEYS, ODD_KEYS)
            shape = draw(
                st.sampled_from(["scalar"] * 3 + ["empty", "map", "seq", "indentless"] if depth < 3 else ["scalar"])
            )
            if shape == "scalar":
                lines.append(f"{lead}{key}: {pick(GOOD_VALUES, ODD_VALUES)}{pick(GOOD_COMMENTS, ODD_COMMENTS)}")
                continue
            lines.append(f"{lead}{key}:{pick(GOOD_COMMENTS, ODD_COMMENTS)}")
            step = draw(st.sampled_from([2, 2, 4, 1]))
            if shape == "map":
                mapping(indent + step, depth + 1)
            elif shape == "seq":
                sequence(indent + step, depth + 1)
            elif shape == "indentless":
                sequence(indent, depth + 1)

    def sequence(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            dash = " " * indent + draw(st.sampled_from(["- ", "- ", "-   "]))
            shape = draw(
                st.sampled_from(["scalar", "scalar", "compact", "empty", "nested"] if depth < 3 else ["scalar"])
            )
            if shape == "scalar":
                lines.append(f"{dash}{pick(GOOD_VALUES, ODD_VALUES)}{pick(GOOD_COMMENTS, ODD_COMMENTS)}")
            elif shape == "compact":
                mapping(len(dash), depth + 1, first=dash)
            else:
                lines.append(dash.rstrip(" "))
                if shape == "nested":
                    step = draw(st.sampled_from([2, 2, 4, 1]))
                    (mapping if draw(st.booleans()) else sequence)(indent + step, depth + 1)

    mapping(draw(st.sampled_from([0, 0, 0, 2])), 0)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        mutation = draw(st.integers(0, 4))
        if mutation == 0:
            lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
        elif mutation == 1:
            lines[i] = lines[i][draw(st.integers(1, 2)) :]
        elif mutation == 2:
            lines.insert(i, draw(st.sampled_from(RAW_LINES) | st.text(max_size=6)))
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(PIECES)) + lines[i][at:]
    return "\n".join(lines)


words = st.sampled_from(
    ["mit", "yes", "no", "on", "~", "null", "1", "1.5", "0x1F", "1:30", ".inf", "2024-01-02", "", " x ", "a: b",
     "a #b", "#x", "- x", "it's", 'say "hi"', "[x]", "{x}", "&x", "*x", "!x", "|", ">", "%", "@", "`", "=", "<<",
     "é", "x\ny", "tab\tx", "long " * 30]
)  # fmt: skip
names = st.text(string.ascii_letters + string.digits + "_ .-", min_size=1, max_size=10)
printable = st.text(st.characters(min_codepoint=32, max_codepoint=0x17F, exclude_characters="\x7f"), max_size=20)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    printable,
    names,
    words,
    st.text(max_size=10),
)
data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=4),
        st.dictionaries(
            st.one_of(names, words, printable, st.integers(), st.booleans()), children, min_size=1, max_size=4
        ),
    ),
    max_leaves=6,
)
root_keys = st.one_of(st.sampled_from(sorted(_METADATA_KEYS)), names, words)


@st.composite
def dumped_blocks(draw: st.DrawFn) -> str:
    """Real YAML, as PyYAML writes it in block style: valid, often in the subset, with values of every type."""
    mapping = draw(st.dictionaries(root_keys, data, min_size=1, max_size=4))
    return yaml.safe_dump(
        mapping,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, False, False, None])),
        sort_keys=False,
        indent=draw(st.sampled_from([2, 2, 4])),
        width=draw(st.sampled_from([80, 10**6])),
    )


@FUZZ
@given(yamlish_blocks())
def test_generated_yamlish_blocks_are_refused_or_agree(block: str) -> None:
    _check_both(block)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))  # slower to draw; half of them are in the subset
@given(dumped_blocks())
def test_generated_valid_yaml_is_refused_or_agrees(block: str) -> None:
    _check_both(block)


# ------------------------------------------------------------------------------------------- the corpus


def _corpus_blocks() -> list[str]:
    blocks = []
    for record in records():
        text = normalise_text(record["readme"])
        if text.lstrip().startswith("---"):
            m = _FRONT_MATTER.match(text)
            if m is not None:
                blocks.append(m.group(2))
    return blocks


@needs_corpus
def test_corpus_front_matter_is_refused_or_agrees() -> None:
    blocks = _corpus_blocks()
    assert len(blocks) > 10_000
    in_subset: dict[str, bool] = {}
    for block in dict.fromkeys(blocks):  # a third of the cards repeat another's front matter: check it once
        every = _METADATA_KEYS | {m.group(1) for m in _KEY_GUESS.finditer(block)}  # every key (from lines: fast)
        fast, fast_every = load_simple(block, _METADATA_KEYS), load_simple(block, every)
        in_subset[block] = fast is not None
        if fast_every is not None:
            expected = _load_selected(block, every)
            assert _same(fast_every, expected), block
            if fast is not None:  # _load_selected(block, _METADATA_KEYS), without loading the block again
                assert _same(fast, {k: v for k, v in expected.items() if k in _METADATA_KEYS}), block
        elif fast is not None:
            _check(block, _METADATA_KEYS)
    accepted = sum(in_subset[block] for block in blocks)
    assert accepted / len(blocks) > 0.97, f"only {accepted} of {len(blocks)} blocks are in the subset"
