"""Start-up time of the command line, as ratios to a baseline measured in the same run.

- ``openscore --version`` against ``python -c "import huggingface_hub"`` (target: at most 3x);
- ``openscore grade examples/open-research-model`` against ``python -c pass`` and in seconds (target: 0.4 s);
- ``python -c "import openscore"``: which heavy modules it imported (none is the target).

Run: ``python benchmarks/startup.py [--runs 7]``. Each figure is the median of the runs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("huggingface_hub", "httpx", "httpx2", "httpcore", "requests", "pydantic", "matplotlib", "pandas", "tqdm")


def _median(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    script = shutil.which("openscore")
    cli = [script] if script else [sys.executable, "-m", "openscore"]
    py = sys.executable
    baseline_pass = _median([py, "-c", "pass"], runs)
    baseline_hub = _median([py, "-c", "import huggingface_hub"], runs)
    version = _median([*cli, "--version"], runs)
    grade = _median([*cli, "grade", "examples/open-research-model"], runs)
    check = "import sys, openscore; print(','.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))"
    heavy = subprocess.run([py, "-c", check, *HEAVY], capture_output=True, text=True, check=True).stdout.strip()
    print(f"python -c pass                  {baseline_pass:.3f} s")
    print(f"python -c 'import huggingface_hub' {baseline_hub:.3f} s")
    print(
        f"openscore --version             {version:.3f} s = {version / baseline_hub:.1f}x import huggingface_hub "
        f"(target <= 3x), {version / baseline_pass:.1f}x python -c pass"
    )
    print(
        f"openscore grade <folder>        {grade:.3f} s = {grade / baseline_pass:.1f}x python -c pass (target <= 0.4 s)"
    )
    print(f"import openscore pulls in       {heavy or 'nothing heavy'}")


if __name__ == "__main__":
    main()
