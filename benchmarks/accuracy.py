"""Agreement between openscore and the labelled fixture set (tests/fixtures/hub/expected.json).

Grades every labelled release through the loopback fake Hub (the real huggingface_hub client, no network) and
prints agreement overall and per expected verdict, the confusion matrix, every disagreement with the label's
reason, and how many releases were wrongly called open-source-ai (the worst error: more open than they are).
The baseline in the same run is the simplest rule a reader might use, "the declared license is OSI-approved and
weights are present, so it is open source": its agreement shows what reading cards buys.

    python benchmarks/accuracy.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakecodehost import keep_code_hosts_local  # noqa: E402
from fakehub import FakeHub  # noqa: E402

_CLOSED_CODE_HOST = keep_code_hosts_local()  # code host look-ups are on by default: never a real host here

import openscore  # noqa: E402
from openscore import HubClient, Verdict  # noqa: E402
from openscore.batch import grade_many  # noqa: E402

VERDICTS = [v.value for v in Verdict]


def naive(report: openscore.Report) -> str:
    """The baseline: open source if weights are present and the declared license is OSI-approved."""
    if report.criteria.parameters.status.value == "not-met":
        return "closed"
    declared = [f for f in report.criteria.usage_terms.findings if f.id == "license-declared" and f.license]
    if declared and all(f.license and f.license.osi_approved for f in declared):
        return "open-source-ai"
    return "weights-available" if declared else "undetermined"


def main() -> int:
    labels = json.loads((ROOT / "tests" / "fixtures" / "hub" / "expected.json").read_text(encoding="utf-8"))
    ids = sorted(labels)
    with FakeHub(ROOT / "tests" / "fixtures" / "hub") as hub:
        client = HubClient(endpoint=hub.endpoint, token=False, backoff=0.01)
        batch = grade_many(ids, client=client, max_workers=8, progress_bar=False)
    confusion: Counter[tuple[str, str]] = Counter()
    per_verdict: Counter[str] = Counter()
    agree_per_verdict: Counter[str] = Counter()
    disagreements: list[str] = []
    naive_agree = 0
    for repo_id, result in zip(ids, batch, strict=True):
        expected = labels[repo_id]["verdict"]
        got = result.verdict.value if isinstance(result, openscore.Report) else f"failed:{result.kind}"
        confusion[(expected, got)] += 1
        per_verdict[expected] += 1
        if got == expected:
            agree_per_verdict[expected] += 1
        else:
            why = result.verdict_reason if isinstance(result, openscore.Report) else result.message
            disagreements.append(
                f"  {repo_id}: expected {expected}, got {got}\n    label: {labels[repo_id]['reason']}\n"
                f"    openscore: {why}"
            )
        if isinstance(result, openscore.Report) and naive(result) == expected:
            naive_agree += 1
    total = len(ids)
    agree = sum(agree_per_verdict.values())
    wrongly_open = sum(n for (exp, got), n in confusion.items() if got == "open-source-ai" and exp != got)
    print(f"labelled releases:               {total}")
    print(f"openscore agreement:             {agree}/{total} = {agree / total:.1%}")
    print(f"baseline (OSI license => open):  {naive_agree}/{total} = {naive_agree / total:.1%}")
    print(f"ratio openscore / baseline:      {agree / max(naive_agree, 1):.2f}x")
    print(f"wrongly called open-source-ai:   {wrongly_open}  (target 0)")
    print("\nper expected verdict:")
    for v in VERDICTS:
        if per_verdict[v]:
            print(f"  {v:<18} {agree_per_verdict[v]}/{per_verdict[v]}")
    got_columns = VERDICTS + sorted({g for _, g in confusion if g not in VERDICTS})
    print("\nconfusion matrix (rows expected, columns openscore):")
    print("  " + " " * 18 + "".join(f"{c[:8]:>10}" for c in got_columns))
    for exp in VERDICTS:
        print(f"  {exp:<18}" + "".join(f"{confusion[(exp, c)]:>10}" for c in got_columns))
    print("\ndisagreements:" if disagreements else "\ndisagreements: none")
    for line in disagreements:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
