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
_URL = re.compile(r"\]\([^)]*\)|<?https?://[^\s)>\]]+>?")


def _any(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``patterns`` (one search instead of many)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


@dataclass(frozen=True)
class CardRules:
    """Compiled prose rules."""

    data_headings: re.Pattern[str]
    data_heading_excludes: re.Pattern[str]
    min_description_words: int
    elements: dict[str, tuple[str, str, re.Pattern[str]]]  # key -> (title, remedy, any of its patterns)
    dataset_link: re.Pattern[str]
    code_hosts: re.Pattern[str]  # any host pattern; the repository path is in the first group that matched
    ignore_owners: frozenset[str]
    code_roles: dict[str, re.Pattern[str]]
    code_license_phrases: tuple[tuple[re.Pattern[str], str], ...]
    code_license_prefilter: tuple[str, ...]
    gate_terms: re.Pattern[str]
    checkpoint_mentions: re.Pattern[str]
    checkpoint_prefilter: tuple[str, ...]
    unshareable_data: re.Pattern[str]
    obtainable_data: re.Pattern[str]


def _load() -> dict[str, Any]:
    text = resources.files("openscore").joinpath("data/cards.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def rules() -> CardRules:
    """The compiled rules (loaded once)."""
    d = _load()
    return CardRules(
        data_headings=_any(d["data_headings"]["patterns"]),
        data_heading_excludes=_any(d["data_headings"]["exclude"]),
        min_description_words=int(d["min_description_words"]["value"]),
        elements={key: (e["title"], e["remedy"], _any(e["patterns"])) for key, e in d["data_elements"].items()},
        dataset_link=re.compile(d["dataset_link"]["pattern"], _FLAGS),
        code_hosts=_any(d["code_hosts"]["patterns"]),
        ignore_owners=frozenset(d["code_hosts"]["ignore_owners"]),
        code_roles={role: _any(pats) for role, pats in d["code_roles"]["roles"].items()},
        code_license_phrases=tuple(
            (re.compile(p["pattern"], 0 if p.get("case_sensitive") else _FLAGS), p["license"])
            for p in d["code_license_phrases"]["phrases"]
        ),
        code_license_prefilter=tuple(d["code_license_phrases"]["prefilter"]["words"]),
        gate_terms=_any(d["gate_terms"]["patterns"]),
        checkpoint_mentions=re.compile(d["checkpoint_mentions"]["pattern"], _FLAGS),
        checkpoint_prefilter=tuple(d["checkpoint_mentions"]["prefilter"]),
        unshareable_data=_any(d["data_classes"]["unshareable"]),
        obtainable_data=_any(d["data_classes"]["obtainable"]),
    )


def is_data_heading(heading: str) -> bool:
    """True when a heading introduces training data or training procedure."""
    r = rules()
    return r.data_headings.search(heading) is not None and r.data_heading_excludes.search(heading) is None


def dataset_id_from_url(url: str) -> str | None:
    """The Hub dataset id a URL points at, or None."""
    m = rules().dataset_link.match(url)
    return m.group(1) if m else None


def code_repository(url: str) -> str | None:
    """``host/owner/name`` for a link to a code repository, or None."""
    r = rules()
    m = r.code_hosts.match(url)
    if m is None:
        return None
    path = next(g for g in m.groups() if g is not None).rstrip("/")
    path = path.removesuffix(".git")
    if path.split("/", 1)[0].lower() in r.ignore_owners:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower().removeprefix("www.")
    return f"{host}/{path}"


def code_roles(context: str) -> list[str]:
    """The roles (training, data-processing, ...) that words in ``context`` give a code link."""
    return [role for role, pattern in rules().code_roles.items() if pattern.search(context)]


def code_license_ids(text: str) -> list[str]:
    """Hub license ids of code licenses stated in ``text``."""
    r = rules()
    lower = text.lower()
    if not any(word in lower for word in r.code_license_prefilter):
        return []
    return [lic for pattern, lic in r.code_license_phrases if pattern.search(text)]


def gate_terms(text: str) -> str | None:
    """The first phrase in a gate's text that shows access is conditional on accepting terms, or None."""
    m = rules().gate_terms.search(_URL.sub(" ", text))  # words inside links ('.../terms/') are not terms
    return m.group(0) if m else None


def mentions_checkpoints(text: str) -> str | None:
    """The phrase in ``text`` saying intermediate checkpoints are published, or None."""
    r = rules()
    lower = text.lower()
    if not any(word in lower for word in r.checkpoint_prefilter):
        return None
    m = r.checkpoint_mentions.search(text)
    return m.group(0) if m else None


def data_class_statement(text: str) -> tuple[str, str] | None:
    """``("unshareable" | "obtainable", phrase)`` when ``text`` says training data cannot be shared or must be
    obtained from a third party; None otherwise."""
    r = rules()
    for kind, pattern in (("unshareable", r.unshareable_data), ("obtainable", r.obtainable_data)):
        m = pattern.search(text)
        if m:
            return kind, m.group(0)
    return None
