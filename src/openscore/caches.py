"""The bounded per-process caches of grading, and a way to empty them.

Cards made from one template repeat their front matter, headings and paragraphs, so grading keeps the answers for
recent ones (each a pure function of its text, each bounded; see the modules below). Emptying them changes no
result, only speed: benchmarks empty them before each timed pass, so that every pass is a first pass. The knowledge
data (licenses, card rules, file patterns) is loaded once and is not a cache in this sense.
"""

from __future__ import annotations

from . import cardrules, criteria, files, findings
from .probes import usage_terms


def clear_caches() -> None:
    """Empty every bounded cache grading keeps (results do not change, only the time of the next grades)."""
    for cached in (
        cardrules.is_data_heading,
        cardrules.dataset_id_from_url,
        cardrules.code_repository,
        cardrules._code_roles,
        cardrules._code_license_ids,
        cardrules._cached_element_offsets,
        cardrules._cached_data_class_statement,
        files.weight_format,
        findings._license_ref,
        usage_terms._declared,
    ):
        cached.cache_clear()
    criteria._shared_result_cache.clear()
