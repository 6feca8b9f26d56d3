"""Publish benchmark: `otsgraph publish` to Oxigraph's server and to Virtuoso 7, at the shipped size
and at generated sizes, against a baseline measured in the same run (the machine is noisy).

The baseline is pyoxigraph's `bulk_load` of the same quads into an in-memory store: the least any
load of this data costs on this machine. Each engine's row also gives the three phases of a publish:
staging (every graph sent), the switch (requests of bounded size, pipeline/switch.py) and the
verification (every graph read back). Each engine publishes twice: into the empty store, and the same
release again over the first (whose graphs the switch then empties first).
Results go to bench/results/publish.json and bench/results/publish.md.

    python bench/publish_bench.py [--sizes 100000]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO / "bench"))

import stores  # noqa: E402


def release_quads(root: Path) -> list:
    from otsgraph.core.loading import Layout, load_sources
    from otsgraph.reasoning.closure import inferred_quads, reason

    sources = load_sources(Layout(root))
    return sources.quads() + inferred_quads(reason(sources))


def baseline(quads: list) -> float:
    """pyoxigraph's bulk load of the same quads, as N-Quads, into an in-memory store."""
    import pyoxigraph as ox

    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    started = time.perf_counter()
    ox.Store().bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return time.perf_counter() - started


def timed_publish(url: str, quads: list) -> dict:
    from otsgraph.core.fronts_lock import LockLost
    from otsgraph.core.remote import BackendError, BackendUnreachable, RemoteStore
    from otsgraph.pipeline.publish import LockBusy, publish

    marks: list[tuple[str, float]] = []

    def progress(message: str) -> None:
        marks.append((message, time.perf_counter()))

    started = time.perf_counter()
    try:
        done = publish(RemoteStore.at(url), quads, progress)
    except (BackendUnreachable, BackendError, LockBusy, LockLost) as error:  # (a failure is a result too)
        reached = marks[-1][0] if marks else "start"
        return {"failed": f"after {time.perf_counter() - started:.0f} s, {reached}: {error}"[:400]}
    ended = time.perf_counter()
    switch = next(t for m, t in marks if m.startswith("switching"))
    verify = next(t for m, t in marks if m.startswith("verifying"))
    return {
        "seconds": ended - started,
        "stage": switch - started,
        "switch": verify - switch,
        "verify": ended - verify,
        "graphs": len(done.graphs),
        "triples": sum(n for n, _ in done.graphs.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100000])
    args = parser.parse_args()
    from generate import write_project

    engines = {"oxigraph serve": stores.start_oxigraph}
    if stores.virtuoso_available():
        engines["Virtuoso 7"] = stores.start_virtuoso
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        roots = [("shipped", REPO)] + [
            (size, write_project(Path(tmp) / f"gen-{size}", REPO, size)) for size in args.sizes
        ]
        for size, root in roots:
            quads = release_quads(root)
            row = {"size": size, "quads": len(quads), "baseline": baseline(quads), "engines": {}}
            for name, start in engines.items():
                url, server = start(Path(tmp) / f"{name.split()[0]}-{size}")
                try:
                    row["engines"][name] = timed_publish(url, quads)
                    row["engines"][f"{name}, again"] = timed_publish(url, quads)
                finally:
                    stores.stop(server)
            rows.append(row)
            print(json.dumps(row), flush=True)
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": time.strftime("%F %T"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "publish.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    lines = [
        "# Publish benchmark",
        "",
        f"Run {meta['when']} on {meta['machine']}, Python {meta['python']}. "
        "Written by bench/publish_bench.py.",
        "The baseline is pyoxigraph's bulk_load of the same quads into an in-memory store,",
        "in the same run.",
        "",
        "| size | quads | graphs | engine | publish s | ÷ baseline | staging s | switch s | verify s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for name, e in row["engines"].items():
            if "failed" in e:
                lines.append(
                    f"| {row['size']} | {row['quads']} | – | {name} | failed: {e['failed']} | | | | |"
                )
                continue
            lines.append(
                f"| {row['size']} | {row['quads']} | {e['graphs']} | {name} | {e['seconds']:.2f} |"
                f" {e['seconds'] / row['baseline']:.0f}× | {e['stage']:.2f} | {e['switch']:.2f} |"
                f" {e['verify']:.2f} |"
            )
    lines += ["", "Baseline seconds: " + ", ".join(f"{r['size']}: {r['baseline']:.3f}" for r in rows)]
    (RESULTS / "publish.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
