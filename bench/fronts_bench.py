"""Fronts benchmark (issue 13): `otsgraph serve --backend` on Oxigraph's server and on Virtuoso 7,
against the embedded server and against each engine queried directly, in one run (the machine is
noisy, so every figure is also given as a ratio to the embedded server's in the same run).

1. Query latency by class (point look-up, aggregate, text filter, three-way join, ASK, CONSTRUCT):
   the median of sequential requests, each query text made unique by a comment so that no cache
   answers. Targets: the embedded `otsgraph serve`; a front on each engine; the engine itself, sent
   the same dataset (default-graph-uri) the front sends.
2. Publish time at each size (bench/publish_bench.py has the phases).
3. Throughput with 1, 2 and 4 fronts on one Oxigraph server: point look-ups from 8 client threads
   spread over the fronts for a fixed time, requests a second.
4. Why the fronts take a lock (core/fronts_lock.py): rounds of 4 concurrent guarded compare-and-set
   updates without the lock, and how many rounds more than one was applied in; then the same
   writers with the lock.
Results go to bench/results/fronts.json and bench/results/fronts.md.

    python bench/fronts_bench.py [--sizes 100000] [--requests 25] [--seconds 8] [--keep-previous]

--keep-previous measures only the given sizes' latency rows and keeps the other rows, the throughput
and the races of the last run's fronts.json: each row's ratios are to the embedded server of its own
run, which the row names (a 1M row takes most of an hour; the rest need not be run again with it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO / "bench"))

import stores  # noqa: E402
from publish_bench import release_quads  # noqa: E402

RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CLASSES = {
    "point": f"SELECT ?p ?o WHERE {{ <{RES}kazakhstan> ?p ?o }}",
    "aggregate": "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) LIMIT 20",
    "text": f'SELECT ?s ?l WHERE {{ ?s <{LABEL}> ?l FILTER(CONTAINS(LCASE(STR(?l)), "summit")) }} LIMIT 50',
    "join3": (
        f"SELECT ?summit ?city ?state WHERE {{ ?summit a <{OTS}Summit> ; <{OTS}heldIn> ?city . "
        f"?city <{OTS}inCountry> ?state }} LIMIT 200"
    ),
    "ask": f"ASK {{ ?s a <{OTS}Summit> }}",
    "construct": f"CONSTRUCT {{ <{RES}turkey> ?p ?o }} WHERE {{ <{RES}turkey> ?p ?o }}",
}
OTSGRAPH = Path(sys.executable).parent / "otsgraph"


def otsgraph_serve(root: Path, log: Path, *flags: str) -> tuple[str, subprocess.Popen]:
    server = subprocess.Popen(
        [str(OTSGRAPH), "serve", "--port", "0", "--root", str(root), "--quiet", *flags],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        env={**os.environ, "OTSGRAPH_UPDATE_TOKEN": ""},
    )
    address = (server.stdout.readline() if server.stdout else "").strip()
    if not address.startswith("http"):
        server.kill()
        raise RuntimeError(f"otsgraph serve did not start: {log.read_text()[-2000:]}")
    return address, server


def request(endpoint: str, query: str, dataset: list[str]) -> float:
    accept = "text/turtle" if query.startswith("CONSTRUCT") else "application/sparql-results+json"
    fields = [("query", query), *(("default-graph-uri", g) for g in dataset)]
    data = urllib.parse.urlencode(fields).encode()
    started = time.perf_counter()
    call = urllib.request.Request(endpoint, data=data, headers={"Accept": accept})
    with urllib.request.urlopen(call, timeout=120) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{endpoint}: {answer.status}")
    return time.perf_counter() - started


def latencies(endpoint: str, dataset: list[str], count: int) -> dict[str, float]:
    out = {}
    for name, query in CLASSES.items():
        request(endpoint, query, dataset)  # warm
        times = [request(endpoint, f"{query}\n# {uuid.uuid4().hex}", dataset) for _ in range(count)]
        out[name] = statistics.median(times) * 1000
    return out


def throughput(addresses: list[str], clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        k = 0
        while time.monotonic() < stop:
            address = addresses[(n + k) % len(addresses)]
            request(address + "/sparql", f"{CLASSES['point']}\n# {n}-{k}", [])
            done[n] += 1
            k += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def races(url: str, rounds: int = 20) -> dict[str, int]:
    """Guarded compare-and-sets from 4 threads at once, without and then with the fronts' lock."""
    from otsgraph.core import data_version
    from otsgraph.core.fronts_lock import ClusterLock
    from otsgraph.core.remote import RemoteStore

    store = RemoteStore.at(url)
    unlocked = 0
    for _ in range(rounds):
        at = data_version.read(store).number
        gate = threading.Barrier(4)

        def guarded(at: int = at, gate: threading.Barrier = gate) -> None:
            gate.wait()
            RemoteStore.at(url).update(data_version.bump(at, f"urn:bench:{uuid.uuid4().hex}"))

        threads = [threading.Thread(target=guarded) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        heads = store.select(
            f"SELECT ?h WHERE {{ GRAPH <{data_version.VERSION_GRAPH}> {{ <{data_version.DATASET}> "
            f"<{data_version.HEAD}> ?h }} }}"
        )
        if len(heads) > 1:
            unlocked += 1
            store.update(f"DROP SILENT GRAPH <{data_version.VERSION_GRAPH}>")  # start the next round clean
    store.update(f"DROP SILENT GRAPH <{data_version.VERSION_GRAPH}>")
    collisions = 0
    commits = 0

    def locked_writer() -> None:
        nonlocal collisions, commits
        mine = RemoteStore.at(url)
        lock = ClusterLock(mine)
        for _ in range(rounds // 2):
            assert lock.acquire(time.monotonic() + 60)
            try:
                at = data_version.read(mine).number
                head = f"urn:bench:{uuid.uuid4().hex}"
                mine.update(data_version.bump(at, head))
                if data_version.read(mine) != data_version.DataVersion(at + 1, head):
                    collisions += 1
                commits += 1
            finally:
                lock.release()

    threads = [threading.Thread(target=locked_writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "rounds": rounds,
        "unlocked_collided": unlocked,
        "locked_commits": commits,
        "locked_collided": collisions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100000])
    parser.add_argument("--requests", type=int, default=25, help="requests per query class and target")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per throughput cell")
    parser.add_argument(
        "--keep-previous",
        action="store_true",
        help="measure these sizes' rows only; keep the rest of fronts.json",
    )
    args = parser.parse_args()
    from generate import write_project
    from otsgraph.core.graphs import DEFAULT_GRAPHS
    from otsgraph.core.remote import RemoteStore
    from otsgraph.pipeline.publish import publish

    dataset = [g.value for g in DEFAULT_GRAPHS]
    engines = {"oxigraph": stores.start_oxigraph}
    if stores.virtuoso_available():
        engines["virtuoso"] = stores.start_virtuoso
    rows, fronts_rows, race_rows = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roots = [] if args.keep_previous else [("shipped", REPO)]
        roots += [(size, write_project(work / f"gen-{size}", REPO, size)) for size in args.sizes]
        for size, root in roots:
            quads = release_quads(root)
            row: dict = {"size": size, "quads": len(quads), "latency_ms": {}, "publish_s": {}}
            row["when"] = time.strftime("%F %T")
            address, embedded = otsgraph_serve(root, work / f"embedded-{size}.log", "--store", ":memory:")
            try:
                row["latency_ms"]["embedded"] = latencies(address + "/sparql", [], args.requests)
            finally:
                embedded.terminate()
                embedded.wait()
            for name, start in engines.items():
                url, engine = start(work / f"{name}-{size}")
                try:
                    started = time.perf_counter()
                    publish(RemoteStore.at(url), quads)
                    row["publish_s"][name] = time.perf_counter() - started
                    row["latency_ms"][f"{name} direct"] = latencies(url, dataset, args.requests)
                    address, front = otsgraph_serve(root, work / f"front-{name}-{size}.log", "--backend", url)
                    try:
                        row["latency_ms"][f"front on {name}"] = latencies(
                            address + "/sparql", [], args.requests
                        )
                    finally:
                        front.terminate()
                        front.wait()
                    if size == "shipped":
                        race_rows[name] = races(url)
                finally:
                    stores.stop(engine)
            rows.append(row)
            print(json.dumps(row), flush=True)
        if args.keep_previous:
            previous = json.loads((RESULTS / "fronts.json").read_text())
            measured = {row["size"] for row in rows}
            kept = [row for row in previous["rows"] if row["size"] not in measured]
            for row in kept:
                row.setdefault("when", previous["meta"]["when"])
            order = {"shipped": -1}
            rows = sorted([*kept, *rows], key=lambda r: order.get(r["size"], r["size"]))
            write_results(rows, previous["fronts"], previous["races"], args)
            return
        # throughput: 1, 2, 4 fronts on one Oxigraph server, shipped data
        url, engine = stores.start_oxigraph(work / "oxigraph-fronts")
        try:
            publish(RemoteStore.at(url), release_quads(REPO))
            started = []
            try:
                for n in (1, 2, 4):
                    while len(started) < n:
                        log = work / f"f{len(started)}.log"
                        # every client is 127.0.0.1 here: the per-client limit would count them as one
                        started.append(otsgraph_serve(REPO, log, "--backend", url, "--per-client", "8"))
                    rate = throughput([a for a, _ in started], 8, args.seconds)
                    fronts_rows.append({"fronts": n, "requests_per_s": rate})
                    print(json.dumps(fronts_rows[-1]), flush=True)
            finally:
                for _, process in started:
                    process.terminate()
                    process.wait()
        finally:
            stores.stop(engine)
    write_results(rows, fronts_rows, race_rows, args)


def write_results(rows: list[dict], fronts_rows: list[dict], race_rows: dict, args) -> None:
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": time.strftime("%F %T"),
        "cores": os.cpu_count(),
        "requests": args.requests,
        "seconds": args.seconds,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fronts.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "fronts": fronts_rows, "races": race_rows}, indent=2) + "\n"
    )
    lines = [
        "# Fronts benchmark",
        "",
        f"Run {meta['when']} on {meta['machine']} ({meta['cores']} cores), Python {meta['python']}. "
        "Written by bench/fronts_bench.py.",
        f"Median of {args.requests} sequential requests per cell, each query text unique (no cache);",
        "in brackets, the ratio to the embedded `otsgraph serve` in the same run.",
        "",
    ]
    for row in rows:
        base = row["latency_ms"]["embedded"]
        lines += [f"## {row['size']} ({row['quads']:,} quads)", ""]
        if "when" in row:
            lines += [f"Run {row['when']}.", ""]
        lines += ["| target | " + " | ".join(CLASSES) + " |", "|---|" + "---|" * len(CLASSES)]
        for target, cells in row["latency_ms"].items():
            lines.append(
                f"| {target} | "
                + " | ".join(f"{cells[c]:.1f} ms ({cells[c] / base[c]:.1f}×)" for c in CLASSES)
                + " |"
            )
        lines += ["", "Publish: " + ", ".join(f"{n} {s:.1f} s" for n, s in row["publish_s"].items()), ""]
    if fronts_rows:
        one = fronts_rows[0]["requests_per_s"]
        lines += ["## Fronts on one Oxigraph server (shipped data, 8 client threads, point look-ups)", ""]
        lines += ["| fronts | requests/s | ÷ one front |", "|---|---|---|"]
        lines += [
            f"| {r['fronts']} | {r['requests_per_s']:.0f} | {r['requests_per_s'] / one:.2f}× |"
            for r in fronts_rows
        ]
        lines += [
            "",
            "Every process (the fronts, the store, the clients) shares the machine's cores: more fronts add "
            "request threads and version checks, not cores, so the ratio shows the fronts' overhead, not "
            "what more machines would give.",
            "",
        ]
    if race_rows:
        lines += [
            "## Why the fronts take a lock",
            "",
            "| engine | rounds of 4 guarded CAS without the lock, more than one applied "
            "| commits with the lock | of them collided |",
            "|---|---|---|---|",
        ]
        for n, r in race_rows.items():
            unlocked = f"{r['unlocked_collided']} of {r['rounds']}"
            lines.append(f"| {n} | {unlocked} | {r['locked_commits']} | {r['locked_collided']} |")
    (RESULTS / "fronts.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
