"""CycloneDX 1.6 ML-BOM of graded releases, built with ``cyclonedx-python-lib`` (``pip install 'openscore[bom]'``).

Each release is a ``machine-learning-model`` component with its licenses, ``pedigree.ancestors`` from the report's
lineage (each base with its verdict), its training datasets as ``data`` components (and listed in the model's
``openscore:training-dataset`` properties), external references to the model card, the code repositories the
card links and the licenses, and the OSAID verdict and criterion statuses as properties (``openscore:verdict``,
``openscore:criterion:<name>``, ``openscore:open-data``, ``openscore:rules-version`` ...). One release is the BOM's
``metadata.component``; several are listed side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ._bom import bom_facts, code_url, dataset_url, license_url

if TYPE_CHECKING:
    from ..criteria import Base
    from ..findings import LicenseRef
    from ..report import Report

__all__ = ["MissingExtraError", "cyclonedx_bom", "render_cyclonedx"]


class MissingExtraError(ImportError):
    """An optional dependency is not installed (the message says which extra brings it)."""


def _lib() -> Any:
    try:
        import cyclonedx.model.bom
    except ImportError:
        raise MissingExtraError("--format cyclonedx needs cyclonedx-python-lib: pip install 'openscore[bom]'") from None
    import cyclonedx

    return cyclonedx


def _licenses(refs: Sequence[LicenseRef]) -> list[Any]:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense

    out: list[Any] = []
    for ref in refs:
        url = license_url(ref.spdx)
        try:
            if ref.spdx:
                out.append(DisjunctiveLicense(id=ref.spdx, url=XsUri(url) if url else None))
                continue
        except (ValueError, TypeError):
            pass
        out.append(DisjunctiveLicense(name=ref.name or ref.key))
    return out


def _ancestor(base: Base) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType

    props = [
        Property(name="openscore:relation", value=base.relation),
        Property(name="openscore:depth", value=str(base.depth)),
    ]
    if base.verdict is not None:
        props.append(Property(name="openscore:verdict", value=base.verdict.value))
    if base.note:
        props.append(Property(name="openscore:note", value=base.note))
    props += [Property(name=f"openscore:criterion:{k}", value=v.value) for k, v in base.statuses.items()]
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=base.repo_id,
        version=base.revision,
        bom_ref=f"base:{base.depth}:{base.repo_id}",
        licenses=_licenses(base.licenses),
        properties=props,
    )


def _model(report: Report, index: int) -> tuple[Any, list[Any]]:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
    from cyclonedx.model.component import Component, ComponentType, Pedigree

    facts = bom_facts(report)
    refs: list[Any] = []
    if facts.card_url:
        refs.append(ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(facts.card_url)))
    if facts.page_url:
        refs.append(ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(facts.page_url)))
    for repo in facts.code_repos:
        url = code_url(repo)
        if url:
            refs.append(
                ExternalReference(type=ExternalReferenceType.VCS, url=XsUri(url), comment="code linked by the card")
            )
    for lic in report.licenses:
        url = license_url(lic.spdx)
        if url:
            refs.append(ExternalReference(type=ExternalReferenceType.LICENSE, url=XsUri(url), comment=lic.name))
    props = [
        Property(name="openscore:verdict", value=report.verdict.value),
        Property(name="openscore:verdict-reason", value=report.verdict_reason),
        Property(name="openscore:standard", value="OSAID 1.0"),
        Property(
            name="openscore:open-data", value="unknown" if report.open_data is None else str(report.open_data).lower()
        ),
        Property(name="openscore:rules-version", value=report.rules_version),
        Property(name="openscore:graded-at", value=report.graded_at.isoformat(timespec="seconds")),
    ]
    props += [
        Property(name=f"openscore:criterion:{name.value}", value=result.status.value)
        for name, result in report.criteria.items()
    ]
    if report.relation:
        props.append(Property(name="openscore:relation", value=report.relation))
    data: list[Any] = []
    for name in facts.datasets:
        props.append(Property(name="openscore:training-dataset", value=name))
        url = dataset_url(name)
        data.append(
            Component(
                type=ComponentType.DATA,
                name=name,
                bom_ref=f"dataset:{name}",
                external_references=[ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(url))]
                if url
                else None,
                properties=[Property(name="openscore:role", value="training-data")],
            )
        )
    model = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=facts.name,
        version=facts.version,
        bom_ref=f"model:{index}:{facts.name}",
        licenses=_licenses(report.licenses),
        external_references=refs,
        properties=props,
        pedigree=Pedigree(ancestors=[_ancestor(b) for b in report.lineage]) if report.lineage else None,
    )
    return model, data


def cyclonedx_bom(reports: Sequence[Report]) -> Any:
    """A ``cyclonedx.model.bom.Bom`` for ``reports``.

    Raises:
        MissingExtraError: ``cyclonedx-python-lib`` is not installed.
    """
    _lib()
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType

    bom = Bom()
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="openscore", version=__version__))
    seen: set[str] = set()
    for index, report in enumerate(reports):
        model, data = _model(report, index)
        if len(reports) == 1:
            bom.metadata.component = model
        else:
            bom.components.add(model)
        for component in data:
            if str(component.bom_ref) not in seen:
                seen.add(str(component.bom_ref))
                bom.components.add(component)
                bom.register_dependency(model, [component])
    return bom


def render_cyclonedx(reports: Sequence[Report]) -> str:
    """``reports`` as a CycloneDX 1.6 JSON document.

    Raises:
        MissingExtraError: ``cyclonedx-python-lib`` is not installed.
    """
    bom = cyclonedx_bom(reports)
    from cyclonedx.output.json import JsonV1Dot6

    text: str = JsonV1Dot6(bom).output_as_string(indent=2)
    return text + "\n"
