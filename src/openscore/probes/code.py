"""Code (OSAID 1.0): the training and data-processing code is published under an OSI-approved license."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..card import ParsedCard, Section
from ..cardrules import code_license_ids, code_repository, code_roles
from ..findings import FAIL, INFO, PASS, UNKNOWN, Criterion, Evidence, Finding, quote
from ..licenses import lookup_hub_id, lookup_spdx
from ..release import Release

C = Criterion.CODE
REQUIRED_ROLES = ("training", "data-processing")


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
_NO_CODE_LICENSE = Finding(
    id="code-license",
    criterion=C,
    outcome=UNKNOWN,
    message="The card does not state the license of the linked code.",
    remediation="State the code's license (an OSI-approved one such as Apache-2.0 or MIT) next to the link.",
)


@dataclass
class CodeLink:
    """A code repository linked from the card, with the roles its context gives it."""

    repo: str
    url: str
    line: int
    roles: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    context: str = ""

    def licenses(self) -> list[str]:
        """Code licenses stated in the paragraphs around the link (computed on demand: it is the costly part)."""
        found: list[str] = []
        for paragraph in self.paragraphs:
            for lic in code_license_ids(paragraph):
                if lic not in found:
                    found.append(lic)
        return found


def _paragraph(card: ParsedCard, line: int) -> str:
    start = line
    while start > card.front_matter_end + 1 and card.lines[start - 2].strip():
        start -= 1
    end = line
    while end < len(card.lines) and card.lines[end].strip():
        end += 1
    return card.line_text(start, min(end, start + 30))


def _enclosing(card: ParsedCard, line: int) -> list[Section]:
    return [s for s in card.sections if s.start_line <= line <= s.end_line]


def code_links(card: ParsedCard) -> list[CodeLink]:
    """Code repositories linked from the card, one per repository, with roles and stated licenses."""
    found: dict[str, CodeLink] = {}
    by_line: dict[int, tuple[str, list[str]]] = {}  # links on one line share their context
    for link in card.links:
        repo = code_repository(link.url)
        if repo is None:
            continue
        if link.line not in by_line:
            paragraph = _paragraph(card, link.line)
            headings = " / ".join(s.heading for s in _enclosing(card, link.line))
            by_line[link.line] = (paragraph, code_roles(f"{paragraph}\n{headings}"))
        paragraph, roles = by_line[link.line]
        entry = found.get(repo)
        if entry is None:
            entry = found[repo] = CodeLink(repo=repo, url=link.url, line=link.line, context=quote(paragraph, 160))
        for role in roles:
            if role not in entry.roles:
                entry.roles.append(role)
        if paragraph not in entry.paragraphs:
            entry.paragraphs.append(paragraph)
    return list(found.values())


def _code_license_sections(card: ParsedCard) -> list[str]:
    """License ids stated in sections about code ('Code', 'Code license', 'Training code')."""
    out: list[str] = []
    for s in card.sections:
        h = s.heading.lower()
        if "code" in h or "repositor" in h or "software" in h:
            for lic in code_license_ids(card.section_text(s)):
                if lic not in out:
                    out.append(lic)
    return out


def _osi(lic: str) -> bool:
    info = lookup_hub_id(lic)
    return bool(info and info.osi_approved)


def probe(release: Release) -> list[Finding]:
    """``code-published``, ``training-code-published``, ``data-processing-code-published``, ``code-license``."""
    card = release.card
    if card is None:
        return [_CARD_UNREADABLE]
    links = code_links(card)
    if not links:
        return [_NO_CODE_LINKED]

    evidence_of: dict[str, Evidence] = {}  # one (immutable) Evidence per link, shared by the findings citing it

    def ev(link: CodeLink) -> Evidence:
        found = evidence_of.get(link.repo)
        if found is None:
            roles = ", ".join(link.roles) or "role not stated"
            found = evidence_of[link.repo] = Evidence(
                kind="card",
                location=f"link to {link.repo}",
                lines=(link.line, link.line),
                quote=f"[{roles}] {link.context}",
            )
        return found

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
        with_role = [link for link in links if role in link.roles]
        if not with_role:
            findings.append(_ROLE_MISSING[role])
            continue
        findings.append(
            Finding(
                id=f"{role}-code-published",
                criterion=C,
                outcome=PASS,
                message=f"{role.capitalize()} code is linked: {', '.join(link.repo for link in with_role[:4])}.",
                evidence=tuple(ev(link) for link in with_role[:4]),
            )
        )
    relevant = [link for link in links if set(link.roles) & set(REQUIRED_ROLES)] or links
    for link in relevant[:10]:
        looked_up = release.code_licenses.get(link.repo)
        if link.repo in release.code_licenses:
            info = lookup_spdx(looked_up.spdx) if looked_up and looked_up.spdx else None
            findings.append(
                Finding(
                    id="code-license-lookup",
                    criterion=C,
                    outcome=INFO,
                    message=(
                        f"{looked_up.source} reports {looked_up.spdx} for {link.repo} "
                        f"({'OSI-approved' if info and info.osi_approved else 'not OSI-approved or unknown'}; "
                        f"seen {looked_up.seen}). Information only: the card must state the code license itself."
                        if looked_up and looked_up.spdx
                        else f"No license was found for {link.repo} on its host (information only)."
                    ),
                    evidence=(
                        Evidence(
                            kind="hub",
                            location=f"code host look-up: {link.repo}",
                            quote=looked_up.spdx if looked_up else None,
                        ),
                    ),
                )
            )
    stated = [lic for link in relevant for lic in link.licenses()] + _code_license_sections(card)
    if not stated:
        findings.append(_NO_CODE_LICENSE)
    else:
        osi = [lic for lic in stated if _osi(lic)]
        findings.append(
            Finding(
                id="code-license",
                criterion=C,
                outcome=PASS if osi else FAIL,
                message=(
                    f"The card states an OSI-approved code license: {', '.join(dict.fromkeys(osi))}."
                    if osi
                    else f"The stated code license is not OSI-approved: {', '.join(dict.fromkeys(stated))}."
                ),
                evidence=(
                    Evidence(kind="card", location="code license statement", quote=", ".join(dict.fromkeys(stated))),
                ),
                remediation=None
                if osi
                else "Release the training and data-processing code under an OSI-approved license.",
            )
        )
    return findings
