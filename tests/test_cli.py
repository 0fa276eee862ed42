"""The command line: output, JSON, exit codes, error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub

from openscore.cli import main
from openscore.hub import HubClient

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "open-research-model")


def test_grade_folder_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert "Verdict: open-source-ai" in out
    for label in ("parameters", "data information", "code", "usage terms"):
        assert label in out
    assert "rules 2." in out


def test_grade_json_single_and_several(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    assert main(["grade", EXAMPLE, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "open-source-ai"
    assert main(["grade", EXAMPLE, "nobody/nothing", "--json", "--endpoint", hub_env.endpoint]) == 3
    captured = capsys.readouterr()
    items = json.loads(captured.out)
    assert items[0]["verdict"] == "open-source-ai"
    assert items[1]["error"]["kind"] == "not-found"


def test_hub_target(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    assert main(["grade", "campuslab/vision-nc-base", "--endpoint", hub_env.endpoint]) == 0
    out = capsys.readouterr().out
    assert "weights-available" in out and "non-commercial" in out


def test_not_found_is_exit_3_one_line(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    assert main(["grade", "nobody/nothing", "--endpoint", hub_env.endpoint]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not found" in err and "Traceback" not in err


def test_usage_errors_are_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["grade", "not a valid id!"]) == 2
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["grade", str(f)]) == 2
    with pytest.raises(SystemExit) as info:
        main(["grade"])
    assert info.value.code == 2


def test_token_is_never_printed(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    token = "hf_PLANTEDtoken1234567890abcdef"
    code = main(
        [
            "grade",
            "vaultlab/locked-7b",
            "nobody/x",
            "--token",
            token,
            "--endpoint",
            hub_env.endpoint,
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    assert token not in captured.out and token not in captured.err


def test_unreachable_hub_is_exit_3(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(HubClient, "_pause", lambda self, seconds: waits.append(seconds))  # retried, not slept
    assert main(["grade", "org/name", "--endpoint", "http://127.0.0.1:9"]) == 3
    assert len(waits) == 3  # the CLI's client retried before giving up
    assert "could not be reached" in capsys.readouterr().err


def test_version_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("openscore ")
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Report"


def test_module_entry_point_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "openscore", "grade", EXAMPLE, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "open-source-ai"


def test_fail_below_jsonl_and_from_file(capsys: pytest.CaptureFixture[str], hub_env: FakeHub, tmp_path: Path) -> None:
    listing = tmp_path / "targets.txt"
    listing.write_text(f"# a comment\n{EXAMPLE}\n\ncampuslab/vision-nc-base\nnobody/nothing\n")
    code = main(["grade", "--from-file", str(listing), "--jsonl", "--endpoint", hub_env.endpoint])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 3
    assert [json.loads(ln).get("verdict") for ln in lines] == ["open-source-ai", "weights-available", None]
    assert main(["grade", EXAMPLE, "--fail-below", "open-source-ai"]) == 0
    assert (
        main(["grade", "campuslab/vision-nc-base", "--endpoint", hub_env.endpoint, "--fail-below", "open-weights"]) == 1
    )
    capsys.readouterr()


def test_author_listing(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    assert main(["grade", "--author", "herdlab", "--json", "--endpoint", hub_env.endpoint]) == 0
    items = json.loads(capsys.readouterr().out)
    assert sorted(i["repo_id"] for i in items) == ["herdlab/herd-2-7b-chat", "herdlab/herd-3-8b"]


def test_offline_needs_cache_dir(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["grade", "org/name", "--offline"])
    assert info.value.code == 2


def test_badge_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "badge.svg"
    assert main(["badge", EXAMPLE, "-o", str(out)]) == 0
    assert out.read_text().startswith("<svg") and "open-source-ai" in out.read_text()
    assert main(["badge", EXAMPLE, "--format", "endpoint"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schemaVersion"] == 1 and data["message"].startswith("open-source-ai")
    assert main(["badge", "not a repo!"]) == 2
