"""What the bill-of-materials renderers read from a report: the model's name and page, its training datasets,
its linked code repositories, its licenses and its bases. Only facts the report states; nothing is looked up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..findings import Criterion
from .style import clean, hub_url, safe_url

if TYPE_CHECKING:
    from ..report import Report

_HUB_DATASETS = re.compile(r"Hub dataset\(s\): (?P<names>[^;]+)")
_DATASET_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?$")
_CODE_LINK = re.compile(r"^link to (?P<repo>[\w.-]+\.\w+/[\w.-]+/[\w.-]+)$")


@dataclass(frozen=True)
class BomFacts:
    """One report's facts for a BOM."""

    name: str
    version: str | None
    card_url: str | None
    page_url: str | None
    datasets: tuple[str, ...]
    code_repos: tuple[str, ...]


def _datasets(report: Report) -> tuple[str, ...]:
    names: list[str] = []
    for f in report.criteria.data_information.findings:
        if f.id != "datasets-listed":
            continue
        for ev in f.evidence:
            if ev.kind == "metadata" and ev.quote:
                names += [n.strip() for n in ev.quote.split(",")]
        match = _HUB_DATASETS.search(f.message)
        if match:
            names += [n.strip() for n in match["names"].split(",")]
    seen: dict[str, None] = {}
    for name in names:
        name = clean(name).strip().rstrip(".")
        if name and _DATASET_ID.match(name):
            seen.setdefault(name, None)
    return tuple(seen)


def _code_repos(report: Report) -> tuple[str, ...]:
    repos: dict[str, None] = {}
    for name, result in report.criteria.items():
        if name is not Criterion.CODE:
            continue
        for f in result.findings:
            for ev in f.evidence:
                match = _CODE_LINK.match(ev.location)
                if match:
                    repos.setdefault(match["repo"], None)
    return tuple(repos)


def bom_facts(report: Report) -> BomFacts:
    """The facts of ``report`` a BOM records."""
    if report.source == "hub" and report.repo_id:
        page = hub_url(report.repo_id)
        card = f"{page}/blob/{report.revision or 'main'}/README.md"
    else:
        page, card = None, None
    return BomFacts(
        name=clean(report.repo_id or report.target),
        version=report.revision,
        card_url=safe_url(card),
        page_url=safe_url(page),
        datasets=_datasets(report),
        code_repos=_code_repos(report),
    )


def dataset_url(name: str) -> str | None:
    """The Hub page of a dataset id."""
    return safe_url("https://huggingface.co/datasets/" + name) if "/" in name else None


def code_url(repo: str) -> str | None:
    """The https URL of a code repository named ``host/owner/name``."""
    return safe_url("https://" + repo)


def license_url(spdx: str | None) -> str | None:
    """The SPDX license list page of an SPDX id."""
    return safe_url(f"https://spdx.org/licenses/{spdx}.html") if spdx and re.match(r"^[\w.+-]+$", spdx) else None
