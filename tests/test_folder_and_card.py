"""Folder and in-memory sources, on the shipped examples and on hand-made folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import openscore
from openscore import Status, Verdict

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("open-research-model", Verdict.OPEN_SOURCE_AI),
        ("weights-only-model", Verdict.OPEN_WEIGHTS),
        ("restricted-model", Verdict.WEIGHTS_AVAILABLE),
    ],
)
def test_examples(name: str, verdict: Verdict) -> None:
    report = openscore.grade(EXAMPLES / name)
    assert report.verdict is verdict, report.verdict_reason
    assert report.source == "folder" and report.revision is None


def test_open_example_evidence_points_at_lines() -> None:
    report = openscore.grade(EXAMPLES / "open-research-model")
    lines = (EXAMPLES / "open-research-model" / "README.md").read_text().splitlines()
    for f in report.criteria.data_information.findings:
        for ev in f.evidence:
            if ev.kind == "card" and ev.lines and ev.lines[0] == ev.lines[1] and ev.quote:
                assert ev.quote[:20] in " ".join(lines[ev.lines[0] - 1].split())


def test_weights_only_example_explains_what_is_missing() -> None:
    report = openscore.grade(EXAMPLES / "weights-only-model")
    assert report.criteria.data_information.status in (Status.NOT_MET, Status.PARTLY_MET)
    assert report.criteria.code.status is Status.NOT_MET
    assert report.criteria.code.remediation
    assert "code" in report.verdict_reason


def test_folder_without_readme_or_license(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"x")
    report = openscore.grade(tmp_path)
    assert report.verdict is Verdict.UNDETERMINED
    assert any("README.md" in note for note in report.unreadable)


def test_folder_without_weights_is_closed(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Coming soon\n")
    assert openscore.grade(tmp_path).verdict is Verdict.CLOSED


def test_license_other_settled_by_license_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: other\nlicense_link: LICENSE\n---\n")
    (tmp_path / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n(stand-in)\n")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    report = openscore.grade(tmp_path)
    assert report.criteria.usage_terms.status is Status.MET
    assert report.verdict is Verdict.OPEN_WEIGHTS


def test_metadata_open_but_license_file_restrictive_is_restricted(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: apache-2.0\n---\n")
    (tmp_path / "LICENSE").write_text("LLAMA 2 COMMUNITY LICENSE AGREEMENT\n(stand-in)\n")
    (tmp_path / "model.safetensors").write_bytes(b"x")
    assert openscore.grade(tmp_path).verdict is Verdict.WEIGHTS_AVAILABLE


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_symlinks_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Apache License\nVersion 2.0\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: other\n---\n")
    (repo / "model.safetensors").write_bytes(b"x")
    (repo / "LICENSE").symlink_to(outside / "secret.txt")
    report = openscore.grade(repo)
    assert report.criteria.usage_terms.status is Status.UNDETERMINED
    assert any("outside" in note for note in report.unreadable)


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "README.md"
    f.write_text("hi")
    with pytest.raises(openscore.InvalidTargetError):
        openscore.grade(f)


def test_grade_card_with_and_without_files() -> None:
    card = (EXAMPLES / "open-research-model" / "README.md").read_text()
    assert openscore.grade_card(card, files=["model.safetensors", "README.md"]).verdict is Verdict.OPEN_SOURCE_AI
    report = openscore.grade_card(card)
    assert report.criteria.parameters.status is Status.UNDETERMINED
    assert report.verdict is Verdict.UNDETERMINED
    assert report.source == "card"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02",
        "---\n",
        "---\nlicense: [\n---\n",
        "---\n- just\n- a list\n---\n",
        "# only a title",
        "---\nlicense: 12\nlicense_name: {a: b}\ndatasets: {x: 1}\nextra_gated_fields: [1, 2]\n---\n",
        "x" * 2_000_000,
    ],
)
def test_odd_cards_grade_without_exception(text: str) -> None:
    report = openscore.grade_card(text, files=[])
    assert report.verdict is Verdict.UNDETERMINED  # no files at all: nothing shows the release is closed
