"""Data information (OSAID 1.0): the card describes the training data and lists the public data used."""

from __future__ import annotations

from ..card import ParsedCard, Section
from ..cardrules import (
    code_repository,
    data_class_statement,
    dataset_id_from_url,
    element_offsets,
    is_data_heading,
    rules,
)
from ..findings import FAIL, INFO, PASS, UNKNOWN, Criterion, Evidence, Finding, quote
from ..licenses import classify
from ..release import Release

C = Criterion.DATA_INFORMATION

#: Only the first this many characters of each training-data section are searched for the description elements;
#: past that, sections are result tables and logs, and scanning them costs time on every graded card.
MAX_SECTION_SCAN = 12_000


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
_NO_OPEN_DATA = Finding(id="open-data", criterion=C, outcome=FAIL, message="No training datasets are listed.")


def _element_missing(key: str, title: str, remedy: str | None) -> Finding:
    return Finding(
        id=f"data-{key}",
        criterion=C,
        outcome=FAIL,
        message=f"The card does not describe {title}.",
        remediation=remedy,
    )


def _unreadable_card(release: Release, finding_id: str) -> Finding:
    return Finding(
        id=finding_id,
        criterion=C,
        outcome=UNKNOWN,
        message="The model card could not be read, so its data description cannot be checked.",
        evidence=(Evidence(kind="file", location="README.md", quote=quote("; ".join(release.unreadable)) or None),),
    )


def description(release: Release, sections: list[Section] | None = None) -> list[Finding]:
    """``training-data-section`` and one ``data-<element>`` finding per OSAID description element.

    ``sections`` are the card's :func:`data_sections`, when the caller has them already.
    """
    card = release.card
    if card is None:
        return [_unreadable_card(release, "training-data-section")]
    if sections is None:
        sections = data_sections(card)
    if not sections:
        return [_NO_DATA_SECTION]
    r = rules()
    bodies = [card.section_text(s) for s in sections]
    words = sum(len(body.split()) for body in bodies)
    evidence = [
        Evidence(
            kind="card",
            location=s.heading,
            lines=(s.start_line, s.end_line),
            quote=quote(body, 120),
        )
        for s, body in zip(sections[:5], bodies, strict=False)
    ]
    brief = words < r.min_description_words
    findings = [
        Finding(
            id="training-data-section",
            criterion=C,
            outcome=FAIL if brief else PASS,
            message=(
                f"The training-data sections hold only {words} words, too little to describe the data."
                if brief
                else f"{len(sections)} section(s) about training data ({words} words)."
            ),
            evidence=tuple(evidence),
            remediation=(
                "Describe the training data in enough detail that a skilled person could build a substantially "
                "equivalent dataset."
                if brief
                else None
            ),
        )
    ]
    texts = [] if brief else [(s, body[:MAX_SECTION_SCAN]) for s, body in zip(sections, bodies, strict=True)]
    offsets: dict[int, tuple[int | None, ...]] = {}  # each section is searched once, and only when needed

    def offset(i: int, text: str, element: int) -> int | None:
        found = offsets.get(i)
        if found is None:
            found = offsets[i] = element_offsets(text)
        return found[element]

    for index, (key, (title, remedy, _group)) in enumerate(r.elements.items()):
        hit: tuple[Section, int, str] | None = None
        for i, (s, text) in enumerate(texts):
            start = offset(i, text, index)
            if start is not None:
                line_no = s.start_line + 1 + text.count("\n", 0, start)
                hit = (s, line_no, card.lines[line_no - 1])
                break
        if hit:
            s, line_no, line = hit
            findings.append(
                Finding(
                    id=f"data-{key}",
                    criterion=C,
                    outcome=PASS,
                    message=f"The card describes {title}.",
                    evidence=(Evidence(kind="card", location=s.heading, lines=(line_no, line_no), quote=quote(line)),),
                )
            )
        else:
            findings.append(_element_missing(key, title, None if brief else remedy))
    return findings


def listed_datasets(release: Release) -> tuple[list[str], list[Evidence]]:
    """Training datasets named by the metadata or linked from the card, with evidence."""
    ids: list[str] = []
    evidence: list[Evidence] = []
    line = release.card.metadata_keys.get("datasets") if release.card else None
    for ds in release.metadata.datasets:
        if ds not in ids:
            ids.append(ds)
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
            if ds_id and ds_id not in ids:
                ids.append(ds_id)
                evidence.append(
                    Evidence(kind="card", location="dataset link", lines=(link.line, link.line), quote=link.url)
                )
    return ids, evidence


def _external_sources(release: Release, sections: list[Section] | None) -> list[Evidence]:
    """Links in training-data sections to other places where data can be obtained."""
    card = release.card
    if card is None:
        return []
    out: list[Evidence] = []
    for s in data_sections(card) if sections is None else sections:
        for link in card.links:
            if s.start_line <= link.line <= s.end_line and link.url.startswith(("http://", "https://")):
                if dataset_id_from_url(link.url) or code_repository(link.url):
                    continue
                out.append(Evidence(kind="card", location=s.heading, lines=(link.line, link.line), quote=link.url))
    return out[:10]


Listed = tuple[list[str], list[Evidence]]


def datasets_listed(release: Release, sections: list[Section] | None = None, listed: Listed | None = None) -> Finding:
    """``datasets-listed``: public training data is listed with where to get it.

    ``sections`` and ``listed`` are :func:`data_sections` and :func:`listed_datasets`, when the caller has them.
    """
    ids, evidence = listed_datasets(release) if listed is None else listed
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
    """``open-data``: every listed training dataset is itself openly licensed and downloadable."""
    ids, _ = listed_datasets(release) if listed is None else listed
    if not ids:
        return _NO_OPEN_DATA
    evidence: list[Evidence] = []
    closed: list[str] = []
    unknown: list[str] = []
    for ds in ids:
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


def probe(release: Release) -> list[Finding]:
    """All data-information probes."""
    sections = data_sections(release.card) if release.card is not None else []
    listed = listed_datasets(release)
    found = [
        *description(release, sections),
        datasets_listed(release, sections, listed),
        open_data(release, listed),
        dataset_classes(release, sections, listed),
    ]
    return [f for f in found if f is not None]
