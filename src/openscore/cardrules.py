"""What openscore looks for in a card's prose, compiled from ``data/cards.json``.

The patterns and their reasons live in the data file; this module compiles them once and offers small,
pure helpers that the probes use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_FLAGS = re.IGNORECASE
#: Link targets in gate text. A target stops at ")", "]" or a line end and is at most 2,000 characters: a "](" with
#: no ")" after it is not rescanned to the end of the text (quadratic on a long gate prompt), and the next "]" ends
#: the scan, so the total work stays linear.
_URL = re.compile(r"\]\([^)\]\n]{0,2000}+\)|<?https?://[^\s)>\]]{1,2000}+>?")


def _any(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any of ``patterns`` (for URLs, which are short)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), _FLAGS)


#: A literal run at the start of a pattern (letters, digits, spaces, hyphens), not cut short by a quantifier.
_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{2,}(?![?*{])")


def _alternatives(source: str) -> tuple[list[str], int]:
    """``source`` cut at each ``|`` outside parentheses and character classes, up to the first ``)`` it does not
    open; with the index of that ``)`` (``len(source)`` when there is none)."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:i])
    return parts, i


def required_words(source: str) -> list[str] | None:
    """Words of which every match of ``source`` contains one, for rules of the plain shapes ``\\bword...`` and
    ``\\b(?:word...|word...)...``, or alternatives of them; None for any other shape (the rule is always run).

    A cheap prefilter: a rule none of whose words occurs in a text cannot match it.
    """
    words: list[str] = []
    for alternative in _alternatives(source)[0]:
        body = alternative.removeprefix(r"\b")
        options = [body]
        if body.startswith("(?:"):
            options, end = _alternatives(body[3:])
            if end == len(body) - 3 or body[end + 4 : end + 5] in ("?", "*", "{"):
                return None  # unbalanced, or the group is optional
        for option in options:
            run = _RUN.match(option)
            if run is None:
                return None
            words.append(run.group(0))
    return words


def fold(text: str) -> str:
    """``text`` lower-cased so that a case-insensitive match of an ASCII word in ``text`` is a substring of it: the
    characters ``re.IGNORECASE`` equates with an ASCII letter (U+0130, U+0131, U+017F; U+212A lower-cases to ``k``)
    become that letter first."""
    if not text.isascii():
        text = text.replace("\u0130", "i").replace("\u0131", "i").replace("\u017f", "s")
    return text.lower()


class _Rule:
    """One compiled rule pattern, with its prefilter (:func:`required_words`)."""

    __slots__ = ("ignorecase", "pattern", "words")

    def __init__(self, source: str, flags: int) -> None:
        self.pattern = re.compile(source, flags)
        self.ignorecase = bool(flags & re.IGNORECASE)
        words = required_words(source)
        self.words = None if words is None else tuple(w.lower() if self.ignorecase else w for w in words)

    def search(self, text: str, folded: str) -> re.Match[str] | None:
        """``self.pattern.search(text)`` (``folded``: :func:`fold` of ``text``)."""
        if self.words is not None:
            hay = folded if self.ignorecase else text
            if not any(word in hay for word in self.words):
                return None
        return self.pattern.search(text)


class PatternGroup:
    """Several regexes searched as their alternation ``(?:p1)|(?:p2)|...`` would be: the leftmost match of any, and
    among matches at the same position the earliest pattern's.

    Args:
        patterns: the regexes, in priority order (one may be given as ``(pattern, flags)`` to override ``flags``).
        flags: ``re`` flags for every pattern.
        labels: optionally, a label for each pattern, for :meth:`labels_matching` (default: the pattern itself).
    """

    __slots__ = ("_labels", "_rules", "patterns")

    def __init__(
        self, patterns: Iterable[str | tuple[str, int]], flags: int = 0, labels: Iterable[str] | None = None
    ) -> None:
        items = [item if isinstance(item, tuple) else (item, flags) for item in patterns]
        #: The pattern sources, for documentation and tests.
        self.patterns: tuple[str, ...] = tuple(source for source, _ in items)
        self._rules = tuple(_Rule(source, own_flags) for source, own_flags in items)
        self._labels = tuple(labels) if labels is not None else self.patterns
        if len(self._labels) != len(self._rules):
            raise ValueError("one label per pattern")

    def search(self, text: str) -> re.Match[str] | None:
        """The leftmost match of any pattern (the earliest pattern's among matches at the same position)."""
        folded = fold(text)
        best: re.Match[str] | None = None
        for rule in self._rules:
            m = rule.search(text, folded)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best

    def matches(self, text: str) -> bool:
        """True when any pattern matches somewhere in ``text``."""
        folded = fold(text)
        return any(rule.search(text, folded) for rule in self._rules)

    def labels_matching(self, text: str) -> list[str]:
        """The labels of the patterns that match ``text``, each once, in the order the labels were first given."""
        folded = fold(text)
        found: list[str] = []
        for label, rule in zip(self._labels, self._rules, strict=True):
            if label not in found and rule.search(text, folded):
                found.append(label)
        return found


class Screened:
    """Patterns tried only on text that holds one of their words (lower-cased): a plain substring prefilter, for
    rules whose words :func:`required_words` cannot derive. The words are listed with the rule in data/cards.json."""

    __slots__ = ("group", "words")

    def __init__(self, words: Iterable[str], patterns: list[str]) -> None:
        self.words = tuple(w.lower() for w in words)
        self.group = _group(patterns)

    def search(self, text: str, lowered: str | None = None) -> re.Match[str] | None:
        """The leftmost match, or None; ``lowered`` is :func:`fold` of ``text`` when the caller has it."""
        low = fold(text) if lowered is None else lowered
        if not any(word in low for word in self.words):
            return None
        return self.group.search(text)


def _group(patterns: list[str]) -> PatternGroup:
    """Case-insensitive ``patterns``, searched as one alternation."""
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
    self_supervised: Screened
    self_supervised_tags: frozenset[str]
    supervised: PatternGroup
    supervised_pipeline_tags: frozenset[str]
    placeholders: re.Pattern[str]
    no_annotation: frozenset[str]
    annotated: frozenset[str]
    dataset_code_labels: re.Pattern[str]
    use_restrictions: tuple[tuple[str, Screened], ...]  # (kind, its patterns)
    external_weights: PatternGroup
    software_entry: re.Pattern[str]
    prose_bases: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]  # (relation, words, phrase + reference)
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
        self_supervised=Screened(
            d["training_objective"]["self_supervised"]["words"], d["training_objective"]["self_supervised"]["patterns"]
        ),
        self_supervised_tags=frozenset(d["training_objective"]["self_supervised_tags"]["values"]),
        supervised=_group(d["training_objective"]["supervised"]["patterns"]),
        supervised_pipeline_tags=frozenset(d["training_objective"]["supervised_pipeline_tags"]["values"]),
        placeholders=_any(d["dataset_cards"]["placeholders"]["patterns"]),
        no_annotation=frozenset(d["dataset_cards"]["no_annotation"]["values"]),
        annotated=frozenset(d["dataset_cards"]["annotated"]["values"]),
        dataset_code_labels=_any(d["dataset_cards"]["code_link_labels"]["patterns"]),
        use_restrictions=tuple(
            (kind, Screened(entry["words"], entry["patterns"]))
            for kind, entry in d["use_restrictions"]["kinds"].items()
        ),
        external_weights=_group(d["external_weights"]["patterns"]),
        software_entry=re.compile(d["software_citations"]["entry"], _FLAGS),
        prose_bases=tuple(
            (
                relation,
                tuple(e["words"]),
                re.compile("(?:" + "|".join(e["patterns"]) + ")" + d["prose_bases"]["reference"], _FLAGS),
            )
            for relation, e in d["prose_bases"]["relations"].items()
        ),
        software_fields=re.compile(d["software_citations"]["fields"], _FLAGS),
        doi_archives=dict(d["software_citations"]["doi_archives"]["prefixes"]),
    )


@lru_cache(maxsize=4096)
def is_data_heading(heading: str) -> bool:
    """True when a heading introduces training data or training procedure (remembered: cards and batches repeat
    their headings)."""
    r = rules()
    return r.data_headings.matches(heading) and not r.data_heading_excludes.matches(heading)


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


def element_offsets(text: str) -> tuple[int | None, ...]:
    """Where in ``text`` each data-description element (in ``rules().elements`` order) is first found, or None."""
    out: list[int | None] = []
    for _title, _remedy, group in rules().elements.values():
        m = group.search(text)
        out.append(m.start() if m else None)
    return tuple(out)


def code_roles(context: str) -> list[str]:
    """The roles (training, data-processing, ...) that words in ``context`` give a code link."""
    return rules().code_roles.labels_matching(context)


def code_license_ids(text: str) -> list[str]:
    """Hub license ids of code licenses stated in ``text``."""
    return rules().code_license_phrases.labels_matching(text)


def gate_terms(text: str) -> str | None:
    """The first phrase in a gate's text that shows access is conditional on accepting terms, or None."""
    m = rules().gate_terms.search(_URL.sub(" ", text))  # words inside links ('.../terms/') are not terms
    return m.group(0) if m else None


def mentions_checkpoints(text: str) -> str | None:
    """The phrase in ``text`` saying intermediate checkpoints are published, or None."""
    m = rules().checkpoint_mentions.search(text)
    return m.group(0) if m else None


def data_class_statement(text: str) -> tuple[str, str] | None:
    """``("unshareable" | "obtainable", phrase)`` when ``text`` says training data cannot be shared or must be
    obtained from a third party; None otherwise."""
    r = rules()
    for kind, group in (("unshareable", r.unshareable_data), ("obtainable", r.obtainable_data)):
        m = group.search(text)
        if m:
            return kind, m.group(0)
    return None


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
    lowered = fold(text)
    for kind, pattern in rules().use_restrictions:
        m = pattern.search(text, lowered)
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


def prose_bases(text: str, limit: int = 6) -> list[tuple[str, str]]:
    """Base models the prose names as such ("GGUF quantizations of org/name"): ``(repo_id, relation)``, in order."""
    found: dict[str, str] = {}
    lowered = text.lower()
    for relation, words, pattern in rules().prose_bases:
        if not any(w in lowered for w in words):
            continue
        for m in pattern.finditer(text):
            ref = next((g for g in m.groups() if g), None)
            if ref:
                ref = ref.rstrip(".").removesuffix("/tree/main")
                found.setdefault(ref, relation)
            if len(found) >= limit:
                break
    return list(found.items())[:limit]
