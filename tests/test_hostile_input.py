"""Hostile input through the public API: nothing crashes, caps hold, stranger text stays inert in every renderer.

Each card in :data:`HOSTILE` is graded three ways: as a card held in memory (``openscore.grade_card``), as the
README of a folder (``openscore.grade(folder)``) and as the README of a repository on the fake Hub. Known problems
in modules this file does not own were fixed there; each test names the case it guards.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fakehub import FakeHub

import openscore
from openscore import HubClient, Report
from openscore.card import (
    MAX_CARD_BYTES,
    MAX_YAML_ALIASES,
    _links,
    _sections,
    decode_card,
    load_yaml_mapping,
    parse_card,
)
from openscore.renderers.text import render_text

WEIGHTS = "model.safetensors"

# ------------------------------------------------------------------------------------------- the inputs


def alias_bomb(levels: int = 9, width: int = 9, key: str = "license") -> str:
    """The YAML "billion laughs": ``width ** levels`` strings once every alias is expanded."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    lines.append(f"{key}: *a{levels - 1}")
    return "---\n" + "\n".join(lines) + "\n---\n# Bomb\n\nSome text.\n"


#: Stranger text meant to break out of every output format: HTML, Markdown, terminals (ANSI, OSC 8 links), bidi.
EVIL = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>[click](javascript:alert(1))'
    "\x1b[31mRED\x1b[0m\x1b]8;;http://evil.example\x07link\x1b]8;;\x07\u202eevil\u202c\x07\x08\x7f\x9b"
)

_Q = json.dumps  # a JSON string is a YAML double-quoted scalar, with control characters escaped

MARKUP_CARD = f"""---
license: other
license_name: {_Q(EVIL)}
license_link: "javascript:alert(document.cookie)"
datasets:
- {_Q("<script>alert(1)</script>")}
- "javascript:alert(1)"
- {_Q(EVIL)}
base_model: {_Q("<img src=x onerror=alert(1)>")}
extra_gated_prompt: {_Q(EVIL)}
extra_gated_fields:
  {_Q("<script>alert(1)</script>" + EVIL)}: checkbox
tags: [{_Q("<b>bold</b>")}, {_Q(EVIL)}]
---
# <script>alert(1)</script> Model \x1b[2J

## Training data <img src=x onerror=alert(1)>

The data came from [here](javascript:alert(1)) and <a href="javascript:alert(2)">there</a> and
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==). {EVIL}

## Code

Training code: [trainer](javascript:alert(3)) under the <script>MIT</script> license. \x1b]0;pwned title\x07

## License

{EVIL}
"""


def _big_card(size: int) -> bytes:
    body = ("## Training data\n\n" + "Words about the data. " * 40 + "\n\n") * (size // 900 + 1)
    return ("---\nlicense: mit\n---\n# Big\n\n" + body).encode()[:size] + b"\n"


def _binary() -> bytes:
    # a PNG header, then bytes of every value: clearly not text
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64


#: name -> README bytes.
HOSTILE: dict[str, bytes] = {
    "malformed-yaml": b"---\nlicense: [mit\nbad: : :\n  - x\n---\n# Card\n",
    "malformed-yaml-tab-indent": b"---\n\tlicense: mit\n---\n# Card\n",
    "yaml-python-tag": b"---\nlicense: !!python/object/apply:os.system ['echo pwned']\n---\n",
    "yaml-binary-and-dates": b"---\nlicense: !!binary aGVsbG8=\nlicense_name: 2001-12-14t21:59:43.10-05:00\n---\n",
    "yaml-duplicate-keys": b"---\nlicense: mit\nlicense: gpl-3.0\n---\n",
    "yaml-merge-keys": b"---\nbase: &b {license: mit}\n<<: *b\n---\n",
    "yaml-huge-int": b"---\nlicense: " + b"9" * 100_000 + b"\n---\n",
    "yaml-special-floats": b"---\nlicense: .inf\nlicense_name: .nan\ndatasets: [-.inf, 1e999]\n---\n",
    "alias-bomb": alias_bomb().encode(),
    "alias-bomb-at-limit": alias_bomb(8, 9).encode(),  # 64 aliases: parsed, and still cheap
    "alias-bomb-in-gated-fields": alias_bomb(8, 9, "extra_gated_fields").encode(),
    "non-mapping-list": b"---\n- mit\n- apache-2.0\n---\n# Card\n",
    "non-mapping-scalar": b"---\njust a string\n---\n# Card\n",
    "non-mapping-null": b"---\n~\n---\n# Card\n",
    "non-string-keys": b"---\n1: mit\ntrue: x\nnull: y\n? [a, b]\n: z\n2024-01-01: d\nlicense: mit\n---\n",
    "unhashable-key": b"---\nlicense: {[1, 2]: x}\n---\n",
    "wrong-types": b"---\nlicense: {a: b}\ndatasets: {x: 1}\nextra_gated_fields: [1, 2]\nbase_model: [[[]]]\n---\n",
    "huge-license-5mb": b"---\nlicense: " + b"a" * 5_000_000 + b"\n---\n# Card\n",
    "huge-license-name-300k": b"---\nlicense: other\nlicense_name: " + b"n" * 300_000 + b"\n---\n",
    "deep-brackets-10k": b"---\nlicense: " + b"[" * 10_000 + b"\n---\n# Card\n",
    "deep-brackets-closed-10k": b"---\nlicense: " + b"[" * 10_000 + b"]" * 10_000 + b"\n---\n",
    "deep-mappings-10k": b"---\nlicense: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n---\n",
    "deep-block-indent": ("---\n" + "".join(" " * i + "a:\n" for i in range(1500)) + "---\n").encode(),
    "list-10k-datasets": ("---\ndatasets:\n" + "".join(f"- org/d{i}\n" for i in range(10_000)) + "---\n").encode(),
    "list-10k-base-models": ("---\nbase_model:\n" + "".join(f"- org/m{i}\n" for i in range(10_000)) + "---\n").encode(),
    "list-10k-licenses": b"---\nlicense: [" + b",".join(b"mit" for _ in range(10_000)) + b"]\n---\n",
    "empty": b"",
    "whitespace-only": b"   \n\n\t\n",
    "front-matter-empty": b"---\n---\n",
    "front-matter-dashes-only": b"---",
    "unterminated-front-matter": b"---\nlicense: mit\n# no closing line\n\n## Training data\n",
    "card-10mb": _big_card(10_500_000),
    "binary": _binary(),
    "non-utf8": b"---\nlicense: mit\n---\n# Caf\xe9 \xff\xfe\xc3\x28 model\n\n## Training data\n\nLatin-1 \xe9\xe8.\n",
    "bom": b"\xef\xbb\xbf---\nlicense: mit\n---\n# Title\n",
    "bom-twice": b"\xef\xbb\xbf\xef\xbb\xbf---\nlicense: mit\n---\n",
    "utf16": "\ufeff---\nlicense: mit\n---\n# UTF-16 card\n".encode("utf-16"),
    "crlf": b"---\r\nlicense: mit\r\n---\r\n# Title\r\n\r\n## Training data\r\n\r\nText.\r\n",
    "lone-cr": b"---\rlicense: mit\r---\r# Title\r",
    "nul-bytes": b"---\nlicense: mit\n---\n# Ti\x00tle\n\n## Train\x00ing data\n\n" + b"Text about the data. " * 20,
    "mostly-nul": b"\x00" * 5000,
    "control-chars": b"---\nlicense: mit\n---\n# " + bytes(range(1, 32)) + b"\n\n## \x1b[2J\x1b[H reset\n",
    "long-line": b"---\nlicense: mit\n---\n" + b"word " * 190_000,
    "unclosed-fence": b"---\nlicense: mit\n---\n```\n## Training data\n" * 3,
    "markup": MARKUP_CARD.encode(),
}

#: Cards whose front matter cannot be read: the report should say so (README problems or a finding).
UNREADABLE_METADATA = [
    "malformed-yaml",
    "malformed-yaml-tab-indent",
    "yaml-python-tag",
    "yaml-huge-int",
    "alias-bomb",
    "non-mapping-list",
    "non-mapping-scalar",
    "unhashable-key",
    "deep-brackets-10k",
    "deep-brackets-closed-10k",
    "deep-mappings-10k",
    "unterminated-front-matter",
]

#: Cards whose license must still be read despite the damage around it.
STILL_MIT = ["bom", "crlf", "lone-cr", "nul-bytes", "non-utf8", "non-string-keys"]


# ------------------------------------------------------------------------------------------- three ways in


def via_card(data: bytes) -> Report:
    return openscore.grade_card(data.decode("utf-8", errors="surrogateescape"), files=[WEIGHTS])


def via_folder(data: bytes, root: Path) -> Report:
    folder = root / "release"
    folder.mkdir()
    (folder / "README.md").write_bytes(data)
    (folder / WEIGHTS).write_bytes(b"weights")
    # the Hub refuses connections here (conftest): bases named by the card are looked up with short waits
    return openscore.grade(folder, client=HubClient(backoff=0.01, timeout=5.0))


def via_hub(data: bytes, hub: FakeHub) -> Report:
    hub.add_repo("hostile/release", {"README.md": data, WEIGHTS: b"weights"})
    client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01, timeout=5.0)
    return openscore.grade("hostile/release", client=client)


# ------------------------------------------------------------------------------------------- inertness checks

_TERMINAL_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HTML_TAGS = {
    "div", "style", "span", "a", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "code", "q", "strong",
    "img", "em", "b", "i", "br", "p", "wbr", "h4",
}  # fmt: skip


def _safe_link(url: str | None) -> bool:
    if url is None:
        return True
    scheme = url.split(":", 1)[0].lower() if ":" in url.split("/", 1)[0] else ""
    return scheme in ("", "http", "https")


class _TagAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.problems.append(f"tag <{tag}>")
        self.in_style = tag == "style"
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction"):
                self.problems.append(f"attribute {name}")
            if name in ("href", "src", "action", "xlink:href") and not _safe_link(value):
                self.problems.append(f"{name}={value!r}")
            if name == "style" and value and re.search(r"url\(|expression\(|javascript:", value, re.I):
                self.problems.append(f"style={value!r}")

    def handle_data(self, data: str) -> None:
        if self.in_style and re.search(r"@import|url\(|expression\(|</", data, re.I):
            self.problems.append("style content")
        self.in_style = False


def assert_inert_html(markup: str) -> None:
    audit = _TagAudit()
    audit.feed(markup)
    audit.close()
    assert not audit.problems, audit.problems[:5]
    assert "<script" not in markup.lower()
    assert not _XML_INVALID.search(markup)


def assert_inert_markdown(md: str) -> None:
    assert "<" not in md, "raw HTML in Markdown"
    for dest in re.findall(r"(?<!\\)\]\(([^)\s]*)", md):  # link destinations (an escaped "\]" is text)
        assert dest.startswith(("https://", "http://")) or not dest, dest
    assert not _TERMINAL_UNSAFE.search(md.replace("\n", ""))


def assert_inert_svg(svg: str) -> None:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "foreignObject", "iframe", "object", "embed"), tag
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.startswith("on"), name
            if local == "href":
                assert _safe_link(value), value


def check_report(report: Report) -> None:
    """The invariants every report must keep, whatever it was made from."""
    assert isinstance(report, Report)
    # JSON: valid, and round-trips through the schema model
    doc = report.to_json()
    json.loads(doc)
    assert Report.model_validate_json(doc) == report
    # text: no control characters, ANSI escapes or bidi overrides reach the terminal
    for verbose in (False, True):
        text = render_text(report, verbose=verbose)
        assert not _TERMINAL_UNSAFE.search(text), repr(_TERMINAL_UNSAFE.findall(text)[:5])
    assert all("\n" not in note for note in report.unreadable)
    _check_visual_renderers(report)


def _check_visual_renderers(report: Report) -> None:
    try:
        from openscore.renderers import html as html_renderer
    except ImportError:
        html_renderer = None  # type: ignore[assignment]
    if html_renderer is not None:
        assert_inert_html(html_renderer.render_html(report))
        assert_inert_markdown(html_renderer.render_markdown(report))
        assert_inert_html(html_renderer.render_summary_html([report, (EVIL, "gated", EVIL)]))
    try:
        from openscore.renderers import badge
    except ImportError:
        return
    for style in ("verdict", "criteria"):
        assert_inert_svg(badge.render_badge(report, format="svg", style=style, label=EVIL))
        endpoint = badge.render_badge(report, format="endpoint", style=style, label=EVIL)
        json.loads(endpoint)
        assert "<" not in endpoint and "&" not in endpoint
        for link in ("javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", EVIL, None):
            md = badge.render_badge(report, format="markdown", style=style, link=link, image=link, label=EVIL)
            assert_inert_markdown(md)
            assert_inert_html(badge.render_badge(report, format="html", style=style, link=link, image=link, label=EVIL))


# ------------------------------------------------------------------------------------------- every input, every way


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_card_in_memory(name: str) -> None:
    report = via_card(HOSTILE[name])  # how its cost grows is checked by the linearity tests below, not in seconds
    check_report(report)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_card_in_folder(name: str, tmp_path: Path) -> None:
    report = via_folder(HOSTILE[name], tmp_path)
    check_report(report)
    assert report.source == "folder"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_card_on_the_hub(name: str, hub_env: FakeHub) -> None:
    report = via_hub(HOSTILE[name], hub_env)
    check_report(report)
    assert not hub_env.errors


@pytest.mark.parametrize("name", STILL_MIT)
def test_license_survives_damaged_text(name: str, tmp_path: Path) -> None:
    for report in (via_card(HOSTILE[name]), via_folder(HOSTILE[name], tmp_path)):
        assert [lic.key for lic in report.licenses] == ["mit"], (name, report.licenses)


@pytest.mark.parametrize("name", UNREADABLE_METADATA)
def test_parser_records_why_metadata_is_unreadable(name: str) -> None:
    text, _ = decode_card(HOSTILE[name])
    assert text is not None
    card = parse_card(text)
    assert card.problems and all("\n" not in p for p in card.problems)
    assert card.metadata.license == []


def _says_metadata_unreadable(report: Report) -> bool:
    notes = " ".join(report.unreadable).lower()
    messages = " ".join(f.message for f in report.findings()).lower()
    return any(w in notes or w in messages for w in ("front matter", "yaml", "metadata could not"))


@pytest.mark.parametrize("name", UNREADABLE_METADATA)
def test_report_says_metadata_is_unreadable(name: str) -> None:
    assert _says_metadata_unreadable(via_card(HOSTILE[name]))


# ------------------------------------------------------------------------------------------- caps, time, memory


def _peak(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its peak traced memory in MB and its duration in seconds."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 1e6, time.monotonic() - started


@pytest.mark.parametrize("name", ["alias-bomb", "alias-bomb-at-limit", "alias-bomb-in-gated-fields"])
def test_alias_bomb_is_fast_and_small(name: str) -> None:
    text = HOSTILE[name].decode()
    report, peak, seconds = _peak(lambda: openscore.grade_card(text, files=[WEIGHTS]))
    assert peak < 50, (seconds, peak)  # memory, not time: an expanded bomb would take gigabytes
    check_report(report)
    card, peak, seconds = _peak(lambda: parse_card(text))
    assert peak < 50, (seconds, peak)
    if text.count("*") > MAX_YAML_ALIASES:
        assert any("alias" in p for p in card.problems), card.problems


def test_alias_bomb_is_refused_by_the_loader() -> None:
    block = alias_bomb().split("---\n")[1]
    mapping, problem = load_yaml_mapping(block)
    assert mapping is None and problem and "alias" in problem


def test_ten_megabyte_card_is_read_up_to_the_cap(tmp_path: Path) -> None:
    data = HOSTILE["card-10mb"]
    assert len(data) > 10_000_000
    text = data.decode()
    report, peak, seconds = _peak(lambda: openscore.grade_card(text, files=[WEIGHTS]))
    assert peak < 64, (seconds, peak)
    cap = f"only the first {MAX_CARD_BYTES:,} were read"
    assert any(cap in note for note in report.unreadable), report.unreadable
    report, peak, _ = _peak(lambda: via_folder(data, tmp_path))
    assert peak < 32, peak  # the folder source reads no more than the cap
    assert any(cap in note for note in report.unreadable), report.unreadable


def test_enormous_value_is_not_parsed() -> None:
    card = parse_card(HOSTILE["huge-license-5mb"].decode())
    assert card.problems and "limit" in card.problems[0]


def test_ten_thousand_entries_are_cut() -> None:
    card = parse_card(HOSTILE["list-10k-datasets"].decode())
    assert 0 < len(card.metadata.datasets) <= 1_000


@pytest.mark.parametrize("name", ["list-10k-licenses", "huge-license-name-300k"])
def test_report_size_is_bounded(name: str) -> None:
    assert len(via_card(HOSTILE[name]).to_json()) < 100_000


@pytest.mark.parametrize("name", ["missing", "empty", "binary", "non-utf8", "card-10mb", "mostly-nul", "utf16"])
def test_unreadable_readme_is_reported(name: str, tmp_path: Path, hub_env: FakeHub) -> None:
    expected = {
        "missing": "README.md is missing",
        "empty": None,
        "binary": "not a text file",
        "mostly-nul": "not a text file",
        "utf16": "not a text file",
        "non-utf8": "not valid UTF-8",
        "card-10mb": "only the first",
    }[name]
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / WEIGHTS).write_bytes(b"w")
    files: dict[str, bytes] = {WEIGHTS: b"w"}
    if name != "missing":
        (folder / "README.md").write_bytes(HOSTILE[name])
        files["README.md"] = HOSTILE[name]
    hub_env.add_repo("hostile/readme", files)
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01)
    for report in (openscore.grade(folder), openscore.grade("hostile/readme", client=client)):
        check_report(report)
        if expected:
            assert any(expected in note for note in report.unreadable), report.unreadable


# ------------------------------------------------------------------------------------------- pathological Markdown


PATHOLOGICAL_OK = {
    "brackets": "[" * 900_000,
    "link-openers": "](" * 400_000,
    "urls": "http://" * 120_000,
    "hrefs": "href='" * 150_000,
    "angle-brackets": "<" * 900_000,
    "html-headings": "<h1>" * 200_000,
    "bold": "**" + "a" * 900_000,
    "atx-hashes": ("#" * 7 + " x\n") * 100_000,
    "fences": "```\n" * 200_000,
    "newlines": "\n" * 990_000,
    "underscores": "_" * 900_000,
}


def _calls(card: str) -> int:
    """How many Python-level calls grading ``card`` makes: a measure of work that a busy machine does not skew."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        openscore.grade_card(card, files=[WEIGHTS])
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.long
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL_OK))
def test_pathological_markdown_is_linear(name: str) -> None:
    """The full input grades to a sound report, and doubling the input at most about doubles the work (counted in
    calls, not timed)."""
    text = PATHOLOGICAL_OK[name]
    report = openscore.grade_card("---\nlicense: mit\n---\n" + text, files=[WEIGHTS])
    check_report(report)
    part = len(text) // 32
    small = _calls("---\nlicense: mit\n---\n" + text[:part])
    large = _calls("---\nlicense: mit\n---\n" + text[: 2 * part])
    assert large <= 2.5 * small + 2_000, (small, large)


def _cpu(card: str) -> float:
    """The CPU time this process spends grading ``card`` (best of 3): the work, which a busy machine barely skews
    (other processes' load is not counted), unlike wall time."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        openscore.grade_card(card, files=[WEIGHTS])
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.long
@pytest.mark.parametrize(("name", "unit"), [("links", "[a]("), ("setext headings", "a\n=\n"), ("gate links", "](")])
def test_regex_heavy_cards_grow_linearly(name: str, unit: str) -> None:
    """Growing a pathological card grows the work of grading it about in proportion (regex work is not visible as
    Python calls, so it is measured as this process's CPU time, and compared, never held to a number of seconds)."""

    def card(n: int) -> str:
        if name == "gate links":
            return f'---\nlicense: mit\nextra_gated_prompt: "{unit * n}"\n---\n# x\n'
        return "---\nlicense: mit\n---\n" + unit * n

    check_report(openscore.grade_card(card(100_000), files=[WEIGHTS]))
    # Four times the input: linear work grows about 4x, quadratic 16x. The bound sits between, far enough from
    # both that a busy machine's noise (up to about 1.5x on CPU time) cannot tip it.
    small, large = _cpu(card(12_500)), _cpu(card(50_000))
    assert large <= 8.0 * small + 0.05, (small, large)


# ------------------------------------------------------------------------------------------- targets


BAD_REPO_IDS = [
    " ",
    "a/b/c",
    "org/..",
    "../x",
    "-bad/x",
    "org/name?x=1",
    "org/na me",
    "org//x",
    "org/na%2fme",
    "a/b\x00",
    "\u202eorg/x",
    "ö/ä",
    "org/name\n",
    "org/" + "x" * 200,
    "<script>/x",
]


@pytest.mark.parametrize("target", BAD_REPO_IDS)
def test_invalid_repo_ids(target: str, hub_env: FakeHub) -> None:
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01)
    with pytest.raises(openscore.OpenscoreError) as info:
        openscore.grade(target, client=client)
    assert isinstance(info.value, openscore.InvalidTargetError | openscore.TargetNotFoundError)
    message = str(info.value)
    assert message and "\n" not in message and not _TERMINAL_UNSAFE.search(message)


def test_overlong_target_is_invalid(hub_env: FakeHub) -> None:
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01)
    with pytest.raises(openscore.InvalidTargetError):
        openscore.grade("x" * 300, client=client)


def test_empty_target_is_invalid() -> None:
    with pytest.raises(openscore.InvalidTargetError):
        openscore.grade("")


@pytest.mark.parametrize(
    "revision", ["no-such-branch", "../../../etc/passwd", "a" * 3000, "refs/heads/nope", "main?x=1#f", "%2e%2e", " "]
)
def test_unknown_revisions(revision: str, hub_env: FakeHub) -> None:
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01, retries=1, timeout=2.0)
    hub_env.add_repo("hostile/revs", {"README.md": "---\nlicense: mit\n---\n", WEIGHTS: b"w"})
    with pytest.raises(openscore.RevisionNotFoundError) as info:
        openscore.grade("hostile/revs", revision=revision, client=client)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("revision", ["\x00", "main\n", "\u202emain", ""])
def test_unprintable_revisions_fail_cleanly(revision: str, hub_env: FakeHub) -> None:
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01, retries=1, timeout=2.0)
    hub_env.add_repo("hostile/revs", {"README.md": "---\nlicense: mit\n---\n", WEIGHTS: b"w"})
    with pytest.raises(openscore.OpenscoreError) as info:
        openscore.grade("hostile/revs", revision=revision, client=client)
    assert "\n" not in str(info.value)
    assert not hub_env.errors


def test_revision_on_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# x\n")
    with pytest.raises(openscore.InvalidTargetError):
        openscore.grade(tmp_path, revision="main")


def test_paths_that_are_not_folders(tmp_path: Path) -> None:
    file = tmp_path / "README.md"
    file.write_text("---\nlicense: mit\n---\n")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (file, fifo, Path(os.devnull)):
        with pytest.raises(openscore.InvalidTargetError) as info:
            openscore.grade(target)
        assert "not a folder" in str(info.value)


# ------------------------------------------------------------------------------------------- symlinks


SECRET = "TOP-SECRET-OUTSIDE-THE-FOLDER"


@pytest.fixture
def symlinked_folder(tmp_path: Path) -> Iterator[Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "README.md").write_text(f"---\nlicense: mit\n---\n# {SECRET}\n")
    (outside / "secret.txt").write_text(f"MIT License {SECRET}\n")
    (outside / "weights").mkdir()
    (outside / "weights" / WEIGHTS).write_bytes(b"w")
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "README.md").symlink_to(outside / "README.md")
    (folder / "LICENSE").symlink_to(outside / "secret.txt")
    (folder / "LICENSE.txt").symlink_to("../outside/secret.txt")
    (folder / "COPYING").symlink_to("/etc/passwd")
    (folder / "weights").symlink_to(outside / "weights", target_is_directory=True)
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "dangling.safetensors").symlink_to(tmp_path / "nowhere")
    (folder / "sub").mkdir()
    (folder / "sub" / "up.safetensors").symlink_to(outside / "weights" / WEIGHTS)
    yield folder


def test_symlinks_out_of_the_folder_are_never_followed(symlinked_folder: Path) -> None:
    report = openscore.grade(symlinked_folder)
    check_report(report)
    doc = report.to_json()
    assert SECRET not in doc and "root:" not in doc
    notes = " ".join(report.unreadable)
    assert "README.md" in notes and "outside" in notes
    assert report.criteria.parameters.status is not openscore.Status.MET  # the only weights are outside


def test_license_link_cannot_point_out_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text(f"MIT License {SECRET}\n")
    folder = tmp_path / "release"
    folder.mkdir()
    for link in ("../secret.txt", str(tmp_path / "secret.txt"), "/etc/passwd", "file:///etc/passwd"):
        (folder / "README.md").write_text(f"---\nlicense: other\nlicense_link: {link}\n---\n# x\n")
        doc = openscore.grade(folder).to_json()
        assert SECRET not in doc and "root:" not in doc


def test_fifo_readme_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    fifo = folder / "README.md"
    os.mkfifo(fifo)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (openscore.grade(folder), done.set()), daemon=True)
    worker.start()
    finished = done.wait(3)
    if not finished:  # unblock the reader so that the thread can end
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(3)
    assert finished, "grading a folder whose README.md is a FIFO blocked"


# ------------------------------------------------------------------------------------------- markup from strangers


def test_markup_stays_inert_everywhere(tmp_path: Path, hub_env: FakeHub) -> None:
    folder = tmp_path / "<img src=x onerror=alert(1)>\x1b[31m"
    folder.mkdir()
    (folder / "README.md").write_text(MARKUP_CARD)
    (folder / "<script>alert(1)<\\script>.safetensors").write_bytes(b"w")
    (folder / "\x1b[31mevil\x07.bin").write_bytes(b"w")
    hub_env.add_repo(
        "hostile/markup",
        {"README.md": MARKUP_CARD, "<img src=x onerror=alert(1)>.safetensors": b"w"},
        {"tags": [EVIL, "\x1b[31m"], "library_name": EVIL, "pipeline_tag": "<script>"},
    )
    client = HubClient(endpoint=hub_env.endpoint, token=False, backoff=0.01)
    reports = [
        openscore.grade_card(MARKUP_CARD, files=[WEIGHTS, EVIL], target=EVIL),
        openscore.grade(folder),
        openscore.grade("hostile/markup", client=client),
    ]
    for report in reports:
        check_report(report)
        assert report.licenses or report.findings()


def test_markup_in_cli_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openscore.cli import main

    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "README.md").write_text(MARKUP_CARD)
    (folder / WEIGHTS).write_bytes(b"w")
    for args in ([], ["-v"], ["--json"], ["--jsonl"]):
        assert main(["grade", str(folder), *args]) == 0
        out, err = capsys.readouterr()
        assert "\x1b" not in out and "\x1b" not in err, args
        assert not _TERMINAL_UNSAFE.search(err.replace("\n", "")), args
        if "--json" in args:
            json.loads(out)
        elif "--jsonl" in args:
            for line in out.splitlines():
                json.loads(line)
        else:
            assert not _TERMINAL_UNSAFE.search(out.replace("\n", "")), args


def test_json_output_has_no_raw_terminal_controls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openscore.cli import main

    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "README.md").write_text(MARKUP_CARD)
    (folder / WEIGHTS).write_bytes(b"w")
    assert main(["grade", str(folder), "--json"]) == 0
    out = capsys.readouterr().out
    assert not _TERMINAL_UNSAFE.search(out.replace("\n", ""))


# Markdown shapes that made earlier regexes retry at every character: sections and links stay linear.


def _seconds(lines: list[str]) -> float:
    """CPU time of indexing ``lines`` (best of 3): the work, not the wall time of a busy machine."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        _sections(lines, 0)
        _links(lines, 0)
        best = min(best, time.process_time() - started)
    return best


def _half(lines: list[str]) -> list[str]:
    """The same shape at half the size: half the lines, or each line halved (keeping its last characters, such as
    a closing "](x)") when there are only one or two."""
    if len(lines) > 2:
        return lines[: len(lines) // 2]
    return [line[: len(line) // 2] + line[-4:] for line in lines]


HOSTILE_MARKDOWN = {
    "heading of brackets": ["# " + "[" * 500_000],
    "heading of link openers": ["# " + "[](" * 300_000],
    "setext heading of brackets": ["[" * 500_000, "==="],
    "html heading of brackets": ["<h1>" + "[" * 500_000 + "</h1>"],
    "brackets under a link": ["[a](b)", "[" * 500_000],
    "brackets before a link": ["[" * 900_000 + "](x)"],
    "spaces": [" " * 900_000 + "#"],
    "dashes": ["-" * 900_000 + " x"],
    "many setext lines": ["a", "="] * 100_000,
    "many fences": ["```"] * 300_000,
    "many hrefs": ["http <a href='" + "x" * 1999 + " " * 5] * 200,
}


@pytest.mark.long
@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_hostile_markdown_is_linear(name: str) -> None:
    """Indexing the hostile shape costs at most about four times what indexing a quarter of it costs (quadratic
    work would cost 16 times; the bound of 8 sits between, beyond a busy machine's noise on CPU time)."""
    full = HOSTILE_MARKDOWN[name]
    small, large = _seconds(_half(_half(full))), _seconds(full)
    assert large <= 8.0 * small + 0.05, (small, large)
