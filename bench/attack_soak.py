"""Attack soak: legitimate clients against one real `otsgraph serve` while attackers hammer it.

One `otsgraph serve` subprocess on 127.0.0.1 (the shipped graph, an on-disk store in a temp
folder, the process executor as shipped) with `--trusted-proxy 127.0.0.1`, `--query-timeout 5`,
`--query-memory 512` and an update token. Every client names itself with its own
X-Forwarded-For, as clients behind a reverse proxy are told apart.

1. Idle: each example query (examples/*.rq) is asked once; its answer is the correct one.
2. Baseline (--baseline-seconds, default 20): the legitimate clients alone (4 processes, one
   address each) loop over the example queries; each answer must be 200 and equal to the correct
   one (same rows in any order; GROUP_CONCAT parts as a set).
3. Soak (--seconds, default 180): the same clients, while attackers (threads of one process, one
   address per client) send in a loop:
   - crash: `SELECT * WHERE ` + 3000 `{` + ` ?s ?p ?o ` + 3000 `}` (overflowed the engine's stack);
   - deep-not: FILTER with 3000 `!`; nested-optional: 1000 nested OPTIONALs;
   - starvation: the three-way cross join COUNT, from 8 clients;
   - memory: the two-way cross join ORDER BY ?c ?f LIMIT 1;
   - flood: one client keeping 16 starvation queries in flight at once;
   - insert: a token holder's INSERT whose WHERE is the starvation COUNT;
   - validate: anonymous POST /validate of 999-triple submissions.
4. Probes: each attack alone once more on the now quiet server; the CPU its server's children use
   between 1 and 2 s, and between 2 and 3 s, after its deadline (sent + the time limit).

Meanwhile /health is asked every 250 ms (its response time), and every 100 ms /proc gives the
memory of the server and all its descendants (RSS) and the CPU time (utime + stime) of each.

Results: bench/results/soak.md (or --out).

    python bench/attack_soak.py                   # 3 minutes of attack (about 5 minutes all told)
    python bench/attack_soak.py --seconds 30      # a short soak
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from http_bench import free_port, load_queries  # noqa: E402
from isolation_bench import canonical, git_state, run_meta  # noqa: E402

TOKEN = "soak-token"
ACCEPT = "application/sparql-results+json"
CLIENT_TIMEOUT = 60.0
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

CRASH = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
DEEP_NOT = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 3000 + "true) }"
NESTED_OPTIONAL = "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 1000 + "}" * 1000 + " }"
STARVATION = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MEMORY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
INSERT = "INSERT { <urn:x> <urn:y> ?n } WHERE { " + STARVATION + " }"


def validate_body() -> bytes:
    """999 triples: 333 new summits, each with a type, an English label and a date."""
    lines = [
        "@prefix ots: <https://w3id.org/otsgraph/ontology/> .",
        "@prefix res: <https://w3id.org/otsgraph/resource/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for i in range(333):
        lines.append(
            f'res:soak-summit-{i} a ots:Summit ; rdfs:label "Soak summit {i}"@en ;'
            f' ots:date "2025-01-{1 + i % 28:02d}"^^xsd:date .'
        )
    return "\n".join(lines).encode()


# (kind, clients, threads per client): each thread loops over one request
ATTACKS: list[tuple[str, int, int]] = [
    ("crash", 1, 1),
    ("deep-not", 1, 1),
    ("nested-optional", 1, 1),
    ("starvation", 8, 1),
    ("memory", 1, 1),
    ("flood", 1, 16),
    ("insert", 1, 1),
    ("validate", 1, 1),
]


def attack_request(kind: str) -> tuple[str, str, bytes | None, dict[str, str]]:
    """(method, path, body, headers) of one attack request."""

    def get(query: str) -> tuple[str, str, None, dict[str, str]]:
        return "GET", "/sparql?" + urlencode({"query": query}), None, {"Accept": ACCEPT}

    if kind == "crash":
        return (
            "POST",
            "/sparql",
            CRASH.encode(),
            {"Content-Type": "application/sparql-query", "Accept": ACCEPT},
        )
    if kind == "deep-not":
        return get(DEEP_NOT)
    if kind == "nested-optional":
        return get(NESTED_OPTIONAL)
    if kind in ("starvation", "flood"):
        return get(STARVATION)
    if kind == "memory":
        return get(MEMORY)
    if kind == "insert":
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        return "POST", "/sparql", INSERT.encode(), headers
    if kind == "validate":
        return (
            "POST",
            "/validate",
            validate_body(),
            {"Content-Type": "text/turtle", "Accept": "application/json"},
        )
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------- HTTP


class Client:
    """A keep-alive connection that reconnects after an error; one X-Forwarded-For."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.connection: http.client.HTTPConnection | None = None

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
            self.connection.request(
                method, path, body=body, headers={**headers, "X-Forwarded-For": self.address}
            )
            response = self.connection.getresponse()
            data = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as err:
            self.close()
            status, data = 0, f"{type(err).__name__}: {err}".encode()
        return status, data, time.perf_counter() - started

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def error_code(status: int, body: bytes) -> str:
    """'200', '503 timeout', '0 ConnectionResetError' …"""
    if status == 0:
        return "0 " + body.decode(errors="replace").split(":")[0]
    if status < 300:
        return str(status)
    try:
        return f"{status} {json.loads(body)['error']}"
    except (ValueError, KeyError, TypeError):
        return str(status)


# ---------------------------------------------------------------------------------------- clients


def legitimate(
    port: int, number: int, queries: list[tuple[str, str]], correct: dict, phases, out, bust: bool
) -> None:
    """One legitimate client (a process): loops over the example queries until told to stop.

    phases: a shared value, 1 baseline, 2 soak, 0 stop; samples are (phase, query, ms, code, correct).
    bust: a unique comment ends each query's text, so that the result cache never answers it and
    every query runs in a worker, as varied queries from real clients would."""
    client = Client(port, f"10.1.0.{number + 1}")
    samples: list[tuple[int, str, float, str, bool]] = []
    i = number * 7
    while (phase := phases.value) != 0:
        name, text = queries[i % len(queries)]
        i += 1
        if bust:
            text += f"\n# client {number}, request {i}"
        status, body, took = client.send(
            "GET", "/sparql?" + urlencode({"query": text}), None, {"Accept": ACCEPT}
        )
        right = False
        if status == 200:
            try:
                right = canonical(body) == correct[name]
            except ValueError:
                right = False
        samples.append((phase, name, took * 1000, error_code(status, body), right))
    out.put(samples)


def attacker(port: int, kind: str, address: str, stop: threading.Event, log: list) -> None:
    client = Client(port, address)
    method, path, body, headers = attack_request(kind)
    while not stop.is_set():
        sent = time.monotonic()
        status, data, took = client.send(method, path, body, headers)
        log.append((kind, sent, took, error_code(status, data)))
    client.close()


def attackers(port: int, stop_flag, out) -> None:
    """All the attackers (threads of this process) until stop_flag is set; their log goes to out."""
    stop = threading.Event()
    log: list = []
    threads = []
    for n, (kind, clients, per_client) in enumerate(ATTACKS):
        for c in range(clients):
            address = f"10.2.{n}.{c + 1}"
            for _ in range(per_client):
                threads.append(threading.Thread(target=attacker, args=(port, kind, address, stop, log)))
    for thread in threads:
        thread.start()
    while not stop_flag.is_set():
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join()
    out.put(log)


# ---------------------------------------------------------------------------------------- watching


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    kids = [int(x) for x in f.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found


def cpu_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    except (OSError, IndexError, ValueError):
        return None


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Watch:
    """/proc every 100 ms: memory of the server and its descendants; their CPU, cumulative."""

    pid: int
    samples: list[tuple[float, int, float, float]] = field(
        default_factory=list
    )  # t, rss, children cpu, server cpu
    last: dict[int, int] = field(default_factory=dict)  # a child's last-seen ticks (kept when it ends)
    runs: dict[int, list[float]] = field(default_factory=dict)  # pid -> [first, last] of its busy stretch
    longest: list[tuple[float, int, float]] = field(default_factory=list)  # (seconds, pid, began at)
    born: dict[int, float] = field(default_factory=dict)  # when a child was first seen
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            kids = descendants(self.pid)
            memory = rss(self.pid) + sum(rss(k) for k in kids)
            for kid in kids:
                self.born.setdefault(kid, now)
                ticks = cpu_ticks(kid)
                if ticks is None:
                    continue
                before = self.last.get(kid)
                self.last[kid] = ticks
                if before is not None and ticks > before:  # computing in the last 100 ms
                    run = self.runs.setdefault(kid, [now - 0.1, now])
                    if now - run[1] > 0.35:  # a pause: a new stretch
                        self.longest.append((run[1] - run[0], kid, run[0]))
                        run[0] = now - 0.1
                    run[1] = now
            own = cpu_ticks(self.pid) or 0
            self.samples.append((now, memory, sum(self.last.values()) / TICK, own / TICK))
            time.sleep(max(0.0, 0.1 - (time.monotonic() - now)))
        for kid, run in self.runs.items():
            self.longest.append((run[1] - run[0], kid, run[0]))

    def children_cpu(self, start: float, end: float) -> float:
        """CPU seconds the server's children used between two moments (monotonic clock)."""

        def at(t: float) -> float:
            before = [s for s in self.samples if s[0] <= t]
            return before[-1][2] if before else 0.0

        return at(end) - at(start)

    def peak(self, start: float, end: float) -> int:
        return max((s[1] for s in self.samples if start <= s[0] <= end), default=0)


@dataclass
class HealthWatch:
    port: int
    samples: list[tuple[float, float, int, dict]] = field(default_factory=list)  # t, ms, status, queries
    stop: threading.Event = field(default_factory=threading.Event)

    def loop(self) -> None:
        client = Client(self.port, "10.3.0.1")
        while not self.stop.is_set():
            now = time.monotonic()
            status, body, took = client.send("GET", "/health", None, {"Accept": "application/json"})
            queries = {}
            if status == 200:
                queries = json.loads(body).get("queries", {})
            self.samples.append((now, took * 1000, status, queries))
            time.sleep(max(0.0, 0.25 - (time.monotonic() - now)))


# ---------------------------------------------------------------------------------------- the run


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 2)


def start_server(work: Path, args: argparse.Namespace) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log_path = work / "server.log"
    command = [
        str(Path(sys.executable).with_name("otsgraph")),
        "serve",
        "--store", str(work / "store"),
        "--port", str(port),
        "--trusted-proxy", "127.0.0.1",
        "--query-timeout", str(args.query_timeout),
        "--query-memory", str(args.query_memory),
        "--update-token", f"soak:{TOKEN}",
        *args.serve_arg,
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, cwd=work)
    deadline = time.monotonic() + 300
    probe = Client(port, "10.3.0.2")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text(errors='replace')[-2000:]}")
        status, _, _ = probe.send("GET", "/health", None, {})
        if status == 200:
            return process, port, log_path
        time.sleep(0.3)
    raise SystemExit("the server did not answer within 300 s")


def run_probes(port: int, watch: Watch, timeout: float) -> list[dict]:
    """Each attack alone on a quiet server: its answer, and the children's CPU after its deadline."""
    results = []
    for kind, _clients, per_client in ATTACKS:
        method, path, body, headers = attack_request(kind)
        codes: list[str] = []
        sent = time.monotonic()

        def one(codes: list[str] = codes, request: tuple = (method, path, body, headers)) -> None:
            client = Client(port, "10.4.0.1")
            status, data, _ = client.send(*request)
            codes.append(error_code(status, data))
            client.close()

        threads = [threading.Thread(target=one) for _ in range(per_client)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answered = time.monotonic() - sent
        deadline = sent + timeout
        time.sleep(max(0.0, deadline + 3.2 - time.monotonic()))
        results.append(
            {
                "kind": kind,
                "codes": dict(Counter(codes)),
                "answered_s": round(answered, 2),
                "cpu_1_2": round(watch.children_cpu(deadline + 1, deadline + 2), 2),
                "cpu_2_3": round(watch.children_cpu(deadline + 2, deadline + 3), 2),
            }
        )
        print(f"probe {kind}: {results[-1]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=180.0, help="seconds of attack (default 180)")
    parser.add_argument("--baseline-seconds", type=float, default=20.0, help="legitimate clients alone (20)")
    parser.add_argument("--legitimate", type=int, default=4, help="legitimate client processes (4)")
    parser.add_argument("--query-timeout", type=float, default=5.0, help="serve --query-timeout (5)")
    parser.add_argument("--query-memory", type=int, default=512, help="serve --query-memory, MB (512)")
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="one more argument for otsgraph serve (repeatable)"
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="let the result cache answer the legitimate clients (by default each query text ends with a "
        "unique comment, so every one runs in a worker)",
    )
    parser.add_argument(
        "--py-spy",
        default=None,
        help="a py-spy executable: sample the server process (50 Hz, non-blocking) for --profile-seconds "
        "from 10 s into the attack, and report where its CPU goes",
    )
    parser.add_argument("--profile-seconds", type=float, default=30.0, help="py-spy's sampling time (30)")
    parser.add_argument("--no-probes", action="store_true", help="skip the one-attack-at-a-time probes")
    parser.add_argument("--notes", type=Path, default=None, help="Markdown appended as 'Why'")
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.md", help="results file")
    args = parser.parse_args()
    workers = 4
    for flag, value in zip(args.serve_arg, args.serve_arg[1:], strict=False):
        if flag == "--workers":
            workers = int(value)
    global_mb = 512 + workers * args.query_memory
    for flag, value in zip(args.serve_arg, args.serve_arg[1:], strict=False):
        if flag == "--server-memory" and int(value):
            global_mb = int(value)

    queries = [(q.name, q.text) for q in load_queries()[0] if q.cls != "3-way joins"]
    started = time.time()
    git_before = git_state()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="otsgraph-soak-") as tmp:
        work = Path(tmp)
        server, port, log_path = start_server(work, args)
        try:
            result = soak(server, port, queries, args, log_path)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    meta = {
        **run_meta(started, time.time() - started, git_before, load_before),
        "global_mb": global_mb,
        "workers": workers,
        "notes": args.notes.read_text(encoding="utf-8") if args.notes else "",
    }
    text = render(meta, result, args)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"results: {args.out}")


def soak(server: subprocess.Popen, port: int, queries: list[tuple[str, str]], args, log_path: Path) -> dict:
    correct = {}
    idle = Client(port, "10.1.9.9")
    for name, text in queries:  # the correct answers, on the idle server
        status, body, _ = idle.send("GET", "/sparql?" + urlencode({"query": text}), None, {"Accept": ACCEPT})
        if status != 200:
            raise SystemExit(f"{name}: HTTP {status} on the idle server: {body[:300]!r}")
        correct[name] = canonical(body)
    idle.close()
    watch, health = Watch(server.pid), HealthWatch(port)
    for loop in (watch.loop, health.loop):
        threading.Thread(target=loop, daemon=True).start()
    context = mp.get_context("fork")
    phases, out = context.Value("i", 1), context.Queue()
    legit = [
        context.Process(target=legitimate, args=(port, n, queries, correct, phases, out, not args.cache))
        for n in range(args.legitimate)
    ]
    marks = {"baseline": time.monotonic()}
    for process in legit:
        process.start()
    time.sleep(args.baseline_seconds)
    stop_attack, attack_out = context.Event(), context.Queue()
    marks["soak"] = time.monotonic()
    phases.value = 2
    attack = context.Process(target=attackers, args=(port, stop_attack, attack_out))
    attack.start()
    print(f"attack started: {args.seconds:g} s", flush=True)
    spy = None
    if args.py_spy:
        time.sleep(min(10.0, args.seconds / 4))
        raw = log_path.with_name("server.spy")
        spy = subprocess.Popen(
            [args.py_spy, "record", "--pid", str(server.pid), "--rate", "50", "--nonblocking",
             "--format", "raw", "--duration", str(int(args.profile_seconds)), "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    time.sleep(max(0.0, marks["soak"] + args.seconds - time.monotonic()))
    marks["attack_stop"] = time.monotonic()
    phases.value = 0
    stop_attack.set()
    samples = [s for _ in legit for s in out.get()]
    attack_log = attack_out.get()
    for process in [*legit, attack]:
        process.join()
    marks["soak_end"] = time.monotonic()
    last_deadline = max(
        (sent + args.query_timeout for _, sent, _, _ in attack_log), default=marks["soak_end"]
    )
    time.sleep(max(0.0, last_deadline + 3.2 - time.monotonic()))
    tail = {
        "cpu_1_2": round(watch.children_cpu(last_deadline + 1, last_deadline + 2), 2),
        "cpu_2_3": round(watch.children_cpu(last_deadline + 2, last_deadline + 3), 2),
    }
    profile = {}
    if spy is not None:
        spy.wait()
        profile = summarise_profile(log_path.with_name("server.spy"))
    probes = [] if args.no_probes else run_probes(port, watch, args.query_timeout)
    watch.stop.set()
    health.stop.set()
    time.sleep(0.4)
    final = health.samples[-1][3] if health.samples else {}
    return {
        "samples": samples,
        "attack_log": attack_log,
        "marks": marks,
        "tail": tail,
        "probes": probes,
        "profile": profile,
        "watch": watch,
        "health": health,
        "final_health": final,
        "server_alive": server.poll() is None,
        "server_log_tail": log_path.read_text(errors="replace")[-3000:],
    }


# ---------------------------------------------------------------------------------------- report


def render(meta: dict, r: dict, args: argparse.Namespace) -> str:
    marks, watch, health = r["marks"], r["watch"], r["health"]
    phases = {}
    for phase, label in ((1, "idle server (baseline)"), (2, "under attack")):
        rows = [s for s in r["samples"] if s[0] == phase]
        good = [s for s in rows if s[3] == "200" and s[4]]
        took = [s[2] for s in rows if s[3] == "200"]
        phases[phase] = {
            "label": label,
            "requests": len(rows),
            "good": len(good),
            "availability": 100 * len(good) / len(rows) if rows else 0.0,
            "p50": percentile(took, 0.5),
            "p99": percentile(took, 0.99),
            "max": round(max(took), 1) if took else None,
            "failures": Counter(
                s[3] if s[3] != "200" else "200 wrong answer" for s in rows if not (s[3] == "200" and s[4])
            ),
        }
    base, under = phases[1], phases[2]
    soak_health = [h for h in health.samples if marks["soak"] <= h[0] <= marks["attack_stop"]]
    longs = [h[3].get("long", 0) for h in soak_health]
    base_health = [h for h in health.samples if marks["baseline"] <= h[0] < marks["soak"]]
    worst_health = max((h[1] for h in soak_health), default=None)
    health_bad = Counter(h[2] for h in soak_health if h[2] != 200)
    peak = watch.peak(marks["soak"], marks["soak_end"])
    peak_base = watch.peak(marks["baseline"], marks["soak"])
    cap = meta["global_mb"] * 2**20
    overdue = [h for h in soak_health if h[3].get("overdue")]
    overdue_run = longest_true([(h[0], bool(h[3].get("overdue"))) for h in soak_health])
    attack_codes: dict[str, Counter] = {}
    attack_times: dict[str, list[float]] = {}
    for kind, _sent, took, code in r["attack_log"]:
        attack_codes.setdefault(kind, Counter())[code] += 1
        attack_times.setdefault(kind, []).append(took)
    longest = sorted(watch.longest, reverse=True)[:3]
    probes_ok = all(p["cpu_1_2"] <= 0.1 and p["cpu_2_3"] <= 0.1 for p in r["probes"])
    tail_ok = r["tail"]["cpu_1_2"] <= 0.1 and r["tail"]["cpu_2_3"] <= 0.1
    ratio50 = round(under["p50"] / base["p50"], 2) if under["p50"] and base["p50"] else None
    ratio99 = round(under["p99"] / base["p99"], 2) if under["p99"] and base["p99"] else None

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    seconds = round(marks["attack_stop"] - marks["soak"])
    lines = [
        "# Attack soak (bench/attack_soak.py)",
        "",
        f"Run {meta['when']}, {meta['minutes']} min; {meta['machine']}, {meta['cpus']} CPUs, "
        f"Python {meta['python']}.",
        f"Code: {meta['git']}.",
        f"Load average (1/5/15 min) before {meta['load_before']}, after {meta['load_after']}: the machine is "
        "shared with other engineers' tests, and the attackers, the legitimate clients and the server all "
        f"run on its {meta['cpus']} CPUs.",
        "One `otsgraph serve` (shipped graph, on-disk store, process executor, "
        f"{meta['workers']} workers) with `--trusted-proxy 127.0.0.1 --query-timeout "
        f"{args.query_timeout:g} --query-memory {args.query_memory}` and an update token"
        f"{(' and ' + ' '.join(args.serve_arg)) if args.serve_arg else ''}; the global memory "
        f"cap is {meta['global_mb']:,} MB (512 + workers × --query-memory). "
        f"{args.legitimate} legitimate client processes loop over the {len(set(s[1] for s in r['samples']))} "
        f"example queries (one X-Forwarded-For each): {args.baseline_seconds:g} s alone, then {seconds} s "
        "under attack. "
        + (
            "The result cache answers repeated queries (--cache). "
            if args.cache
            else "Each legitimate query ends with a unique comment (`# client n, request i`), so the result "
            "cache (on, as shipped) never answers it: every one runs in a query worker. "
        )
        + "An answer counts when it is 200 and equal to the answer the idle server gave "
        "(same rows in any order, GROUP_CONCAT parts as a set).",
        "",
        "## Targets",
        "",
        "| what | target | measured | met |",
        "|---|---|---|---|",
        "| legitimate answers under attack: 200 with the correct answer | 100% | "
        f"{under['availability']:.2f}% "
        f"({under['good']:,} of {under['requests']:,}) | {met(under['good'] == under['requests'])} |",
        f"| legitimate p99 under attack | < 250 ms | {under['p99']} ms "
        f"(idle: {base['p99']} ms, {ratio99}×) | "
        f"{met(under['p99'] is not None and under['p99'] < 250)} |",
        f"| server + descendants' memory (RSS), peak | ≤ {meta['global_mb']:,} MB | {peak / 2**20:,.0f} MB "
        f"(idle: {peak_base / 2**20:,.0f} MB) | {met(peak <= cap)} |",
        f"| no process computing past its deadline + 1 s: children's CPU 1–2 s and 2–3 s after each attack's "
        f"deadline, alone (probes) and after the soak's last one | ≤ 0.1 CPU-s (idle noise) | "
        f"probes: worst {max((max(p['cpu_1_2'], p['cpu_2_3']) for p in r['probes']), default='–')} CPU-s; "
        f"after the soak {r['tail']['cpu_1_2']} / {r['tail']['cpu_2_3']} CPU-s | "
        f"{met(probes_ok and tail_ok)} |",
        f"| …during the soak: /health's `overdue` (busy workers past their deadline) | none for > 1 s | "
        f"seen in {len(overdue)} of {len(soak_health)} polls, longest stretch {overdue_run:.2f} s | "
        f"{met(overdue_run <= 1.0)} |",
        "| …during the soak: the longest stretch one child process computed without a 0.35 s pause "
        "(an upper bound: back-to-back jobs, and a fresh worker's start-up before its first job, count as "
        "one; informational: with the queue full, workers run jobs back to back) | – | "
        + ", ".join(
            f"{s:.1f} s (pid {pid}, from {max(0.0, began - watch.born.get(pid, began)):.1f} s after birth)"
            for s, pid, began in longest
        )
        + " | – |",
        "",
        "## Legitimate clients",
        "",
        "| phase | requests | 200 and correct | availability | p50 ms | p99 ms | max ms | failures |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in (base, under):
        failures = ", ".join(f"{k}: {v}" for k, v in p["failures"].most_common()) or "none"
        lines.append(
            f"| {p['label']} | {p['requests']:,} | {p['good']:,} | {p['availability']:.2f}% | {p['p50']} | "
            f"{p['p99']} | {p['max']} | {failures} |"
        )
    lines.append(f"| **under attack ÷ idle** | | | | **{ratio50}×** | **{ratio99}×** | | |")
    hb = [h[1] for h in base_health]
    hs = [h[1] for h in soak_health]
    lines += [
        "",
        "## /health (every 250 ms)",
        "",
        "| phase | polls | p50 ms | p99 ms | worst ms | not 200 |",
        "|---|---|---|---|---|---|",
        f"| idle (baseline) | {len(hb)} | {percentile(hb, 0.5)} | {percentile(hb, 0.99)} | "
        f"{round(max(hb), 1) if hb else None} | 0 |",
        f"| under attack | {len(hs)} | {percentile(hs, 0.5)} | {percentile(hs, 0.99)} | "
        f"{round(worst_health, 1) if worst_health else None} | {dict(health_bad) or 0} |",
        "",
        "Pool state in the polls under attack: "
        + ", ".join(
            f"{label} in {100 * sum(1 for h in soak_health if test(h[3])) / max(1, len(soak_health)):.0f}%"
            for label, test in (
                ("every worker busy", lambda q: q.get("running", 0) >= q.get("workers", 1) > 0),
                ("the wait queue full (4)", lambda q: q.get("waiting", 0) >= 4),
                ("a client counted heavy", lambda q: q.get("heavy_clients", 0) > 0),
            )
        )
        + f" of {len(soak_health)} polls; long-lane queries (`long`) "
        + f"{statistics.mean(longs) if longs else 0:.2f} on average, at most {max(longs, default=0)}.",
        "",
        f"Pool counters at the end: `{json.dumps(r['final_health'], sort_keys=True)}`. "
        f"Server still running at the end: {'yes' if r['server_alive'] else '**no**'}. CPU used during the "
        f"soak: the server process {watch_cpu(watch, marks, 3):.1f} s, its children "
        f"{watch_cpu(watch, marks, 2):.1f} s (of {meta['cpus'] * (marks['attack_stop'] - marks['soak']):.0f} "
        "CPU-s the machine had).",
        "",
        "## Attackers' answers",
        "",
        "| attack | clients × in flight | requests | req/s | answers (status error) | median s | max s |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, clients, per_client in ATTACKS:
        codes = attack_codes.get(kind, Counter())
        took = attack_times.get(kind, [])
        shown = ", ".join(f"{k}: {v:,}" for k, v in codes.most_common())
        lines.append(
            f"| {kind} | {clients} × {per_client} | {sum(codes.values()):,} | "
            f"{sum(codes.values()) / seconds:,.1f} | "
            f"{shown} | {statistics.median(took) if took else 0:.3f} | {max(took) if took else 0:.2f} |"
        )
    if r["probes"]:
        lines += [
            "",
            "## Each attack alone, after the soak: CPU of the server's children after its deadline",
            "",
            f"Deadline = sent + {args.query_timeout:g} s. CPU-seconds the server's children used in the "
            "window (a killed worker's replacement starts at the kill, in about 0.35 s).",
            "",
            "| attack | answers | answered after s | CPU-s 1–2 s after | CPU-s 2–3 s after |",
            "|---|---|---|---|---|",
        ]
        for p in r["probes"]:
            shown = ", ".join(f"{k}: {v}" for k, v in p["codes"].items())
            lines.append(f"| {p['kind']} | {shown} | {p['answered_s']} | {p['cpu_1_2']} | {p['cpu_2_3']} |")
        lines.append(
            f"| after the soak's last attack | | | {r['tail']['cpu_1_2']} | {r['tail']['cpu_2_3']} |"
        )
    if r["profile"]:
        prof = r["profile"]
        total = max(1, prof["total"])
        lines += [
            "",
            f"## Where the server process's time goes (py-spy, {args.profile_seconds:g} s of the attack)",
            "",
            f"{prof['total']:,} samples of the server process's threads at 50 Hz, idle threads left out "
            "(py-spy record --nonblocking --format raw). Share of samples per function:",
            "",
            "| function, with its callees | share | | function, by itself | share |",
            "|---|---|---|---|---|",
        ]
        for (a, na), (b, nb) in zip(prof["inclusive"], prof["self"] + [("", 0)] * 25, strict=False):
            right = f"`{b}` | {100 * nb / total:.1f}%" if b else " | "
            lines.append(f"| `{a}` | {100 * na / total:.1f}% | | {right} |")
    if meta.get("notes"):
        lines += ["", "## Why", "", meta["notes"].strip()]
    return "\n".join(lines) + "\n"


def watch_cpu(watch: Watch, marks: dict, column: int) -> float:
    inside = [s for s in watch.samples if marks["soak"] <= s[0] <= marks["attack_stop"]]
    return inside[-1][column] - inside[0][column] if len(inside) > 1 else 0.0


def summarise_profile(raw: Path) -> dict:
    """py-spy's collapsed stacks: samples per function, by itself (self) and with its callees."""
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    try:
        lines = raw.read_text(errors="replace").splitlines()
    except OSError:
        return {}
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")"
            for f in stack.split(";")
        ]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    return {"total": total, "self": own.most_common(15), "inclusive": inclusive.most_common(25)}


def longest_true(series: list[tuple[float, bool]]) -> float:
    """The longest stretch (s) over which consecutive polls all said True."""
    best, first = 0.0, None
    for t, flag in series:
        if flag:
            first = t if first is None else first
            best = max(best, t - first)
        else:
            first = None
    return best


if __name__ == "__main__":
    main()
