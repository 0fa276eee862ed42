#!/usr/bin/env python3
"""Generate ``src/openscore/data/spdx_licenses.json`` from the SPDX License List.

Input is a local copy of ``json/licenses.json`` from https://github.com/spdx/license-list-data (the raw
file is not kept in this repository). The output keeps only what openscore needs, keyed by the lowercase
license id, one license per line so that a list update reviews as a small diff::

    python scripts/generate_spdx_table.py /path/to/licenses.json

Flags are copied, never edited: ``osi`` is ``isOsiApproved``; ``fsf`` is ``isFsfLibre`` (``null`` when
the SPDX list does not give the flag); ``deprecated`` is ``isDeprecatedLicenseId``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "src" / "openscore" / "data" / "spdx_licenses.json"
GENERATED_BY = "scripts/generate_spdx_table.py"


def build_table(raw: dict[str, Any]) -> dict[str, Any]:
    """The output document for a parsed ``licenses.json``."""
    version = raw.get("licenseListVersion")
    licenses = raw.get("licenses")
    if not isinstance(version, str) or not isinstance(licenses, list) or not licenses:
        raise ValueError("not an SPDX licenses.json: need 'licenseListVersion' and a non-empty 'licenses' list")
    table: dict[str, dict[str, Any]] = {}
    for item in licenses:
        license_id = item["licenseId"]
        key = license_id.lower()
        if key in table:
            raise ValueError(f"duplicate license id (case-insensitive): {license_id}")
        fsf = item.get("isFsfLibre")
        table[key] = {
            "id": license_id,
            "name": item["name"],
            "osi": bool(item["isOsiApproved"]),
            "fsf": None if fsf is None else bool(fsf),
            "deprecated": bool(item["isDeprecatedLicenseId"]),
        }
    doc: dict[str, Any] = {
        "source": f"SPDX License List {version}, json/licenses.json",
        "generated_by": GENERATED_BY,
    }
    if isinstance(raw.get("releaseDate"), str):
        doc["release_date"] = raw["releaseDate"]
    doc["licenses"] = {key: table[key] for key in sorted(table)}
    return doc


def render(doc: dict[str, Any]) -> str:
    """JSON text with one license per line (stable, diff-friendly)."""
    lines = ["{"]
    for key, value in doc.items():
        if key != "licenses":
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "licenses": {')
    entries = list(doc["licenses"].items())
    for i, (key, entry) in enumerate(entries):
        comma = "," if i < len(entries) - 1 else ""
        body = json.dumps(entry, ensure_ascii=False, separators=(", ", ": "))
        lines.append(f"    {json.dumps(key)}: {body}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("licenses_json", type=Path, help="local copy of SPDX json/licenses.json")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    raw = json.loads(args.licenses_json.read_text(encoding="utf-8"))
    doc = build_table(raw)
    text = render(doc)
    json.loads(text)  # never write something that does not parse
    args.output.write_text(text, encoding="utf-8")
    n = len(doc["licenses"])
    osi = sum(1 for e in doc["licenses"].values() if e["osi"])
    print(f"wrote {args.output}: {n} licenses ({osi} OSI-approved) from {doc['source']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
