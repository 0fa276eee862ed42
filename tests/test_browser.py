"""Badges and notebook HTML in a real browser: Debian's Chromium, headless, on local files only.

Skipped when Chromium is not installed (``apt-get install -y --no-install-recommends chromium fonts-dejavu-core``).
Three browser runs: one page inlines every badge and measures each text element with ``getBBox()`` (the rendered
text must lie inside its part's rectangle, and DejaVu Sans must render each text at the width the font table
says); one screenshot of a standalone SVG file (decoded with a tiny PNG reader: it must show the badge's colours);
one load of the notebook HTML for a hostile report (the verdict shows, and no injected markup ever runs).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_badge import HOSTILE, all_reports, example, hostile_report

from openscore import Base, Report, Verdict
from openscore.renderers import badge
from openscore.renderers.badge import PAD, render_badge
from openscore.renderers.html import render_html, render_summary_html
from openscore.renderers.style import LABEL_COLOR, VERDICT_COLORS

pytestmark = pytest.mark.long  # see tests/conftest.py: `python -m pytest --long`


def _chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip(
        "Chromium not installed: apt-get install -y --no-install-recommends chromium fonts-dejavu-core",
        allow_module_level=True,
    )


CHROMIUM = _chromium()
#: The characters the badge font width table covers.
TABLE = set(json.loads((Path(badge.__file__).parent.parent / "data" / "font_widths.json").read_text("utf-8"))["widths"])

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
]


def run_chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a throwaway profile; its stdout."""
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
    return proc.stdout


_MEASURE = """
<pre id="results"></pre>
<script>
const out = [];
document.querySelectorAll("div.badge > svg").forEach((svg) => {
  const groups = svg.querySelectorAll(":scope > g");
  const rects = [...groups[0].querySelectorAll("rect")].slice(0, -1).map((r) => {
    const b = r.getBBox();
    return {x: b.x, y: b.y, w: b.width, h: b.height};
  });
  const texts = [...groups[1].querySelectorAll("text")].map((t) => {
    const b = t.getBBox();
    const probe = t.cloneNode(true);  // the same text at its natural width in the table's font
    probe.removeAttribute("textLength");
    probe.setAttribute("font-family", "DejaVu Sans");
    t.parentNode.appendChild(probe);
    const natural = probe.getComputedTextLength();
    probe.remove();
    return {text: t.textContent, shadow: t.getAttribute("aria-hidden") === "true", x: b.x, y: b.y, w: b.width,
            h: b.height, natural: natural, length: +t.getAttribute("textLength")};
  });
  out.push({width: svg.width.baseVal.value, height: svg.height.baseVal.value, rects: rects, texts: texts});
});
document.getElementById("results").textContent = JSON.stringify(out);
</script>
"""


def badges() -> list[tuple[str, str]]:
    """(name, SVG) for every verdict in both styles, plus a long hostile label."""
    out = [
        (f"{r.verdict.value}-{r.open_data}-{style}", render_badge(r, style=style))  # type: ignore[arg-type]
        for r in all_reports()
        for style in ("verdict", "criteria")
    ]
    long_label = "W" * 20 + " " + HOSTILE + " \u4e2d\u6587 m\u00e9\u00e7\u00e0nique " * 3
    for style in ("verdict", "criteria"):
        out.append((f"hostile-{style}", render_badge(hostile_report(), style=style, label=long_label)))  # type: ignore[arg-type]
    return out


def test_badge_text_fits_its_rectangle(tmp_path: Path) -> None:
    named = badges()
    body = "".join(f'<div class="badge">{svg}</div>' for _, svg in named)
    page = tmp_path / "measure.html"
    page.write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}{_MEASURE}</body></html>')
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="results">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    results = json.loads(html.unescape(found.group(1)))
    assert len(results) == len(named)
    for (name, _), measured in zip(named, results, strict=True):
        rects, texts = measured["rects"], measured["texts"]
        assert len(texts) == 2 * len(rects), name
        assert measured["width"] == pytest.approx(sum(r["w"] for r in rects)), name
        for i, text in enumerate(texts):
            rect = rects[i // 2]
            where = f"{name}: {text['text']!r}"
            # Rendered inside its part, horizontally and vertically (1px tolerance for glyph overhang).
            assert text["x"] >= rect["x"] - 1 and text["x"] + text["w"] <= rect["x"] + rect["w"] + 1, where
            assert text["y"] >= rect["y"] - 1 and text["y"] + text["h"] <= rect["y"] + rect["h"] + 1, where
            # textLength makes the rendered width the measured one, with PAD on each side.
            assert text["w"] == pytest.approx(text["length"], abs=1.5), where
            assert rect["w"] - 2 * PAD - text["length"] == pytest.approx(0.5, abs=0.5), where
            # The width table is the font's: DejaVu Sans renders the text at the width the table gives it.
            if set(text["text"]) <= TABLE:
                assert text["natural"] == pytest.approx(text["length"], rel=0.02, abs=1.0), where


def _png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color_type in (2, 6) and interlace == 0, (depth, color_type, interlace)
    bpp = 4 if color_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            upleft = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else upleft
                line[i] = (line[i] + pred) & 0xFF
        pixels.extend((line[x], line[x + 1], line[x + 2]) for x in range(0, stride, bpp))
        prev = line
    return width, height, pixels


def _rgb(color: str) -> tuple[int, int, int]:
    hexes = color.lstrip("#")
    if len(hexes) == 3:
        hexes = "".join(c * 2 for c in hexes)
    return int(hexes[0:2], 16), int(hexes[2:4], 16), int(hexes[4:6], 16)


def test_standalone_svg_renders(tmp_path: Path) -> None:
    report = example("weights-only-model")
    svg_file = tmp_path / "badge.svg"
    svg_file.write_text(render_badge(report, style="criteria"), encoding="utf-8")
    shot = tmp_path / "badge.png"
    run_chromium(
        tmp_path,
        "--window-size=400,60",
        "--default-background-color=ffffffff",
        f"--screenshot={shot}",
        svg_file.as_uri(),
    )
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert (width, height) == (400, 60)

    def near(color: tuple[int, int, int], tolerance: int = 24) -> int:
        return sum(1 for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, color, strict=True)))

    # The label part (grey), the message part (verdict colour) and white text are all painted.
    assert near(_rgb(LABEL_COLOR)) > 500
    assert near(_rgb(VERDICT_COLORS[Verdict.OPEN_WEIGHTS])) > 500
    assert near(_rgb("#e05d44")) > 300  # the not-met cells
    assert len(set(pixels)) > 20  # anti-aliased text, not flat blocks


def test_notebook_html_in_the_browser(tmp_path: Path) -> None:
    hostile = hostile_report()
    canary = (
        "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
        "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
        "<svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\"></svg>"
    )
    hostile = hostile.model_copy(update={"target": canary + HOSTILE, "verdict_reason": canary})
    good: Report = example("open-research-model")
    page = tmp_path / "notebook.html"
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        f"{render_html(good)}{render_html(hostile)}"
        f"{render_summary_html([good, hostile, (canary, 'not-found', canary)])}</body></html>",
        encoding="utf-8",
    )
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri())
    assert "data-pwned=" not in dom  # the attribute an injected script or handler would have set
    assert "<script" not in dom and "<img" not in dom
    assert "open-source-ai" in dom and "weights-available" in dom
    assert "meets OSAID 1.0 as far as the published material shows" in dom
    assert "&lt;script&gt;document.documentElement.setAttribute('data-pwned','script')&lt;/script&gt;" in dom


# --- notebook HTML inside nbconvert's JupyterLab template --------------------------------------------------------

#: A name long enough to need wrapping in a narrow batch-table column.
LONG_NAME = "an-organisation-with-a-long-name/a-model-release-with-an-even-longer-name-v2"


def lineage_report() -> Report:
    """The open research example with a two-level lineage: one graded base, one that could not be graded."""
    report = example("open-research-model")
    bases = (
        Base(
            repo_id="some-lab/base-model-7b",
            relation="finetune",
            depth=1,
            revision="0123456789abcdef",
            verdict=Verdict.OPEN_WEIGHTS,
            licenses=report.licenses,
        ),
        Base(repo_id="some-lab/pretrained-7b", relation="finetune", depth=2, note="gated: needs `accept terms`"),
    )
    return report.model_copy(update={"lineage": bases})


_LAB_PROBE = """
<pre id="probe-results"></pre>
<script>
const out = {cells: [], controls: [], segments: [], codes: [], headings: [], color: null, nested: true};
document.querySelectorAll("div.openscore-report td, div.openscore-report th").forEach((el) => {
  out.cells.push(getComputedStyle(el).textAlign);
  if (!el.closest(".jp-RenderedHTMLCommon")) out.nested = false;
});
document.querySelectorAll("table.control td").forEach((el) => out.controls.push(getComputedStyle(el).textAlign));
document.querySelectorAll("div.openscore-report td.os-target .os-seg").forEach((seg) => {
  const range = document.createRange();
  range.selectNodeContents(seg);
  out.segments.push({text: seg.textContent, lines: new Set([...range.getClientRects()].map((r) => r.top)).size,
                     row: seg.closest("td").getBoundingClientRect().height});
});
document.querySelectorAll("div.openscore-report code").forEach((el) => out.codes.push(el.textContent));
document.querySelectorAll("div.openscore-report h4").forEach((el) => out.headings.push(el.textContent));
out.color = getComputedStyle(document.querySelector("div.openscore-report")).color;
document.getElementById("probe-results").textContent = JSON.stringify(out);
</script>
"""


def lab_page(tmp_path: Path, theme: str, template: str = "lab") -> Path:
    """A notebook whose outputs are our report and batch table, exported with an nbconvert template (lab)."""
    nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra")
    nbconvert = pytest.importorskip("nbconvert", reason="nbconvert is in the test extra")
    good, restricted = lineage_report(), example("restricted-model")
    long_named = good.model_copy(update={"target": LONG_NAME})
    summary = render_summary_html([good, restricted, long_named, (LONG_NAME + "-x", "not-found", "no `such` repo")])
    control = "<table class='control'><tr><td>a plain table</td><td>the template right-aligns</td></tr></table>"
    outputs = [render_html(good), render_html(restricted), summary, control]
    cell = nbformat.v4.new_code_cell(
        "report",
        outputs=[nbformat.v4.new_output("display_data", data={"text/html": h, "text/plain": "x"}) for h in outputs],
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    body, _ = nbconvert.HTMLExporter(template_name=template, theme=theme).from_notebook_node(nb)
    page = tmp_path / f"{template}-{theme}.html"
    page.write_text(body.replace("</body>", _LAB_PROBE + "</body>"), encoding="utf-8")
    return page


def _luminance(css_color: str) -> float:
    r, g, b = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.mark.parametrize(("template", "theme"), [("lab", "light"), ("lab", "dark"), ("classic", "light")])
def test_notebook_html_in_nbconvert_templates(tmp_path: Path, template: str, theme: str) -> None:
    """JupyterLab's and classic Notebook's stylesheets (as nbconvert ships them) right-align table cells; ours win."""
    page = lab_page(tmp_path, theme, template)
    # No network: every host name fails to resolve (the template links MathJax and require.js from a CDN).
    dom = run_chromium(
        tmp_path, "--window-size=900,2000", "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", page.as_uri()
    )
    found = re.search(r'<pre id="probe-results">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    probe = json.loads(html.unescape(found.group(1)))
    # The template's rule is live (a plain table is right-aligned) and ours wins over it in every cell.
    assert probe["controls"] and set(probe["controls"]) == {"right"}
    assert len(probe["cells"]) > 30 and set(probe["cells"]) == {"left"}
    assert probe["nested"] or template != "lab"  # inside JupyterLab's rendered-HTML container
    # Names wrap at "/" only: each segment between <wbr> breaks renders on one line.
    long_segments = [s for s in probe["segments"] if len(s["text"]) > 30]
    assert len(long_segments) >= 4 and all(s["lines"] == 1 for s in long_segments), probe["segments"]
    # The lineage section, and our Markdown code spans as <code>.
    assert "Lineage" in probe["headings"]
    assert {"some-lab", "base-model-7b", "pretrained-7b"} <= {s["text"] for s in probe["segments"]}
    assert "not graded: gated: needs" in dom
    assert "accept terms" in probe["codes"] and "license:" in probe["codes"] and "such" in probe["codes"]
    # The text follows the theme: dark on light, light on dark.
    assert (_luminance(probe["color"]) > 0.5) == (theme == "dark"), probe["color"]


def test_notebook_html_screenshot_in_lab_template(tmp_path: Path) -> None:
    """A screenshot of the dark lab page: the theme's background shows, and our verdict colours are painted."""
    page = lab_page(tmp_path, "dark")
    shot = tmp_path / "lab-dark.png"
    run_chromium(
        tmp_path,
        "--window-size=900,700",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    _, _, pixels = _png_pixels(shot.read_bytes())
    dark = sum(1 for p in pixels if sum(p) < 3 * 80)
    assert dark > len(pixels) // 3  # the dark theme's background
    green = _rgb(VERDICT_COLORS[Verdict.OPEN_SOURCE_AI])
    assert sum(1 for p in pixels if all(abs(a - b) <= 24 for a, b in zip(p, green, strict=True))) > 200
