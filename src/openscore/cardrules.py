"""What openscore looks for in a card's prose, compiled from ``data/cards.json``.

The patterns and their reasons live in the data file; this module compiles them once and offers small,
pure helpers that the probes use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from .patterns import PatternGroup, fold

_FLAGS = re.IGNORECASE
_URL = re.compile(r"\]\([^)]*\)|<?https?://[^\s)>\]]+>?")


def _any(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``patterns`` (for URLs, which are short)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


def _group(patterns: list[str]) -> PatternGroup:
    """Case-insensitive ``patterns`` searched as one alternation, each skipped when its literals are absent."""
    return PatternGroup(patterns, _FLAGS)


@dataclass(frozen=True)
class CardRules:
    """Compiled prose rules."""

    data_headings: PatternGroup
    data_heading_excludes: PatternGroup
    min_description_words: int
    elements: dict[str, tuple[str, str, PatternGroup]]  # key -> (title, remedy, its patterns)
    dataset_link: re.Pattern[str]
    code_hosts: re.Pattern[str]  # any host pattern; the repository path is in the first group that matched
    ignore_owners: frozenset[str]
    code_roles: PatternGroup  # labelled with the role
    code_license_phrases: PatternGroup  # labelled with the Hub license id
    gate_terms: PatternGroup
    checkpoint_mentions: PatternGroup
    unshareable_data: PatternGroup
    obtainable_data: PatternGroup
    self_supervised: re.Pattern[str]
    self_supervised_tags: frozenset[str]
    supervised: re.Pattern[str]
    supervised_pipeline_tags: frozenset[str]
    placeholders: re.Pattern[str]
    no_annotation: frozenset[str]
    annotated: frozenset[str]
    dataset_code_labels: re.Pattern[str]
    use_restrictions: tuple[tuple[str, re.Pattern[str]], ...]  # (kind, any of its patterns)
    external_weights: re.Pattern[str]
    software_entry: re.Pattern[str]
    software_fields: re.Pattern[str]
    doi_archives: dict[str, str]


def _load() -> dict[str, Any]:
    text = resources.files("openscore").joinpath("data/cards.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def rules() -> CardRules:
    """The compiled rules (loaded once)."""
    d = _load()
    return CardRules(
        data_headings=_group(d["data_headings"]["patterns"]),
        data_heading_excludes=_group(d["data_headings"]["exclude"]),
        min_description_words=int(d["min_description_words"]["value"]),
        elements={key: (e["title"], e["remedy"], _group(e["patterns"])) for key, e in d["data_elements"].items()},
        dataset_link=re.compile(d["dataset_link"]["pattern"], _FLAGS),
        code_hosts=_any(d["code_hosts"]["patterns"]),
        ignore_owners=frozenset(d["code_hosts"]["ignore_owners"]),
        code_roles=PatternGroup(
            [p for pats in d["code_roles"]["roles"].values() for p in pats],
            _FLAGS,
            labels=[role for role, pats in d["code_roles"]["roles"].items() for _ in pats],
        ),
        code_license_phrases=PatternGroup(
            [(p["pattern"], 0 if p.get("case_sensitive") else _FLAGS) for p in d["code_license_phrases"]["phrases"]],
            labels=[p["license"] for p in d["code_license_phrases"]["phrases"]],
        ),
        gate_terms=_group(d["gate_terms"]["patterns"]),
        checkpoint_mentions=_group(d["checkpoint_mentions"]["patterns"]),
        unshareable_data=_group(d["data_classes"]["unshareable"]),
        obtainable_data=_group(d["data_classes"]["obtainable"]),
        self_supervised=_any(d["training_objective"]["self_supervised"]["patterns"]),
        self_supervised_tags=frozenset(d["training_objective"]["self_supervised_tags"]["values"]),
        supervised=_any(d["training_objective"]["supervised"]["patterns"]),
        supervised_pipeline_tags=frozenset(d["training_objective"]["supervised_pipeline_tags"]["values"]),
        placeholders=_any(d["dataset_cards"]["placeholders"]["patterns"]),
        no_annotation=frozenset(d["dataset_cards"]["no_annotation"]["values"]),
        annotated=frozenset(d["dataset_cards"]["annotated"]["values"]),
        dataset_code_labels=_any(d["dataset_cards"]["code_link_labels"]["patterns"]),
        use_restrictions=tuple(
            (kind, _any(entry["patterns"])) for kind, entry in d["use_restrictions"]["kinds"].items()
        ),
        external_weights=_any(d["external_weights"]["patterns"]),
        software_entry=re.compile(d["software_citations"]["entry"], _FLAGS),
        software_fields=re.compile(d["software_citations"]["fields"], _FLAGS),
        doi_archives=dict(d["software_citations"]["doi_archives"]["prefixes"]),
    )


@lru_cache(maxsize=4096)  # headings repeat across cards ("Training data", "Training procedure")
def is_data_heading(heading: str) -> bool:
    """True when a heading introduces training data or training procedure."""
    r = rules()
    folded = fold(heading)
    return r.data_headings.matches(heading, folded) and not r.data_heading_excludes.matches(heading, folded)


@lru_cache(maxsize=4096)  # links repeat across cards (badges, the library's repository, common datasets)
def dataset_id_from_url(url: str) -> str | None:
    """The Hub dataset id a URL points at, or None."""
    m = rules().dataset_link.match(url)
    return m.group(1) if m else None


@lru_cache(maxsize=4096)
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


#: Cards made from one template (RL agents, AutoTrain, ...) repeat the same paragraphs around the same links; the
#: answers for recent paragraphs are kept (pure functions of the text, so a cached answer is the answer). Texts
#: longer than _CACHED_TEXT are not kept: at most 4 x 1024 texts of up to 8,000 characters (typically a few hundred).
_PARAGRAPH_CACHE = 1024
_CACHED_TEXT = 8000


@lru_cache(maxsize=_PARAGRAPH_CACHE)
def _code_roles(context: str) -> tuple[str, ...]:
    return tuple(rules().code_roles.labels_matching(context))


@lru_cache(maxsize=_PARAGRAPH_CACHE)
def _code_license_ids(text: str) -> tuple[str, ...]:
    return tuple(rules().code_license_phrases.labels_matching(text))


def _element_offsets(text: str) -> tuple[int | None, ...]:
    folded = fold(text)
    out: list[int | None] = []
    for _title, _remedy, group in rules().elements.values():
        m = group.search(text, folded)
        out.append(m.start() if m else None)
    return tuple(out)


_cached_element_offsets = lru_cache(maxsize=_PARAGRAPH_CACHE)(_element_offsets)


def element_offsets(text: str) -> tuple[int | None, ...]:
    """Where in ``text`` each data-description element (in ``rules().elements`` order) is first found, or None."""
    return _cached_element_offsets(text) if len(text) <= _CACHED_TEXT else _element_offsets(text)


def code_roles(context: str) -> list[str]:
    """The roles (training, data-processing, ...) that words in ``context`` give a code link."""
    if len(context) > _CACHED_TEXT:
        return rules().code_roles.labels_matching(context)
    return list(_code_roles(context))


def code_license_ids(text: str) -> list[str]:
    """Hub license ids of code licenses stated in ``text``."""
    if len(text) > _CACHED_TEXT:
        return rules().code_license_phrases.labels_matching(text)
    return list(_code_license_ids(text))


def gate_terms(text: str) -> str | None:
    """The first phrase in a gate's text that shows access is conditional on accepting terms, or None."""
    m = rules().gate_terms.search(_URL.sub(" ", text))  # words inside links ('.../terms/') are not terms
    return m.group(0) if m else None


def mentions_checkpoints(text: str) -> str | None:
    """The phrase in ``text`` saying intermediate checkpoints are published, or None."""
    m = rules().checkpoint_mentions.search(text)
    return m.group(0) if m else None


def _data_class_statement(text: str) -> tuple[str, str] | None:
    r = rules()
    folded = fold(text)
    for kind, group in (("unshareable", r.unshareable_data), ("obtainable", r.obtainable_data)):
        m = group.search(text, folded)
        if m:
            return kind, m.group(0)
    return None


_cached_data_class_statement = lru_cache(maxsize=_PARAGRAPH_CACHE)(_data_class_statement)


def data_class_statement(text: str) -> tuple[str, str] | None:
    """``("unshareable" | "obtainable", phrase)`` when ``text`` says training data cannot be shared or must be
    obtained from a third party; None otherwise."""
    return _cached_data_class_statement(text) if len(text) <= _CACHED_TEXT else _data_class_statement(text)


def self_supervised_statement(text: str) -> str | None:
    """The phrase in ``text`` naming a self-supervised training objective ("autoregressive"), or None."""
    m = rules().self_supervised.search(text)
    return m.group(0) if m else None


def supervised_statement(text: str) -> str | None:
    """The phrase in ``text`` showing supervised, instruction, preference or annotated data, or None."""
    m = rules().supervised.search(text)
    return m.group(0) if m else None


def without_placeholders(text: str) -> str:
    """``text`` with the dataset-card template's placeholders ("[More Information Needed]") removed."""
    return rules().placeholders.sub(" ", text)


def is_dataset_code_label(context: str) -> bool:
    """True when ``context`` (a link's text and its line) presents a dataset card's link as the dataset's code."""
    return rules().dataset_code_labels.search(context) is not None


def use_restrictions(text: str) -> list[tuple[str, int, str]]:
    """Use restrictions stated in ``text``: ``(kind, offset, phrase)`` for the first statement of each kind."""
    found: list[tuple[str, int, str]] = []
    for kind, pattern in rules().use_restrictions:
        m = pattern.search(text)
        if m:
            found.append((kind, m.start(), m.group(0)))
    return found


def points_at_external_weights(line: str) -> bool:
    """True when a card line says weights can be had elsewhere ("download the weights from ...")."""
    return rules().external_weights.search(line) is not None


@dataclass(frozen=True)
class SoftwareCitation:
    """A BibTeX ``@software`` entry of a card: where it starts (offset in the text), its title and the code
    repository its ``url`` or ``doi`` locates (``host/path``), if any."""

    offset: int
    title: str
    repo: str | None


def _doi_repository(doi: str) -> str | None:
    doi = doi.strip().lower().removeprefix("https://").removeprefix("http://")
    doi = doi.removeprefix("dx.doi.org/").removeprefix("doi.org/")
    for prefix, path in rules().doi_archives.items():
        if doi.startswith(prefix):
            record = doi[len(prefix) :]
            return f"{path}{record}" if record.isdigit() else None
    return None


def software_citations(text: str, limit: int = 10) -> list[SoftwareCitation]:
    """The ``@software`` entries of ``text`` (each read up to 3,000 characters), at most ``limit``."""
    r = rules()
    out: list[SoftwareCitation] = []
    for m in r.software_entry.finditer(text):
        body = text[m.end() : m.end() + 3000]
        end = body.find("\n}")
        body = body[: end if end >= 0 else len(body)]
        fields: dict[str, str] = {}
        for f in r.software_fields.finditer(body):
            fields.setdefault(f.group(1).lower(), f.group(2).strip())
        repo = None
        for value in (fields.get("url"), fields.get("doi")):
            if not value:
                continue
            repo = code_repository(value) if value.startswith(("http://", "https://")) else None
            repo = repo or _doi_repository(value)
            if repo:
                break
        out.append(SoftwareCitation(m.start(), fields.get("title", "").strip("{} "), repo))
        if len(out) >= limit:
            break
    return out
