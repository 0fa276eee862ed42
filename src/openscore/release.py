"""The facts about one release, gathered by a source and read by the probes. No judgement here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .card import EMPTY_METADATA, CardMetadata, ParsedCard, parse_card
from .codehosts import CodeLicense
from .files import relation_hint
from .hub import DatasetCard, DatasetFacts

_RELATIONS = {
    "finetune": "finetune",
    "finetuned": "finetune",
    "adapter": "adapter",
    "lora": "adapter",
    "quantized": "quantized",
    "quantization": "quantized",
    "merge": "merge",
    "merged": "merge",
}

SourceKind = Literal["hub", "folder", "card"]


@dataclass(frozen=True)
class TextFile:
    """A LICENSE-like file of the release: its text, or why it could not be read."""

    path: str
    text: str | None
    problem: str | None = None


@dataclass(frozen=True)
class DatasetDoc:
    """A listed training dataset's own Hub card (its README), parsed, or why it was not read.

    ``card`` is None when the card was not read; ``problem`` then says why in plain words ("not looked up: graded
    offline", "gated", "has no README.md", "could not be reached").
    """

    repo_id: str
    card: ParsedCard | None
    problem: str | None = None


@dataclass
class Release:
    """Everything openscore knows about a release before judging it.

    Attributes:
        target: what the user asked for (a repo id, a folder path, or a label for an in-memory card).
        source: where the facts came from.
        repo_id: the Hub repository id, when there is one.
        revision: the commit sha graded (Hub), or None.
        files: every path in the release, or None when the listing is unknown (an in-memory card without files).
        card: the parsed README, or None when it is missing or could not be read.
        metadata: front-matter fields, from the README or, when the README cannot be read, the Hub's ``cardData``.
        metadata_origin: ``"README.md front matter"``, ``"Hub cardData"`` or None.
        text_files: LICENSE-like files that were present, read or not.
        gated: None, ``"auto"`` or ``"manual"`` (Hub only).
        datasets: Hub facts about the listed training datasets (metadata ``datasets`` and Hub dataset links of the
            card), keyed by id (Hub only).
        code_licenses: what code hosts say about the license of each code repository the card links, keyed by
            ``host/owner/name``: found, none, or unchecked with the reason (offline, turned off, rate limited,
            unreachable, unsupported host). See :class:`~openscore.codehosts.CodeLicense`.
        dataset_cards: each listed training dataset's Hub card (README text at the commit looked up), or why it
            was not read (missing, gated, not looked up: folder or in-memory grading, offline), keyed by id.
        papers: arXiv ids the release names (``arxiv:`` tags, arxiv.org links), in order; never fetched.
        unreadable: plain-language notes on what could not be read.
    """

    target: str
    source: SourceKind
    repo_id: str | None = None
    revision: str | None = None
    files: tuple[str, ...] | None = None
    card: ParsedCard | None = None
    metadata: CardMetadata = EMPTY_METADATA
    metadata_origin: str | None = None
    text_files: list[TextFile] = field(default_factory=list)
    gated: str | None = None
    tags: tuple[str, ...] = ()
    library_name: str | None = None
    pipeline_tag: str | None = None
    last_modified: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    parameter_count: int | None = None
    format_tags: tuple[str, ...] = ()  # the Hub's file-format tags, read when the file listing is unknown (a dump)
    datasets: dict[str, DatasetFacts] = field(default_factory=dict)
    checkpoint_mention: str | None = None  # the card's phrase saying intermediate checkpoints are published
    branches: tuple[tuple[str, str], ...] | None = None  # (name, commit) when the branches were listed
    code_licenses: dict[str, CodeLicense] = field(default_factory=dict)
    dataset_cards: dict[str, DatasetCard] = field(default_factory=dict)
    papers: tuple[str, ...] = ()
    prose_bases: tuple[tuple[str, str], ...] = ()  # (base id, relation) the card's prose names, see cardrules
    stated_base_terms: dict[str, str] = field(default_factory=dict)  # folder settings: base id -> license
    _docs: dict[str, DatasetDoc] = field(default_factory=dict, init=False, repr=False, compare=False)
    readme_problems: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    def base_ids(self) -> list[str]:
        """The base models this release derives from: ``base_model`` metadata and the Hub's ``baseModels``, else the
        bases the card's prose names as such (``prose_bases``: "GGUF quantizations of org/name")."""
        listed = (v.strip() for v in [*self.metadata.base_model, *self.base_models])
        out = list(dict.fromkeys(v for v in listed if v and v != self.repo_id))  # in order, each once, linear
        if not out:
            out = [b for b, _ in self.prose_bases if b != self.repo_id and b != self.target]
        return out

    def relation(self) -> str | None:
        """How the release derives from its bases: finetune, adapter, quantized or merge (None without bases)."""
        bases = self.base_ids()
        if not bases:
            return None
        for value in (self.metadata.base_model_relation, self.base_model_relation):
            if value:
                norm = value.strip().lower().replace("-", "").replace("_", "")
                if norm in _RELATIONS:
                    return _RELATIONS[norm]
        hint = relation_hint(self.files) if self.files else None
        if hint:
            return hint
        if not self.metadata.base_model and not self.base_models and self.prose_bases:
            return self.prose_bases[0][1]
        return "merge" if len(bases) > 1 else "finetune"

    def dataset_doc(self, repo_id: str) -> DatasetDoc | None:
        """The listed dataset's card, parsed (once), or why it was not read; None when it was not looked up."""
        doc = self._docs.get(repo_id)
        if doc is None:
            found = self.dataset_cards.get(repo_id)
            if found is None:
                return None
            card = parse_card(found.text) if found.text is not None else None
            doc = self._docs[repo_id] = DatasetDoc(repo_id, card, found.problem)
        return doc

    def text_file(self, path: str) -> TextFile | None:
        """The LICENSE-like file at ``path`` (case-insensitive), if it was collected."""
        lower = path.lower()
        for tf in self.text_files:
            if tf.path.lower() == lower:
                return tf
        return None
