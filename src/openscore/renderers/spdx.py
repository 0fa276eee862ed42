"""SPDX 3.0 (AI and Dataset profiles) JSON-LD of graded releases, written as plain data (no extra dependency).

Each release is an ``ai_AIPackage`` with ``ai_standardCompliance`` naming OSAID 1.0 and the verdict, its criterion
statuses in the ``comment``; each training dataset a ``dataset_DatasetPackage``; each license a
``simplelicensing_LicenseExpression``; and ``Relationship`` elements ``hasDeclaredLicense`` (model to license),
``trainedOn`` (model to datasets) and ``descendantOf`` (model to each base of its lineage, itself an
``ai_AIPackage``). Ids are URNs derived from what was graded, so the same report gives the same document.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._version import __version__
from ._bom import bom_facts, code_url, dataset_url

if TYPE_CHECKING:
    from ..findings import LicenseRef
    from ..report import Report

__all__ = ["SPDX_CONTEXT", "render_spdx", "spdx_document"]

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPDX_VERSION = "3.0.1"
_CREATION = "_:creationinfo"
_SPDX_ID = re.compile(r"^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$")


def spdx_document(reports: Sequence[Report]) -> dict[str, Any]:
    """The SPDX 3.0 JSON-LD document of ``reports`` as plain data."""
    digest = hashlib.sha256(
        "\n".join(f"{r.target}@{r.revision}@{r.graded_at.isoformat()}" for r in reports).encode("utf-8", "replace")
    ).hexdigest()[:16]
    ns = f"urn:openscore:spdx:{digest}:"
    created = min((r.graded_at for r in reports), default=None)
    graph: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": _CREATION,
            "specVersion": SPDX_VERSION,
            "created": (created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else "1970-01-01T00:00:00Z"),
            "createdBy": [ns + "agent"],
            "createdUsing": [ns + "tool"],
        },
        {"type": "Organization", "spdxId": ns + "agent", "name": "openscore", "creationInfo": _CREATION},
        {"type": "Tool", "spdxId": ns + "tool", "name": f"openscore {__version__}", "creationInfo": _CREATION},
    ]
    ids: dict[str, str] = {}
    roots: list[str] = []
    counter = 0

    def element(kind: str, key: str, **fields: Any) -> str:
        nonlocal counter
        if key in ids:
            return ids[key]
        counter += 1
        spdx_id = f"{ns}{kind}-{counter}-{quote(key, safe='')[:80]}"
        ids[key] = spdx_id
        graph.append({"type": fields.pop("type"), "spdxId": spdx_id, "creationInfo": _CREATION, **fields})
        return spdx_id

    def relate(source: str, kind: str, targets: list[str]) -> None:
        if targets:
            element(
                "rel",
                f"rel:{source}:{kind}",
                type="Relationship",
                **{"from": source, "to": targets, "relationshipType": kind},
            )

    def licenses(refs: Sequence[LicenseRef]) -> list[str]:
        out = []
        for ref in refs:
            expression = ref.spdx if ref.spdx and _SPDX_ID.match(ref.spdx) else f"LicenseRef-{_ref_name(ref.key)}"
            out.append(
                element(
                    "license",
                    f"license:{expression}",
                    type="simplelicensing_LicenseExpression",
                    simplelicensing_licenseExpression=expression,
                    comment=f"{ref.name}: {ref.policy.value} ({ref.reason})",
                )
            )
        return out

    for index, report in enumerate(reports):
        facts = bom_facts(report)
        statuses = "; ".join(f"{n.value.replace('_', ' ')} {r.status.value}" for n, r in report.criteria.items())
        model_fields: dict[str, Any] = {
            "type": "ai_AIPackage",
            "name": facts.name,
            "software_primaryPurpose": "model",
            "ai_standardCompliance": [f"OSAID 1.0: {report.verdict.value}"],
            "comment": f"openscore verdict {report.verdict.value}: {report.verdict_reason} Criteria: {statuses}. "
            f"Open data: {'unknown' if report.open_data is None else str(report.open_data).lower()}. "
            f"Rules {report.rules_version}.",
            "software_downloadLocation": facts.page_url or "NOASSERTION",
        }
        if facts.version:
            model_fields["software_packageVersion"] = facts.version
        if facts.page_url:
            model_fields["software_homePage"] = facts.page_url
        if facts.code_repos:
            model_fields["externalRef"] = [
                {"type": "ExternalRef", "externalRefType": "vcs", "locator": [u]}
                for u in (code_url(r) for r in facts.code_repos)
                if u
            ]
        model = element("model", f"model:{index}:{facts.name}", **model_fields)
        roots.append(model)
        relate(model, "hasDeclaredLicense", licenses(report.licenses))
        datasets = [
            element(
                "dataset",
                f"dataset:{name}",
                type="dataset_DatasetPackage",
                name=name,
                software_primaryPurpose="data",
                dataset_datasetType=["other"],
                software_downloadLocation=dataset_url(name) or "NOASSERTION",
            )
            for name in facts.datasets
        ]
        relate(model, "trainedOn", datasets)
        bases = []
        for base in report.lineage:
            base_fields: dict[str, Any] = {
                "type": "ai_AIPackage",
                "name": base.repo_id,
                "software_primaryPurpose": "model",
                "software_downloadLocation": "NOASSERTION",
                "comment": f"{base.relation} base at depth {base.depth}" + (f"; {base.note}" if base.note else ""),
            }
            if base.verdict is not None:
                base_fields["ai_standardCompliance"] = [f"OSAID 1.0: {base.verdict.value}"]
            if base.revision:
                base_fields["software_packageVersion"] = base.revision
            base_id = element("base", f"base:{base.repo_id}@{base.revision}", **base_fields)
            relate(base_id, "hasDeclaredLicense", licenses(base.licenses))
            if base.depth == 1:
                bases.append(base_id)
        relate(model, "descendantOf", bases)
    graph.append(
        {
            "type": "SpdxDocument",
            "spdxId": ns + "document",
            "creationInfo": _CREATION,
            "name": "openscore OSAID 1.0 grades",
            "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
            "rootElement": roots,
            "element": [e["spdxId"] for e in graph if "spdxId" in e],
        }
    )
    return {"@context": SPDX_CONTEXT, "@graph": graph}


def _ref_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", key).strip("-") or "unknown"


def render_spdx(reports: Sequence[Report]) -> str:
    """``reports`` as SPDX 3.0 JSON-LD."""
    return json.dumps(spdx_document(reports), indent=2, ensure_ascii=False) + "\n"
