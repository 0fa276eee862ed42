"""Data information (OSAID 1.0): sufficiently detailed information about the training data, element by element.

OSAID 1.0 asks for "sufficiently detailed information about the data used to train the system so that a skilled
person can build a substantially equivalent system": the provenance, scope and characteristics, how the data was
obtained and selected, the labelling procedures, and the processing and filtering methods, plus a list of the
public training data and where to obtain it. An expert reads the model card *and* the listed datasets' own cards,
so each element is judged from both:

- **described** (``pass``): the model card's training-data sections, or the card of every listed Hub dataset,
  describe it (evidence: where, quoted);
- **not applicable** (``not-applicable``): labelling, for self-supervised pretraining on raw data with no sign of
  supervised, instruction, preference or annotated data (evidence: the objective, and why nothing contradicts it);
- **not checked** (``unknown``): the model card does not describe it and a listed dataset's card was not read;
- **missing** (``fail``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..card import ParsedCard, Section
from ..cardrules import (
    code_repository,
    data_class_statement,
    dataset_id_from_url,
    element_offsets,
    is_data_heading,
    rules,
    self_supervised_statement,
    supervised_statement,
    without_placeholders,
)
from ..findings import FAIL, INFO, NOT_APPLICABLE, PASS, UNKNOWN, Criterion, Evidence, Finding, quote
from ..licenses import classify
from ..release import DatasetDoc, Release

C = Criterion.DATA_INFORMATION

#: Only the first this many characters of each training-data section are searched for the description elements;
#: past that, sections are result tables and logs.
MAX_SECTION_SCAN = 12_000
#: A dataset card is searched up to this many characters (its body, placeholders removed).
MAX_DATASET_CARD_SCAN = 60_000
#: At most this many listed datasets' cards are read for the elements.
MAX_DATASET_DOCS = 25

_NO_DATA_SECTION = Finding(
    id="training-data-section",
    criterion=C,
    outcome=FAIL,
    message="The card has no section about its training data.",
    remediation="Add a 'Training Data' section: where the data came from, what it contains, how it was "
    "selected, labelled and filtered.",
)
_NO_DATASETS_LISTED = Finding(
    id="datasets-listed",
    criterion=C,
    outcome=FAIL,
    message="No training dataset is listed (no `datasets:` metadata, no dataset links).",
    remediation="List the training datasets in the `datasets:` metadata and link where to obtain each.",
)
_NO_OPEN_DATA = Finding(
    id="open-data",
    criterion=C,
    outcome=UNKNOWN,
    message="No training dataset is listed, so whether the data is open cannot be told.",
)


def data_sections(card: ParsedCard) -> list[Section]:
    """Sections about training data or procedure, outermost only (a nested match is covered by its parent)."""
    found: list[Section] = []
    for section in card.sections:
        if not is_data_heading(section.heading):
            continue
        if found and found[-1].start_line <= section.start_line <= found[-1].end_line:
            continue
        found.append(section)
    return found


def _unreadable_card(release: Release, finding_id: str) -> Finding:
    return Finding(
        id=finding_id,
        criterion=C,
        outcome=UNKNOWN,
        message="The model card could not be read, so its data description cannot be checked.",
        evidence=(Evidence(kind="file", location="README.md", quote=quote("; ".join(release.unreadable)) or None),),
    )


# --------------------------------------------------------------------------------------------- where to look


@dataclass(frozen=True)
class _Hit:
    """Where an element is described: a section of the model card or of a dataset card."""

    location: str
    line: int
    quote: str
    kind: str  # "card" (the model card) or "dataset-card"


@dataclass
class _Texts:
    """The texts searched for the description elements, found once per release."""

    sections: list[Section]
    card_texts: list[tuple[Section, str]]  # the model card's training-data sections, when not too brief
    words: int
    brief: bool
    datasets: list[str]  # Hub datasets whose cards can speak for the release
    docs: dict[str, tuple[ParsedCard, list[tuple[Section | None, str]]]]  # read dataset cards and their texts
    unread: dict[str, str]  # dataset id -> why its card was not read
    offsets: dict[int, tuple[int | None, ...]] = field(default_factory=dict)  # id(text) -> element offsets

    def element_at(self, text: str, index: int) -> int | None:
        """Where element ``index`` is first described in ``text`` (each text is searched once for all elements)."""
        found = self.offsets.get(id(text))
        if found is None:
            found = self.offsets[id(text)] = element_offsets(text)
        return found[index]


#: Dataset-card sections that are not about the data itself (citations, licensing, how to load it): skipped.
_DOC_SKIP_HEADING = re.compile(
    r"citation|bibtex|licens|contribut|acknowledg|how to (?:use|load)|usage|loading|"
    r"example|install|contact|author",
    re.IGNORECASE,
)
#: A template field left empty ("- **Language(s):**" once its placeholder is removed): describes nothing.
_EMPTY_FIELD = re.compile(r"^\s*(?:[-*+]\s*)?(?:\*\*|__)?[^*_:\n]{1,60}:(?:\*\*|__)?\s*$")


def _doc_texts(card: ParsedCard) -> list[tuple[Section | None, str]]:
    """A dataset card's searchable text: its body without headings, code blocks, empty template fields,
    placeholders and sections that are not about the data (citation, licensing, usage), as one text whose lines
    keep their line numbers (line ``front_matter_end + 1`` is the text's first line)."""
    skip: set[int] = set()
    for s in card.sections:
        skip.add(s.start_line)
        if _DOC_SKIP_HEADING.search(s.heading):
            skip.update(range(s.start_line, s.end_line + 1))
    out: list[str] = []
    size = 0
    fence = False
    for number in range(card.front_matter_end + 1, len(card.lines) + 1):
        line = card.lines[number - 1]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            out.append("")
            continue
        if fence or number in skip:
            out.append("")
            continue
        line = without_placeholders(line) if "[" in line or "optional" in line.lower() else line
        out.append("" if _EMPTY_FIELD.match(line) else line)
        size += len(line) + 1
        if size > MAX_DATASET_CARD_SCAN:
            break
    return [(None, "\n".join(out))]


def _section_of(card: ParsedCard, line: int) -> str:
    """The heading of the innermost section holding ``line`` ("card" when none)."""
    found = "card"
    for s in card.sections:
        if s.start_line <= line <= s.end_line:
            found = s.heading  # sections come in document order: a later match is nested deeper
    return found


def _texts(release: Release, sections: list[Section], listed: Listed) -> _Texts:
    card = release.card
    assert card is not None
    bodies = [card.section_text(s) for s in sections]
    words = sum(len(body.split()) for body in bodies)
    brief = words < rules().min_description_words
    card_texts = [] if brief else [(s, body[:MAX_SECTION_SCAN]) for s, body in zip(sections, bodies, strict=True)]
    hub_ids = listed[0][:MAX_DATASET_DOCS]
    docs: dict[str, tuple[ParsedCard, list[tuple[Section | None, str]]]] = {}
    unread: dict[str, str] = {}
    for ds in hub_ids:
        doc: DatasetDoc | None = release.dataset_doc(ds)
        facts = release.datasets.get(ds)
        if facts is not None and not facts.found:
            unread[ds] = "not found on the Hub"
        elif doc is None:
            unread[ds] = "not looked up"
        elif doc.card is None:
            unread[ds] = doc.problem or "could not be read"
        else:
            docs[ds] = (doc.card, _doc_texts(doc.card))
    return _Texts(sections, card_texts, words, brief, hub_ids, docs, unread)


def _card_hit(release: Release, t: _Texts, index: int) -> _Hit | None:
    card = release.card
    assert card is not None
    for s, text in t.card_texts:
        start = t.element_at(text, index)
        if start is not None:
            line_no = s.start_line + 1 + text.count("\n", 0, start)
            return _Hit(s.heading, line_no, quote(card.lines[line_no - 1]), "card")
    return None


def _doc_hit(t: _Texts, ds: str, card: ParsedCard, texts: list[tuple[Section | None, str]], index: int) -> _Hit | None:
    for s, text in texts:
        start = t.element_at(text, index)
        if start is None:
            continue
        first = s.start_line + 1 if s is not None else card.front_matter_end + 1
        line_no = first + text.count("\n", 0, start)
        line = card.lines[line_no - 1] if 0 < line_no <= len(card.lines) else text[start : start + 120]
        heading = s.heading if s is not None else _section_of(card, line_no)
        return _Hit(f"dataset card {ds}: {heading}", line_no, quote(line), "dataset-card")
    return None


def _evidence(hit: _Hit) -> Evidence:
    kind = "card" if hit.kind == "card" else "dataset-card"
    return Evidence(kind=kind, location=hit.location, lines=(hit.line, hit.line), quote=hit.quote)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------- labelling


def _labelling_not_applicable(release: Release, t: _Texts) -> tuple[Evidence, ...] | None:
    """Evidence that labelling does not apply (self-supervised pretraining on raw data), or None.

    It applies (None) whenever anything shows labels: a base model (the release trains on data of its own, usually
    supervised), supervised wording in the training-data sections, a supervised Hub task, or a listed dataset
    whose metadata says it was annotated.
    """
    r = rules()
    card = release.card
    assert card is not None
    if release.base_ids():
        return None
    pipeline = (release.pipeline_tag or release.metadata.pipeline_tag or "").strip().lower()
    if pipeline in r.supervised_pipeline_tags:
        return None
    for _s, text in t.card_texts or [(s, card.section_text(s)[:MAX_SECTION_SCAN]) for s in t.sections]:
        if supervised_statement(text):
            return None
    annotated_ok: list[str] = []
    for ds in t.datasets:
        values = _annotation_values(release, ds)
        if values & r.annotated:
            return None
        if values and values <= r.no_annotation:
            annotated_ok.append(ds)
        elif ds in t.docs:
            doc_card = t.docs[ds][0]
            if doc_card.metadata.task_categories and any(
                c.strip().lower() in r.supervised_pipeline_tags for c in doc_card.metadata.task_categories
            ):
                return None
    evidence: list[Evidence] = []
    tags = {tag.strip().lower() for tag in (*release.metadata.tags, *release.tags)}
    objective_tags = sorted(tags & r.self_supervised_tags)
    if objective_tags:
        line = card.metadata_keys.get("tags")
        evidence.append(
            Evidence(kind="metadata", location="tags", lines=(line, line) if line else None, quote=objective_tags[0])
        )
    phrase_hit = _objective_phrase(card)
    if phrase_hit is not None:
        evidence.append(phrase_hit)
    if annotated_ok:
        evidence.append(
            Evidence(
                kind="hub",
                location=f"dataset {annotated_ok[0]}",
                quote="annotations_creators: no-annotation",
            )
        )
    if not evidence:
        return None
    return tuple(evidence)


def _annotation_values(release: Release, ds: str) -> set[str]:
    values: set[str] = set()
    facts = release.datasets.get(ds)
    if facts is not None:
        for tag in facts.tags:
            if tag.startswith("annotations_creators:"):
                values.add(tag.split(":", 1)[1].strip().lower())
    doc = release.dataset_doc(ds)
    if doc is not None and doc.card is not None:
        values.update(v.strip().lower() for v in doc.card.metadata.annotations_creators)
    return values


def _objective_phrase(card: ParsedCard) -> Evidence | None:
    """The first statement of a self-supervised objective in the card body (prose, not code blocks)."""
    body = card.body_text[:200_000]
    phrase = self_supervised_statement(body)
    if phrase is None:
        return None
    offset = body.find(phrase)
    line_no = card.front_matter_end + 1 + body.count("\n", 0, max(offset, 0))
    line = card.lines[line_no - 1] if 0 < line_no <= len(card.lines) else phrase
    return Evidence(kind="card", location="training objective", lines=(line_no, line_no), quote=quote(line))


# --------------------------------------------------------------------------------------------- the probes


def description(release: Release, sections: list[Section] | None = None, listed: Listed | None = None) -> list[Finding]:
    """``training-data-section`` and one ``data-<element>`` finding per OSAID description element.

    ``sections`` and ``listed`` are :func:`data_sections` and :func:`listed_datasets`, when the caller has them.
    """
    card = release.card
    if card is None:
        return [_unreadable_card(release, "training-data-section")]
    if sections is None:
        sections = data_sections(card)
    if listed is None:
        listed = listed_datasets(release)
    t = _texts(release, sections, listed)
    findings: list[Finding] = [_section_finding(card, t)]
    for index, (key, (title, remedy, _group)) in enumerate(rules().elements.items()):
        findings.append(_element(release, t, index, key, title, remedy))
    return findings


def _section_finding(card: ParsedCard, t: _Texts) -> Finding:
    if not t.sections:
        return _NO_DATA_SECTION
    evidence = [
        Evidence(
            kind="card", location=s.heading, lines=(s.start_line, s.end_line), quote=quote(card.section_text(s), 120)
        )
        for s in t.sections[:5]
    ]
    if t.brief:
        return Finding(
            id="training-data-section",
            criterion=C,
            outcome=FAIL,
            message=f"The training-data sections hold only {t.words} words, too little to describe the data.",
            evidence=tuple(evidence),
            remediation="Describe the training data in enough detail that a skilled person could build a "
            "substantially equivalent dataset.",
        )
    return Finding(
        id="training-data-section",
        criterion=C,
        outcome=PASS,
        message=f"{len(t.sections)} section(s) about training data ({t.words} words).",
        evidence=tuple(evidence),
    )


def _element(release: Release, t: _Texts, index: int, key: str, title: str, remedy: str) -> Finding:
    fid = f"data-{key}"
    hit = _card_hit(release, t, index)
    if hit is not None:
        return Finding(
            id=fid, criterion=C, outcome=PASS, message=f"The card describes {title}.", evidence=tuple([_evidence(hit)])
        )
    doc_hits = {ds: _doc_hit(t, ds, card, texts, index) for ds, (card, texts) in t.docs.items()}
    described = [ds for ds, h in doc_hits.items() if h is not None]
    lacking = [ds for ds, h in doc_hits.items() if h is None]
    if described and not lacking and not t.unread:
        return Finding(
            id=fid,
            criterion=C,
            outcome=PASS,
            message=f"The card of the listed training dataset{'s' if len(described) > 1 else ''} "
            f"{', '.join(described[:4])} describe{'' if len(described) > 1 else 's'} {title}.",
            evidence=tuple([_evidence(h) for h in doc_hits.values() if h is not None][:4]),
        )
    if key == "labelling":
        why = _labelling_not_applicable(release, t)
        if why is not None:
            return Finding(
                id=fid,
                criterion=C,
                outcome=NOT_APPLICABLE,
                message="Labelling does not apply: the model is pretrained with a self-supervised objective on raw "
                "data, and neither the card nor the listed datasets show labelled, instruction or preference data.",
                evidence=tuple(list(why)),
            )
    if t.unread and not lacking:
        where = ", ".join(f"{ds} ({why})" for ds, why in list(t.unread.items())[:4])
        return Finding(
            id=fid,
            criterion=C,
            outcome=UNKNOWN,
            message=f"The model card does not describe {title}, and the card of listed dataset(s) {where} was not "
            "read, so it is not known whether they do.",
            evidence=tuple([_evidence(h) for h in doc_hits.values() if h is not None][:4]),
            remediation=remedy,
        )
    message = f"The card does not describe {title}."
    if lacking:
        message = f"Neither the model card nor the card of listed dataset(s) {', '.join(lacking[:4])} describe {title}."
    return Finding(
        id=fid, criterion=C, outcome=FAIL, message=message, remediation=None if t.brief and not t.sections else remedy
    )


def listed_datasets(release: Release) -> tuple[list[str], list[Evidence]]:
    """Training datasets named by the metadata or linked from the card, with evidence."""
    ids: list[str] = []
    seen: set[str] = set()
    evidence: list[Evidence] = []
    line = release.card.metadata_keys.get("datasets") if release.card else None
    for ds in release.metadata.datasets:
        ds = ds.strip()
        if ds and ds not in seen:
            ids.append(ds)
            seen.add(ds)
    if ids:
        evidence.append(
            Evidence(
                kind="metadata",
                location=f"datasets ({release.metadata_origin or 'metadata'})",
                lines=(line, line) if line else None,
                quote=quote(", ".join(ids)),
            )
        )
    if release.card is not None:
        for link in release.card.links:
            ds_id = dataset_id_from_url(link.url)
            if ds_id and ds_id not in seen:
                ids.append(ds_id)
                seen.add(ds_id)
                if len(evidence) < 20:
                    evidence.append(
                        Evidence(kind="card", location="dataset link", lines=(link.line, link.line), quote=link.url)
                    )
    return ids, evidence


Listed = tuple[list[str], list[Evidence]]


def _external_sources(release: Release, sections: list[Section]) -> list[Evidence]:
    """Links in training-data sections to other places where data can be obtained."""
    card = release.card
    if card is None or not sections:
        return []
    out: list[Evidence] = []
    spans = sorted((s.start_line, s.end_line, s.heading) for s in sections)  # disjoint: outermost sections only
    starts = [start for start, _, _ in spans]
    for link in card.links:
        if not link.url.startswith(("http://", "https://")):
            continue
        i = bisect.bisect_right(starts, link.line) - 1  # the last section starting at or before the link
        if i < 0 or link.line > spans[i][1]:
            continue
        heading = spans[i][2]
        if dataset_id_from_url(link.url) or code_repository(link.url):
            continue
        out.append(Evidence(kind="card", location=heading, lines=(link.line, link.line), quote=link.url))
        if len(out) >= 10:
            break
    return out


def datasets_listed(release: Release, sections: list[Section] | None = None, listed: Listed | None = None) -> Finding:
    """``datasets-listed``: public training data is listed with where to get it.

    ``sections`` and ``listed`` are :func:`data_sections` and :func:`listed_datasets`, when the caller has them.
    """
    ids, evidence = listed_datasets(release) if listed is None else listed
    if sections is None:
        sections = data_sections(release.card) if release.card is not None else []
    external = _external_sources(release, sections)
    if ids or external:
        parts = []
        if ids:
            parts.append(f"{len(ids)} Hub dataset(s): {', '.join(ids[:8])}")
        if external:
            parts.append(f"{len(external)} other data source link(s)")
        return Finding(
            id="datasets-listed",
            criterion=C,
            outcome=PASS,
            message="Training data is listed: " + "; ".join(parts) + ".",
            evidence=tuple(evidence + external),
        )
    if release.card is None:
        return _unreadable_card(release, "datasets-listed")
    return _NO_DATASETS_LISTED


def open_data(release: Release, listed: Listed | None = None) -> Finding:
    """``open-data``: every listed training dataset is itself openly licensed and downloadable.

    ``pass`` when every listed dataset was looked up and is open; ``fail`` when one that was looked up is not;
    ``unknown`` when nothing is listed or a dataset's terms were not looked up: "not checked" is never "no".
    """
    ids, _ = listed_datasets(release) if listed is None else listed
    if not ids:
        return _NO_OPEN_DATA
    evidence: list[Evidence] = []
    closed: list[str] = []
    unknown: list[str] = []
    for ds in ids[:MAX_DATASET_DOCS]:
        facts = release.datasets.get(ds)
        if facts is None:
            unknown.append(ds)
            continue
        if not facts.found:
            closed.append(ds)
            evidence.append(Evidence(kind="hub", location=f"dataset {ds}", quote="not found on the Hub"))
            continue
        infos = [classify(v) for v in facts.license]
        open_terms = bool(infos) and all(i.is_open for i in infos)
        label = ", ".join(facts.license) or "no license"
        gate = f"; gated ({facts.gated})" if facts.gated else ""
        evidence.append(Evidence(kind="hub", location=f"dataset {ds}", quote=f"license: {label}{gate}"))
        if not open_terms or facts.gated == "manual":
            closed.append(ds)
    if closed:
        return Finding(
            id="open-data",
            criterion=C,
            outcome=FAIL,
            message=f"Not every training dataset is open: {', '.join(closed[:6])}.",
            evidence=tuple(evidence),
        )
    if unknown:
        return Finding(
            id="open-data",
            criterion=C,
            outcome=UNKNOWN,
            message=f"The terms of {len(unknown)} dataset(s) were not looked up: {', '.join(unknown[:6])}.",
            evidence=tuple(evidence),
        )
    return Finding(
        id="open-data",
        criterion=C,
        outcome=PASS,
        message="Every listed training dataset is openly licensed and freely downloadable.",
        evidence=tuple(evidence),
    )


def dataset_classes(
    release: Release, sections: list[Section] | None = None, listed: Listed | None = None
) -> Finding | None:
    """``dataset-classes``: each training dataset in the OSAID FAQ's classes (open, public, obtainable, unshareable).

    Informational: OSAID 1.0 accepts all four classes as long as each is described and, where it can be had,
    listed with where to get it.
    """
    ids, _ = listed_datasets(release) if listed is None else listed
    classes: list[str] = []
    evidence: list[Evidence] = []
    for ds in ids[:25]:
        facts = release.datasets.get(ds)
        if facts is None:
            kind = "listed (terms not looked up)"
        elif not facts.found:
            kind = "not found on the Hub"
        else:
            infos = [classify(v) for v in facts.license]
            is_open = bool(infos) and all(i.is_open for i in infos) and facts.gated != "manual"
            kind = "open" if is_open else "public"
        classes.append(f"{ds}: {kind}")
    card = release.card
    if card is not None:
        for s in data_sections(card) if sections is None else sections:
            text = card.section_text(s)[:MAX_SECTION_SCAN]
            statement = data_class_statement(text)
            if statement:
                kind, phrase = statement
                line = s.start_line + 1 + text[: text.lower().find(phrase.lower())].count("\n")
                classes.append(f"data described in '{s.heading}': {kind}")
                evidence.append(Evidence(kind="card", location=s.heading, lines=(line, line), quote=quote(phrase)))
    if not classes:
        return None
    return Finding(
        id="dataset-classes",
        criterion=C,
        outcome=INFO,
        message="Training data by OSAID data class: " + "; ".join(classes[:12]) + ".",
        evidence=tuple(evidence),
    )


def sources_not_read(release: Release) -> Finding | None:
    """``data-sources-not-read``: papers and technical reports the card cites, which openscore does not read."""
    papers = list(getattr(release, "papers", ()) or ())
    if not papers:
        return None
    return Finding(
        id="data-sources-not-read",
        criterion=C,
        outcome=INFO,
        message="The card cites paper(s) that may document the data further; openscore does not read them: "
        + ", ".join(f"arXiv:{p}" for p in papers[:8])
        + ".",
        evidence=tuple([Evidence(kind="metadata", location="papers", quote=quote(", ".join(papers[:8])))]),
    )


def probe(release: Release) -> list[Finding]:
    """All data-information probes."""
    sections = data_sections(release.card) if release.card is not None else []
    listed = listed_datasets(release)
    found = [
        *description(release, sections, listed),
        datasets_listed(release, sections, listed),
        open_data(release, listed),
        dataset_classes(release, sections, listed),
        sources_not_read(release),
    ]
    return [f for f in found if f is not None]
