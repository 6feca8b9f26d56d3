"""An endpoint no request can take down (issue 9): each finding of the attack review, against a real
`otsgraph serve` subprocess on 127.0.0.1 with small limits (--query-timeout 2, small memory caps).

Timing bounds here are loose on purpose (a loaded 2-core machine); bench/attack_soak.py measures
the exact figures.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from otsgraph.server.state import state_of
from serve_command import serve_app, serve_process

TOKEN = "isolation-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
TIMEOUT = 2.0
MEMORY_MB = 256
WORKERS = 3

DEEP_BRACES = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
DEEP_NOT = "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 20000 + "true) }"
DEEP_OPTIONAL = "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 5000 + "}" * 5000 + " }"
DEEP_PATH = "SELECT * WHERE { ?s " + "(" * 30000 + "<urn:p>" + ")" * 30000 + " ?o }"
STARVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
LABEL = "SELECT ?l WHERE { <https://w3id.org/otsgraph/resource/kazakhstan> rdfs:label ?l } LIMIT 5"
SLOW_WHERE = "INSERT { <urn:x:slow> <urn:x:p> ?n } WHERE { { " + STARVE + " } }"


def serving(tmp: Path, *extra: str, empty: bool = False):
    store = () if empty else ("--store", str(tmp / "store"))
    return serve_process(
        *store,
        *(("--empty",) if empty else ()),
        "--query-timeout", str(TIMEOUT), "--query-memory", str(MEMORY_MB), "--workers", str(WORKERS),
        "--queue", "3", "--per-client", "2", "--trusted-proxy", "127.0.0.1", "--quiet", *extra,
        log=tmp / "serve.log", tokens=f"writer:{TOKEN}",
    )  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, object, Path]]:
    tmp = tmp_path_factory.mktemp("isolation")
    with serving(tmp) as (url, process):
        yield url, process, tmp / "serve.log"


def get(url: str, query: str, client: str = "10.9.0.1", **kwargs) -> requests.Response:
    return requests.get(
        url + "/sparql", params={"query": query}, headers={"X-Forwarded-For": client}, timeout=60, **kwargs
    )


def health(url: str) -> dict:
    response = requests.get(url + "/health", timeout=10)
    assert response.status_code == 200
    return response.json()


def children(pid: int) -> list[int]:
    """The server's worker processes (its direct children), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


# ------------------------------------------------------------------------------ 1. crashes


@pytest.mark.parametrize(
    "text", [DEEP_BRACES, DEEP_NOT, DEEP_OPTIONAL, DEEP_PATH], ids=["braces", "not", "optional", "path"]
)
@pytest.mark.parametrize("how", ["get", "post", "form"])
def test_deep_sparql_is_refused_before_any_parser_sees_it(server, text, how):
    url, process, _ = server
    if how == "get":
        response = get(url, text)
    elif how == "post":
        response = requests.post(url + "/sparql", data=text.encode(), headers=QUERY, timeout=60)
    else:
        response = requests.post(url + "/sparql", data={"query": text}, timeout=60)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "too-deep"
    assert "levels deep at line 1" in body["message"] and "at most 100" in body["message"]
    assert process.poll() is None
    assert health(url)["status"] == "ok"


def test_a_deep_update_is_refused_too(server):
    url, _, _ = server
    update = (
        "INSERT DATA { GRAPH <urn:g> { "
        + "<urn:s> <urn:p> "
        + "[ <urn:p> " * 500
        + "<urn:o>"
        + " ]" * 500
        + " } }"
    )
    response = requests.post(url + "/sparql", data=update.encode(), headers={**UPDATE, **AUTH}, timeout=60)
    assert response.status_code == 400
    assert response.json()["error"] == "too-deep"


def test_a_crash_in_the_engine_ends_one_worker_never_the_server(tmp_path):
    # the depth cap lifted, so that the engine itself meets the query that overflows its stack
    with serving(tmp_path, "--max-nesting", "1000000") as (url, process):
        response = requests.post(
            url + "/sparql", data=DEEP_BRACES.encode(), headers={**QUERY, **AUTH}, timeout=60
        )
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "query-crashed"
        assert process.poll() is None  # the server lives on …
        assert get(url, LABEL).status_code == 200  # … and answers at once, on a fresh worker
        queries = health(url)["queries"]
        assert queries["crashed"] == 1 and queries["worker_restarts"] >= 1
        log = (tmp_path / "serve.log").read_text()
        assert "crashed (exit SIGSEGV)" in log and "request " in log  # logged, with the request's id …
        assert TOKEN not in log  # … never its token
        assert (tmp_path / "store.snapshots").is_dir()
    assert not (tmp_path / "store.snapshots").exists()  # a clean stop leaves no checkpoints behind


def test_a_worker_killed_from_outside_is_replaced(server):
    url, process, _ = server
    assert get(url, LABEL).status_code == 200
    for pid in children(process.pid):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and health(url)["queries"]["worker_restarts"] == 0:
        time.sleep(0.1)
    assert get(url, LABEL).status_code == 200
    assert health(url)["queries"]["worker_restarts"] >= 1


# ------------------------------------------------------------------------------ 3. time and memory


def test_a_memory_hog_is_stopped_at_its_cap_and_the_server_stays_under_its_own(server):
    url, process, _ = server
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            total = rss_bytes(process.pid) + sum(rss_bytes(p) for p in children(process.pid))
            peak = max(peak, total)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        response = get(url, HOG)
    finally:
        done.set()
        sampler.join()
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] in ("query-memory", "timeout"), body  # the cap is met within the limit here
    if body["error"] == "query-memory":
        assert f"{MEMORY_MB:,} MB" in body["message"]
    global_cap = (512 + WORKERS * MEMORY_MB) * 2**20
    assert peak < global_cap, f"peak {peak / 2**20:.0f} MB"
    assert get(url, LABEL).status_code == 200


def test_no_query_computes_past_its_deadline(server):
    url, process, _ = server
    started = time.monotonic()
    response = get(url, STARVE, client="10.9.0.7")
    assert response.status_code == 503
    assert response.json()["error"] == "timeout"
    assert "was stopped (its computation ended with it)" in response.json()["message"]
    assert time.monotonic() - started < TIMEOUT + 2
    time.sleep(1.0)  # the deadline plus one second: nothing may compute any more
    before = {pid: cpu_seconds(pid) for pid in children(process.pid)}
    time.sleep(1.0)
    burnt = sum(cpu_seconds(pid) - was for pid, was in before.items())
    assert burnt < 0.3, f"workers used {burnt:.2f} s of CPU after the deadline"
    queries = health(url)["queries"]
    assert queries["running"] == 0 and queries["overdue"] == 0 and queries["timeouts"] >= 1
    # the client is not locked out by a query that ran past its deadline: its slot is free again
    assert get(url, LABEL, client="10.9.0.7").status_code == 200


# ------------------------------------------------------------------------------ 2. fairness


def test_slow_queries_starve_neither_cheap_ones_nor_health(server):
    url, _, _ = server
    with ThreadPoolExecutor(8) as pool:
        slow = [pool.submit(get, url, STARVE, f"10.9.1.{i}") for i in range(8)]
        time.sleep(0.5)  # they hold every worker the long lane may have
        for i in range(5):
            started = time.monotonic()
            response = get(url, LABEL, client="10.9.2.1")
            assert response.status_code == 200, response.text
            assert time.monotonic() - started < 1.5  # ~5 ms idle; 30 s before the pool
            started = time.monotonic()
            health(url)
            assert time.monotonic() - started < 1.0
            time.sleep(0.1 * i)
        answers = [future.result() for future in slow]
    assert {r.status_code for r in answers} == {503}
    assert {r.json()["error"] for r in answers} <= {"timeout", "busy"}
    assert all("Retry-After" in r.headers for r in answers)


def test_one_client_over_its_limit_gets_429_at_once(server):
    url, _, _ = server

    def timed() -> tuple[int, float, str | None]:
        started = time.monotonic()
        response = get(url, STARVE, client="10.9.3.1")
        return response.status_code, time.monotonic() - started, response.headers.get("Retry-After")

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: timed(), range(16)))
    refused = [r for r in results if r[0] == 429]
    assert len(refused) >= 12  # two run (--per-client 2); the others are told at once
    assert all(seconds < 1.5 and retry for _, seconds, retry in refused)  # not after the 2 s limit


# ------------------------------------------------------------------------------ 4. writes


def test_an_update_s_where_has_a_deadline_writes_nothing_and_holds_no_writer(server):
    url, _, _ = server
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(
            requests.post, url + "/sparql", data=SLOW_WHERE.encode(), headers={**UPDATE, **AUTH}, timeout=60
        )
        time.sleep(0.5)
        started = time.monotonic()  # another writer is answered meanwhile (here: refused by the gate)
        other = requests.post(
            url + "/sparql",
            data=b"INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
            headers={**UPDATE, **AUTH},
            timeout=60,
        )
        assert other.status_code == 422
        assert time.monotonic() - started < 1.5
        response = slow.result()
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "timeout"
    assert "nothing was written" in response.json()["message"]
    assert get(url, "ASK { GRAPH ?g { <urn:x:slow> ?p ?o } }").json()["boolean"] is False


def test_a_plain_store_update_with_an_expensive_where_is_stopped_and_other_writers_go_on(tmp_path):
    with serving(tmp_path, empty=True) as (url, _):
        seed = "INSERT DATA { " + " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300)) + " }"
        assert requests.post(url + "/sparql", data=seed, headers={**UPDATE, **AUTH}).status_code == 204
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(
                requests.post,
                url + "/sparql",
                data=SLOW_WHERE.encode(),
                headers={**UPDATE, **AUTH},
                timeout=60,
            )
            time.sleep(0.5)
            started = time.monotonic()
            quick = requests.post(
                url + "/sparql", data=b"INSERT DATA { <urn:q> <urn:p> 1 }", headers={**UPDATE, **AUTH}
            )
            assert quick.status_code == 204
            assert time.monotonic() - started < 1.5
            response = slow.result()
        assert response.status_code == 503
        assert get(url, "ASK { <urn:x:slow> ?p ?o }").json()["boolean"] is False
        assert get(url, "ASK { <urn:q> <urn:p> 1 }").json()["boolean"] is True  # read your writes


def test_validate_and_queries_never_wait_for_the_write_lock():
    """While a writer holds the lock, POST /validate and queries are answered (from a checkpoint)."""
    with serve_app(update_tokens={TOKEN: "writer"}) as live:
        state = state_of(live.app)
        assert requests.get(live.url + "/sparql", params={"query": LABEL}).status_code == 200
        body = (
            "@prefix res: <https://w3id.org/otsgraph/resource/> .\n"
            "@prefix ots: <https://w3id.org/otsgraph/ontology/> .\n"
            "res:astana ots:inCountry res:kazakhstan ."
        )
        with state.write_lock:
            started = time.monotonic()
            checked = requests.post(
                live.url + "/validate",
                data=body.encode(),
                headers={"Content-Type": "text/turtle"},
                timeout=30,
            )
            answered = requests.get(live.url + "/sparql", params={"query": LABEL}, timeout=30)
            assert time.monotonic() - started < 5
        assert checked.status_code == 200, checked.text
        assert answered.status_code == 200


def test_reads_follow_every_acknowledged_write(tmp_path):
    with serving(tmp_path, empty=True) as (url, _):
        for i in range(15):
            update = f"INSERT DATA {{ <urn:w> <urn:n> {i} }}"
            assert requests.post(url + "/sparql", data=update, headers={**UPDATE, **AUTH}).status_code == 204
            assert get(url, f"ASK {{ <urn:w> <urn:n> {i} }}").json()["boolean"] is True


def test_the_thread_executor_stays_selectable(tmp_path):
    with serving(tmp_path, "--executor", "thread", empty=True) as (url, _):
        assert get(url, "ASK {}").json()["boolean"] is True
        assert health(url)["queries"]["executor"] == "thread"
        assert get(url, DEEP_BRACES).json()["error"] == "too-deep"


def test_a_client_of_costly_queries_pays_for_them_and_a_cheap_one_does_not(server):
    url, _, _ = server
    costly, other, cheap = "10.9.4.1", "10.9.4.2", "10.9.4.3"
    assert get(url, STARVE, client=costly).status_code == 503  # stopped: charged its CPU and a penalty
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(get, url, STARVE, other)  # another costly query takes the long lane
        time.sleep(1.0)
        started = time.monotonic()
        refused = get(url, LABEL, client=costly)  # even a cheap query of the costly client: long lane only
        assert refused.status_code == 429, refused.text
        assert "CPU" in refused.json()["message"] and int(refused.headers["Retry-After"]) >= 1
        assert time.monotonic() - started < 1.5  # told at once, never queued
        served = get(url, LABEL, client=cheap)  # a client of cheap queries is served meanwhile
        assert served.status_code == 200
        running.result()
