"""HTTP benchmark of /sparql: latency percentiles and throughput of the example queries.

Each server runs in its own subprocess (waitress, 127.0.0.1, a free port); the clients are
separate processes with keep-alive connections, so neither side shares a GIL with the other.
Variants, loaded with the same shipped graph:
- otsgraph: the real app with every safety feature (time limit, SERVICE guard, limits, auth), no cache;
- otsgraph-cached: the same with the result cache (repeated identical queries);
- bare: a bare Flask app on pyoxigraph with no safety features (the issue's reference point).
Results go to bench/results/http.json and bench/results/http.md.

    python bench/http_bench.py [--clients 1 8 32] [--seconds 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
VARIANTS = ("otsgraph", "otsgraph-cached", "bare")


def serve_variant(variant: str, threads: int) -> None:
    """Run in the server subprocess: print the port, then serve until killed."""
    import logging

    import pyoxigraph as ox
    from flask import Flask, Response, request
    from waitress.server import create_server

    from otsgraph.loading import Layout
    from otsgraph.server import create_app
    from otsgraph.server.serve import waitress_options
    from otsgraph.server.state import ServerConfig, load_state

    # the bench's clients all come from 127.0.0.1: one "client" per process would be throttled
    # to cores-1 queries at once, which is the limit working, not the server's speed
    config = ServerConfig(
        cache_entries=512 if variant == "otsgraph-cached" else 0, max_queries_per_client=threads
    )
    state = load_state(Layout(REPO), config)
    if variant == "bare":
        app = Flask("bare")
        store, graphs = state.store, state.default_graphs

        @app.get("/sparql")
        def bare() -> Response:
            result = store.query(request.args["query"], default_graph=graphs)
            return Response(result.serialize(format=ox.QueryResultsFormat.JSON), mimetype="application/json")
    else:
        app = create_app(config, server_state=state)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" is the load we make
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, **waitress_options(config))
    print(server.effective_port, flush=True)
    server.run()


def client(port: int, paths: list[str], seconds: float, out: mp.Queue) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{response.status} for {path}")
    out.put(latencies)


def measure(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    queue: mp.Queue = mp.Queue()
    workers = [mp.Process(target=client, args=(port, paths, seconds, queue)) for _ in range(clients)]
    for worker in workers:
        worker.start()
    latencies = sorted(x for _ in workers for x in queue.get())
    for worker in workers:
        worker.join()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 3)

    return {
        "clients": clients,
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.mean(latencies) * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    queries = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.rq"))]
    paths = ["/sparql?" + urlencode({"query": q}) for q in queries]
    runs = []
    for variant in VARIANTS:
        process = subprocess.Popen(
            [sys.executable, __file__, "--serve", variant, str(args.threads)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            port = int(process.stdout.readline())  # type: ignore[union-attr]
            measure(port, paths, 1, 0.5)  # warm up
            for clients in args.clients:
                row = {"server": variant, **measure(port, paths, clients, args.seconds)}
                runs.append(row)
                print(json.dumps(row), flush=True)
        finally:
            process.kill()
            process.wait()
    write(runs, args, len(queries))


def write(runs: list[dict], args: argparse.Namespace, queries: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.platform(), "cpus": mp.cpu_count(), "python": platform.python_version(),
            "threads": args.threads, "seconds": args.seconds, "example_queries": queries}  # fmt: skip
    (RESULTS / "http.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2) + "\n")
    lines = [
        "# HTTP benchmark (bench/http_bench.py)",
        "",
        f"{meta['machine']}, {meta['cpus']} CPUs, Python {meta['python']};",
        f"{queries} example queries in turn, waitress with {args.threads} threads,",
        f"{args.seconds:g} s per point, clients in separate processes.",
        "",
        "| server | clients | req/s | p50 ms | p90 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    columns = ("server", "clients", "req_per_s", "p50_ms", "p90_ms", "p99_ms")
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in runs]
    (RESULTS / "http.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve_variant(sys.argv[2], int(sys.argv[3]))
    else:
        main()
