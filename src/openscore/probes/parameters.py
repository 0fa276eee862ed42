"""Parameters (OSAID 1.0): the model's weights are published, for anyone to download."""

from __future__ import annotations

from ..cardrules import points_at_external_weights
from ..files import weight_format
from ..findings import FAIL, INFO, PASS, UNKNOWN, Criterion, Evidence, Finding, quote
from ..release import Release

C = Criterion.PARAMETERS

_NO_LISTING = Finding(
    id="weights-published",
    criterion=C,
    outcome=UNKNOWN,
    message="No file listing was available, so published weights cannot be checked.",
    remediation="Grade the repository itself (Hub id or folder) rather than its card alone.",
)


def _external_weights(release: Release) -> list[Evidence]:
    """Card links that point at weights published outside the repository."""
    card = release.card
    if card is None:
        return []
    out: list[Evidence] = []
    for link in card.links:
        path = link.url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
        line = card.lines[link.line - 1] if 0 < link.line <= len(card.lines) else ""
        if weight_format(path.rsplit("/", 1)[-1]) or points_at_external_weights(f"{link.text} {line}"):
            out.append(Evidence(kind="card", location="link to weights", lines=(link.line, link.line), quote=link.url))
            if len(out) >= 5:
                break
    return out


def weights_published(release: Release) -> Finding:
    """``weights-published``: the file listing holds weight files.

    ``fail`` (closed) only when the release positively has none: a listing without weight files and a card that
    points nowhere else. An empty listing, or a card that links weights hosted elsewhere, is ``unknown``.
    """
    if release.files is None:
        if release.format_tags:
            shown = ", ".join(release.format_tags)
            return Finding(
                id="weights-published",
                criterion=C,
                outcome=PASS,
                message=f"The Hub's file-format tags show published weights ({shown}); the file listing was not read.",
                evidence=tuple([Evidence(kind="hub", location="tags", quote=quote(shown))]),
            )
        return _NO_LISTING
    weights = [f for f in release.files if weight_format(f)]
    if not weights and not [f for f in release.files if f.rsplit("/", 1)[-1] not in (".gitattributes",)]:
        return Finding(
            id="weights-published",
            criterion=C,
            outcome=UNKNOWN,
            message="The release holds no files at all, so whether weights are published cannot be told.",
            evidence=tuple([Evidence(kind="listing", location="file listing", quote="(empty)")]),
            remediation="Grade the folder or repository that holds the model (its card and weight files).",
        )
    if not weights and (elsewhere := _external_weights(release)):
        return Finding(
            id="weights-published",
            criterion=C,
            outcome=UNKNOWN,
            message="The repository holds no weight files, but the card points at weights hosted elsewhere; "
            "openscore does not check other hosts.",
            evidence=tuple(elsewhere),
            remediation="Publish the weights in the repository itself, so that anyone can check and download them.",
        )
    if not weights:
        return Finding(
            id="weights-published",
            criterion=C,
            outcome=FAIL,
            message=f"None of the {len(release.files)} files in the release holds model weights.",
            evidence=(Evidence(kind="listing", location="file listing", quote=quote(", ".join(release.files[:12]))),),
            remediation="Publish the trained parameters (e.g. model.safetensors) in the repository.",
        )
    formats = sorted({weight_format(f) or "?" for f in weights})
    shown = ", ".join(weights[:6]) + (f" and {len(weights) - 6} more" if len(weights) > 6 else "")
    return Finding(
        id="weights-published",
        criterion=C,
        outcome=PASS,
        message=f"{len(weights)} weight file(s) published ({', '.join(formats)}).",
        evidence=(Evidence(kind="listing", location="file listing", quote=quote(shown)),),
    )


def weights_access(release: Release) -> Finding | None:
    """``weights-access-gated``: downloads wait for a manual approval (fails) or a click-through (info)."""
    if release.gated is None:
        return None
    ev = [Evidence(kind="hub", location="gated", quote=release.gated)]
    if release.gated == "manual":
        return Finding(
            id="weights-access-gated",
            criterion=C,
            outcome=FAIL,
            message="Downloads wait for the publisher's manual approval of each request.",
            evidence=tuple(ev),
            remediation="Let anyone download the weights without asking permission (remove the manual gate).",
        )
    return Finding(
        id="weights-access-gated",
        criterion=C,
        outcome=INFO,
        message="Downloads need a Hub account and a click-through; access is granted automatically.",
        evidence=tuple(ev),
    )


def intermediate_checkpoints(release: Release) -> Finding | None:
    """``intermediate-checkpoints``: intermediate checkpoints are published (a strength; OSAID does not require it)."""
    mention = release.checkpoint_mention
    others = [(n, s) for n, s in release.branches or () if n != "main"]
    if others:
        names = ", ".join(n for n, _ in others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
        return Finding(
            id="intermediate-checkpoints",
            criterion=C,
            outcome=INFO,
            message=f"{len(others)} branch(es) beside main publish intermediate checkpoints: {names}.",
            evidence=(Evidence(kind="hub", location="branches", quote=quote(names)),),
        )
    if mention:
        checked = release.branches is not None
        return Finding(
            id="intermediate-checkpoints",
            criterion=C,
            outcome=INFO,
            message="The card mentions intermediate checkpoints"
            + ("; the repository has no other branch." if checked else " (branches not checked)."),
            evidence=(Evidence(kind="card", location="README.md", quote=quote(mention)),),
        )
    return None


def probe(release: Release) -> list[Finding]:
    """All parameter probes."""
    found = [weights_published(release), weights_access(release), intermediate_checkpoints(release)]
    return [f for f in found if f is not None]
