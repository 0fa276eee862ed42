"""Badges (SVG, shields endpoint JSON, Markdown, HTML) and the notebook HTML/Markdown renderings."""

from __future__ import annotations

import html
import json
import math
import re
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

import openscore
from openscore import Base, CriterionResult, Evidence, Finding, LicenseRef, Report, Verdict
from openscore.findings import Criterion, LicensePolicy, Outcome, Status
from openscore.renderers.badge import HEIGHT, PAD, render_badge, shields_static_url, text_width
from openscore.renderers.html import CSS_CLASS, render_html, render_markdown, render_summary_html
from openscore.renderers.style import STATUS_COLORS, VERDICT_COLORS, clean, markdown_escape, safe_url

EXAMPLES = Path(__file__).parent.parent / "examples"
SVG = "{http://www.w3.org/2000/svg}"
STYLES = ("verdict", "criteria")

#: Text a stranger might put in a repository id, a license name, a card heading or a badge label.
HOSTILE = (
    "<script>alert('x')</script> & \"quoted\" 'single' <img src=x onerror=alert(1)> "
    "[link](javascript:alert(1)) `code` *em* _u_ | pipe $x$ \x00\x07\x1b[31m\x7f\x85 \u202eevil\u202c \ud800 \uffff"
)
BAD_LINKS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript\\:alert(1)",
    "javascript%3Aalert(1)x:y",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "\u202ejavascript:alert(1)",
)
FORBIDDEN_CHARS = set("\x00\x07\x1b\x7f\x85\u202e\u202c\ud800\uffff")


@cache
def example(name: str) -> Report:
    """A report graded from one of the shipped example folders."""
    return openscore.grade(EXAMPLES / name)


def report_for(verdict: Verdict, *, open_data: bool = False) -> Report:
    """A report with the given verdict (a real graded example where one exists, else an edited copy)."""
    base = {
        Verdict.OPEN_SOURCE_AI: "open-research-model",
        Verdict.OPEN_WEIGHTS: "weights-only-model",
        Verdict.WEIGHTS_AVAILABLE: "restricted-model",
    }.get(verdict, "restricted-model")
    report = example(base)
    update: dict[str, object] = {"verdict": verdict, "open_data": open_data}
    if verdict is Verdict.UNDETERMINED:
        terms = report.criteria.usage_terms.model_copy(update={"status": Status.UNDETERMINED})
        update["criteria"] = report.criteria.model_copy(update={"usage_terms": terms})
    if verdict is Verdict.CLOSED:
        params = report.criteria.parameters.model_copy(update={"status": Status.NOT_MET})
        update["criteria"] = report.criteria.model_copy(update={"parameters": params})
    return report.model_copy(update=update)


def all_reports() -> list[Report]:
    """One report per verdict, plus one with open data."""
    return [report_for(v) for v in Verdict] + [report_for(Verdict.OPEN_SOURCE_AI, open_data=True)]


def hostile_report() -> Report:
    """A Hub report whose every stranger-supplied string is hostile."""
    report = example("weights-only-model")
    finding = Finding(
        id="license-declared",
        criterion=Criterion.USAGE_TERMS,
        outcome=Outcome.FAIL,
        message=HOSTILE,
        evidence=[Evidence(kind="card", location=HOSTILE, lines=(3, 4), quote=HOSTILE)],
        remediation=HOSTILE,
        license=LicenseRef(key=HOSTILE, name=HOSTILE, policy=LicensePolicy.UNKNOWN, reason=HOSTILE),
    )
    terms = CriterionResult(status=Status.NOT_MET, summary=HOSTILE, findings=[finding], remediation=[HOSTILE])
    return report.model_copy(
        update={
            "target": HOSTILE,
            "source": "hub",
            "repo_id": 'org/<script>"x"&' + HOSTILE,
            "revision": HOSTILE,
            "verdict": Verdict.WEIGHTS_AVAILABLE,
            "verdict_reason": HOSTILE,
            "open_data_reason": HOSTILE,
            "criteria": report.criteria.model_copy(update={"usage_terms": terms}),
            "licenses": [finding.license],
            "unreadable": [HOSTILE],
        }
    )


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def parts(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """(rect, visible text) pairs of an SVG badge, left to right."""
    clip_group = root.find(f"{SVG}g")
    assert clip_group is not None
    rects = clip_group.findall(f"{SVG}rect")[:-1]  # the last one is the gradient overlay
    text_group = root.findall(f"{SVG}g")[1]
    texts = [t for t in text_group.findall(f"{SVG}text") if t.get("aria-hidden") != "true"]
    assert len(rects) == len(texts)
    return list(zip(rects, texts, strict=True))


class _Collector(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def collect(fragment: str) -> _Collector:
    parser = _Collector()
    parser.feed(fragment)
    parser.close()
    return parser


def assert_safe_html(fragment: str) -> None:
    """No script or other active element, no event handler, links and images only http(s) or relative."""
    parser = collect(fragment)
    allowed = {"div", "span", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "q", "code"}
    allowed |= {"strong", "style", "wbr", "h4"}
    for tag, attrs in parser.tags:
        assert tag in allowed, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            if name in ("href", "src"):
                assert value is not None and re.match(r"https?://|[\w./-]", value), value
                assert not value.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))
    assert not FORBIDDEN_CHARS & set(fragment)


# --- font widths ------------------------------------------------------------------------------------------------


def test_font_width_table_is_real_and_covers_marks() -> None:
    doc = json.loads((Path(openscore.__file__).parent / "data" / "font_widths.json").read_text(encoding="utf-8"))
    assert doc["size_px"] == 11 and "DejaVu" in doc["font"] and doc["source"]
    widths = doc["widths"]
    for code in [*range(32, 127), *range(161, 256)]:
        assert chr(code) in widths, hex(code)
    for mark in "\u2713\u2717\u25d0?\ufffd\u00b7":
        assert mark in widths
    # Proportional, not monospace: real advance widths.
    assert widths["i"] < widths["a"] < widths["m"] < widths["W"] <= doc["default"]
    assert text_width("open-weights") == pytest.approx(sum(widths[c] for c in "open-weights"), abs=0.001)
    assert text_width("\u4e2d") == doc["default"]  # not in the table


# --- SVG ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("verdict", list(Verdict))
def test_svg_is_well_formed_and_accessible(verdict: Verdict, style: str) -> None:
    report = report_for(verdict)
    svg = render_badge(report, style=style)  # type: ignore[arg-type]
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    label = root.get("aria-label")
    assert label and label.startswith(f"OSAID 1.0: {verdict.value}")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == label
    if style == "criteria":
        for words in ("parameters", "data information", "code", "usage terms"):
            assert words in label
        assert re.search(r"(met|not met|partly met|undetermined)", label)
    assert int(root.get("height", "0")) == HEIGHT
    clip = root.find(f"{SVG}clipPath/{SVG}rect")
    assert clip is not None and clip.get("rx") == "3"
    assert root.find(f"{SVG}linearGradient") is not None


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("report", all_reports(), ids=lambda r: f"{r.verdict.value}-{r.open_data}")
def test_svg_widths_come_from_the_table(report: Report, style: str) -> None:
    root = parse_svg(render_badge(report, style=style))  # type: ignore[arg-type]
    x = 0
    for rect, text in parts(root):
        content = text.text or ""
        width = int(rect.get("width", "0"))
        assert width == 2 * PAD + math.ceil(text_width(content))
        assert float(text.get("textLength", "0")) == pytest.approx(text_width(content), abs=0.01)
        assert int(rect.get("x", "0")) == x
        assert float(text.get("x", "0")) == pytest.approx(x + width / 2)
        x += width
    assert int(root.get("width", "0")) == x
    assert len(parts(root)) == (6 if style == "criteria" else 2)


def test_longer_message_gives_a_wider_badge() -> None:
    report = report_for(Verdict.OPEN_SOURCE_AI)
    short = parse_svg(render_badge(report))
    longer = parse_svg(render_badge(report.model_copy(update={"open_data": True})))
    assert int(longer.get("width", "0")) > int(short.get("width", "0"))
    assert "open-source-ai + open data" in (longer.get("aria-label") or "")
    wide = parse_svg(render_badge(report, label="WWWWWWWW"))
    narrow = parse_svg(render_badge(report, label="iiiiiiii"))
    assert int(wide.get("width", "0")) > int(narrow.get("width", "0")) + 40  # proportional widths


def test_empty_label_gives_a_message_only_badge() -> None:
    root = parse_svg(render_badge(report_for(Verdict.CLOSED), label=""))
    assert len(parts(root)) == 1
    assert root.get("aria-label") == "closed"


def test_criteria_marks_follow_the_statuses() -> None:
    report = example("weights-only-model")  # parameters met, data not met, code not met, terms met
    root = parse_svg(render_badge(report, style="criteria"))
    cells = parts(root)[2:]
    assert [t.text for _, t in cells] == ["P \u2713", "D \u2717", "C \u2717", "T \u2713"]
    assert [r.get("fill") for r, _ in cells] == [STATUS_COLORS[s] for s in ("met", "not-met", "not-met", "met")]
    label = root.get("aria-label") or ""
    assert "parameters met, data information not met, code not met, usage terms met" in label


def test_svg_ids_are_unique_per_badge() -> None:
    a = render_badge(report_for(Verdict.CLOSED))
    b = render_badge(report_for(Verdict.OPEN_WEIGHTS))
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b


# --- colours ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", list(Verdict))
def test_one_colour_per_verdict_everywhere(verdict: Verdict) -> None:
    report = report_for(verdict)
    color = VERDICT_COLORS[verdict]
    rect, _ = parts(parse_svg(render_badge(report)))[1]
    assert rect.get("fill") == color
    assert json.loads(render_badge(report, format="endpoint"))["color"] == color
    assert render_badge(report, format="markdown").split(")")[0].endswith("-" + color.lstrip("#"))
    assert f'class="os-pill" style="background:{color}">{verdict.value}<' in render_html(report)
    assert f'style="background:{color}">{verdict.value}<' in render_summary_html([report])
    assert len(set(VERDICT_COLORS.values())) == len(Verdict)


# --- endpoint, Markdown and HTML badges ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_endpoint_json(style: str) -> None:
    report = example("weights-only-model")
    doc = json.loads(render_badge(report, format="endpoint", style=style))  # type: ignore[arg-type]
    assert doc["schemaVersion"] == 1
    assert doc["label"] == "OSAID 1.0"
    assert doc["message"].startswith("open-weights")
    assert doc["isError"] is False
    assert set(doc) <= {"schemaVersion", "label", "message", "color", "labelColor", "isError", "cacheSeconds"}
    if style == "criteria":
        assert doc["message"].endswith("P\u2713 D\u2717 C\u2717 T\u2713")


def test_markdown_badge_defaults() -> None:
    folder = example("weights-only-model")
    assert render_badge(folder, format="markdown") == (
        "![OSAID 1.0: open-weights](https://img.shields.io/badge/OSAID_1.0-open--weights-97ca00)"
    )
    hub = folder.model_copy(update={"source": "hub", "repo_id": "org/model_x-1"})
    assert render_badge(hub, format="markdown") == (
        "[![OSAID 1.0: open-weights](https://img.shields.io/badge/OSAID_1.0-open--weights-97ca00)]"
        "(https://huggingface.co/org/model_x-1)"
    )
    custom = render_badge(hub, format="markdown", image="badges/osaid.svg", link="https://example.org/r?a=1&b=2")
    assert custom == "[![OSAID 1.0: open-weights](badges/osaid.svg)](https://example.org/r?a=1&amp;b=2)"
    assert render_badge(hub, format="markdown", link="").startswith("![")


def test_html_badge() -> None:
    hub = example("weights-only-model").model_copy(update={"source": "hub", "repo_id": "org/m"})
    assert render_badge(hub, format="html") == (
        '<a href="https://huggingface.co/org/m"><img src="https://img.shields.io/badge/OSAID_1.0-open--weights-97ca00"'
        ' alt="OSAID 1.0: open-weights"></a>'
    )


def test_shields_static_url_escaping() -> None:
    url = shields_static_url("my-label_x y", "a/b?c#d%e", "#4c1")
    assert url == "https://img.shields.io/badge/my--label__x_y-a%2Fb%3Fc%23d%25e-4c1"
    path = url.removeprefix("https://img.shields.io/badge/")
    # Splitting on single dashes gives back the three fields.
    fields = re.split(r"(?<!-)-(?!-)", path)
    assert [unquote(f) for f in fields] == ["my--label__x_y", "a/b?c#d%e", "4c1"]


@pytest.mark.parametrize("bad", BAD_LINKS)
def test_unsafe_links_are_dropped(bad: str) -> None:
    assert safe_url(bad) is None
    report = example("weights-only-model").model_copy(update={"source": "hub", "repo_id": "org/m"})
    md = render_badge(report, format="markdown", link=bad, image=bad)
    tag = render_badge(report, format="html", link=bad, image=bad)
    for out in (md, tag):
        assert "javascript" not in out.lower() and "vbscript" not in out.lower() and "data:" not in out
    assert md.startswith("![") and not tag.startswith("<a")
    assert_safe_html(tag)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/x?a=1", "https://example.org/x?a=1"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("badges/model.svg", "badges/model.svg"),
        ("../b.svg#top", "../b.svg#top"),
        ('https://example.org/a"b<c>(d)', "https://example.org/a%22b%3Cc%3E%28d%29"),
        ("https://example.org/\u00e9", "https://example.org/%C3%A9"),
        ("//cdn.example.org/x.svg", "//cdn.example.org/x.svg"),
    ],
)
def test_safe_urls_pass_encoded(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_hostile_label_and_target_are_neutralised_in_every_format() -> None:
    report = hostile_report()
    for style in STYLES:
        svg = render_badge(report, style=style, label=HOSTILE)  # type: ignore[arg-type]
        root = parse_svg(svg)  # well-formed: no raw "<", "&" or invalid characters
        assert not any(el.tag.endswith("script") for el in root.iter())
        assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)
        assert "<script" not in svg and "<img" not in svg
        assert not FORBIDDEN_CHARS & set(svg)
        assert (root.get("aria-label") or "").startswith(clean(HOSTILE))
        # The long label still gets exactly its measured width.
        rect, text = parts(root)[0]
        assert int(rect.get("width", "0")) == 2 * PAD + math.ceil(text_width(text.text or ""))

        endpoint = render_badge(report, format="endpoint", style=style, label=HOSTILE)  # type: ignore[arg-type]
        assert "<" not in endpoint and ">" not in endpoint and "&" not in endpoint
        assert json.loads(endpoint)["label"] == clean(HOSTILE)

        md = render_badge(report, format="markdown", style=style, label=HOSTILE)  # type: ignore[arg-type]
        assert "<" not in md
        links = re.findall(r"(?<!\\)\]\(([^)]*)\)", md)
        assert len(links) == 2 and all(link.startswith("https://") for link in links)
        assert not FORBIDDEN_CHARS & set(md)

        tag = render_badge(report, format="html", style=style, label=HOSTILE)  # type: ignore[arg-type]
        assert_safe_html(tag)
        anchors = [a for t, a in collect(tag).tags if t == "a"]
        assert (anchors[0]["href"] or "").startswith("https://huggingface.co/org/%3Cscript%3E%22x%22%26%3Cscript%3E")
        alt = next(a for t, a in collect(tag).tags if t == "img")["alt"]
        assert alt is not None and alt.startswith(clean(HOSTILE))


# --- notebook HTML and Markdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize("report", all_reports(), ids=lambda r: f"{r.verdict.value}-{r.open_data}")
def test_notebook_html_shows_the_report(report: Report) -> None:
    out = render_html(report)
    assert out.startswith(f'<div class="{CSS_CLASS}">') and out.rstrip().endswith("</div>")
    assert_safe_html(out)
    text = " ".join(collect(out).text)
    assert report.verdict.value in text
    assert html.unescape(html.escape(report.verdict_reason)) in text
    for name in ("parameters", "data information", "code", "usage terms"):
        assert name in text
    assert report.rules_version in text and report.openscore_version in text
    # Self-contained: no external assets (the only link is to the Hub page, for Hub reports).
    assert not [a for tag, a in collect(out).tags if tag == "img" or "src" in a or (tag == "a") != ("href" in a)]
    assert "url(" not in out and "@import" not in out
    # Every style rule is scoped under the report's class.
    style = out.split("<style>", 1)[1].split("</style>", 1)[0]
    for selector in re.findall(r"(?:^|})\s*([^{}]+)\{", style):
        for sel in selector.split(","):
            assert sel.strip().startswith(f"div.{CSS_CLASS}"), sel


def test_notebook_html_evidence_and_remediation() -> None:
    out = render_html(example("restricted-model"))
    assert "README.md lines 18\u201321" in out
    assert "USE_POLICY.md" in out
    assert "Describe the training data in enough detail that a skilled person could build" in out


def test_notebook_html_escapes_everything() -> None:
    report = hostile_report()
    out = render_html(report)
    assert_safe_html(out)
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in out
    assert "\ufffdevil\ufffd" in out  # bidi overrides made visible
    # Only the Hub link; its URL is percent-encoded.
    hrefs = [a.get("href") for t, a in collect(out).tags if t == "a"]
    assert len(hrefs) == 1 and hrefs[0] and hrefs[0].startswith("https://huggingface.co/org/%3Cscript%3E")
    text = "".join(collect(out).text)
    assert clean(HOSTILE) in text  # shown as text, whole


def test_notebook_markdown_escapes_everything() -> None:
    out = render_markdown(hostile_report())
    assert "<" not in out.replace("&lt;", "") and ">" not in out.replace("&gt;", "").replace("\n> ", "\n")
    assert not FORBIDDEN_CHARS & set(out)
    # No unescaped link syntax except the Hub page link; no javascript: destination.
    links = re.findall(r"(?<!\\)\]\(([^)]*)\)", out)
    assert links == [links[0]] and links[0].startswith("https://huggingface.co/org/%3Cscript%3E")
    for ch in "`*_[]|$":
        assert re.search(rf"(?<!\\){re.escape(ch)}", markdown_escape(HOSTILE)) is None, ch
    # Table rows keep their five columns even with "|" in stranger text.
    rows = [line for line in out.splitlines() if line.startswith("| ") and "usage terms" in line]
    assert len(rows) == 1 and len(re.findall(r"(?<!\\)\|", rows[0])) == 5


def test_notebook_markdown_shows_the_report() -> None:
    out = render_markdown(example("restricted-model"))
    assert out.startswith("**OSAID 1.0: weights-available**")
    assert "| \u2717 | usage terms | not-met |" in out
    assert "README.md lines 18\u201321" in out
    assert "**Open data:** unknown" in out  # no dataset listed: not known, never "no"
    assert "rules " + example("restricted-model").rules_version in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a_b*c", "a\\_b\\*c"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("<b>&amp;", "&lt;b&gt;&amp;amp;"),
        ("[x](javascript:y)", "\\[x\\](javascript:y)"),
        ("a|b", "a\\|b"),
        ("`x`", "\\`x\\`"),
        ("$1$", "\\$1\\$"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_markdown_escape(text: str, expected: str) -> None:
    assert markdown_escape(text) == expected


def test_summary_html_rows() -> None:
    ok = example("weights-only-model")
    out = render_summary_html([ok, ("org/missing<script>", "not-found", "Repository <b>not</b> found & gone")])
    assert_safe_html(out)
    rows = out.split("<tr>")[2:]
    assert len(rows) == 2
    assert "open-weights" in rows[0] and rows[0].count("os-pill") == 5
    assert '<span class="os-seg">org</span>/<wbr><span class="os-seg">missing&lt;script&gt;</span>' in rows[1]
    assert "not-found" in rows[1] and "Repository &lt;b&gt;not&lt;/b&gt; found &amp; gone" in rows[1]
    assert render_summary_html([]).count("<tr>") == 1  # just the header


def test_notebook_html_code_spans_and_lineage() -> None:
    restricted = render_html(example("restricted-model"))
    assert "<code>license:</code>" in restricted and "`" not in restricted.split("</style>", 1)[1]
    assert "os-lineage" not in restricted  # no bases, no section
    report = example("open-research-model")
    bases = (
        Base(repo_id="org/base", relation="adapter", depth=1, verdict=Verdict.OPEN_WEIGHTS, licenses=report.licenses),
        Base(repo_id="org/<b>root</b>", relation="finetune", depth=2, note="not found: `org/root`"),
    )
    out = render_html(report.model_copy(update={"lineage": bases}))
    assert_safe_html(out)
    section = out.split('<div class="os-lineage">', 1)[1]
    assert "org</span>/<wbr>" in section and "adapter" in section and "open-weights" in section
    assert "apache-2.0" in section and "not graded: not found: <code>org/root</code>" in section
    assert "&lt;b&gt;root&lt;" in section and "<b>" not in section
    md = render_markdown(report.model_copy(update={"lineage": bases}))
    assert "- adapter of org/base: open-weights (licenses: apache-2.0)" in md
    assert (
        "  - finetune of org/&lt;b&gt;root&lt;/b&gt;: not graded: not found: \\`org/root\\` (licenses: unknown)" in md
    )
