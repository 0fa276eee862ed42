"""The rule set's version, kept apart from the criteria so that ``openscore --version`` imports nothing heavy."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

#: Bump on any change to how findings become statuses or a verdict (semantic versioning).
RULES_VERSION = "2.0.0"
_DATA_FILES = (
    "cards.json",
    "files.json",
    "hub_licenses.json",
    "license_names.json",
    "license_texts.json",
    "spdx_licenses.json",
)


@cache
def rules_version() -> str:
    """:data:`RULES_VERSION` plus a short digest of the knowledge data files (``1.0.0+3f2a9c1d``)."""
    digest = hashlib.sha256()
    base = resources.files("openscore").joinpath("data")
    for name in _DATA_FILES:
        entry = base.joinpath(name)
        if entry.is_file():
            digest.update(name.encode())
            digest.update(entry.read_bytes())
    return f"{RULES_VERSION}+{digest.hexdigest()[:8]}"
