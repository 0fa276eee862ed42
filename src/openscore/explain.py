"""What each finding id means: the question it answers, its criterion and the OSAID 1.0 clause behind it.

The same table as docs/findings.md, shipped as ``data/findings.json`` so that ``openscore.explain(id)`` and
``openscore explain ID`` work from an installed package.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["FindingDoc", "explain", "finding_docs"]


@dataclass(frozen=True)
class FindingDoc:
    """The documentation of one finding id."""

    id: str
    criterion: str
    question: str
    osaid: str

    def __str__(self) -> str:
        return f"{self.id} ({self.criterion})\n{self.question}\nOSAID 1.0: {self.osaid}"


@cache
def finding_docs() -> dict[str, FindingDoc]:
    """Every documented finding id with its documentation."""
    raw = resources.files("openscore").joinpath("data", "findings.json").read_text(encoding="utf-8")
    return {row["id"]: FindingDoc(**row) for row in json.loads(raw)["findings"]}


def explain(finding_id: str) -> str:
    """The documentation of ``finding_id`` (``"license-drift"``): its criterion, question and OSAID clause.

    Raises:
        KeyError: an id openscore does not have; the message suggests the nearest ones.
    """
    docs = finding_docs()
    key = finding_id.strip().lower()
    if key not in docs:
        near = difflib.get_close_matches(key, list(docs), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else "; see docs/findings.md"
        raise KeyError(f"{finding_id!r} is not a finding id{hint}")
    return str(docs[key])
