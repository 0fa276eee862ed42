"""Agreement between openscore and expert labels, on three sets side by side, and the count of overstated verdicts.

The sets, each graded through the loopback fake Hub with the real huggingface_hub client (no network):

- **labelled fixtures**: ``tests/fixtures/hub/expected.json`` (fixtures written by us; code hosts not asked);
- **guard suite**: ``tests/fixtures/guard`` (adversarial-but-plausible releases: relabelled fine-tunes, research-only
  prose under an open license, gates that add terms, ...), with its own datasets and fake code host;
- **real cards**: the real model cards labelled in ``../shared/eval/real-cards.tsv`` (and, reported apart, the rows
  of ``tests/fixtures/real_cards/extra-labels.tsv``), read from ``../shared/corpus`` at run time and served with the
  facts of ``tests/fixtures/real_cards`` (file listings, datasets and their cards, code host licenses) by the fake
  Hub and the fake code host (see ``tests/realcards.py``). Skipped with a note when ``../shared`` is absent.

For each set it prints agreement (and on high-confidence rows apart), recall per expected verdict, the confusion
matrix, false ``open-source-ai`` calls and overstated verdicts (more open than the label, in the order
open-source-ai > open-weights > undetermined > weights-available > closed), and for each disagreement the finding
that decided it and ``verdict_if_checked``. The baseline in the same run is the simplest rule a reader might use,
"the declared license is OSI-approved and weights are present, so it is open source": its agreement shows what
reading cards buys. The last lines give the total of overstated verdicts over all sets (target 0).

    python benchmarks/accuracy.py [--labels PATH] [--facts DIR] [--corpus PATH]

``--labels`` grades another TSV with the same columns (a hidden set) instead of ``real-cards.tsv``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakecodehost import keep_code_hosts_local  # noqa: E402

_CLOSED_CODE_HOST = keep_code_hosts_local()  # code host look-ups are on by default: never a real host here

import realcards  # noqa: E402
from realcards import ORDER, Graded, deciding_finding  # noqa: E402

import openscore  # noqa: E402


def naive(report: openscore.Report) -> str:
    """The baseline: open source if weights are present and the declared license is OSI-approved."""
    if report.criteria.parameters.status.value == "not-met":
        return "closed"
    declared = [f for f in report.criteria.usage_terms.findings if f.id == "license-declared" and f.license]
    if declared and all(f.license and f.license.osi_approved for f in declared):
        return "open-source-ai"
    return "weights-available" if declared else "undetermined"


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.1%}" if total else "-"


def report_set(name: str, graded: list[Graded]) -> dict[str, object]:
    """Print one set's figures; return its summary row."""
    print(f"\n=== {name} ===")
    total = len(graded)
    agree = sum(g.agrees for g in graded)
    high = [g for g in graded if g.label.confidence == "high"]
    high_agree = sum(g.agrees for g in high)
    naive_agree = sum(1 for g in graded if g.report is not None and naive(g.report) == g.label.expected)
    false_osai = sum(1 for g in graded if g.got == "open-source-ai" and not g.agrees)
    over = [g for g in graded if g.overstated]
    print(f"releases:                        {total}")
    print(f"openscore agreement:             {_share(agree, total)}")
    if len(high) != total:
        print(f"  on high-confidence rows:       {_share(high_agree, len(high))}")
        print(f"  on other rows:                 {_share(agree - high_agree, total - len(high))}")
    print(f"baseline (OSI license => open):  {_share(naive_agree, total)}")
    print(f"ratio openscore / baseline:      {agree / max(naive_agree, 1):.2f}x")
    print(f"false open-source-ai:            {false_osai}  (target 0)")
    print(f"overstated verdicts:             {len(over)}  (target 0)")
    per_verdict = Counter(g.label.expected for g in graded)
    hit_per_verdict = Counter(g.label.expected for g in graded if g.agrees)
    print("recall per expected verdict:")
    for v in ORDER:
        if per_verdict[v]:
            print(f"  {v:<18} {hit_per_verdict[v]}/{per_verdict[v]}")
    confusion = Counter((g.label.expected, g.got) for g in graded)
    columns = list(ORDER) + sorted({got for _, got in confusion if got not in ORDER})
    print("confusion matrix (rows expected, columns openscore):")
    print("  " + " " * 18 + "".join(f"{c[:8]:>10}" for c in columns))
    for exp in ORDER:
        if per_verdict[exp]:
            print(f"  {exp:<18}" + "".join(f"{confusion[(exp, c)]:>10}" for c in columns))
    misses = [g for g in graded if not g.agrees]
    print("disagreements:" if misses else "disagreements: none")
    for g in misses:
        flag = "  OVERSTATED" if g.overstated else ""
        print(f"  {g.label.repo_id} [{g.label.confidence}]: expected {g.label.expected}, got {g.got}{flag}")
        print(f"    label: {g.label.why}")
        if g.report is None:
            print(f"    error: {g.error}")
            continue
        if_checked = g.report.verdict_if_checked.value if g.report.verdict_if_checked else "-"
        print(f"    decided by: {deciding_finding(g.report, g.label.expected)}")
        print(f"    verdict_if_checked: {if_checked}")
    return {
        "set": name,
        "n": total,
        "agree": _share(agree, total),
        "high": _share(high_agree, len(high)),
        "baseline": _share(naive_agree, total),
        "false_osai": false_osai,
        "overstated": len(over),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=None, help="a labels TSV instead of real-cards.tsv")
    parser.add_argument("--facts", type=Path, default=realcards.FACTS, help="the real-card facts folder")
    parser.add_argument("--corpus", type=Path, default=realcards.CORPUS, help="the corpus of real cards")
    args = parser.parse_args(argv)

    rows = [report_set("labelled fixtures (tests/fixtures/hub)", realcards.grade_fixture_set(realcards.FIXTURE_SET))]
    rows.append(
        report_set(
            "guard suite (tests/fixtures/guard)",
            realcards.grade_fixture_set(realcards.GUARD_SET, realcards.GUARD_CODEHOSTS),
        )
    )
    labels_path = args.labels or realcards.LABELS
    if not args.corpus.is_file() or not labels_path.is_file():
        missing = args.corpus if not args.corpus.is_file() else labels_path
        print(f"\n=== real cards: skipped ({missing} not found; the shared corpus lives in ../shared) ===")
    else:
        for name, path in ((labels_path.name, labels_path), ("extra-labels.tsv", realcards.EXTRA_LABELS)):
            if path == labels_path or (args.labels is None and path.is_file()):
                try:
                    labels = realcards.read_labels(path)
                except (ValueError, KeyError, OSError) as exc:
                    print(f"accuracy.py: {path}: cannot read the labels: {exc}", file=sys.stderr)
                    return 2
                graded = realcards.grade_real(labels, args.corpus, args.facts)
                rows.append(report_set(f"real cards ({name})", graded))

    print("\n=== side by side ===")
    print(
        f"  {'set':<42}{'n':>4}  {'agreement':<16}{'high-confidence':<18}{'baseline':<16}{'false OSAI':>10}"
        f"{'overstated':>12}"
    )
    for row in rows:
        print(
            f"  {row['set']!s:<42}{row['n']!s:>4}  {row['agree']!s:<16}{row['high']!s:<18}{row['baseline']!s:<16}"
            f"{row['false_osai']!s:>10}{row['overstated']!s:>12}"
        )
    total_over = sum(int(str(row["overstated"])) for row in rows)
    print(f"\noverstated verdicts over all sets: {total_over}  (target 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
