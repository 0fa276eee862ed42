"""``openscore.caches.clear_caches`` empties every bounded cache grading keeps, and emptying changes no result."""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import Any

import openscore
from openscore.caches import clear_caches

CARD = """---
license: apache-2.0
datasets: [org/data]
---
# Model
## Training data
Collected from public web pages, filtered and deduplicated. Labels by annotators.
Code: [trainer](https://github.com/org/trainer) for training, under the MIT license.
"""


def _bounded_caches() -> list[tuple[str, Any]]:
    """Every lru_cache with a size bound, and every module-level dict whose name ends in ``_cache`` or ``_refs``."""
    found: list[tuple[str, Any]] = []
    for info in pkgutil.walk_packages(openscore.__path__, "openscore."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            bounded = (
                isinstance(value, functools._lru_cache_wrapper)
                and value.__module__.startswith("openscore")  # not urllib's, imported by name
                and value.cache_parameters()["maxsize"]
            )
            kept = isinstance(value, dict) and name.startswith("_") and name.endswith(("_cache", "_refs"))
            if bounded or kept:
                found.append((f"{info.name}.{name}", value))
    return found


def _size(cache: Any) -> int:
    return cache.cache_info().currsize if hasattr(cache, "cache_info") else len(cache)


def test_clear_caches_empties_every_bounded_cache() -> None:
    first = openscore.grade_card(CARD, files=["model.safetensors"])
    caches = _bounded_caches()
    assert len(caches) >= 8
    assert any(_size(c) for _, c in caches)
    clear_caches()
    assert {name: _size(c) for name, c in caches if _size(c)} == {}
    again = openscore.grade_card(CARD, files=["model.safetensors"])
    assert again.model_dump(exclude={"graded_at"}) == first.model_dump(exclude={"graded_at"})
