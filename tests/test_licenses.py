"""The license knowledge layer: data integrity, lookups, classification and LICENSE-text identification."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from openscore.licenses import (
    LicenseInfo,
    LicensePolicy,
    classify,
    hub_license_ids,
    identify_text,
    lookup_hub_id,
    lookup_name,
    lookup_spdx,
    most_restrictive,
)

P = LicensePolicy


def _data(name: str) -> Any:
    return json.loads(resources.files("openscore").joinpath("data").joinpath(name).read_text(encoding="utf-8"))


def _spdx(value: str) -> LicenseInfo:
    info = lookup_spdx(value)
    assert info is not None, value
    return info


def _hub(value: str) -> LicenseInfo:
    info = lookup_hub_id(value)
    assert info is not None, value
    return info


HUB = _data("hub_licenses.json")
SPDX = _data("spdx_licenses.json")["licenses"]
NAMES = _data("license_names.json")["names"]
TEXTS = _data("license_texts.json")["patterns"]

#: The ids of the Hub's repositories-licenses documentation, in its order.
HUB_IDS = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openmdw-1.1",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
]


# --- data integrity --------------------------------------------------------------------------------


def test_all_83_hub_ids_present_once_in_documentation_order() -> None:
    ids = hub_license_ids()
    assert len(ids) == 83
    assert len(set(ids)) == 83
    assert list(ids) == HUB_IDS


@pytest.mark.parametrize("entry", HUB["licenses"], ids=lambda e: e["id"])
def test_hub_entry_is_reviewed(entry: dict[str, Any]) -> None:
    for field in ("id", "name", "policy", "reason", "source"):
        assert isinstance(entry[field], str) and entry[field].strip(), field
    assert "spdx" in entry
    LicensePolicy(entry["policy"])
    # OSI/FSF flags come from the SPDX table, never typed into the Hub data.
    assert not {"osi", "fsf", "osi_approved", "fsf_libre", "isOsiApproved"} & set(entry)
    info = lookup_hub_id(entry["id"])
    assert info is not None and info.key == entry["id"] and info.reason and info.source


def test_every_spdx_reference_exists_in_spdx_table() -> None:
    for entry in HUB["licenses"]:
        if entry["spdx"] is not None:
            assert entry["spdx"].lower() in SPDX, entry["id"]
            assert SPDX[entry["spdx"].lower()]["id"] == entry["spdx"], entry["id"]


def test_osi_policy_agrees_with_spdx_flag() -> None:
    """An SPDX-mapped Hub id is osi-approved exactly when the SPDX table flags it OSI-approved."""
    for entry in HUB["licenses"]:
        if entry["spdx"] is None:
            continue
        flagged = SPDX[entry["spdx"].lower()]["osi"]
        assert (entry["policy"] == "osi-approved") == flagged, entry["id"]


def test_osi_flags_from_spdx_table() -> None:
    expected = {
        "apache-2.0": True,
        "mit": True,
        "gpl-3.0": True,
        "cc-by-4.0": False,
        "bsd-3-clause-clear": False,
    }
    for hub_id, flag in expected.items():
        info = lookup_hub_id(hub_id)
        assert info is not None and info.osi_approved is flag, hub_id
    assert _hub("cc-by-4.0").fsf_libre is True
    assert _hub("llama3").osi_approved is None


def test_spdx_table_shape() -> None:
    assert len(SPDX) > 500
    assert list(SPDX) == sorted(SPDX)
    for key, entry in SPDX.items():
        assert key == entry["id"].lower()
        assert isinstance(entry["osi"], bool) and isinstance(entry["deprecated"], bool)
        assert entry["fsf"] in (True, False, None)


def test_names_entries_are_normalised_and_resolve() -> None:
    for key, entry in NAMES.items():
        assert key == re.sub(r"-+", "-", re.sub(r"[\s_]+", "-", key.strip().lower())), key
        if "same_as" in entry:
            assert set(entry) == {"same_as"}, key
        else:
            for field in ("name", "policy", "reason", "source"):
                assert isinstance(entry[field], str) and entry[field].strip(), (key, field)
            LicensePolicy(entry["policy"])
        assert lookup_name(key) is not None, key


def test_text_patterns_compile_and_resolve() -> None:
    for entry in TEXTS:
        for pattern in (entry["pattern"], *entry.get("requires", ()), *entry.get("excludes", ())):
            re.compile(pattern)
        target = entry["license"]
        assert lookup_hub_id(target) or lookup_name(target) or lookup_spdx(target), target
        assert entry["reason"]


def test_policy_order_least_to_most_restrictive() -> None:
    assert [p.value for p in LicensePolicy] == [
        "osi-approved",
        "open-content",
        "unknown",
        "use-restricted",
        "no-derivatives",
        "research-only",
        "non-commercial",
    ]


# --- reviewed classes of borderline ids ------------------------------------------------------------


@pytest.mark.parametrize(
    ("hub_id", "policy"),
    [
        ("openrail", P.USE_RESTRICTED),
        ("bigscience-bloom-rail-1.0", P.USE_RESTRICTED),
        ("bigcode-openrail-m", P.USE_RESTRICTED),
        ("openrail++", P.USE_RESTRICTED),
        ("llama2", P.USE_RESTRICTED),
        ("llama3.2", P.USE_RESTRICTED),
        ("llama4", P.USE_RESTRICTED),
        ("gemma", P.USE_RESTRICTED),
        ("grok2-community", P.USE_RESTRICTED),
        ("c-uda", P.USE_RESTRICTED),
        ("cc-by-nc-4.0", P.NON_COMMERCIAL),
        ("cc-by-nc-nd-4.0", P.NON_COMMERCIAL),
        ("cc-by-nd-4.0", P.NO_DERIVATIVES),
        ("h-research", P.RESEARCH_ONLY),
        ("intel-research", P.RESEARCH_ONLY),
        ("apple-amlr", P.RESEARCH_ONLY),
        ("deepfloyd-if-license", P.RESEARCH_ONLY),
        ("fair-noncommercial-research-license", P.NON_COMMERCIAL),
        ("cc", P.UNKNOWN),
        ("lgpl", P.OSI_APPROVED),
        ("gfdl", P.OPEN_CONTENT),
        ("openmdw-1.0", P.OPEN_CONTENT),
        ("openmdw-1.1", P.OPEN_CONTENT),
        ("wtfpl", P.OPEN_CONTENT),
        ("cc0-1.0", P.OPEN_CONTENT),
        ("unknown", P.UNKNOWN),
        ("other", P.UNKNOWN),
    ],
)
def test_reviewed_policy(hub_id: str, policy: LicensePolicy) -> None:
    info = lookup_hub_id(hub_id)
    assert info is not None and info.policy is policy


def test_nc_nd_reason_mentions_both() -> None:
    info = lookup_hub_id("cc-by-nc-nd-3.0")
    assert info is not None and "NonCommercial" in info.reason and "NoDerivatives" in info.reason


# --- lookups ---------------------------------------------------------------------------------------


def test_lookup_hub_id_is_case_and_space_insensitive() -> None:
    info = lookup_hub_id("  Apache-2.0 \n")
    assert info is not None and info.key == "apache-2.0" and info.spdx == "Apache-2.0"
    assert lookup_hub_id("Apache 2.0") is None
    assert lookup_hub_id("") is None


def test_lookup_spdx() -> None:
    info = lookup_spdx("gpl-3.0-or-later")
    assert info is not None and info.key == "gpl-3.0-or-later" and info.policy is P.OSI_APPROVED
    assert info.osi_approved is True
    assert _spdx("CC-BY-NC-SA-2.0-FR").policy is P.NON_COMMERCIAL
    assert _spdx("cc-by-nd-3.0").policy is P.NO_DERIVATIVES
    assert _spdx("CC-BY-SA-2.5").policy is P.OPEN_CONTENT
    assert _spdx("ODbL-1.0").policy is P.OPEN_CONTENT
    assert _spdx("BSD-4-Clause").policy is P.OPEN_CONTENT  # FSF-libre, not OSI
    assert _spdx("SSPL-1.0").policy is P.UNKNOWN
    # A Hub entry on the same SPDX id gives the reviewed class.
    assert _spdx("C-UDA-1.0").policy is P.USE_RESTRICTED
    for not_an_id in ("MIT OR Apache-2.0", "llama2", "LicenseRef-foo", "", "mit)"):
        assert lookup_spdx(not_an_id) is None, not_an_id


@pytest.mark.parametrize(
    ("name", "key", "policy"),
    [
        ("Llama 2", "llama2", P.USE_RESTRICTED),
        ("llama-2-community-license", "llama2", P.USE_RESTRICTED),
        ("LLAMA3", "llama3", P.USE_RESTRICTED),
        ("llama_3.1", "llama3.1", P.USE_RESTRICTED),
        ("tongyi-qianwen", "tongyi-qianwen", P.USE_RESTRICTED),
        ("qwen-research", "qwen-research", P.RESEARCH_ONLY),
        ("deepseek-license", "deepseek", P.USE_RESTRICTED),
        ("stable-cascade-nc-community", "sai-nc-community", P.NON_COMMERCIAL),
        ("nvidia-open-model-license", "nvidia-open-model-license", P.USE_RESTRICTED),
        ("mnpl-0.1", "mnpl-0.1", P.NON_COMMERCIAL),
        ("mistral-ai-research-license", "mistral-ai-research-license", P.RESEARCH_ONLY),
        ("flux-1-dev-non-commercial-license", "flux-1-dev-non-commercial-license", P.NON_COMMERCIAL),
        ("CC BY-NC 4.0", "cc-by-nc-4.0", P.NON_COMMERCIAL),
        ("cc_by_nc_4.0", "cc-by-nc-4.0", P.NON_COMMERCIAL),
        ("apple-sample-code-license", "apple-ascl", P.OPEN_CONTENT),
        ("openmdw", "openmdw", P.OPEN_CONTENT),
        ("Apache 2.0", "apache-2.0", P.OSI_APPROVED),
        ("bigcode-openrail-m", "bigcode-openrail-m", P.USE_RESTRICTED),
        ("BSD 3-clause \u201cNew\u201d or \u201cRevised\u201d license", "bsd-3-clause", P.OSI_APPROVED),
        ("custom", "custom", P.UNKNOWN),
        ("proprietary", "proprietary", P.UNKNOWN),
    ],
)
def test_lookup_name_aliases(name: str, key: str, policy: LicensePolicy) -> None:
    info = lookup_name(name)
    assert info is not None
    assert (info.key, info.policy) == (key, policy)


def test_lookup_name_unknown() -> None:
    assert lookup_name("my-very-own-license") is None
    assert lookup_name("   ") is None


# --- classify --------------------------------------------------------------------------------------


def test_classify_expressions() -> None:
    assert classify("MIT OR Apache-2.0").policy is P.OSI_APPROVED
    info = classify("Apache-2.0 AND CC-BY-NC-4.0")
    assert info.policy is P.NON_COMMERCIAL and info.osi_approved is False
    assert classify("cc-by-nc-4.0 OR (apache-2.0 AND gpl-3.0)").policy is P.OSI_APPROVED
    assert classify("(MIT AND cc-by-nd-4.0) OR cc-by-nc-4.0").policy is P.NO_DERIVATIVES
    assert classify("GPL-2.0-only WITH Classpath-exception-2.0").policy is P.OSI_APPROVED
    assert classify("llama2 OR mit").policy is P.OSI_APPROVED
    assert classify("creativeml-openrail-m and mit").policy is P.USE_RESTRICTED
    assert classify("mit AND something-unheard-of").policy is P.UNKNOWN


def test_classify_ids_and_names() -> None:
    assert classify("apache-2.0").key == "apache-2.0"
    assert classify("GPL-2.0+").policy is P.OSI_APPROVED
    assert classify("cc-by-sa-2.0").policy is P.OPEN_CONTENT
    assert classify("Llama 2").key == "llama2"
    unknown = classify("Foo License")
    assert unknown.policy is P.UNKNOWN and unknown.key == "foo license"
    assert unknown.reason == "not a license id openscore knows"


WEIRD = [
    "",
    " ",
    "\n\t",
    "(",
    ")",
    "((MIT)",
    "MIT)",
    "MIT AND",
    "AND",
    "OR OR OR",
    "WITH",
    "mit with",
    "mit WITH (",
    "()",
    "( )",
    "(" * 5000 + "mit" + ")" * 5000,
    "mit and " * 500 + "mit",
    "x" * 100_000,
    "\x00\x01\x02",
    "\ud800",
    "🦙 license",
    "LicenseRef-",
    "LicenseRef-foo AND",
    "DocumentRef-x:LicenseRef-y",
    "+",
    "GPL-2.0+ +",
    "[mit, apache-2.0]",
    "mit, apache-2.0",
    "apache-2.0/mit",
    "-" * 50,
    "cc-by-nc-4.0)(",
    ".*",
    "(?P<x>",
    "\\",
]


@pytest.mark.parametrize("value", WEIRD, ids=range(len(WEIRD)))
def test_classify_never_raises(value: str) -> None:
    info = classify(value)
    assert isinstance(info, LicenseInfo)
    assert isinstance(info.policy, LicensePolicy)
    assert lookup_name(value) is None or isinstance(lookup_name(value), LicenseInfo)
    assert lookup_spdx(value) is None or isinstance(lookup_spdx(value), LicenseInfo)
    assert identify_text(value) is None or isinstance(identify_text(value), LicenseInfo)


def test_classify_non_string_does_not_raise() -> None:
    assert classify(None).policy is P.UNKNOWN  # type: ignore[arg-type]
    assert classify(42).policy is P.UNKNOWN  # type: ignore[arg-type]


def test_most_restrictive() -> None:
    mit = classify("mit")
    nc = classify("cc-by-nc-4.0")
    unknown = classify("nope")
    assert most_restrictive([]) is None
    assert most_restrictive([mit, nc, unknown]) is nc
    assert most_restrictive([mit, unknown]) is unknown
    first, second = classify("mit"), classify("apache-2.0")
    assert most_restrictive([first, second]) is first
    assert most_restrictive(iter([mit])) is mit


def test_is_open() -> None:
    assert classify("mit").is_open
    assert classify("cc-by-4.0").is_open
    assert not classify("llama3").is_open
    assert not classify("cc").is_open


# --- identify_text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("                    Apache License\n              Version 2.0, January 2004\n", "apache-2.0"),
        ("MIT License\n\nCopyright (c) 2024 Someone\n", "mit"),
        (
            "Copyright 2024 X\n\nPermission is hereby granted, free of charge, to any person obtaining "
            "a copy of this software ... The above copyright notice and this permission notice shall be "
            "included in all copies",
            "mit",
        ),
        ("GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n", "gpl-3.0"),
        ("GNU LESSER GENERAL PUBLIC LICENSE\n   Version 2.1, February 1999\n", "lgpl-2.1"),
        ("GNU AFFERO GENERAL PUBLIC LICENSE\n Version 3, 19 November 2007", "agpl-3.0"),
        ("LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023", "llama2"),
        (
            "META LLAMA 3 COMMUNITY LICENSE AGREEMENT\nMeta Llama 3 Version Release Date: April 18, 2024",
            "llama3",
        ),
        ("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024", "llama3.1"),
        ("Gemma Terms of Use\n\nLast modified: ...", "gemma"),
        ("CreativeML Open RAIL-M\ndated August 22, 2022", "creativeml-openrail-m"),
        ("BigScience RAIL License v1.0\n... Responsible AI License ...", "openrail"),
        ("Attribution-NonCommercial 4.0 International\n\n=====", "cc-by-nc-4.0"),
        ("Attribution-NonCommercial-ShareAlike 4.0 International", "cc-by-nc-sa-4.0"),
        ("Creative Commons Attribution 4.0 International Public License", "cc-by-4.0"),
        ("Creative Commons Attribution-ShareAlike 4.0 International Public License", "cc-by-sa-4.0"),
        ("BSD 3-Clause License\n\nCopyright (c) 2024", "bsd-3-clause"),
        ("Tongyi Qianwen LICENSE AGREEMENT\n\nTongyi Qianwen Release Date: August 3, 2023", "tongyi-qianwen"),
        ('Open Model, Data & Weights License Agreement, version 1.0 ("OpenMDW-1.0")', "openmdw-1.0"),
        (
            "The Unlicense\nThis is free and unencumbered software released into the public domain.",
            "unlicense",
        ),
    ],
)
def test_identify_text(text: str, key: str) -> None:
    info = identify_text(text)
    assert info is not None and info.key == key
    assert info.source.startswith("LICENSE text")


def test_identify_text_custom_license_bound_to_an_acceptable_use_policy() -> None:
    text = "Kestrel LLM License 1.0\n\nYou may use the model only in compliance with the Kestrel\n"
    info = identify_text(text + "Acceptable Use Policy, which may be updated at any time.")
    assert info is not None and info.policy is P.USE_RESTRICTED
    assert info.key == "custom-license-with-acceptable-use-policy"
    # a known license still wins over the heuristic
    known = identify_text("Apache License, Version 2.0\n... you must comply with the Acceptable Use Policy")
    assert known is not None and known.key == "apache-2.0"


def test_identify_text_only_reads_the_head() -> None:
    assert identify_text("x" * 25_000 + "\nApache License, Version 2.0") is None
    assert identify_text("x" * 1_000 + "\nApache License, Version 2.0") is not None


def test_identify_text_unknown() -> None:
    assert identify_text("Just a readme, no license here.") is None
    assert identify_text("") is None
