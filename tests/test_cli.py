"""The command line: output, JSON, exit codes, error messages."""

from __future__ import annotations

import json
import os
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


# --- output formats and behaviour (issue 16) ---

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_help_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    out = capsys.readouterr().out
    for fmt in ("text", "json", "jsonl", "markdown", "html", "sarif", "cyclonedx", "spdx"):
        assert fmt in out


def test_format_aliases_and_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["grade", EXAMPLE, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "open-source-ai"
    assert main(["grade", EXAMPLE, "--jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "open-source-ai"
    target = tmp_path / "report.md"
    assert main(["grade", EXAMPLE, "-f", "markdown", "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "**OSAID 1.0: open-source-ai**" in target.read_text()
    page = tmp_path / "report.html"
    assert main(["grade", EXAMPLE, str(EXAMPLES / "restricted-model"), "-f", "html", "-o", str(page), "-q"]) == 0
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and text.count('<div class="openscore-report') >= 3
    assert capsys.readouterr().err == ""
    with pytest.raises(SystemExit) as info:
        main(["grade", EXAMPLE, "--json", "--format", "html"])
    assert info.value.code == 2


def test_summary_line_per_batch(capsys: pytest.CaptureFixture[str]) -> None:
    targets = [str(EXAMPLES / name) for name in ("open-research-model", "restricted-model", "weights-only-model")]
    assert main(["grade", *targets, "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 3
    assert captured.err.strip().splitlines()[-1] == (
        "openscore: 3 targets: 1 open-source-ai, 1 open-weights, 1 weights-available"
    )
    assert main(["grade", *targets]) == 0
    assert capsys.readouterr().out.rstrip().endswith("1 weights-available")
    assert main(["grade", *targets, "--quiet", "--jsonl"]) == 0
    assert capsys.readouterr().err == ""


def test_colour_only_on_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["grade", EXAMPLE]) == 0
    assert "\033[" not in capsys.readouterr().out  # captured output is not a terminal
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["grade", EXAMPLE]) == 0
    assert "\033[1;32mopen-source-ai\033[0m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["grade", EXAMPLE]) == 0
    assert "\033[" not in capsys.readouterr().out


def test_hub_urls_are_targets(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    url = "https://huggingface.co/campuslab/vision-nc-base"
    assert main(["grade", url, "--json", "--endpoint", hub_env.endpoint]) == 0
    assert json.loads(capsys.readouterr().out)["repo_id"] == "campuslab/vision-nc-base"
    assert main(["grade", url + "/tree/no-such-branch", "--endpoint", hub_env.endpoint]) == 3
    assert "revision not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["grade", url + "/tree/a", url + "/tree/b"])
    assert info.value.code == 2


def test_closed_pipe_ends_quietly() -> None:
    # Many reports into a reader that stops after one line: no "internal error (BrokenPipeError)".
    code = f"import sys; from openscore.cli import main; sys.exit(main(['grade'] + [{EXAMPLE!r}] * 40))"
    proc = subprocess.run(
        f'{sys.executable} -c "{code}" | head -1', shell=True, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.startswith("examples/open-research-model") or "open-research-model" in proc.stdout
    assert "BrokenPipeError" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_numbers_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--max-workers", "0"], ["--max-workers", "many"], ["--timeout", "0"]):
        with pytest.raises(SystemExit) as info:
            main(["grade", EXAMPLE, *args])
        assert info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_author_without_models_says_so(capsys: pytest.CaptureFixture[str], hub_env: FakeHub) -> None:
    assert main(["grade", "--author", "nobody-at-all", "--endpoint", hub_env.endpoint]) == 3
    err = capsys.readouterr().err
    assert "nobody-at-all has no public models" in err and err.count("\n") == 1


def test_fail_below_says_which_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    restricted = str(EXAMPLES / "restricted-model")
    assert main(["grade", restricted, "--fail-below", "open-weights", "--json"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "weights-available is below open-weights" in err[0] and "usage terms not-met" in err[0]
    assert "data information" not in err[0]  # not what holds it below open-weights
    weights_only = str(EXAMPLES / "weights-only-model")
    assert main(["grade", weights_only, "--fail-below", "open-source-ai", "-q"]) == 1
    line = capsys.readouterr().err.strip()
    assert "open-weights is below open-source-ai" in line and "data information" in line


def _run_in_terminal(args: list[str], columns: int) -> str:
    """Run the CLI with its stdout on a real pseudo-terminal of ``columns`` columns; what it printed."""
    pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal")
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openscore", *args], stdout=slave, stderr=subprocess.DEVNULL, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_text_wraps_to_the_terminal_only() -> None:
    restricted = str(EXAMPLES / "restricted-model")
    wrapped = _run_in_terminal(["grade", "--no-code-lookup", restricted], columns=60)
    lines = wrapped.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "USE_POLICY.md sets an acceptable-use policy" in " ".join(line.strip() for line in lines)
    # Piped (not a terminal), lines stay whole whatever COLUMNS says: scripts read them.
    piped = subprocess.run(
        [sys.executable, "-m", "openscore", "grade", "--no-code-lookup", restricted],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "60"},
        check=False,
    ).stdout
    assert max(len(line) for line in piped.splitlines()) > 60
    assert " ".join(piped.split()) == " ".join(wrapped.split())  # the same words, only the line breaks differ


def test_wrap_lines_keeps_words_whole() -> None:
    from openscore.renderers.text import MIN_WIDTH, wrap_lines

    url = "https://github.com/" + "x" * 80
    text = f"[+] code  met  see {url} for the training code\n  short line"
    out = wrap_lines(text, 50)
    assert url in out.split() and out.endswith("\n  short line")
    assert all(len(line) <= 50 or url in line for line in out.splitlines())
    assert all(line.startswith("      ") for line in out.splitlines()[1:-1])  # hanging indent under the mark
    assert max(len(line) for line in wrap_lines("word " * 40, 5).splitlines()) <= MIN_WIDTH
