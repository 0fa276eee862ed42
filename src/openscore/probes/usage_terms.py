"""Usage terms (OSAID 1.0): anyone may use, study, modify and share the release for any purpose, without asking."""

from __future__ import annotations

from ..cardrules import gate_terms, use_restrictions
from ..files import is_use_policy_file
from ..findings import (
    FAIL,
    INFO,
    PASS,
    UNKNOWN,
    Criterion,
    Evidence,
    Finding,
    LicenseRef,
    Outcome,
    quote,
)
from ..licenses import LicenseInfo, LicensePolicy, classify, identify_text, lookup_name
from ..release import Release

C = Criterion.USAGE_TERMS
#: At most this many distinct values of the ``license:`` metadata are graded (real cards list one to three).
MAX_LICENSE_VALUES = 20

#: Policies that restrict use, study, modification or sharing.
RESTRICTIVE = frozenset(
    {
        LicensePolicy.USE_RESTRICTED,
        LicensePolicy.NO_DERIVATIVES,
        LicensePolicy.RESEARCH_ONLY,
        LicensePolicy.NON_COMMERCIAL,
    }
)

_REMEDY = {
    LicensePolicy.USE_RESTRICTED: "Release under terms without use restrictions or acceptable-use policies "
    "(an OSI-approved license such as Apache-2.0 or MIT, or an open content license such as CC-BY-4.0 for weights).",
    LicensePolicy.NON_COMMERCIAL: "Allow commercial use: choose an OSI-approved or open content license "
    "without an NC clause.",
    LicensePolicy.RESEARCH_ONLY: "Allow use for any purpose, not only research.",
    LicensePolicy.NO_DERIVATIVES: "Allow modification and sharing of modified versions (drop the ND clause).",
    LicensePolicy.UNKNOWN: "State the license with a Hub license id in the `license:` metadata, "
    "and ship its text as LICENSE.",
}

_NO_LICENSE = Finding(
    id="license-declared",
    criterion=C,
    outcome=UNKNOWN,
    message="No license is declared in the metadata.",
    remediation=_REMEDY[LicensePolicy.UNKNOWN],
)


def _outcome(info: LicenseInfo) -> Outcome:
    if info.policy in RESTRICTIVE:
        return FAIL
    if info.is_open:
        return PASS
    return UNKNOWN


def _metadata_line(release: Release, field: str) -> int | None:
    return release.card.metadata_keys.get(field) if release.card and release.metadata_origin else None


def _evidence(field: str, value: str, line: int | None, origin: str | None) -> Evidence:
    return Evidence(
        kind="metadata",
        location=f"{field} ({origin or 'metadata'})",
        lines=(line, line) if line else None,
        quote=quote(value),
    )


def _metadata_evidence(release: Release, field: str, value: str) -> Evidence:
    return _evidence(field, value, _metadata_line(release, field), release.metadata_origin)


def _known_license(info: LicenseInfo, evidence: tuple[Evidence, ...]) -> Finding:
    """``license-declared`` for a license openscore classified."""
    outcome = _outcome(info)
    return Finding(
        id="license-declared",
        criterion=C,
        outcome=outcome,
        message=f"Declared license {quote(info.name, 120)} ({quote(info.key, 80)}) is {info.policy}: {info.reason}",
        evidence=evidence,
        remediation=_REMEDY.get(info.policy) if outcome is not PASS else None,
        license=LicenseRef.from_info(info),
    )


def _declared(value: str, line: int | None, origin: str | None) -> Finding:
    """``license-declared`` for a ``license:`` value other than ``other``."""
    return _known_license(classify(value), (_evidence("license", value, line, origin),))


def declared_license(release: Release) -> list[Finding]:
    """``license-declared``: one finding per value of the ``license:`` metadata (``other`` resolved by name)."""
    meta = release.metadata
    values = list(meta.license) or [t.split(":", 1)[1] for t in release.tags if t.startswith("license:")]
    if not values:
        return [_NO_LICENSE]
    findings: list[Finding] = []
    for value in list(dict.fromkeys(values))[:MAX_LICENSE_VALUES]:
        if value.strip().lower() != "other":
            findings.append(_declared(value, _metadata_line(release, "license"), release.metadata_origin))
            continue
        ev = [_metadata_evidence(release, "license", value)]
        name = meta.license_name
        info = (lookup_name(name) or classify(name)) if name else None
        if name:
            ev.append(_metadata_evidence(release, "license_name", name))
        if meta.license_link:
            ev.append(_metadata_evidence(release, "license_link", meta.license_link))
        if info is None or info.policy is LicensePolicy.UNKNOWN:
            findings.append(
                Finding(
                    id="license-declared",
                    criterion=C,
                    outcome=UNKNOWN,
                    message="The license is 'other'"
                    + (f" ({quote(name, 120)})" if name else "")
                    + ": its terms are not a license openscore knows; the LICENSE file decides.",
                    evidence=tuple(ev),
                    remediation=_REMEDY[LicensePolicy.UNKNOWN],
                )
            )
            continue
        findings.append(_known_license(info, tuple(ev)))
    return findings


def license_files(release: Release) -> list[Finding]:
    """``license-file`` per LICENSE-like file and ``acceptable-use-policy`` for use-policy files."""
    findings: list[Finding] = []
    for tf in release.text_files:
        if is_use_policy_file(tf.path):
            findings.append(
                Finding(
                    id="acceptable-use-policy",
                    criterion=C,
                    outcome=FAIL,
                    message=f"{tf.path} sets an acceptable-use policy: some uses are prohibited.",
                    evidence=(
                        Evidence(
                            kind="file",
                            location=tf.path,
                            quote=quote(tf.text, 120) if tf.text else tf.problem,
                        ),
                    ),
                    remediation=_REMEDY[LicensePolicy.USE_RESTRICTED],
                )
            )
            continue
        if tf.text is None:
            findings.append(
                Finding(
                    id="license-file",
                    criterion=C,
                    outcome=UNKNOWN,
                    message=f"{tf.path} is present but {tf.problem or 'could not be read'}.",
                    evidence=(Evidence(kind="file", location=tf.path),),
                )
            )
            continue
        info = identify_text(tf.text)
        first = next((ln.strip() for ln in tf.text.splitlines() if ln.strip()), "")
        if info is None:
            if tf.path.upper().startswith("NOTICE"):
                continue
            findings.append(
                Finding(
                    id="license-file",
                    criterion=C,
                    outcome=UNKNOWN,
                    message=f"{tf.path} does not match any license openscore recognises.",
                    evidence=(Evidence(kind="file", location=tf.path, quote=quote(first, 120)),),
                )
            )
            continue
        outcome = _outcome(info)
        findings.append(
            Finding(
                id="license-file",
                criterion=C,
                outcome=outcome,
                message=f"{tf.path} is the {info.name} ({info.policy}).",
                evidence=(Evidence(kind="file", location=tf.path, quote=quote(first, 120)),),
                remediation=_REMEDY.get(info.policy) if outcome is FAIL else None,
                license=LicenseRef.from_info(info),
            )
        )
    return findings


def access_terms(release: Release) -> Finding | None:
    """``access-terms``: a manual approval gate, or a gate form that makes access conditional on accepting terms."""
    meta = release.metadata
    parts = {
        "extra_gated_prompt": meta.extra_gated_prompt,
        "extra_gated_heading": meta.extra_gated_heading,
        "extra_gated_description": meta.extra_gated_description,
        "extra_gated_button_content": meta.extra_gated_button_content,
    }
    evidence: list[Evidence] = []
    for field, text in parts.items():
        if text and gate_terms(text):
            evidence.append(_metadata_evidence(release, field, text))
    for label, kind in meta.extra_gated_fields.items():
        if (kind == "checkbox" and gate_terms(label)) or gate_terms(label):
            evidence.append(_metadata_evidence(release, "extra_gated_fields", f"{label} ({kind})"))
            break
    if release.gated == "manual":
        evidence.insert(0, Evidence(kind="hub", location="gated", quote="manual"))
        return Finding(
            id="access-terms",
            criterion=C,
            outcome=FAIL,
            message="Access needs the publisher's permission (manual approval gate).",
            evidence=tuple(evidence),
            remediation="Remove the manual approval gate: OSAID 1.0 requires use without having to ask for permission.",
        )
    if evidence:
        return Finding(
            id="access-terms",
            criterion=C,
            outcome=FAIL,
            message="Access is conditional on accepting terms in the gate form.",
            evidence=tuple(evidence),
            remediation="Drop the agreement from the gate (or the gate itself); put any terms in an open license.",
        )
    if release.gated:
        return Finding(
            id="access-terms",
            criterion=C,
            outcome=INFO,
            message="A click-through gate collects contact details; access is automatic and imposes no terms.",
            evidence=(Evidence(kind="hub", location="gated", quote=release.gated),),
        )
    return None


#: The card body and each LICENSE-like text are searched up to this many characters for stated restrictions.
MAX_RESTRICTION_SCAN = 200_000

_RESTRICTION_REMEDY = {
    "non-commercial": LicensePolicy.NON_COMMERCIAL,
    "research-only": LicensePolicy.RESEARCH_ONLY,
    "no-derivatives": LicensePolicy.NO_DERIVATIVES,
}


def _prose(text: str) -> str:
    """``text`` with fenced code blocks blanked (line numbers kept): code is not a statement of terms."""
    if "```" not in text and "~~~" not in text:
        return text
    out: list[str] = []
    fence = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            out.append("")
        else:
            out.append("" if fence else line)
    return "\n".join(out)


def stated_restrictions(release: Release) -> list[Finding]:
    """``use-restriction-stated``: use restrictions written in the card's prose or a LICENSE-like file.

    The most restrictive statement governs: "for research purposes only" in the card of a release declared MIT
    makes its terms restricted, exactly as a restrictive base model does.
    """
    sources: list[tuple[str, str, int, str]] = []  # (kind of evidence, location, first line number, text)
    card = release.card
    if card is not None:
        sources.append(("card", "README.md", card.front_matter_end + 1, _prose(card.body_text[:MAX_RESTRICTION_SCAN])))
    for tf in release.text_files:
        if tf.text and not is_use_policy_file(tf.path):
            info = identify_text(tf.text)
            if info is not None and info.policy in RESTRICTIVE:
                continue  # a restrictive license's own text: already a finding of its own
            sources.append(("file", tf.path, 1, tf.text[:MAX_RESTRICTION_SCAN]))
    declared = [classify(v) for v in release.metadata.license[:MAX_LICENSE_VALUES]]
    claims_open = bool(declared) and all(i.is_open for i in declared)
    findings: list[Finding] = []
    seen: set[str] = set()
    for kind_of, location, first, text in sources:
        for kind, offset, phrase in use_restrictions(text):
            if kind in seen:
                continue
            seen.add(kind)
            line_no = first + text.count("\n", 0, offset)
            line = text.split("\n")[line_no - first] if kind_of == "card" and card else phrase
            where = "The card" if kind_of == "card" else location
            contradiction = " It contradicts the open license declared in the metadata;" if claims_open else ""
            policy = _RESTRICTION_REMEDY.get(kind, LicensePolicy.USE_RESTRICTED)
            findings.append(
                Finding(
                    id="use-restriction-stated",
                    criterion=C,
                    outcome=FAIL,
                    message=f"{where} states a {kind.replace('-', ' ')} restriction: \u201c{quote(phrase, 80)}\u201d."
                    f"{contradiction} the most restrictive statement governs.",
                    evidence=tuple(
                        [
                            Evidence(
                                kind="card" if kind_of == "card" else "file",
                                location=location,
                                lines=(line_no, line_no),
                                quote=quote(line),
                            )
                        ]
                    ),
                    remediation="Remove the restriction, or declare the license that really applies: "
                    + _REMEDY[policy],
                )
            )
    return findings


def probe(release: Release) -> list[Finding]:
    """All usage-terms probes."""
    findings = declared_license(release) + license_files(release) + stated_restrictions(release)
    gate = access_terms(release)
    if gate is not None:
        findings.append(gate)
    return findings
