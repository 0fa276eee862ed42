"""What openscore looks for in a card's prose, compiled from ``data/cards.json``.

The patterns and their reasons live in the data file; this module compiles them once and offers small,
pure helpers that the probes use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class CardRules:
    """Compiled prose rules."""

    data_headings: tuple[re.Pattern[str], ...]
    data_heading_excludes: tuple[re.Pattern[str], ...]
    min_description_words: int
    elements: dict[str, tuple[str, tuple[re.Pattern[str], ...]]]  # key -> (title, patterns)
    dataset_link: re.Pattern[str]
    code_hosts: tuple[re.Pattern[str], ...]
    ignore_owners: frozenset[str]
    code_roles: dict[str, tuple[re.Pattern[str], ...]]
    code_license_phrases: tuple[tuple[re.Pattern[str], str], ...]
    gate_terms: tuple[re.Pattern[str], ...]


def _load() -> dict[str, Any]:
    text = resources.files("openscore").joinpath("data/cards.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def rules() -> CardRules:
    """The compiled rules (loaded once)."""
    d = _load()
    return CardRules(
        data_headings=tuple(re.compile(p, _FLAGS) for p in d["data_headings"]["patterns"]),
        data_heading_excludes=tuple(re.compile(p, _FLAGS) for p in d["data_headings"]["exclude"]),
        min_description_words=int(d["min_description_words"]["value"]),
        elements={
            key: (e["title"], tuple(re.compile(p, _FLAGS) for p in e["patterns"]))
            for key, e in d["data_elements"].items()
        },
        dataset_link=re.compile(d["dataset_link"]["pattern"], _FLAGS),
        code_hosts=tuple(re.compile(p, _FLAGS) for p in d["code_hosts"]["patterns"]),
        ignore_owners=frozenset(d["code_hosts"]["ignore_owners"]),
        code_roles={
            role: tuple(re.compile(p, _FLAGS) for p in pats) for role, pats in d["code_roles"]["roles"].items()
        },
        code_license_phrases=tuple(
            (re.compile(p["pattern"], 0 if p.get("case_sensitive") else _FLAGS), p["license"])
            for p in d["code_license_phrases"]["phrases"]
        ),
        gate_terms=tuple(re.compile(p, _FLAGS) for p in d["gate_terms"]["patterns"]),
    )


def is_data_heading(heading: str) -> bool:
    """True when a heading introduces training data or training procedure."""
    r = rules()
    if any(p.search(heading) for p in r.data_heading_excludes):
        return False
    return any(p.search(heading) for p in r.data_headings)


def dataset_id_from_url(url: str) -> str | None:
    """The Hub dataset id a URL points at, or None."""
    m = rules().dataset_link.match(url)
    return m.group(1) if m else None


def code_repository(url: str) -> str | None:
    """``host/owner/name`` for a link to a code repository, or None."""
    r = rules()
    for pattern in r.code_hosts:
        m = pattern.match(url)
        if m:
            path = m.group(1).rstrip("/")
            if path.endswith(".git"):
                path = path[:-4]
            owner = path.split("/", 1)[0].lower()
            if owner in r.ignore_owners:
                return None
            host = url.split("://", 1)[1].split("/", 1)[0].lower().removeprefix("www.")
            return f"{host}/{path}"
    return None


def code_roles(context: str) -> list[str]:
    """The roles (training, data-processing, ...) that words in ``context`` give a code link."""
    return [role for role, pats in rules().code_roles.items() if any(p.search(context) for p in pats)]


def code_license_ids(text: str) -> list[str]:
    """Hub license ids of code licenses stated in ``text``."""
    return [lic for pattern, lic in rules().code_license_phrases if pattern.search(text)]


def gate_terms(text: str) -> str | None:
    """The first phrase in a gate's text that shows access is conditional on accepting terms, or None."""
    for pattern in rules().gate_terms:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None
