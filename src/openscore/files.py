"""Knowledge about file names: which files hold parameters, which hold license terms.

The patterns live in ``data/files.json`` with a reason for each; this module only loads and applies them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
def _data() -> dict[str, Any]:
    text = resources.files("openscore").joinpath("data/files.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class _Rules:
    suffixes: tuple[tuple[str, str], ...]
    parts: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    excluded_names: frozenset[str]
    excluded_prefixes: tuple[str, ...]
    license_names: frozenset[str]
    policy_names: frozenset[str]
    relation_names: dict[str, str]
    relation_suffixes: tuple[tuple[str, str], ...]


@cache
def _rules() -> _Rules:
    d = _data()
    return _Rules(
        suffixes=tuple((e["suffix"].lower(), e["format"]) for e in d["weight_suffixes"]),
        parts=tuple((e["part"].lower(), e["format"]) for e in d["weight_path_parts"]),
        patterns=tuple((re.compile(e["pattern"], re.IGNORECASE), e["format"]) for e in d["weight_path_patterns"]),
        excluded_names=frozenset(e["name"].lower() for e in d["not_weights"] if "name" in e),
        excluded_prefixes=tuple(e["name_prefix"].lower() for e in d["not_weights"] if "name_prefix" in e),
        license_names=frozenset(e["name"].lower() for e in d["license_files"]),
        policy_names=frozenset(e["name"].lower() for e in d["use_policy_files"]),
        relation_names={e["name"].lower(): e["relation"] for e in d["relation_hints"] if "name" in e},
        relation_suffixes=tuple((e["suffix"].lower(), e["relation"]) for e in d["relation_hints"] if "suffix" in e),
    )


def weight_format(path: str) -> str | None:
    """The weight format of a repository path (``"safetensors"``, ``"gguf"``, ...), or None if it holds none."""
    rules = _rules()
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    if name in rules.excluded_names or name.startswith(rules.excluded_prefixes):
        return None
    for suffix, fmt in rules.suffixes:
        if name.endswith(suffix):
            return fmt
    for part, fmt in rules.parts:
        if part in lower:
            return fmt
    for pattern, fmt in rules.patterns:
        if pattern.search(path):
            return fmt
    return None


def is_license_file(path: str) -> bool:
    """True for top-level LICENSE-like files (LICENSE, LICENSE.md, USE_POLICY.md, NOTICE, ...)."""
    return "/" not in path and path.lower() in _rules().license_names


def is_use_policy_file(path: str) -> bool:
    """True for acceptable-use policy files at the top of the repository."""
    return "/" not in path and path.lower() in _rules().policy_names


def relation_hint(files: tuple[str, ...]) -> str | None:
    """The derivative relation (``adapter``, ``quantized``, ``merge``) that a release's files suggest, if any."""
    rules = _rules()
    for path in files:
        name = path.lower().rsplit("/", 1)[-1]
        if name in rules.relation_names:
            return rules.relation_names[name]
        for suffix, relation in rules.relation_suffixes:
            if name.endswith(suffix):
                return relation
    return None
