"""The library API: criteria by name, str(report), Report.from_json, explain, and a light `import openscore`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import openscore
from openscore import Criterion, Report
from openscore.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "open-research-model"


def test_criteria_by_name_and_iteration() -> None:
    report = openscore.grade(EXAMPLE)
    assert report.criteria["parameters"] is report.criteria.parameters
    assert report.criteria[Criterion.USAGE_TERMS] is report.criteria.usage_terms
    assert report.criteria["data information"] is report.criteria["data_information"]
    with pytest.raises(KeyError, match="not a criterion"):
        report.criteria["weights"]
    pairs = list(report.criteria)
    assert [c for c, _ in pairs] == list(Criterion) and pairs == report.criteria.items()
    assert len(report.criteria) == 4


def test_str_is_the_text_rendering_and_json_round_trips() -> None:
    report = openscore.grade(EXAMPLE)
    assert str(report).splitlines()[1].startswith("Verdict: open-source-ai")
    again = Report.from_json(report.to_json())
    assert again == report
    assert Report.from_json(report.to_json().encode()).verdict is report.verdict


def test_explain_every_documented_id() -> None:
    documented = set(
        re.findall(r"^\| `([a-z0-9-]+)`(?:, `([a-z0-9-]+)`)?", (ROOT / "docs" / "findings.md").read_text(), re.M)
    )
    ids = {i for pair in documented for i in pair if i}
    for fid in ids:
        assert openscore.explain(fid).startswith(fid)
    assert "OSAID 1.0:" in openscore.explain("license-drift")
    with pytest.raises(KeyError, match="did you mean license-drift"):
        openscore.explain("licence-drift")


def test_explain_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "weights-published"]) == 0
    assert capsys.readouterr().out.startswith("weights-published (parameters)")
    assert main(["explain", "nope"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


HEAVY = ("huggingface_hub", "httpx", "httpx2", "httpcore", "requests", "matplotlib", "pandas", "tqdm", "pydantic")


def _imported(code: str) -> set[str]:
    probe = f"{code}; import sys; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(proc.stdout.split()) & set(HEAVY)


def test_import_and_version_stay_light() -> None:
    assert _imported("import openscore") == set()
    assert _imported("from openscore._entry import main; main(['--version'])") == set()
    proc = subprocess.run([sys.executable, "-m", "openscore", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("openscore ")
    assert proc.stdout.strip().endswith(f"(rules {openscore.rules_version()})")


def test_folder_grading_leaves_the_hub_client_unimported() -> None:
    """A folder whose card names no base model is graded without huggingface_hub or its HTTP stack."""
    folder = ROOT / "examples" / "open-research-model"
    code = f"from openscore._entry import main; main(['grade', '--no-code-lookup', {str(folder)!r}])"
    assert _imported(code) - {"pydantic"} == set()


def test_packaged_finding_docs_are_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "generate_findings_json.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    packaged = json.loads((ROOT / "src" / "openscore" / "data" / "findings.json").read_text(encoding="utf-8"))
    assert packaged == gen.build(), "regenerate: python scripts/generate_findings_json.py"
