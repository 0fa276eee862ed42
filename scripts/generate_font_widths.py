#!/usr/bin/env python3
"""Generate ``src/openscore/data/font_widths.json``: advance widths of DejaVu Sans at 11px, for badge layout.

shields.io measures badge text with a Verdana 11px width table. Verdana is not free software and Debian only
ships an installer that downloads it, so openscore measures with DejaVu Sans (``fonts-dejavu-core``), the free
font the badge's ``font-family`` list falls back to; the SVG sets ``textLength`` on every text element, so the
rendered text is exactly the measured width whichever of the listed fonts the viewer has.

Needs fontTools (a development tool only, never a runtime dependency of openscore)::

    apt-get install -y fonts-dejavu-core && pip install fonttools
    python scripts/generate_font_widths.py [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]

The table covers printable ASCII (32-126), printable Latin-1 (160-255) and the few other characters openscore's
badges and common card text use; ``default`` is the width used for anything else (one em, wider than any glyph
in the table, so unknown text errs on the side of room to spare).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

DEFAULT_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "src" / "openscore" / "data" / "font_widths.json"
GENERATED_BY = "scripts/generate_font_widths.py"
SIZE_PX = 11

#: Beyond ASCII and Latin-1: the criteria marks (check, half circle, cross), the replacement character that
#: stands in for control characters, and common typography.
EXTRA = "\u2713\u2717\u25d0\ufffd\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u2122\u2212"
#: Characters that take no room when rendered (a soft hyphen shows only at a line break, never in a badge).
ZERO_WIDTH = "\u00ad"


def characters() -> list[str]:
    """Every character the table covers, in code point order."""
    chars = [chr(c) for c in range(32, 127)] + [chr(c) for c in range(160, 256)] + list(EXTRA)
    return sorted(set(chars), key=ord)


def debian_version(package: str) -> str | None:
    """The installed version of a Debian package, when dpkg knows it."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def build_table(font_path: Path) -> dict[str, Any]:
    """The output document for the font at ``font_path``."""
    from fontTools.ttLib import TTFont  # a generator-only dependency

    font = TTFont(str(font_path))
    units = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    family = font["name"].getDebugName(1) or font_path.stem
    version = font["name"].getDebugName(5) or "unknown version"
    widths: dict[str, float] = {}
    missing = []
    for ch in characters():
        if ch in ZERO_WIDTH:
            widths[ch] = 0.0
            continue
        glyph = cmap.get(ord(ch))
        if glyph is None:
            missing.append(f"U+{ord(ch):04X}")
            continue
        advance, _ = hmtx[glyph]
        widths[ch] = round(advance * SIZE_PX / units, 3)
    if missing:
        raise ValueError(f"{font_path} has no glyph for {', '.join(missing)}")
    package = debian_version("fonts-dejavu-core")
    source = f"{family} ({version}), {font_path.name}"
    if package:
        source += f", Debian fonts-dejavu-core {package}"
    return {
        "font": family,
        "size_px": SIZE_PX,
        "source": source,
        "units_per_em": units,
        "generated_by": GENERATED_BY,
        "note": "Advance widths in px at size_px, without kerning. shields.io uses a Verdana table; Verdana is "
        "not free, so this is DejaVu Sans, the badge's free fallback font. Badges set textLength to these widths.",
        "default": float(SIZE_PX),
        "widths": widths,
    }


def render(doc: dict[str, Any]) -> str:
    """JSON text with one character per line (stable, diff-friendly); non-ASCII keys are \\u-escaped."""
    lines = ["{"]
    for key, value in doc.items():
        if key != "widths":
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    lines.append('  "widths": {')
    entries = list(doc["widths"].items())
    for i, (ch, width) in enumerate(entries):
        comma = "," if i < len(entries) - 1 else ""
        lines.append(f"    {json.dumps(ch)}: {width}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("font", type=Path, nargs="?", default=DEFAULT_FONT, help=f"default: {DEFAULT_FONT}")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    doc = build_table(args.font)
    text = render(doc)
    json.loads(text)  # never write something that does not parse
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(doc['widths'])} characters from {doc['source']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
