"""Scores of the mutation runs under build/mutate/ (docs/testing.md): one row per module.

Run from the checkout: `.venv/bin/python tools/mutation_scores.py [MODULE ...]`. It reads each run's
results with `mutmut results --all true`. A mutant counts as killed when a test failed or timed out;
"no tests" (no mapped test reaches its function) counts as a survivor; mutants not checked yet are
left out of the score and shown apart.
"""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

RUNS = Path("build/mutate")
MUTMUT = Path(sys.executable).with_name("mutmut")


def statuses(run: Path) -> collections.Counter:
    out = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"], cwd=run, capture_output=True, text=True, check=True
    ).stdout
    return collections.Counter(line.rsplit(": ", 1)[1] for line in out.splitlines() if ": " in line)


def main(names: list[str]) -> None:
    print("| module | mutants | killed | timeout | survived | no tests | not checked | score |")
    print("|---|---|---|---|---|---|---|---|")
    for run in sorted(p for p in RUNS.iterdir() if p.is_dir() and (not names or p.name in names)):
        counts = statuses(run)
        checked = sum(counts.values()) - counts["not checked"]
        caught = counts["killed"] + counts["timeout"]
        score = f"{100 * caught / checked:.1f}%" if checked else "–"
        print(
            f"| {run.name} | {sum(counts.values())} | {counts['killed']} | {counts['timeout']} | "
            f"{counts['survived']} | {counts['no tests']} | {counts['not checked']} | {score} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
