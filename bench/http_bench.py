"""HTTP benchmark of SPARQL endpoints: throughput and latency of the example queries, side by side.

Servers (each its own process, 127.0.0.1, loaded with the same triples; see bench/http_servers.py):
otsgraph with every safety feature on (cache off and on), the same app with one feature taken
out at a time (what each costs), a bare Flask app on pyoxigraph, rdflib-endpoint (uvicorn) and
Oxigraph's Rust server (`oxigraph serve-read-only` after `oxigraph load`).

Queries, in three classes: the example queries (examples/*.rq) split into lookups (one star of
patterns around one subject) and joins (patterns that walk from one node to another), and the
explicit 3-way joins of bench/queries/. Graphs: the shipped graph, and the shipped graph plus
100k generated triples (bench/generate.py).

Clients are separate processes with keep-alive connections; each has its own source address
(127.0.0.2, 127.0.0.3, ...) as separate machines would, so the per-client query limit works as in
a deployment. Cells (server x graph x class x clients) are interleaved over the servers and run
in rounds, so a burst of load from elsewhere hits every server alike. rdflib-endpoint answers one
request at a time (a query can take a minute at 100k triples), so it is measured alone, after the
others, with longer cells. Before measuring, every server answers every query once, and the
number of rows is checked against pyoxigraph's.

Last, each waitress variant's app is called without HTTP to measure its CPU per request and to
profile where it goes (bench/app_cost.py): steadier than HTTP figures on a busy machine.

Results: bench/results/http.md and http.json (a --quick run writes to the temp folder instead).

    python bench/http_bench.py            # the full run (about 10 minutes)
    python bench/http_bench.py --quick    # a short run (about 2 minutes)
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from http_servers import VARIANTS  # noqa: E402

# The example queries by class. A lookup's required patterns form one star around one subject
# (an entity's properties, or one property's statements); a join's patterns connect different
# nodes (OPTIONAL and EXISTS parts included). An example not listed here is measured as a join
# and named in the results, so that it gets classified.
EXAMPLE_LOOKUPS = {
    "contradictions",
    "events-of-2016",
    "facts-by-bracket-reference",
    "imprecise-dates",
    "inferred-only-facts-about-kazakhstan",
    "investment-fund-capital",
    "kazakh-visits-to-turkey",
    "kazakhstan-turkey-trade",
    "member-states",
    "observer-states",
    "period-of-agreements",
    "search-by-label",
    "turkish-visits-to-kazakhstan",
}
EXAMPLE_JOINS = {
    "background-facts",
    "bodies-founded",
    "documents-adopted-at-summit",
    "documents-by-party",
    "events-per-period",
    "gdp-ranking-2024",
    "infrastructure-projects",
    "member-gdp-2024",
    "organisation-names",
    "people-and-offices",
    "quote-of-a-fact",
    "summit-numbering-schemes",
    "summit-participants",
    "summit-themes",
    "summits-in-kazakhstan",
}
CLASSES = ("lookups", "joins", "3-way joins")
MAIN_SERVERS = ("otsgraph", "otsgraph-cached", "bare", "oxigraph", "rdflib-endpoint")
ABLATIONS = ("no-time-limit", "no-service-guard", "no-limits", "no-auth", "no-logging", "plus-access-log")
ACCEPT = "application/sparql-results+json"
SERIAL = ("rdflib-endpoint",)  # answers one request at a time: measured alone, after the others
REQUEST_TIMEOUT = 300.0  # seconds; a client waits this long for an answer (queued behind others included)


@dataclass
class Query:
    name: str
    cls: str
    text: str


def load_queries() -> tuple[list[Query], list[str]]:
    queries, unclassified = [], []
    for path in sorted((REPO / "examples").glob("*.rq")):
        name = path.stem
        if name not in EXAMPLE_LOOKUPS and name not in EXAMPLE_JOINS:
            unclassified.append(name)
        cls = "lookups" if name in EXAMPLE_LOOKUPS else "joins"
        queries.append(Query(name, cls, path.read_text(encoding="utf-8")))
    for path in sorted((BENCH / "queries").glob("join3-*.rq")):
        queries.append(Query(path.stem, "3-way joins", path.read_text(encoding="utf-8")))
    return queries, unclassified


# ---------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    path: str  # the endpoint's path
    port: int
    process: subprocess.Popen
    log: Path  # its output
    queries: dict[str, list[int]] = field(default_factory=dict)  # class -> indices it answers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(name: str, data: Path, root: Path, work: Path) -> Server:
    port = free_port()
    log = open(work / f"{name}.log", "ab")  # noqa: SIM115 (closed below, once the server has it)
    helper = [sys.executable, str(BENCH / "http_servers.py")]
    if name == "oxigraph":
        location = work / "oxigraph-store"
        if not location.exists():
            subprocess.run(
                ["oxigraph", "load", "--location", str(location), "--file", str(data / "flat.nq")],
                check=True,
                stdout=log,
                stderr=log,
            )
        command = ["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        path = "/query"
    elif name == "rdflib-endpoint":
        command, path = [*helper, "rdflib", str(data / "flat.nq"), str(port)], "/"
    else:
        command = [
            *helper,
            "waitress",
            name,
            str(data / "store.nq"),
            str(root),
            str(port),
            str(work / f"{name}-app.log"),
        ]
        path = "/sparql"
    process = subprocess.Popen(command, stdout=log, stderr=log)
    log.close()  # the server has its own copy
    return Server(name, path, port, process, work / f"{name}.log")


def wait_ready(server: Server, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"{server.name} exited with {server.process.returncode}:\n{log}")
        try:
            status, _, _ = fetch(server.port, url(server, "ASK {}"), timeout=5)
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {timeout:g} s")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def url(server: Server, query: str) -> str:
    return f"{server.path}?{urlencode({'query': query})}"


def fetch(port: int, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept": ACCEPT})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, time.perf_counter() - started


def check_answers(servers: list[Server], queries: list[Query], answers: dict, slow: float) -> None:
    """Every server answers every query once; rows are compared with pyoxigraph's (the bare app's).

    A query a server fails, or answers slower than `slow` seconds the first time, is left out of
    that server's cells; both are reported."""
    for server in servers:
        rows = answers["rows"][server.name] = {}
        seconds = answers["first_answer_s"][server.name] = {}
        for cls in CLASSES:
            server.queries[cls] = []
        for i, query in enumerate(queries):
            try:
                status, body, took = fetch(server.port, url(server, query.text))
            except OSError as err:
                status, body, took = 0, str(err).encode(), math.nan
            seconds[query.name] = round(took, 4)
            if status != 200:
                rows[query.name] = f"HTTP {status}: {body[:200].decode(errors='replace')}"
                continue
            rows[query.name] = len(json.loads(body)["results"]["bindings"])
            if took > slow:
                answers["too_slow"].setdefault(server.name, []).append(query.name)
                continue
            server.queries[query.cls].append(i)
        if server.name in SERIAL:  # its cells sample few queries: time each once more (prepared now)
            single = answers["single_s"][server.name] = {}
            for query in queries:
                if not isinstance(rows[query.name], int):
                    continue
                single[query.name] = seconds[query.name]
                if query.name not in answers["too_slow"].get(server.name, []):
                    again = fetch(server.port, url(server, query.text))[2]
                    single[query.name] = round(min(single[query.name], again), 4)
    reference = answers["rows"].get("bare", {})
    answers["mismatches"] += [
        f"{server.name}: {query} has {count} rows, pyoxigraph {reference.get(query)}"
        for server in servers
        for query, count in answers["rows"][server.name].items()
        if isinstance(count, int) and query in reference and count != reference[query]
    ]


# ---------------------------------------------------------------------------------------- clients


def client(port: int, paths: list[tuple[int, str]], number: int, seconds: float, start, out) -> None:
    """One client: its own source address, one request at a time until its time is up (at least one)."""
    source = (f"127.0.{2 + number // 250}.{2 + number % 250}", 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=source)
    connection.connect()
    samples: list[tuple[int, float, int]] = []  # (query index, seconds, status)
    start.wait()
    began = time.perf_counter()
    deadline = began + seconds
    i = number  # clients start at different queries
    while time.perf_counter() < deadline:
        index, path = paths[i % len(paths)]
        i += 1
        sent = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": ACCEPT})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
            connection.close()
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=source
            )
        samples.append((index, time.perf_counter() - sent, status))
    out.put((began, time.perf_counter(), samples))


def measure(server: Server, queries: list[Query], indices: list[int], clients: int, seconds: float) -> dict:
    context = mp.get_context("fork")
    paths = [(i, url(server, queries[i].text)) for i in indices]
    start, out = context.Event(), context.Queue()
    workers = [
        context.Process(target=client, args=(server.port, paths, n, seconds, start, out))
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.05)  # let them connect
    start.set()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    began = min(r[0] for r in results)
    ended = max(r[1] for r in results)
    return {"elapsed": ended - began, "samples": [s for r in results for s in r[2]]}


def summarise(cells: list[dict]) -> dict:
    """One row from the rounds of one cell: throughput over the whole time, latency percentiles."""
    samples = [s for c in cells for s in c["samples"]]
    elapsed = sum(c["elapsed"] for c in cells)
    ok = sorted(s[1] for s in samples if s[2] == 200)
    row = {"requests": len(samples), "errors": len(samples) - len(ok), "seconds": round(elapsed, 3)}
    row["req_per_s"] = round(len(ok) / elapsed, 1) if elapsed else 0.0
    for name, p in (("p50_ms", 0.5), ("p90_ms", 0.9), ("p99_ms", 0.99)):
        row[name] = round(ok[min(len(ok) - 1, int(len(ok) * p))] * 1000, 3) if ok else None
    row["mean_ms"] = round(sum(ok) / len(ok) * 1000, 3) if ok else None
    return row


def per_query(cells: list[dict], queries: list[Query]) -> dict[str, dict]:
    by_query: dict[int, list[float]] = {}
    for cell in cells:
        for index, took, status in cell["samples"]:
            if status == 200:
                by_query.setdefault(index, []).append(took)
    out = {}
    for index, took in sorted(by_query.items()):
        took.sort()
        out[queries[index].name] = {
            "requests": len(took),
            "p50_ms": round(took[len(took) // 2] * 1000, 3),
            "p99_ms": round(took[min(len(took) - 1, int(len(took) * 0.99))] * 1000, 3),
        }
    return out


# ---------------------------------------------------------------------------------------- the run


def make_graphs(work: Path, sizes: list[int]) -> list[dict]:
    """The shipped graph and, per size, the shipped data plus that many generated triples."""
    from generate import write_project

    graphs = [{"name": "shipped", "root": REPO}]
    for size in sizes:
        root = write_project(work / f"project-{size}", REPO, size)
        for item in (REPO / "data").iterdir():  # the shipped data too, so the examples find their answers
            target = root / "data" / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            else:
                shutil.copy(item, target)
        graphs.append({"name": f"shipped+{size // 1000}k", "root": root, "generated": size})
    for graph in graphs:
        graph["data"] = work / f"data-{graph['name']}"
        done = subprocess.run(
            [
                sys.executable,
                str(BENCH / "http_servers.py"),
                "prepare",
                str(graph["root"]),
                str(graph["data"]),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        graph.update(json.loads(done.stdout.strip().splitlines()[-1]))
    return graphs


def run_graph(
    graph: dict, names: list[str], queries: list[Query], args: argparse.Namespace, work: Path
) -> dict:
    """Measure the servers on one graph: the fast ones together, interleaved; then the serial ones alone."""
    folder = work / f"servers-{graph['name']}"
    folder.mkdir()
    rows: list[dict] = []
    answers: dict = {"rows": {}, "first_answer_s": {}, "single_s": {}, "mismatches": [], "ready_s": {}}
    answers["too_slow"] = {}
    for group in ([n for n in names if n not in SERIAL], [n for n in names if n in SERIAL]):
        if not group:
            continue
        servers = [start(name, graph["data"], graph["root"], folder) for name in group]
        try:
            began = time.monotonic()
            for server in servers:
                wait_ready(server)
                answers["ready_s"][server.name] = round(time.monotonic() - began, 1)
            check_answers(servers, queries, answers, args.slow_query)
            print(f"[{graph['name']}] {', '.join(group)}: answers checked", flush=True)
            rows += measure_cells(graph["name"], servers, queries, args)
        finally:
            for server in servers:
                stop(server)
    return {"rows": rows, "answers": answers}


def measure_cells(
    graph: str, servers: list[Server], queries: list[Query], args: argparse.Namespace
) -> list[dict]:
    """Every cell (class x clients x server), in rounds, the servers interleaved within each round.

    A serial server gets one round of --serial-seconds per cell: its clients queue behind each other."""
    serial = all(server.name in SERIAL for server in servers)
    rounds, seconds = (1, args.serial_seconds) if serial else (args.rounds, args.seconds / args.rounds)
    cells: dict[tuple[str, str, int], list[dict]] = {}
    for round_ in range(rounds):
        for clients in args.clients:
            for cls in CLASSES:
                for server in servers:
                    if clients not in clients_for(server.name, args) or not server.queries[cls]:
                        continue
                    cell = measure(server, queries, server.queries[cls], clients, seconds)
                    cells.setdefault((server.name, cls, clients), []).append(cell)
        print(f"[{graph}] round {round_ + 1}/{rounds} done, load {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for (name, cls, clients), measured in cells.items():
        row = {"graph": graph, "server": name, "class": cls, "clients": clients, **summarise(measured)}
        if clients == 1:
            row["queries"] = per_query(measured, queries)
        rows.append(row)
    return rows


def clients_for(name: str, args: argparse.Namespace) -> list[int]:
    return args.ablation_clients if name in ABLATIONS else args.clients


def busy_cpu_seconds() -> float:
    """CPU seconds every process on the machine has used since boot (Linux's /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its children that have ended (servers, clients, helpers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def app_costs(graph: dict, variants: list[str]) -> dict[str, dict]:
    """CPU per request inside each waitress variant's app, without HTTP (bench/app_cost.py)."""
    costs: dict[str, dict] = {}
    for round_ in range(3):  # the variants in turn, three times, in a rotating order: the least of each
        for variant in variants[round_:] + variants[:round_]:
            data = graph["data"] / "store.nq"
            command = [sys.executable, str(BENCH / "app_cost.py"), variant, str(data), str(graph["root"])]
            if variant == "no-time-limit" and round_ == 0:  # its queries run on the profiled thread
                command.append("--profile")
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            known = costs.setdefault(variant, measured)
            for cls in CLASSES:
                known[cls] = min(known[cls], measured[cls])
    print("in-process CPU per request measured", flush=True)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Servers and variants:\n"
        + "\n".join(f"  {k:18} {v}" for k, v in VARIANTS.items())
        + "\n  oxigraph           oxigraph serve-read-only (Rust), same triples"
        + "\n  rdflib-endpoint    rdflib-endpoint on uvicorn, same triples",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run: 10k generated triples, 1 and 8 clients, 0.6 s per cell, one round; "
        "writes to the temp folder unless --out is given",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=None,
        help="generated triples added to the shipped graph, one extra graph per size"
        " (default 100000; none: the shipped graph only)",
    )
    parser.add_argument(
        "--clients", type=int, nargs="+", default=None, help="concurrent clients (default 1 8 32)"
    )
    parser.add_argument(
        "--ablation-clients",
        type=int,
        nargs="+",
        default=None,
        help="clients for the one-feature-off variants (default 1 8)",
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="seconds per cell, all rounds (default 1.6; quick 0.6)"
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="rounds the cells are spread over (default 4; quick 1)"
    )
    parser.add_argument(
        "--serial-seconds",
        type=float,
        default=None,
        help="seconds per cell for rdflib-endpoint, which answers one request at a time; each"
        " client still sends one request, so 32 clients queue 32 (default 4; quick 1.5)",
    )
    parser.add_argument(
        "--slow-query",
        type=float,
        default=10.0,
        help="a query a server first answers slower than this (seconds) is left out of its cells"
        " and reported (default 10)",
    )
    parser.add_argument(
        "--no-cpu", action="store_true", help="skip the in-process CPU cost per request (bench/app_cost.py)"
    )
    parser.add_argument(
        "--servers",
        nargs="+",
        default=None,
        help=f"servers to run (default all: {' '.join(MAIN_SERVERS + ABLATIONS)})",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (.md; a .json is written beside it)"
    )
    args = parser.parse_args()
    quick = args.quick
    if args.sizes is None:
        args.sizes = [10_000] if quick else [100_000]
    args.clients = args.clients or ([1, 8] if quick else [1, 8, 32])
    args.ablation_clients = args.ablation_clients or [1, 8]
    args.seconds = args.seconds or (0.6 if quick else 1.6)
    args.rounds = args.rounds or (1 if quick else 4)
    args.serial_seconds = args.serial_seconds or (1.5 if quick else 4.0)
    args.out = args.out or (
        Path(tempfile.gettempdir()) / "otsgraph-http-quick.md" if quick else RESULTS / "http.md"
    )
    names = args.servers or list(MAIN_SERVERS + ABLATIONS)
    if shutil.which("oxigraph") is None and "oxigraph" in names:
        raise SystemExit(
            "the `oxigraph` command is missing: pip install -e '.[bench]' (or --servers without it)"
        )

    queries, unclassified = load_queries()
    started = time.time()
    load_before = os.getloadavg()
    machine_cpu, own_cpu = busy_cpu_seconds(), own_cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="otsgraph-http-bench-") as tmp:
        work = Path(tmp)
        graphs = make_graphs(work, args.sizes)
        runs = []
        for graph in graphs:
            print(f"[{graph['name']}] {graph['store_quads']:,} quads in the store", flush=True)
            runs.append(run_graph(graph, names, queries, args, work))
        cpu = {} if args.no_cpu else app_costs(graphs[0], [n for n in names if n in VARIANTS])
    meta = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "minutes": round((time.time() - started) / 60, 1),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load_before],
        # CPUs (of os.cpu_count()) that other processes kept busy on average while this ran
        "others_cpus": round(
            (busy_cpu_seconds() - machine_cpu - (own_cpu_seconds() - own_cpu)) / (time.time() - started), 2
        ),
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "quick": quick,
        "seconds_per_cell": args.seconds,
        "rounds": args.rounds,
        "clients": args.clients,
        "ablation_clients": args.ablation_clients,
        "graphs": [{k: v for k, v in g.items() if k not in ("root", "data")} for g in graphs],
        "queries": {q.name: q.cls for q in queries},
        "unclassified_examples": unclassified,
        "versions": versions(),
    }
    from http_report import write_report

    write_report(args.out, meta, runs, cpu)
    print(f"results: {args.out}")


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in (
        "otsgraph",
        "pyoxigraph",
        "flask",
        "waitress",
        "rdflib",
        "rdflib-endpoint",
        "uvicorn",
        "oxigraph",
    ):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "missing"
    return found


if __name__ == "__main__":
    main()
