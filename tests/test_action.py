"""The GitHub Action: action.yml's grading step, run as the runner runs it, against the shipped examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _grade_step() -> dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert "${{ inputs.python-version }}" in str(steps[0]["with"]["python-version"])
    assert "pip install" in steps[1]["run"] and "$OPENSCORE_ACTION_PATH" in steps[1]["run"]
    for step in steps:  # inputs reach the shell through the environment only (no script injection)
        assert "${{" not in step.get("run", "")
    step = next(s for s in steps if s.get("id") == "grade")
    assert set(action["inputs"]) >= {"target", "fail-below", "badge", "python-version"}
    assert action["inputs"]["target"]["default"] == "."
    return step


def _run(tmp_path: Path, target: str, fail_below: str = "") -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    step = _grade_step()
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {
        **os.environ,
        **{k: str(v) for k, v in dict(step["env"]).items()},  # type: ignore[call-overload]
        "OPENSCORE_TARGET": target,
        "OPENSCORE_FAIL_BELOW": fail_below,
        "OPENSCORE_BADGE": str(tmp_path / "badges" / "openscore-badge.svg"),
        "OPENSCORE_SARIF": str(tmp_path / "openscore.sarif"),
        "OPENSCORE_REVISION": "",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
    }
    run = str(step["run"]).replace("python ", f"{sys.executable} ", 1)
    proc = subprocess.run(run, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return proc, summary, outputs


def test_action_grades_writes_badges_summary_and_sarif(tmp_path: Path) -> None:
    proc, summary, outputs = _run(tmp_path, "examples/open-research-model", "open-weights")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    svg = tmp_path / "badges" / "openscore-badge.svg"
    assert svg.read_text().startswith("<svg") and "open-source-ai" in svg.read_text()
    endpoint = json.loads((tmp_path / "badges" / "openscore-badge.json").read_text())
    assert endpoint["schemaVersion"] == 1 and endpoint["message"].startswith("open-source-ai")
    text = summary.read_text()
    assert text.startswith("## openscore: OSAID 1.0") and "**OSAID 1.0: open-source-ai**" in text
    assert "passed" in text
    sarif = json.loads((tmp_path / "openscore.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    out = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert out["verdict"] == "open-source-ai" and out["sarif"].endswith("openscore.sarif")


def test_action_fails_below_the_threshold_saying_why(tmp_path: Path) -> None:
    proc, summary, _ = _run(tmp_path, "examples/restricted-model", "open-weights")
    assert proc.returncode == 1
    error = [ln for ln in proc.stdout.splitlines() if ln.startswith("::error")]
    assert len(error) == 1
    assert "weights-available is below open-weights" in error[0] and "usage terms not-met" in error[0]
    assert "weights-available is below open-weights" in summary.read_text()
    results = json.loads((tmp_path / "openscore.sarif").read_text())["runs"][0]["results"]
    assert any(r["level"] == "error" for r in results)


def test_action_bad_input_is_one_error_line(tmp_path: Path) -> None:
    proc, _, _ = _run(tmp_path, "examples/open-research-model", "very-open")
    assert proc.returncode == 2 and proc.stdout.startswith("::error::fail-below must be one of")
    proc, _, _ = _run(tmp_path, "no such folder!")
    assert proc.returncode == 2 and proc.stdout.startswith("::error::openscore:") and "Traceback" not in proc.stderr
