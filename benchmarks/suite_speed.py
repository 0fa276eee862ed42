"""The README's test command, now and at a baseline commit, timed back to back on this machine.

    python benchmarks/suite_speed.py [--baseline 9ce338e] [--rounds 2]

Issue 11 asks that the README's test command run at least 30 % faster than it did when the simplification began
(commit 9ce338e). This script checks the baseline's tree out with ``git archive`` into a folder beside this
repository (so ``../shared`` resolves the same way for both), then runs, alternately, the baseline's README test
command in that folder (its ``src`` first on ``PYTHONPATH``) and this tree's README test command here, in the
current virtual environment (which has what both need: install this project with ``.[test]``). Alternating
rounds share the machine's load, which varies on shared machines; the figures printed are each side's fastest round,
their ratio, and the CPU time of each run (user + system, all processes), which load changes less than wall time.

Only the ``pytest`` part of each command is run: installing is not what is being timed. The README's command skips
the long runs (tests marked ``long``; CI runs them after it): a last run times this tree with ``--long`` too, for
the whole picture.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_test_command(readme: str) -> list[str]:
    """The pytest part of the command in the code block after ``<!-- newcomer:test -->`` (as ``.ci/run`` reads it)."""
    match = re.search(r"<!-- newcomer:test -->\s*```[a-z]*\n(.+?)\n", readme)
    if match is None:
        raise SystemExit("README.md has no newcomer:test command")
    steps = [s.strip() for s in match.group(1).split("&&")]
    pytest_steps = [s for s in steps if "pytest" in s and not s.startswith("pip")]
    if not pytest_steps:
        raise SystemExit(f"no pytest step in {match.group(1)!r}")
    return shlex.split(pytest_steps[-1])


def checkout(commit: str) -> Path:
    """The tree of ``commit`` in a folder beside the repository (made once, reused after)."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", commit], check=True, capture_output=True, text=True
    ).stdout.strip()
    target = ROOT.parent / f".openscore-suite-baseline-{sha}"
    if (target / "README.md").exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "tree.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), sha], check=True)
        partial = Path(tmp) / "tree"
        with tarfile.open(archive) as tar:
            tar.extractall(partial, filter="data")
        shutil.move(str(partial), target)
    return target


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the run's processes) and pytest's summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    argv = [sys.executable, *command[1:]] if command[0] in ("python", "python3") else command
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    summary = lines[-1] if lines else f"(no output: {done.stderr.strip()[-300:]})"
    if done.returncode != 0:
        summary += f"  [exit {done.returncode}]"
    return wall, cpu, summary.strip("= ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="9ce338e", help="the commit to compare with (default: 9ce338e)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each side (default 2)")
    args = parser.parse_args(argv)

    old_tree = checkout(args.baseline)
    old_cmd = readme_test_command((old_tree / "README.md").read_text(encoding="utf-8"))
    new_cmd = readme_test_command((ROOT / "README.md").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HF_TOKEN", "GITHUB_TOKEN")}
    old_env = {**env, "PYTHONPATH": str(old_tree / "src")}
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    print(f"baseline {args.baseline}: {shlex.join(old_cmd)}   (in {old_tree})")
    print(f"this tree:        {shlex.join(new_cmd)}")
    old_runs: list[tuple[float, float]] = []
    new_runs: list[tuple[float, float]] = []
    for n in range(1, args.rounds + 1):
        wall, cpu, summary = timed(old_cmd, old_tree, old_env)
        old_runs.append((wall, cpu))
        print(f"round {n} baseline:  {wall:6.1f} s wall, {cpu:6.1f} s CPU   {summary}", flush=True)
        wall, cpu, summary = timed(new_cmd, ROOT, env)
        new_runs.append((wall, cpu))
        print(f"round {n} this tree: {wall:6.1f} s wall, {cpu:6.1f} s CPU   {summary}", flush=True)
    old_best, new_best = min(w for w, _ in old_runs), min(w for w, _ in new_runs)
    print(
        f"fastest round: baseline {old_best:.1f} s, this tree {new_best:.1f} s: "
        f"{old_best / new_best:.2f}x, {100 * (1 - new_best / old_best):.0f} % less time (target: at least 30 %)"
    )
    wall, cpu, summary = timed([*new_cmd, "--long"], ROOT, env)
    print(
        f"this tree with the long runs too ({shlex.join([*new_cmd, '--long'])}): {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"{100 * (1 - wall / old_best):.0f} % less time than the baseline   {summary}"
    )
    old_cpu, new_cpu = min(c for _, c in old_runs), min(c for _, c in new_runs)
    print(f"CPU time (fewest): baseline {old_cpu:.1f} s, this tree {new_cpu:.1f} s: {old_cpu / new_cpu:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
