"""Build benchmark: otsgraph's build (load, reason, validate) against owlrl's closure and against
pyoxigraph's bulk_load of the same files, in one run.

Each measurement runs in a fresh subprocess, which reports its time and its own peak memory.
Results are ratios between measurements of the same run (the machine is noisy), written to
bench/results/build.json and bench/results/build.md.

    python bench/build_bench.py [--sizes 1000 10000 100000] [--owlrl-max 10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def measure_ours(root: str) -> dict:
    from otsgraph.core.loading import Layout
    from otsgraph.pipeline.build import run_build

    started = time.perf_counter()
    result = run_build(Layout(Path(root)), write=False)
    total = time.perf_counter() - started
    return {
        "seconds": total,
        "phases": result.timings,
        "asserted": result.asserted_count,
        "inferred": result.inferred_count,
        "violations": result.report.violations if result.report else None,
    }


def measure_owlrl(root: str) -> dict:
    from otsgraph.core.graphs import REASONED_GRAPHS
    from otsgraph.core.loading import Layout, load_sources
    from otsgraph.reasoning import engine as reasoning

    sources = load_sources(Layout(Path(root)))
    base = set(sources.triples(*REASONED_GRAPHS))
    started = time.perf_counter()
    closure = reasoning.owlrl_closure(base)
    return {"seconds": time.perf_counter() - started, "inferred": len(closure - base)}


def measure_baseline(root: str) -> dict:
    """pyoxigraph's bulk_load of the same input files into an in-memory store: the least that
    reading this data costs here (issue 13's targets are ratios to it, in the same run)."""
    import pyoxigraph as ox

    formats = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG}
    files = [
        f
        for folder in ("ontology", "data", "shapes")
        for f in sorted((Path(root) / folder).rglob("*"))
        if f.suffix in formats
    ]
    started = time.perf_counter()
    store = ox.Store()
    for f in files:
        store.bulk_load(path=str(f), format=formats[f.suffix])
    return {"seconds": time.perf_counter() - started, "quads": len(store)}


def child(kind: str, root: str) -> None:
    measures = {"ours": measure_ours, "owlrl": measure_owlrl, "baseline": measure_baseline}
    out = measures[kind](root)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_child(kind: str, root: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--owlrl-max", type=int, default=10000, help="largest size owlrl runs at")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    sys.path.insert(0, str(REPO / "bench"))
    from generate import write_project

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        shipped = run_child("ours", REPO)
        rows.append(
            {
                "size": "shipped",
                "ours": shipped,
                "owlrl": run_child("owlrl", REPO),
                "baseline": run_child("baseline", REPO),
            }
        )
        for size in args.sizes:
            root = write_project(Path(tmp) / f"gen-{size}", REPO, size)
            row = {"size": size, "ours": run_child("ours", root), "baseline": run_child("baseline", root)}
            if size <= args.owlrl_max:
                row["owlrl"] = run_child("owlrl", root)
            rows.append(row)
            print(json.dumps(row), flush=True)
    for row in rows:
        if "owlrl" in row:
            row["owlrl_time_over_ours"] = row["owlrl"]["seconds"] / row["ours"]["phases"]["reason"]
            row["owlrl_memory_over_ours"] = row["owlrl"]["peak_mb"] / row["ours"]["peak_mb"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": time.strftime("%F %T"),
    }
    (RESULTS / "build.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "# Build benchmark",
        "",
        f"Run {meta['when']} on {meta['machine']}, Python {meta['python']}. Written by bench/build_bench.py.",
        "",
        "| size | asserted | inferred | load s | reason s | validate s | build total s | peak MB |"
        " bulk_load s | build ÷ bulk_load | load ÷ bulk_load |"
        " owlrl closure s | owlrl peak MB | owlrl ÷ our reasoning (time) | owlrl ÷ our build (memory) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        o, r, b = row["ours"], row.get("owlrl"), row["baseline"]
        p = o["phases"]
        lines.append(
            f"| {row['size']} | {o['asserted']} | {o['inferred']} | {p['load']:.2f} | {p['reason']:.2f} |"
            f" {p.get('validate', 0):.2f} | {o['seconds']:.2f} | {o['peak_mb']:.0f} |"
            f" {b['seconds']:.2f} | {o['seconds'] / b['seconds']:.1f}× | {p['load'] / b['seconds']:.1f}× |"
            + (
                f" {r['seconds']:.2f} | {r['peak_mb']:.0f} | {row['owlrl_time_over_ours']:.0f}× |"
                f" {row['owlrl_memory_over_ours']:.2f} |"
                if r
                else " not run | – | – | – |"
            )
        )
    (RESULTS / "build.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
