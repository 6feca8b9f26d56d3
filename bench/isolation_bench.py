"""What isolation costs: `otsgraph serve --executor process` against `--executor thread`, in one run.

Two real `otsgraph serve` processes, one per executor, each on its own on-disk store (127.0.0.1,
16 request threads, 4 query workers, every other setting as shipped), are measured side by side in
interleaved cells, so that a burst of load from elsewhere hits both alike:

- reads: the example queries (examples/*.rq, all 28 mixed, each client starting at a different
  one) through GET /sparql, at 1 and 8 concurrent clients (separate processes, keep-alive, one
  source address each, so the per-client limit works as in a deployment), on the shipped graph and
  on the shipped graph plus 100k generated triples (built by bench/http_bench.make_graphs, the HTTP
  bench's own helper). The result cache is off: `serve` has no flag for it, so the servers are
  started through `otsgraph.cli.main` with ServerConfig's default changed to cache_entries=0
  (nothing else is changed). Before measuring, both servers answer every query once and the
  answers are compared (same rows, any order); each server is warmed with 8 clients so that the
  process pool has started all its workers.
- a gated write on each generated graph: the write bench's SPARQL Update (bench/write_bench.py:
  DELETE DATA one English label, INSERT DATA the renamed one; 15 ms in process at 100k in
  bench/results/write.md) sent to /sparql with the update token, one summit per run, alternating
  the servers; then the first query after it (which, under the process executor, waits for the
  new data version's checkpoint).

Each figure is compared with the thread executor measured in the same run (process / thread):
the machine is shared and noisy, so absolute figures only say how busy it was.

Results: bench/results/isolation.md (a --quick run writes to the temp folder unless --out is given).

    python bench/isolation_bench.py            # the full run (about 6 minutes)
    python bench/isolation_bench.py --quick    # 10k generated triples, short cells (under 2 minutes)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from http_bench import (  # noqa: E402
    Query,
    Server,
    busy_cpu_seconds,
    fetch,
    free_port,
    load_queries,
    make_graphs,
    measure,
    own_cpu_seconds,
    stop,
    summarise,
    url,
    wait_ready,
)

EXECUTORS = ("thread", "process")
TOKEN = "isolation-bench-token"
ACCEPT_JSON = "application/sparql-results+json"
WRITE_MS_IN_PROCESS = "bench/results/write.md"


# ---------------------------------------------------------------------------------------- servers


def serve_helper(executor: str, root: str, store: str, port: str, *extra: str) -> None:
    """The child process: `otsgraph serve` as shipped, but with the result cache off."""
    import functools

    from otsgraph.cli import main as cli
    from otsgraph.server import serve as serve_module

    serve_module.ServerConfig = functools.partial(serve_module.ServerConfig, cache_entries=0)  # type: ignore[misc]
    argv = ["serve", "--quiet", "--root", root, "--store", store, "--port", port, "--executor", executor]
    raise SystemExit(cli([*argv, "--update-token", f"bench:{TOKEN}", *extra]))


def start_server(name: str, executor: str, extra: list[str], root: Path, work: Path) -> Server:
    port = free_port()
    log_path = work / f"{name}.log"
    store = work / f"store-{name}"
    command = [sys.executable, __file__, "--serve-helper", executor, str(root), str(store), str(port), *extra]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, cwd=work)
    return Server(name, "/sparql", port, process, log_path)


def canonical(body: bytes) -> tuple:
    """A SPARQL JSON answer as (variables, sorted rows): equal answers in any row order compare equal.

    A value joined by GROUP_CONCAT (" | ") is compared as the set of its parts: their order follows
    the store's order of blank nodes, which differs between two stores loaded from the same files."""
    data = json.loads(body)
    if "boolean" in data:
        return ("ask", data["boolean"])
    rows = []
    for binding in data["results"]["bindings"]:
        for term in binding.values():
            if " | " in term.get("value", ""):
                term["value"] = " | ".join(sorted(term["value"].split(" | ")))
        rows.append(json.dumps(binding, sort_keys=True))
    return (tuple(data["head"].get("vars", [])), tuple(sorted(rows)))


def check_answers(servers: list[Server], queries: list[Query]) -> tuple[list[int], list[str], dict[str, int]]:
    """Indices every server answers (200, the same rows); the problems found, named; answer sizes."""
    good, problems, sizes = [], [], {}
    for i, query in enumerate(queries):
        answers = []
        for server in servers:
            status, body, _ = fetch(server.port, url(server, query.text), timeout=120)
            answers.append(canonical(body) if status == 200 else f"HTTP {status}")
            sizes[query.name] = len(body)
        if any(isinstance(a, str) for a in answers):
            problems.append(
                f"{query.name}: {', '.join(f'{s.name} {a}' for s, a in zip(servers, answers, strict=True))}"
            )
        elif any(a != answers[0] for a in answers):
            problems.append(f"{query.name}: the executors' answers differ")
        else:
            good.append(i)
    return good, problems, sizes


def post_update(port: int, text: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    started = time.perf_counter()
    connection.request("POST", "/sparql", body=text.encode(), headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def rename(summit: int, run: int) -> str:
    """bench/write_bench.py's update (one English label renamed, DATA only) on a generated summit."""
    label = f"Summit {summit}"
    return (
        f'DELETE DATA {{ res:gen-summit-{summit} rdfs:label "{label}"@en }} ;\n'
        f'INSERT DATA {{ res:gen-summit-{summit} rdfs:label "{label}, renamed {run}"@en }}'
    )


def measure_writes(servers: list[Server], queries: list[Query], runs: int) -> dict[str, dict]:
    """Gated updates, alternating the servers; each followed by one lookup query (timed)."""
    probe = next(q for q in queries if q.name == "member-states")
    times: dict[str, dict[str, list[float]]] = {s.name: {"write": [], "query_after": []} for s in servers}
    statuses: dict[str, list[int]] = {s.name: [] for s in servers}
    for run in range(runs + 1):  # run 0 warms up: the gate is made on the first write
        order = servers if run % 2 else servers[::-1]
        for server in order:
            status, took = post_update(server.port, rename(1 + run, run))
            after = fetch(server.port, url(server, probe.text))
            if run == 0:
                continue
            statuses[server.name].append(status)
            times[server.name]["write"].append(took)
            times[server.name]["query_after"].append(after[2])
    out = {}
    for server in servers:
        measured = times[server.name]
        out[server.name] = {
            "write_ms": round(statistics.median(measured["write"]) * 1000, 1),
            "write_max_ms": round(max(measured["write"]) * 1000, 1),
            "query_after_ms": round(statistics.median(measured["query_after"]) * 1000, 2),
            "statuses": sorted(set(statuses[server.name])),
        }
    return out


# ---------------------------------------------------------------------------------------- hand-off


def handoff(graph: dict, queries: list[Query], repeats: int, work: Path) -> dict[str, dict[str, float]]:
    """Without HTTP: where a query's time goes under each executor, query by query (median ms of
    `repeats`, the executors taken in turn). The graph's store.nq is loaded into an on-disk store;
    'live' runs jobs.run_query on it in this thread, 'checkpoint' on a read-only checkpoint of it
    (what a worker opens), 'thread' through ThreadExecutor.run, 'process' through ProcessPool.run."""
    import pyoxigraph as ox

    from otsgraph.core.loading import Layout
    from otsgraph.server.execution.jobs import DEFAULT_GRAPH, QueryJob, run_query
    from otsgraph.server.state import ServerConfig, ServerState

    folder = work / f"handoff-{graph['name']}"
    out: dict[str, dict[str, float]] = {}
    states = {}
    for executor in EXECUTORS:
        path = folder / executor / "store"
        path.parent.mkdir(parents=True)
        store = ox.Store(str(path))
        store.bulk_load(path=str(graph["data"] / "store.nq"), format=ox.RdfFormat.N_QUADS)
        config = ServerConfig(store_path=path, cache_entries=0, executor=executor)
        states[executor] = ServerState(store, None, Layout(graph["root"]), config)
    live = states["thread"].store
    live.backup(str(folder / "checkpoint"))
    checkpoint = ox.Store.read_only(str(folder / "checkpoint"))
    graphs = tuple(
        g.value if isinstance(g, ox.NamedNode) else DEFAULT_GRAPH for g in states["thread"].default_graphs
    )
    try:
        for query in queries:
            job = QueryJob(query.text, "http://127.0.0.1/sparql", graphs, None, None, ACCEPT_JSON)
            ways = {
                "live": lambda job=job: run_query(live, job),
                "checkpoint": lambda job=job: run_query(checkpoint, job),
                "thread": lambda job=job: states["thread"].executor.run(job, "bench", 60, "r"),
                "process": lambda job=job: states["process"].executor.run(job, "bench", 60, "r"),
            }
            took: dict[str, list[float]] = {way: [] for way in ways}
            for way in ways:  # warm: the pool starts a worker, which opens the checkpoint
                ways[way]()
            for _ in range(repeats):
                for way, call in ways.items():
                    began = time.perf_counter()
                    call()
                    took[way].append(time.perf_counter() - began)
            out[query.name] = {way: round(statistics.median(v) * 1000, 3) for way, v in took.items()}
    finally:
        for state in states.values():
            state.close()
    return out


# ---------------------------------------------------------------------------------------- the run


def run_graph(graph: dict, queries: list[Query], args: argparse.Namespace, work: Path) -> dict:
    folder = work / f"servers-{graph['name']}"
    folder.mkdir()
    specs = [(name, name, []) for name in EXECUTORS]
    specs += [
        (f"process-w{n}", "process", ["--workers", str(n), "--queue", str(n)]) for n in args.also_workers
    ]
    servers = [start_server(name, executor, extra, graph["root"], folder) for name, executor, extra in specs]
    try:
        began = time.monotonic()
        for server in servers:
            wait_ready(server)
        ready_s = round(time.monotonic() - began, 1)
        indices, problems, sizes = check_answers(servers, queries)
        print(f"[{graph['name']}] ready in {ready_s} s; {len(indices)} queries agree", flush=True)
        warmup_errors = {}
        for server in servers:  # the process pool starts its workers on demand: start them all
            warm = measure(server, queries, indices, 8, args.warmup)
            warmup_errors[server.name] = sum(1 for s in warm["samples"] if s[2] != 200)
        cells: dict[tuple[str, int], list[dict]] = {}
        for round_ in range(args.rounds):
            for clients in args.clients:
                order = servers if round_ % 2 == 0 else servers[::-1]
                for server in order:
                    cell = measure(server, queries, indices, clients, args.seconds / args.rounds)
                    cells.setdefault((server.name, clients), []).append(cell)
            print(
                f"[{graph['name']}] round {round_ + 1}/{args.rounds}, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        rows = []
        for (name, clients), measured in cells.items():
            row = {"graph": graph["name"], "executor": name, "clients": clients, **summarise(measured)}
            row["classes"] = by_class(measured, queries)
            if clients == 1:
                row["per_query"] = by_query(measured, queries)
            rows.append(row)
        writes = measure_writes(servers[:2], queries, args.writes) if graph.get("generated") else {}
        health = {}
        for server in servers:
            status, body, _ = fetch(server.port, "/health")
            health[server.name] = json.loads(body).get("queries") if status == 200 else f"HTTP {status}"
        return {
            "graph": graph,
            "rows": rows,
            "writes": writes,
            "problems": problems,
            "health": health,
            "warmup_errors": warmup_errors,
            "sizes": sizes,
        }
    finally:
        for server in servers:
            stop(server)


def by_class(cells: list[dict], queries: list[Query]) -> dict[str, float]:
    """Median latency (ms) of each query class in these cells."""
    took: dict[str, list[float]] = {}
    for cell in cells:
        for index, seconds, status in cell["samples"]:
            if status == 200:
                took.setdefault(queries[index].cls, []).append(seconds)
    return {cls: round(statistics.median(v) * 1000, 3) for cls, v in took.items()}


def by_query(cells: list[dict], queries: list[Query]) -> dict[str, float]:
    """Median latency (ms) of each query in these cells."""
    took: dict[str, list[float]] = {}
    for cell in cells:
        for index, seconds, status in cell["samples"]:
            if status == 200:
                took.setdefault(queries[index].name, []).append(seconds)
    return {name: round(statistics.median(v) * 1000, 3) for name, v in took.items()}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def render(meta: dict, runs: list[dict]) -> str:
    lines = [
        "# What isolation costs (bench/isolation_bench.py)",
        "",
        f"Run {meta['when']}, {meta['minutes']} min; {meta['machine']}, {meta['cpus']} CPUs, "
        f"Python {meta['python']}{' (--quick)' if meta['quick'] else ''}.",
        f"Code: {meta['git']}.",
        f"Load average (1/5/15 min) before {meta['load_before']}, after {meta['load_after']}; other "
        f"processes kept {meta['others_cpus']} of the {meta['cpus']} CPUs busy on average during the run "
        "(the machine is shared), so absolute figures are noisy; the ratios compare the two executors "
        "measured in interleaved cells of the same run.",
        f"Two `otsgraph serve` processes (16 request threads, 4 query workers or threads, on-disk store, "
        f"result cache off), 127.0.0.1; clients are separate processes with keep-alive connections, one "
        f"source address each. Each cell: {meta['seconds']} s over {meta['rounds']} round(s) after a "
        f"{meta['warmup']} s warm-up at 8 clients; the {meta['queries']} example queries mixed. "
        "Throughput counts 200 answers over the cell's whole time; latency is per request, client side.",
        "",
        "| graph | quads in the store | default-graph triples |",
        "|---|---|---|",
    ]
    for run in runs:
        g = run["graph"]
        lines.append(f"| {g['name']} | {g['store_quads']:,} | {g['default_graph_triples']:,} |")
    rows = [r for run in runs for r in run["rows"]]
    pairs = []
    for run in runs:
        for clients in meta["clients"]:
            found = {r["executor"]: r for r in run["rows"] if r["clients"] == clients}
            if set(EXECUTORS) <= set(found):
                pairs.append((run["graph"]["name"], clients, found["thread"], found["process"]))
    throughput = [ratio(p["req_per_s"], t["req_per_s"]) for _, _, t, p in pairs]
    added = [round(p["p50_ms"] - t["p50_ms"], 3) for _, _, t, p in pairs if p["p50_ms"] and t["p50_ms"]]
    writes = [(run["graph"]["name"], run["writes"]) for run in runs if run["writes"]]
    write_ratios = [ratio(w["process"]["write_ms"], w["thread"]["write_ms"]) for _, w in writes]
    lines += ["", "## Targets", "", "| what | target | measured | met |", "|---|---|---|---|"]

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    if throughput:  # a cell where requests failed does not meet it, whatever its rate of 200s
        ok = all(x is not None and x >= 0.8 for x in throughput) and not any(p["errors"] for *_, p in pairs)
        shown = ", ".join(
            f"{g} {c} cl. {r}×"
            + (f" (but {p['errors']} of {p['requests']} requests failed)" if p["errors"] else "")
            for (g, c, _, p), r in zip(pairs, throughput, strict=True)
        )
        lines.append(f"| throughput, process ÷ thread | ≥ 0.8× | {shown} | {met(ok)} |")
    if added:
        ok = all(x < 1.0 for x in added)
        shown = ", ".join(f"{g} {c} cl. {a:+.3f} ms" for (g, c, _, _), a in zip(pairs, added, strict=True))
        lines.append(f"| median added by the process executor | < 1 ms | {shown} | {met(ok)} |")
    for (name, w), r in zip(writes, write_ratios, strict=True):
        ok = r is not None and r <= 1.5
        lines.append(
            f"| gated write at {name}, process ÷ thread (medians) | ≤ 1.5× | {r}× "
            f"({w['process']['write_ms']} ms ÷ {w['thread']['write_ms']} ms) | {met(ok)} |"
        )
    lines += [
        "",
        "## Reads: the example queries through /sparql",
        "",
        "| graph | clients | executor | req/s | p50 ms | p90 ms | p99 ms | requests | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for graph, clients, t, p in pairs:
        for row in (t, p):
            lines.append(
                f"| {graph} | {clients} | {row['executor']} | {row['req_per_s']:,} | {row['p50_ms']} | "
                f"{row['p90_ms']} | {row['p99_ms']} | {row['requests']} | {row['errors']} |"
            )
        lines.append(
            f"| {graph} | {clients} | **process ÷ thread** | **{ratio(p['req_per_s'], t['req_per_s'])}×** | "
            f"{ratio(p['p50_ms'], t['p50_ms'])}× ({p['p50_ms'] - t['p50_ms']:+.3f} ms) | "
            f"{ratio(p['p90_ms'], t['p90_ms'])}× | {ratio(p['p99_ms'], t['p99_ms'])}× | | |"
        )
    extras = [
        (run["graph"]["name"], r, t)
        for run in runs
        for r in run["rows"]
        for t in run["rows"]
        if r["executor"] not in EXECUTORS and t["executor"] == "thread" and t["clients"] == r["clients"]
    ]
    if extras:
        lines += [
            "",
            "The process executor with more workers (`--workers N --queue N`; not a default), same cells:",
            "",
            "| graph | clients | server | req/s | p50 ms | p90 ms | p99 ms | ÷ thread: req/s | p50 | p99 |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for graph, r, t in extras:
            lines.append(
                f"| {graph} | {r['clients']} | {r['executor']} | {r['req_per_s']:,} | {r['p50_ms']} | "
                f"{r['p90_ms']} | {r['p99_ms']} | {ratio(r['req_per_s'], t['req_per_s'])}× | "
                f"{ratio(r['p50_ms'], t['p50_ms'])}× ({r['p50_ms'] - t['p50_ms']:+.3f} ms) | "
                f"{ratio(r['p99_ms'], t['p99_ms'])}× |"
            )
    lines += [
        "",
        "Median latency by query class (ms; lookups: one star around a subject, joins: the others):",
        "",
        "| graph | clients | class | thread | process | added |",
        "|---|---|---|---|---|---|",
    ]
    for graph, clients, t, p in pairs:
        for cls in sorted(t["classes"]):
            a, b = t["classes"][cls], p["classes"].get(cls)
            if b is not None:
                lines.append(f"| {graph} | {clients} | {cls} | {a} | {b} | {b - a:+.3f} ms |")
    last = runs[-1]
    one = {r["executor"]: r for r in last["rows"] if r["clients"] == 1 and "per_query" in r}
    if set(EXECUTORS) <= set(one):
        t, p = one["thread"]["per_query"], one["process"]["per_query"]
        lines += [
            "",
            f"Query by query, {last['graph']['name']}, 1 client (median ms; the answer's size as JSON):",
            "",
            "| query | answer KB | thread | process | added |",
            "|---|---|---|---|---|",
        ]
        for name in sorted(t, key=lambda n: -(p.get(n, 0) - t[n])):
            if name in p:
                kb = last["sizes"].get(name, 0) / 1000
                lines.append(f"| {name} | {kb:,.1f} | {t[name]} | {p[name]} | {p[name] - t[name]:+.3f} ms |")
    if meta["handoff"]:
        costs = meta["handoff"]
        lines += [
            "",
            f"## Without HTTP: where a query's time goes ({last['graph']['name']})",
            "",
            f"Median ms of {meta['handoff_repeats']} runs per query, one at a time, in the bench's process "
            "(bench/isolation_bench.handoff): `live` is jobs.run_query on the on-disk store in this thread "
            "(the engine and the serialiser), `checkpoint` the same on a read-only checkpoint (what a worker "
            "opens), `thread` ThreadExecutor.run, `process` ProcessPool.run (pickle the job, send it over "
            "the socket pair, the worker runs it, pickle the answer back).",
            "",
            "| query | answer KB | live | checkpoint | thread | process | process − thread |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, c in sorted(costs.items(), key=lambda kv: -(kv[1]["process"] - kv[1]["thread"])):
            kb = last["sizes"].get(name, 0) / 1000
            lines.append(
                f"| {name} | {kb:,.1f} | {c['live']} | {c['checkpoint']} | {c['thread']} | {c['process']} | "
                f"{c['process'] - c['thread']:+.3f} |"
            )
        diffs = [c["process"] - c["thread"] for c in costs.values()]
        sums = {
            way: round(sum(c[way] for c in costs.values()), 2)
            for way in ("live", "checkpoint", "thread", "process")
        }
        lines.append(
            f"| **one pass, all queries** | | {sums['live']} | {sums['checkpoint']} | {sums['thread']} | "
            f"{sums['process']} | median {statistics.median(diffs):+.3f} |"
        )
    if writes:
        lines += [
            "",
            "## A gated write (the write bench's SPARQL Update) and the first query after it",
            "",
            f"Medians of {meta['writes']} updates per executor (one warm-up each first), alternating the "
            "servers. Each update is a change through the gate: its effect computed (thread: on the live "
            "store; process: in a worker, on a checkpoint of the current data version, made first), "
            "checked, committed. In process, without HTTP, the write bench measured it at "
            f"{meta['write_bench_update_ms']} ms ({WRITE_MS_IN_PROCESS}).",
            "",
            "| graph | executor | update ms (median) | update ms (max) | first query after, ms | statuses |",
            "|---|---|---|---|---|---|",
        ]
        for name, w in writes:
            for executor in EXECUTORS:
                x = w[executor]
                lines.append(
                    f"| {name} | {executor} | {x['write_ms']} | {x['write_max_ms']} | "
                    f"{x['query_after_ms']} | {', '.join(map(str, x['statuses']))} |"
                )
            ra = ratio(w["process"]["query_after_ms"], w["thread"]["query_after_ms"])
            rw = ratio(w["process"]["write_ms"], w["thread"]["write_ms"])
            lines.append(f"| {name} | **process ÷ thread** | **{rw}×** | | {ra}× | |")
    problems = [f"{run['graph']['name']}: {p}" for run in runs for p in run["problems"]]
    errors = [r for r in rows if r["errors"]]
    lines += ["", "## Checks", ""]
    lines.append(
        "- Answers: both executors gave the same rows for every query."
        if not problems
        else "- Queries left out (an error, or answers that differ): " + "; ".join(problems)
    )
    lines.append(
        "- No request failed in the cells."
        if not errors
        else "- Cells with failed requests: "
        + "; ".join(f"{r['graph']} {r['clients']} cl. {r['executor']}: {r['errors']}" for r in errors)
    )
    for run in runs:
        lines.append(
            f"- Warm-up on {run['graph']['name']} (8 clients, not counted), failed requests: "
            + ", ".join(f"{k} {v}" for k, v in run["warmup_errors"].items())
            + " (the process pool starts its workers on demand: until all 4 run, a request beyond the running"
            " workers and 4 waiting is 503 busy)"
        )
    for run in runs:
        lines.append(f"- /health after {run['graph']['name']}: `{json.dumps(run['health'], sort_keys=True)}`")
    if meta.get("notes"):
        lines += ["", "## Where the time goes", "", meta["notes"].strip()]
    return "\n".join(lines) + "\n"


def write_bench_update_ms() -> str:
    try:
        return str(json.loads((RESULTS / "write.json").read_text())["update_ms"])
    except (OSError, KeyError, ValueError):
        return "?"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-helper":
        serve_helper(*sys.argv[2:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10k generated triples, short cells, 3 writes")
    parser.add_argument("--sizes", type=int, nargs="*", default=None, help="generated triples (100000)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8], help="concurrent clients (1 8)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per cell (default 6; quick 1)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per cell (default 6; quick 1)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds (default 3; quick 1.5)")
    parser.add_argument("--writes", type=int, default=None, help="updates per executor (default 12; quick 3)")
    parser.add_argument(
        "--also-workers",
        type=int,
        nargs="*",
        default=[],
        help="also measure the process executor with this many workers (and as long a queue)",
    )
    parser.add_argument(
        "--handoff",
        type=int,
        default=None,
        help="repeats per query without HTTP (default 30; quick 5; 0: skip)",
    )
    parser.add_argument("--notes", type=Path, default=None, help="Markdown appended as 'Where the time goes'")
    parser.add_argument("--out", type=Path, default=None, help="results file (bench/results/isolation.md)")
    args = parser.parse_args()
    quick = args.quick
    args.sizes = args.sizes if args.sizes is not None else ([10_000] if quick else [100_000])
    args.seconds = args.seconds or (1.0 if quick else 6.0)
    args.rounds = args.rounds or (1 if quick else 6)
    args.warmup = args.warmup or (1.5 if quick else 3.0)
    args.writes = args.writes or (3 if quick else 12)
    args.handoff = args.handoff if args.handoff is not None else (5 if quick else 30)
    args.out = args.out or (
        Path(tempfile.gettempdir()) / "otsgraph-isolation-quick.md" if quick else RESULTS / "isolation.md"
    )
    queries = [q for q in load_queries()[0] if q.cls != "3-way joins"]  # the example queries only
    started = time.time()
    git_before = git_state()
    load_before = os.getloadavg()
    machine_cpu, own_cpu = busy_cpu_seconds(), own_cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="otsgraph-isolation-") as tmp:
        work = Path(tmp)
        graphs = make_graphs(work, args.sizes)
        runs = [run_graph(graph, queries, args, work) for graph in graphs]
        costs = handoff(graphs[-1], queries, args.handoff, work) if args.handoff else {}
    elapsed = time.time() - started
    meta = {
        **run_meta(started, elapsed, git_before, load_before),
        "others_cpus": round((busy_cpu_seconds() - machine_cpu - (own_cpu_seconds() - own_cpu)) / elapsed, 2),
        "quick": quick,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup": args.warmup,
        "clients": args.clients,
        "writes": args.writes,
        "queries": len(queries),
        "write_bench_update_ms": write_bench_update_ms(),
        "notes": args.notes.read_text(encoding="utf-8") if args.notes else "",
        "handoff": costs,
        "handoff_repeats": args.handoff,
    }
    text = render(meta, runs)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"results: {args.out}")


def run_meta(started: float, elapsed: float, git_before: str, load_before: list[float]) -> dict:
    """When, where and on which code a bench ran, and the machine's load around it."""
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "minutes": round(elapsed / 60, 1),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "git": git_before
        if git_before == git_state()
        else f"at the start {git_before}; at the end {git_state()}",
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def git_state() -> str:
    """The commit measured, and the files under src/ that differ from it (others edit them meanwhile)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.rstrip()

    import hashlib

    changed = git("status", "--porcelain", "--", "src").splitlines()
    digest = hashlib.sha1(git("diff", "--", "src").encode()).hexdigest()[:8]
    files = ", ".join(line[3:] for line in changed)
    dirty = f" with uncommitted changes in {files} (diff {digest})" if changed else ""
    return f"commit {git('rev-parse', '--short', 'HEAD')}{dirty}"


if __name__ == "__main__":
    main()
