"""Code (OSAID 1.0): the training and data-processing code is published under an OSI-approved license.

The card's links say where the code is and what it is for (the words around each link); a listed training
dataset's own card may link the code that built the dataset (its data-processing code). Each repository's license
is what the card states next to it or in a section about code, and what its host reports (GitHub, GitLab, Spaces;
see :mod:`openscore.codehosts`). A host that was not asked, or could not answer, leaves the license *unknown*,
never "no license".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..card import ParsedCard
from ..cardrules import code_license_ids, code_repository, code_roles, is_dataset_code_label, software_citations
from ..findings import FAIL, PASS, UNKNOWN, Criterion, Evidence, Finding, Outcome, quote
from ..licenses import lookup_hub_id, lookup_spdx
from ..release import Release

C = Criterion.CODE
REQUIRED_ROLES = ("training", "data-processing")
#: A link's paragraph is at most this many lines on either side of it.
MAX_PARAGRAPH_LINES = 30
#: At most this many distinct repositories are read from one card.
MAX_REPOSITORIES = 200

_CARD_UNREADABLE = Finding(
    id="code-published",
    criterion=C,
    outcome=UNKNOWN,
    message="The model card could not be read, so links to code cannot be checked.",
)
_NO_CODE_LINKED = Finding(
    id="code-published",
    criterion=C,
    outcome=FAIL,
    message="The card links no code repository.",
    remediation="Link the repositories holding the training and data-processing code, with their license.",
)
_ROLE_MISSING = {
    role: Finding(
        id=f"{role}-code-published",
        criterion=C,
        outcome=FAIL,
        message=f"No linked repository is described as {role} code.",
        remediation=f"Publish the {role} code and link it from the card, saying what it is for.",
    )
    for role in REQUIRED_ROLES
}


@dataclass
class CodeLink:
    """A code repository linked from the card (or from a listed dataset's card), with the roles its context gives
    it."""

    repo: str
    url: str
    line: int
    roles: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    context: str = ""
    origin: str = "card"  # "card", or "dataset card <id>"

    def licenses(self) -> list[str]:
        """Code licenses stated in the paragraphs around the link."""
        found: list[str] = []
        for paragraph in self.paragraphs:
            for lic in code_license_ids(paragraph):
                if lic not in found:
                    found.append(lic)
        return found


def _paragraph(card: ParsedCard, line: int) -> str:
    first = card.front_matter_end + 1
    start = line
    while start > first and line - start < MAX_PARAGRAPH_LINES and card.lines[start - 2].strip():
        start -= 1
    end = line
    while end < len(card.lines) and end - line < MAX_PARAGRAPH_LINES and card.lines[end].strip():
        end += 1
    return card.line_text(start, end)


def _headings_at(card: ParsedCard, lines: list[int]) -> dict[int, list[str]]:
    """The headings of the sections holding each of ``lines`` (outermost first), in one pass over the sections.

    Headings nest at most six deep, so each line is in a handful of sections: linear in sections + lines.
    """
    ordered = sorted(set(lines))
    out: dict[int, list[str]] = {line: [] for line in ordered}
    for s in card.sections:
        lo = bisect.bisect_left(ordered, s.start_line)
        hi = bisect.bisect_right(ordered, s.end_line)
        for line in ordered[lo:hi]:
            headings = out[line]
            if len(headings) < 8:
                headings.append(s.heading)
    return out


def code_links(card: ParsedCard, *, origin: str = "card") -> list[CodeLink]:
    """Code repositories linked from ``card``, one per repository, with roles and stated licenses."""
    wanted = [(link, repo) for link in card.links if (repo := code_repository(link.url)) is not None]
    if not wanted:
        return []
    headings = _headings_at(card, [link.line for link, _ in wanted])
    found: dict[str, CodeLink] = {}
    by_line: dict[int, tuple[str, list[str]]] = {}  # links on one line share their context
    for link, repo in wanted:
        if repo not in found and len(found) >= MAX_REPOSITORIES:
            continue  # a repository past the cap: its context is not worth reading
        if link.line not in by_line:
            paragraph = _paragraph(card, link.line)
            context = f"{paragraph}\n{' / '.join(headings[link.line])}"
            roles = code_roles(context)
            if origin != "card" and is_dataset_code_label(f"{link.text}\n{card.lines[link.line - 1]}"):
                roles = [*roles, "data-processing"]
            by_line[link.line] = (paragraph, roles)
        paragraph, roles = by_line[link.line]
        entry = found.get(repo)
        if entry is None:
            entry = found[repo] = CodeLink(
                repo=repo, url=link.url, line=link.line, context=quote(paragraph, 160), origin=origin
            )
        for role in roles:
            if role not in entry.roles:
                entry.roles.append(role)
        if paragraph not in entry.paragraphs and len(entry.paragraphs) < 5:
            entry.paragraphs.append(paragraph)
    return list(found.values())


def cited_software(card: ParsedCard, known: set[str]) -> list[CodeLink]:
    """Code the card cites as ``@software`` (BibTeX), located by the entry's url or doi: the model's training code.

    See ``software_citations`` in data/cards.json for why a cited software entry counts as training code.
    """
    body = card.body_text[:200_000]
    out: list[CodeLink] = []
    for citation in software_citations(body):
        if citation.repo is None or citation.repo in known:
            continue
        known.add(citation.repo)
        line = card.front_matter_end + 1 + body.count("\n", 0, citation.offset)
        roles = ["training", *(r for r in code_roles(citation.title) if r != "training")]
        out.append(
            CodeLink(
                repo=citation.repo,
                url=citation.repo,
                line=line,
                roles=roles,
                context=quote(f"@software: {citation.title}", 160),
            )
        )
    return out


def dataset_code_links(release: Release) -> list[CodeLink]:
    """Repositories a listed training dataset's own card links as the code that built the dataset."""
    out: list[CodeLink] = []
    for ds in release.dataset_cards:
        doc = release.dataset_doc(ds)
        if doc is None or doc.card is None:
            continue
        for link in code_links(doc.card, origin=f"dataset card {ds}"):
            if "data-processing" in link.roles:
                link.roles = ["data-processing"]
                out.append(link)
    return out


def _code_license_sections(card: ParsedCard) -> list[str]:
    """License ids stated in sections about code ('Code', 'Code license', 'Training code')."""
    out: list[str] = []
    for s in card.sections:
        h = s.heading.lower()
        if "code" in h or "repositor" in h or "software" in h:
            for lic in code_license_ids(card.section_text(s)[:20_000]):
                if lic not in out:
                    out.append(lic)
    return out


def _osi(lic: str) -> bool:
    info = lookup_hub_id(lic) or lookup_spdx(lic)
    return bool(info and info.osi_approved)


@dataclass(frozen=True)
class RepoLicense:
    """What is known of one repository's license: an outcome, a phrase for messages, and the evidence."""

    repo: str
    outcome: Outcome
    says: str
    evidence: tuple[Evidence, ...]


def repo_license(release: Release, link: CodeLink, card_wide: list[str]) -> RepoLicense:
    """The license of one linked repository, from the card's statements and its host's answer.

    The most restrictive statement governs: a license that is not OSI-approved, from the card or the host, fails;
    an OSI-approved one from either passes; a host that says the repository has no license fails; otherwise the
    license is unknown (not stated and not checked).
    """
    stated = link.licenses() + (card_wide if link.origin == "card" else [])
    evidence: list[Evidence] = []
    if stated:
        evidence.append(
            Evidence(
                kind="card" if link.origin == "card" else "dataset-card",
                location=f"code license statement ({link.origin})",
                lines=(link.line, link.line),
                quote=", ".join(dict.fromkeys(stated)),
            )
        )
    looked = release.code_licenses.get(link.repo)
    host_id: str | None = None  # the license id the host reports (SPDX, or a Hub id for Spaces)
    host_state = "unchecked"
    host_detail = "not looked up"
    if looked is not None:
        host_state = looked.state
        host_id = looked.spdx or looked.key if looked.state == "found" else None
        host_detail = looked.detail.removeprefix("not checked: ") or looked.source or "not checked"
        if host_state == "found" and not looked.spdx and looked.key in (None, "other", "noassertion"):
            host_state, host_id = "unidentified", None  # a license file the host cannot identify
        said = {
            "found": f"{host_id} (seen {looked.seen})",
            "none": looked.detail or "no license file",
            "unidentified": "a license file the host does not identify",
            "unchecked": f"not checked: {host_detail}",
        }[host_state]
        evidence.append(
            Evidence(
                kind="code-host",
                location=f"{looked.source or 'code host'}: {link.repo}",
                quote=quote(said + (f" ({looked.url})" if looked.url and host_state == "found" else "")),
            )
        )
    host_spdx = host_id
    osi_stated = [lic for lic in stated if _osi(lic)]
    other_stated = [lic for lic in stated if not _osi(lic)]
    host_osi = host_state == "found" and host_spdx is not None and _osi(host_spdx)
    if host_state == "found" and host_spdx is not None and not host_osi:
        return RepoLicense(link.repo, FAIL, f"{link.repo}: {host_spdx} per its host, not OSI-approved", tuple(evidence))
    if other_stated and not osi_stated:
        says = f"{link.repo}: {', '.join(other_stated)} stated, not OSI-approved"
        return RepoLicense(link.repo, FAIL, says, tuple(evidence))
    if host_osi:
        return RepoLicense(link.repo, PASS, f"{link.repo}: {host_spdx} (its host)", tuple(evidence))
    if osi_stated:
        return RepoLicense(link.repo, PASS, f"{link.repo}: {', '.join(osi_stated)} (stated)", tuple(evidence))
    if host_state == "none":
        says = f"{link.repo}: no license per its host ({looked.detail if looked else 'none'})"
        return RepoLicense(link.repo, FAIL, says, tuple(evidence))
    if host_state == "unidentified":
        says = f"{link.repo}: its license file is not one the host identifies, and the card states none"
        return RepoLicense(link.repo, UNKNOWN, says, tuple(evidence))
    return RepoLicense(link.repo, UNKNOWN, f"{link.repo}: not stated, not checked ({host_detail})", tuple(evidence))


def probe(release: Release) -> list[Finding]:
    """``code-published``, ``training-code-published``, ``data-processing-code-published``, ``code-license``."""
    card = release.card
    if card is None:
        return [_CARD_UNREADABLE]
    links = code_links(card)
    links += cited_software(card, {link.repo for link in links})
    if not links:
        return [_NO_CODE_LINKED]
    from_datasets = [d for d in dataset_code_links(release) if d.repo not in {link.repo for link in links}]

    def ev(link: CodeLink) -> Evidence:
        roles = ", ".join(link.roles) or "role not stated"
        return Evidence(
            kind="card" if link.origin == "card" else "dataset-card",
            location=f"link to {link.repo}" + ("" if link.origin == "card" else f" ({link.origin})"),
            lines=(link.line, link.line),
            quote=f"[{roles}] {link.context}",
        )

    findings = [
        Finding(
            id="code-published",
            criterion=C,
            outcome=PASS,
            message=f"{len(links)} code repositor{'y' if len(links) == 1 else 'ies'} linked: "
            + ", ".join(f"{link.repo} ({', '.join(link.roles) or 'role not stated'})" for link in links[:6]),
            evidence=tuple(ev(link) for link in links[:10]),
        )
    ]
    for role in REQUIRED_ROLES:
        with_role = [link for link in (*links, *from_datasets) if role in link.roles]
        if not with_role:
            findings.append(_ROLE_MISSING[role])
            continue
        where = ", ".join(
            link.repo + ("" if link.origin == "card" else f" (linked from the {link.origin})") for link in with_role[:4]
        )
        findings.append(
            Finding(
                id=f"{role}-code-published",
                criterion=C,
                outcome=PASS,
                message=f"{role.capitalize()} code is linked: {where}.",
                evidence=tuple([ev(link) for link in with_role[:4]]),
            )
        )
    findings.append(_license_finding(release, card, links, from_datasets))
    return findings


def _license_finding(release: Release, card: ParsedCard, links: list[CodeLink], extra: list[CodeLink]) -> Finding:
    card_wide = _code_license_sections(card)
    everything = [*links, *extra]
    roles_present = [role for role in REQUIRED_ROLES if any(role in link.roles for link in everything)]
    relevant = [link for link in everything if set(link.roles) & set(REQUIRED_ROLES)] or links
    results = {link.repo: repo_license(release, link, card_wide) for link in relevant[:20]}
    evidence = [e for r in results.values() for e in r.evidence][:12]
    says = "; ".join(r.says for r in results.values())
    if roles_present:
        per_role = {
            role: [results[link.repo].outcome for link in relevant[:20] if role in link.roles] for role in roles_present
        }
    else:
        per_role = {"code": [r.outcome for r in results.values()]}
    if all(PASS in outcomes for outcomes in per_role.values()):
        failed = [r.says for r in results.values() if r.outcome is FAIL]
        return Finding(
            id="code-license",
            criterion=C,
            outcome=PASS,
            message="The training and data-processing code is under an OSI-approved license: " + says + "."
            if not failed
            else "OSI-approved code is published (" + says + ").",
            evidence=tuple(evidence),
        )
    if any(outcomes and all(o is FAIL for o in outcomes) for outcomes in per_role.values()):
        return Finding(
            id="code-license",
            criterion=C,
            outcome=FAIL,
            message="The code is not under an OSI-approved license: " + says + ".",
            evidence=tuple(evidence),
            remediation="Release the training and data-processing code under an OSI-approved license.",
        )
    return Finding(
        id="code-license",
        criterion=C,
        outcome=UNKNOWN,
        message="The code license is not known: " + says + ".",
        evidence=tuple(evidence),
        remediation="State the code's license (an OSI-approved one such as Apache-2.0 or MIT) next to the link, "
        "and keep a LICENSE file in the repository.",
    )
