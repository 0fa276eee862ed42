"""The Markdown indexing of :mod:`openscore.card` (headings, sections, links) gives exactly what the old code gave.

``_headings``, ``_sections`` and ``_links`` used to walk every line of the card in Python; they now search the
whole body with regexes and only look at the lines found. The old implementation is copied below, unchanged, as
the reference, and every check compares the two: hand-written tricky cards, generated cards (hypothesis; the example
count comes from ``OPENSCORE_FUZZ_EXAMPLES`` as in ``test_fuzz.py``) and every card of the shared corpus (skipped
when the corpus is absent). A last group checks that hostile text stays fast.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from corpus import needs_corpus, records
from hypothesis import given, settings
from hypothesis import strategies as st

from openscore import card
from openscore.card import Link, Section, normalise_text, parse_card

FUZZ = settings.get_profile("openscore-fuzz")  # registered in conftest.py
EXAMPLES = FUZZ.max_examples

# ------------------------------------------------------------------------------------------- reference
# The reference: the line-by-line implementation from src/openscore/card.py as it was before the whole-text
# rewrite (commit d475f6d), copied verbatim. Do not "fix" it: it defines the behaviour to keep.

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])[^>]*>(.*?)</h\1>\s*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{2,80}?)(?:\*\*|__)\s*:?\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TAG = re.compile(r"<[^>]{0,200}>")
_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\(\s*<?([^)\s>\[]{1,2000})>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]\"'`]{1,2000}")
_HREF = re.compile(r"href\s*=\s*[\"']([^\"'\s]{1,2000})[\"']", re.IGNORECASE)


_MARKUP_CHARS = frozenset("<*_`[")


def _clean_heading(raw: str) -> str:
    if not _MARKUP_CHARS.intersection(raw):
        return " ".join(raw.split())[:200]
    text = _TAG.sub("", raw)
    text = re.sub(r"[*_`]+", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(text.split())[:200]


def _headings(lines: list[str], first: int) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_number, level, heading)`` for Markdown headings from line index ``first`` on.

    Handles ATX (``## Title``), setext (underlined) and one-line HTML headings; a line that is only bold text is a
    pseudo-heading of level 6. Fenced code blocks are skipped.
    """
    fence: str | None = None
    previous_plain = False
    for index in range(first, len(lines)):
        line = lines[index]
        fm = _FENCE.match(line) if ("`" in line[:6] or "~" in line[:6]) else None
        if fence is not None:
            if fm and fm.group(1)[0] == fence[0] and len(fm.group(1)) >= len(fence):
                fence = None
            previous_plain = False
            continue
        if fm:
            fence = fm.group(1)
            previous_plain = False
            continue
        stripped = line.strip()
        if not stripped:
            previous_plain = False
            continue
        if stripped[0] == "#":
            m = _ATX.match(line)
            if m:
                heading = _clean_heading(m.group(2) or "")
                if heading:
                    yield index + 1, len(m.group(1)), heading
                previous_plain = False
                continue
        if previous_plain and stripped[0] in "=-":
            m = _SETEXT.match(line)
            if m:
                heading = _clean_heading(lines[index - 1])
                if heading:
                    yield index, 1 if m.group(1)[0] == "=" else 2, heading
                previous_plain = False
                continue
        if stripped[0] == "<":
            m = _HTML_HEADING.match(line)
            if m:
                heading = _clean_heading(m.group(2))
                if heading:
                    yield index + 1, int(m.group(1)), heading
                previous_plain = False
                continue
        if stripped[0] in "*_":
            m = _BOLD_LINE.match(line)
            if m:
                yield index + 1, 6, _clean_heading(m.group(1))
                previous_plain = False
                continue
        previous_plain = stripped[0] not in "|>" and not stripped.startswith(("- ", "* ", "+ "))


def _sections(lines: list[str], first: int) -> list[Section]:
    """Sections in heading order; each ends before the next heading of the same or a higher level (one pass)."""
    found = list(_headings(lines, first))
    ends = [len(lines)] * len(found)
    open_: list[int] = []  # indexes of headings whose section is still open, levels increasing
    for i, (line_no, level, _) in enumerate(found):
        while open_ and found[open_[-1]][1] >= level:
            ends[open_.pop()] = line_no - 1
        open_.append(i)
    return [
        Section(heading=heading, level=level, start_line=line_no, end_line=max(end, line_no))
        for (line_no, level, heading), end in zip(found, ends, strict=True)
    ]


def _links(lines: list[str], first: int) -> list[Link]:
    links: list[Link] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if "http" not in line and "](" not in line:
            continue
        seen: set[str] = set()
        for m in _MD_LINK.finditer(line):
            url = m.group(2)
            seen.add(url)
            links.append(Link(url=url, text=_clean_heading(m.group(1)), line=index + 1))
        for m in _HREF.finditer(line):
            url = m.group(1)
            if url not in seen:
                seen.add(url)
                links.append(Link(url=url, text="", line=index + 1))
        for m in _BARE_URL.finditer(line):
            url = m.group(0).rstrip(".,;:!?*_")
            if url not in seen:
                seen.add(url)
                links.append(Link(url=url, text="", line=index + 1))
    return links


# ------------------------------------------------------------------------------------------- helpers


def assert_same(lines: list[str], first: int) -> None:
    assert list(card._headings(lines, first)) == list(_headings(lines, first))
    assert card._sections(lines, first) == _sections(lines, first)
    assert card._links(lines, first) == _links(lines, first)


def assert_same_text(text: str) -> None:
    """The card as parse_card splits it, read from every line on (front matter or not)."""
    lines = normalise_text(text).split("\n")
    for first in range(len(lines) + 1):
        assert_same(lines, first)


# ------------------------------------------------------------------------------------------- hand-written cases

FENCES = {
    "backticks": "# A\n```\n# not a heading\nTitle\n===\n```\n# B",
    "tildes": "~~~\n# no\n**no**\n~~~\n# yes",
    "longer opener needs as long a closer": "````\n```\n# no\n````\n# yes",
    "longer closer closes": "```\n# no\n``````\n# yes",
    "other char does not close": "```\n# no\n~~~\n# still no\n```\n# yes",
    "tilde run": "~~~~\n~~~\n# no\n~~~~~\n# yes",
    "unterminated": "# A\n```python\n# no\n## no\nx\n===",
    "closer with info string still closes": "```\ncode\n```python\n# yes",
    "indented fences": "   ```\n# no\n   ```\n# yes\n    ```\n# four spaces is not a fence",
    "tab is not a fence indent": "\t```\n# yes",
    "two backticks": "``\n# yes\n``",
    "fence right after front matter": "---\nlicense: mit\n---\n```\n# no\n```\n## yes",
    "setext right after closer": "```\ncode\n```\n---\n===",
    "html and bold in fence": "```\n<h1>x</h1>\n**b**\n```\n<h2>y</h2>\n__c__",
    "backticks in text": "a ``` b\n# yes\n `` `\n# yes",
}
SETEXT = {
    "equals and dashes": "Title\n===\n\nOther\n---",
    "trailing blanks": "Title\n   ---   \nT2\n=\t",
    "four spaces is not an underline": "Title\n    ---",
    "spaced dashes": "Title\n- - -",
    "after list items": "- item\n---\n* item\n===\n+ item\n---\n-item\n---",
    "list marker alone": "- \n---\n-\n---\n* \n===",
    "after table": "| a | b |\n|---|---|\n| a |\n---",
    "after quote": "> quote\n===\n>\n---",
    "after headings": "# ATX\n---\n<h1>x</h1>\n---\n**bold**\n---\n__b__\n===",
    "after blank": "\n---\n\n===",
    "alternating": "---\n---\n---\n---\n===\n===",
    "stacked": "a\n=\n=\n=\nb\n-\n-",
    "first line": "===\nx\n---",
    "not an underline": "Title\n=== x\nTitle\n--a\nT\n-=-",
    "tab indent": "Title\n\t===\nT\n \t---",
    "hash lines": "#foo\n---\n####### seven\n===\n#\n---",
    "indented code": "    code\n---",
    "empty heading text": "**\n---\n<b></b>\n===\n`` ``\n---",
    "unicode blanks": "\u00a0Title\n---\n\u2028\n===\nx\x0c\n---",
    "link text": "[link](http://x) and *more*\n===",
    "after closing fence and blank": "```\n```\n\nTitle\n---",
    "after html that is not a heading": "<div>\n---\n<h1>a</h2>\n===",
    "after bold that is not a heading": "**a** b\n---\n**x\n===",
}
ATX = {
    "bare hashes": "#\n# \n#\t\n##\n######\n#######",
    "seven hashes": "####### x\n####### \n#######",
    "no space": "#foo\n##bar",
    "closing hashes": "# foo #\n# foo#\n# foo ##  \n# foo # bar\n# C#\n## #\n# ###\n# \\#\n#\tfoo\t#\t",
    "indents": " # one\n  # two\n   # three\n    # four\n\t# tab\n\u00a0# nbsp",
    "markup": "# **bold** `code` _em_\n# [link](http://x) text\n# <b>tag</b> <br/>\n# [a]b](c)\n# [[[[\n# [x[a](b)",
    "long": "# " + "x " * 150 + "\n# " + "<" * 300 + "\n# " + "[" * 300 + "](" + ")" * 5,
    "levels": "# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6\n## 2b\n# 1b",
    "whitespace inside": "# a\u00a0\u00a0b\n#  a\tb  ",
    "emphasis only": "# **\n# __\n# ``",
}
HTML = {
    "plain": "<h1>Title</h1>\n<H2 class='x'>T</h2>\n  <h3>a</h3>  \n\t<h4>x</h4>",
    "not headings": "<h1>a</h2>\n<h7>x</h7>\n<h1>a</h1> trailing\n<h1>a\n<hr>",
    "empty": "<h1></h1>\n<h2><b></b></h2>\n<h3> </h3>",
    "case": "<h1>x</H1>\n<H5>y</h5>",
    "nested": "<h1><a href='http://x'>x</a></h1>\n<h2>a<h2>b</h2>",
}
BOLD = {
    "plain": "**Bold**\n__Bold__\n**Bold**:\n**Bold** :\n  **Bold**  ",
    "lengths": "**a**\n**ab**\n**" + "x" * 80 + "**\n**" + "x" * 81 + "**",
    "not bold lines": "**a*b**\n**Bold** text\n*em*\n__init__\n**__x__**\n** x **\n***x***",
    "mixed markers": "**x__\n__x**",
    "empty text is still a heading": "**<b></b>**\n**   **\n__<i>x</i>__",
}
LINKS = {
    "markdown": "[a](http://x)\n[a](http://x \"title\")\n[a](http://x 'title')\n[a](<http://x>)\n[a]( http://x )",
    "markdown odd": "[](http://x)\n[a](x)\n[a](./LICENSE)\n[![img](http://i.png)](http://l)\n[a] (http://x)",
    "href": '<a href="http://x">a</a>\n<a HREF = \'http://y\'>\nhref=""',
    "href needs http or ]( on its line": '<a href="./LICENSE">x</a>\n<a href="./L">x</a> http\n[a](b) <a href=\'c\'>',
    "uppercase": "HTTP://X\n<a href='HTTP://X'>\n<A HREF='x'>[a](b)",
    "bare": "see http://x.\nsee https://x/a_(b)\nxhttp://x\n_http://x\n(http://x)\nhttp://x*bold*\n`http://x`",
    "same url on a line": "http://x, http://x\nhttp://x http://x\n[a](http://x) http://x\n[a](http://x)[b](http://x)",
    "same url on lines": "http://x\nhttp://x\n[a](http://x)\nhttp://x",
    "trailing punctuation differs": "[a](http://x.) http://x.\n<a href='http://y.'>http://y.</a>",
    "order on a line": "http://c <a href='http://b'>[a](http://a)</a> http://b [d](http://d)",
    "long urls": "http://" + "a" * 2500 + "\n[a](http://" + "b" * 2100 + ")",
    "no scheme": "https://\nhttp:/x\nhttps:x",
    "inside front matter": "---\nlicense_link: http://x\n---\nhttp://y",
    "link text markup": "[**b** `c` <i>d</i>](http://x)\n[a_b](http://x)",
    "brackets": "[a](b)\n[[[[](c)\n]()](\n[a](b](c)",
}
MISC = {
    "empty": "",
    "newlines": "\n\n\n",
    "front matter only": "---\nlicense: mit\n---",
    "unterminated front matter": "---\nlicense: mit\n# Title\n---x",
    "crlf and cr": "---\r\nlicense: mit\r\n---\r\n# A\rTitle\r\n===\r\nhttp://x\r",
    "nul": "# A\x00B\n[a\x00](http://x)",
    "bom": "\ufeff# A\nhttp://x",
}
CASES = {f"{group}: {name}": text for group, cases in [
    ("fences", FENCES), ("setext", SETEXT), ("atx", ATX), ("html", HTML), ("bold", BOLD), ("links", LINKS),
    ("misc", MISC),
] for name, text in cases.items()}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_hand_written_cases(name: str) -> None:
    assert_same_text(CASES[name])


def test_hand_written_cases_find_something() -> None:
    """The cases are not vacuous: most of them yield headings or links."""
    found = 0
    for text in CASES.values():
        lines = normalise_text(text).split("\n")
        found += bool(_sections(lines, 0) or _links(lines, 0))
    assert found > 0.7 * len(CASES)


def test_all_cases_as_one_card() -> None:
    assert_same_text("\n".join(CASES.values()))


def test_blanks_are_exactly_backslash_s_without_newline() -> None:
    """card._BLANKS spells out "\\s" (for speed); it must stay exactly "\\s" minus "\\n" on this Python's Unicode."""
    everything = "".join(map(chr, range(0x110000)))
    assert re.findall(card._BLANK, everything) == [c for c in re.findall(r"\s", everything) if c != "\n"]
    assert re.findall("[" + card._S + "]", everything) == re.findall(r"\s", everything)


CLEAN = [
    "", " ", "plain", "  a \t b  ", "**b** _e_ `c`", "<b>x</b>", "<" + "a" * 201 + ">", "<" + "*" * 200 + "x>",
    "[a](b)", "[a](b", "[a]b(c)", "[x[a](b)", "[a](b)[c](d)", "[[[", "]]((", "[a](b))", "[a]()", "[](b)",
    "x" * 250, "a\u00a0b\u2028c", "[a](<b>)", "<[a](b)>", "[*a*](_b_)",
]  # fmt: skip


@pytest.mark.parametrize("raw", CLEAN)
def test_clean_heading(raw: str) -> None:
    assert card._clean_heading(raw) == _clean_heading(raw)


# ------------------------------------------------------------------------------------------- generated cards


ALPHABET = "ab #=-*_`~<>[]()|!:.,;?/\"'\t \u00a0\u2028\x0c\rhH1"
INDENTS = ["", "", "", " ", "  ", "   ", "    ", "\t", "\u00a0", " \t"]
KINDS = [
    "#", "##", "######", "#######", "# ", "## ", "#\t", "```", "````", "~~~", "~~~~", "``", "===", "---", "=", "-",
    "- ", "* ", "+ ", "| ", "> ", "**", "__", "<h1>", "<H2>", "</h1>", "</h2>", "<h7>", "<a href=\"", "href='",
    "HREF = \"", "[", "](", ")", "](http://x)", "[t](", "http://", "https://x.org/a_(b)", "http://x.", "<", ">",
    "\"t\"", "'t'", "_", "*", "`", "](<http://y> \"z\")",
]  # fmt: skip
piece = st.one_of(st.sampled_from(KINDS), st.text(alphabet=ALPHABET, max_size=6), st.sampled_from(["x", "Title"]))
line = st.builds(lambda indent, parts: indent + "".join(parts), st.sampled_from(INDENTS), st.lists(piece, max_size=5))
cards = st.lists(line, max_size=40)


@FUZZ
@given(lines=cards, data=st.data())
def test_generated_cards(lines: list[str], data: st.DataObject) -> None:
    assert_same(lines, 0)
    assert_same(lines, data.draw(st.integers(0, len(lines)), label="first"))


@FUZZ
@given(st.text(alphabet=ALPHABET + "\n", max_size=200))
def test_generated_text(text: str) -> None:
    lines = text.split("\n")
    for first in (0, 1, len(lines) // 2):
        assert_same(lines, first)


@FUZZ
@given(st.text(alphabet="[]()<>*_`ab #\t", max_size=60))
def test_generated_clean_heading(raw: str) -> None:
    assert card._clean_heading(raw) == _clean_heading(raw)
    assert card._strip_inline_links(raw) == re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)


# ------------------------------------------------------------------------------------------- the shared corpus


@needs_corpus
def test_every_corpus_card() -> None:
    count = 0
    for record in records():
        readme = record["readme"]
        lines = normalise_text(readme).split("\n")
        parsed = parse_card(readme)  # the new code, from the end of the front matter on
        assert parsed.sections == _sections(lines, parsed.front_matter_end), count
        assert parsed.links == _links(lines, parsed.front_matter_end), count
        if parsed.front_matter_end:  # and the whole card, front matter read as Markdown
            assert card._sections(lines, 0) == _sections(lines, 0), count
            assert card._links(lines, 0) == _links(lines, 0), count
        count += 1
    assert count > 10_000


# ------------------------------------------------------------------------------------------- hostile text


def _seconds(lines: list[str]) -> float:
    started = time.perf_counter()
    card._sections(lines, 0)
    card._links(lines, 0)
    return time.perf_counter() - started


HOSTILE = {
    "heading of brackets": ["# " + "[" * 500_000],
    "heading of link openers": ["# " + "[](" * 300_000],
    "setext heading of brackets": ["[" * 500_000, "==="],
    "html heading of brackets": ["<h1>" + "[" * 500_000 + "</h1>"],
    "brackets under a link": ["[a](b)", "[" * 500_000],
    "brackets before a link": ["[" * 300_000 + "](x)"],
    "spaces": [" " * 900_000 + "#"],
    "dashes": ["-" * 900_000 + " x"],
    "many setext lines": ["a", "="] * 100_000,
    "many fences": ["```"] * 300_000,
    "many hrefs": ["http <a href='" + "x" * 1999 + " " * 5] * 200,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_fast(name: str) -> None:
    assert _seconds(HOSTILE[name]) < 3.0


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_small(name: str) -> None:
    """The same shapes, cut small enough for the (sometimes quadratic) reference."""
    lines = [text[:3000] for text in HOSTILE[name][:500]]
    assert_same(lines, 0)
