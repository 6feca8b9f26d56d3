"""A mutation score from a random sample of a module's mutants, before and after new tests (docs/testing.md).

A full mutmut run of every promised module takes hours on this 2-core machine; a seeded random sample
of each module's mutants gives an estimate with a known margin in minutes, and the same seed gives the
same sample after a change of tests, so the two scores compare like with like.

    .venv/bin/python tools/mutation_sample.py MODULE --size 60 --before   # without the files below
    .venv/bin/python tools/mutation_sample.py MODULE --after              # re-checks the survivors

`--before` runs the sample with the module's mapped tests ([tool.otsgraph.mutate]) minus the test files
this session added for mutation testing (NEW_TEST_FILES); `--after` re-runs, with every mapped test, the
sampled mutants that survived before (a mutant killed before stays killed: the tests only grew). Results
go to build/mutate/<module>/sample-before.json and sample-after.json, and a summary line is printed.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import re
import subprocess
import sys
from pathlib import Path

RUNS = Path("build/mutate")
BIN = Path(sys.executable).parent
#: the test files written for issue 14's mutation testing (in this session and the one before): left out
#: of a --before run
NEW_TEST_FILES = (
    "tests/gate/test_mutants_audit.py",
    "tests/server/execution/test_mutants_safety.py",
    "tests/reasoning/test_mutants_reasoning.py",
    "tests/reasoning/test_rule_oracles.py",
    "tests/gate/test_mutants_incremental.py",
    "tests/validation/test_mutants_shacl.py",
    "tests/gate/test_mutants_checks.py",
    "tests/server/reconcile/test_mutants_matching.py",
    "tests/server/protocol/test_mutants_protocol.py",
    "tests/gate/test_crash_inside_write.py",
    "tests/gate/test_mutants_gate.py",
    "tests/server/pages/test_mutants_pages.py",
)
CAUGHT = {"killed", "timeout"}


def module_path(name: str) -> str:
    table = __import__("tomllib").loads(Path("pyproject.toml").read_text())["tool"]["otsgraph"]["mutate"]
    [path] = [m for m in table if Path(m).stem == name]
    return path


def first_function(path: str) -> str:
    tree = ast.parse(Path(path).read_text())
    return next(n.name for n in tree.body if isinstance(n, ast.FunctionDef))


def mutmut(where: Path, *args: str, check: bool = True) -> str:
    env = {**os.environ, "PYTHONPATH": str((where / "mutants" / "src").resolve())}
    result = subprocess.run(
        [str(BIN / "mutmut"), *args], cwd=where, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        sys.exit(
            f"mutmut {' '.join(args[:2])} failed in {where}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def statuses(where: Path) -> dict[str, str]:
    out = mutmut(where, "results", "--all", "true")
    return dict(line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line)


def prepare(name: str, path: str, without_new_tests: bool) -> Path:
    """The module's copy (make mutate-prepare), its test selection, then its mutants generated and the
    stats collected afresh by a run of one mutant (mutmut needs a name that matches)."""
    subprocess.run(["make", "-s", "mutate-prepare", f"MODULE={name}"], check=True, capture_output=True)
    where = RUNS / name
    if without_new_tests:
        drop_new_tests(where)
    (where / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    dotted = path.removeprefix("src/").removesuffix(".py").replace("/", ".")
    out = mutmut(
        where, "run", "--max-children", "1", f"{dotted}.x_{first_function(path)}__mutmut_1", check=False
    )
    if not (where / "mutants" / "mutmut-stats.json").exists():  # else every result read would be stale
        sys.exit(
            f"mutmut could not collect its stats in {where} (a mapped test fails there?):\n{out[-3000:]}"
        )
    return where


def drop_new_tests(where: Path) -> None:
    pyproject = where / "pyproject.toml"
    text = pyproject.read_text()
    line = re.search(r"^pytest_add_cli_args_test_selection = (.*)$", text, re.M)
    tests = [t for t in json.loads(line.group(1)) if t not in NEW_TEST_FILES]
    pyproject.write_text(
        text.replace(line.group(0), "pytest_add_cli_args_test_selection = " + json.dumps(tests))
    )


def run_names(where: Path, names: list[str]) -> dict[str, str]:
    """Run the named mutants. mutmut first runs their tests on the clean code, and gives up on all of
    them when that fails (a test that times out on a loaded machine): then it is tried again."""
    for _attempt in range(3):
        out = mutmut(where, "run", "--max-children", "1", *names, check=False)
        if "Failed to run clean test" not in out and "failed to collect stats" not in out:
            break
    else:
        sys.exit(f"mutmut could not run the clean tests in {where} three times:\n{out[-3000:]}")
    found = statuses(where)
    return {n: found.get(n, "missing") for n in names}


def summary(label: str, result: dict[str, str], total: int) -> str:
    caught = sum(1 for s in result.values() if s in CAUGHT)
    n = len(result)
    p = caught / n if n else 0.0
    margin = 1.96 * math.sqrt(p * (1 - p) / n) if n else 0.0
    return f"{label}: {caught}/{n} sampled mutants caught = {100 * p:.1f}% (±{100 * margin:.1f}), of {total}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="the last part of a key of [tool.otsgraph.mutate], e.g. gate")
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--seed", type=int, default=14)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--before", action="store_true", help="the sample without this issue's new test files")
    group.add_argument("--after", action="store_true", help="re-run the sample's survivors with every test")
    args = parser.parse_args()

    where = prepare(args.module, module_path(args.module), without_new_tests=args.before)
    if args.before:
        names = sorted(statuses(where))
        sample = sorted(random.Random(args.seed).sample(names, min(args.size, len(names))))
        result = run_names(where, sample)
        (where / "sample-before.json").write_text(
            json.dumps({"total": len(names), "result": result}, indent=1)
        )
        print(summary(f"{args.module} before", result, len(names)))
        return
    before = json.loads((where / "sample-before.json").read_text())
    again = [n for n, s in before["result"].items() if s not in CAUGHT]
    result = dict(before["result"])
    if again:
        result.update(run_names(where, again))
    (where / "sample-after.json").write_text(
        json.dumps({"total": before["total"], "result": result}, indent=1)
    )
    print(summary(f"{args.module} before", before["result"], before["total"]))
    print(summary(f"{args.module} after", result, before["total"]))
    for n, s in sorted(result.items()):
        if s not in CAUGHT:
            print(f"  {s}: {n}")


if __name__ == "__main__":
    main()
