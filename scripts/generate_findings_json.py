"""Regenerate src/openscore/data/findings.json (what ``openscore explain`` prints) from the table in
docs/findings.md, the one place finding ids are documented:

    python scripts/generate_findings_json.py

tests/test_api.py checks that the packaged file is current.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "findings.md"
OUT = ROOT / "src" / "openscore" / "data" / "findings.json"
_ROW = re.compile(r"^\| (`[a-z0-9-]+`(?:, `[a-z0-9-]+`)*) \| (.*?) \| (.*?) \| (.*?) \|$")


def build() -> dict[str, object]:
    """The findings table of docs/findings.md as data: one entry per id, in table order."""
    findings: list[dict[str, str]] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m is None:
            continue
        ids, criterion, question, osaid = m.groups()
        for fid in re.findall(r"`([a-z0-9-]+)`", ids):
            findings.append({"id": fid, "criterion": criterion, "question": question, "osaid": osaid})
    return {"source": "docs/findings.md", "findings": findings}


def main() -> int:
    OUT.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
