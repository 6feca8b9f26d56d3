"""`otsgraph publish --to URL` against real stores on 127.0.0.1 (issue 13): Oxigraph's Rust server
(`oxigraph serve`, from the `oxigraph` package, a dev dependency) and Virtuoso 7 (Debian's
virtuoso-opensource-7-bin, which .ci/run installs). Each test runs on both: a fresh Oxigraph server
on a folder of its own, and one Virtuoso for the module, emptied of our graphs before each test.

What the tests check: the release is whole and verified; the store's other graphs are kept; a
second publish changes nothing; a graph the previous release had and this one has not is dropped;
an interruption after staging leaves the previous release as it was (and the next publish cleans
up); credentials go from the environment into the Authorization header and never onto the command
line; the errors say what and exit with the documented codes.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest

from otsgraph import __version__
from otsgraph.core import data_version
from otsgraph.core.data_version import VERSION_GRAPH
from otsgraph.core.graphs import DEFAULT_GRAPHS
from otsgraph.core.namespaces import BASE
from otsgraph.core.remote import BackendError, RemoteStore, credentials, http_transport
from otsgraph.pipeline.publish import (
    GENID,
    RELEASE_GRAPH,
    VerificationFailed,
    _graph_names,
    checksum,
    publish,
    remote_triples,
    skolemised,
    staging_name,
)
from otsgraph.pipeline.switch import STAGING, SWITCH_GRAPH

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import stores  # noqa: E402  (bench/stores.py: the stores the benchmark starts too)
from engines import answers, graphs_in  # noqa: E402  (and the engines fixtures, a plugin of conftest.py)

ADDITIONS = "https://w3id.org/otsgraph/graph/additions"
AUDIT = "https://w3id.org/otsgraph/graph/audit"
EX = "http://example.org/publish/"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "otsgraph.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def expected_graphs(quads: list[ox.Quad]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in set(skolemised(quads)):
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    return counts


def test_publish_sends_every_shipped_graph_verifies_it_and_records_the_release(backend, release_quads):
    done = cli("publish", "--to", backend)
    assert done.returncode == 0, done.stderr
    assert "every graph verified" in done.stdout
    store = RemoteStore.at(backend)
    held = graphs_in(store)
    expected = expected_graphs(release_quads)
    assert {g: n for g, n in held.items() if g not in (RELEASE_GRAPH, VERSION_GRAPH)} == expected
    assert len(expected) > 200  # the fixed graphs and each claim graph
    # the data version moved on, made by this release: the fronts (serve --backend) read it again
    assert data_version.read(store) == data_version.DataVersion(1, f"{BASE}release/{__version__}")
    assert cli("publish", "--to", backend).returncode == 0
    assert data_version.read(store).number == 2
    # no blank node reached the store: each became an IRI under /.well-known/genid/
    blank = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o FILTER(ISBLANK(?s) || ISBLANK(?o)) } } LIMIT 1"
    assert store.select(blank) == []
    skolem = store.select(
        f'SELECT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{GENID}")) }} LIMIT 1'
    )
    assert skolem, "the shipped summit numbers are blank nodes: they must arrive as skolem IRIs"
    # the release record: VoID, one subset per graph with its count and checksum
    rows = store.select(
        f"""SELECT ?name ?n ?sum WHERE {{ GRAPH <{RELEASE_GRAPH}> {{
            ?release <http://rdfs.org/ns/void#subset> ?part .
            ?part <http://www.w3.org/ns/sparql-service-description#name> ?name ;
                  <http://rdfs.org/ns/void#triples> ?n ;
                  <http://spdx.org/rdf/terms#checksumValue> ?sum }} }}"""
    )
    recorded = {r["name"]["value"]: int(r["n"]["value"]) for r in rows}
    assert recorded == expected
    asserted = "https://w3id.org/otsgraph/graph/asserted"
    digest = next(r["sum"]["value"] for r in rows if r["name"]["value"] == asserted)
    assert digest == checksum(remote_triples(store, asserted))[1]


def test_the_stores_other_graphs_are_kept_and_a_second_publish_changes_nothing(backend, release_quads):
    store = RemoteStore.at(backend)
    store.update(
        f"INSERT DATA {{ GRAPH <{ADDITIONS}> {{ <{EX}a> <{EX}p> 1 }} "
        f"GRAPH <{AUDIT}> {{ <{EX}c> <{EX}by> 'x' }} }}"
    )
    first = publish(store, release_quads)
    before = graphs_in(store)
    held = {g: checksum(remote_triples(store, g)) for g in before if g not in (RELEASE_GRAPH, VERSION_GRAPH)}
    version = data_version.read(store).number
    second = publish(store, release_quads)
    assert second.graphs == first.graphs  # the same skolem IRIs, so the same checksums
    assert graphs_in(store) == before
    assert {g: checksum(remote_triples(store, g)) for g in held} == held  # what the store holds
    assert data_version.read(store).number == version + 1  # only the data version moved on
    assert before[ADDITIONS] == 1 and before[AUDIT] == 1  # what fronts wrote is not the release's


def test_a_graph_the_previous_release_had_and_this_one_has_not_is_dropped(backend, release_quads):
    store = RemoteStore.at(backend)
    extra = ox.NamedNode("https://w3id.org/otsgraph/claim/x-test-withdrawn")
    fact = ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("1"), extra)
    with_extra = [*release_quads, fact]
    publish(store, with_extra)
    assert graphs_in(store)[extra.value] == 1
    done = publish(store, release_quads)
    assert done.dropped == [extra.value]
    assert extra.value not in graphs_in(store)


def test_an_interrupted_publish_leaves_the_previous_release_whole(backend, release_quads):
    store = RemoteStore.at(backend)
    publish(store, release_quads)
    before = {g: checksum(remote_triples(store, g)) for g in graphs_in(store) if g != RELEASE_GRAPH}
    asserted = "https://w3id.org/otsgraph/graph/asserted"
    fact = ox.Quad(ox.NamedNode(EX + "new"), ox.NamedNode(EX + "p"), ox.Literal("2"), ox.NamedNode(asserted))
    changed = [*release_quads, fact]

    def crash(point: str) -> None:
        raise KeyboardInterrupt(point)  # stands for the process dying between staging and the switch

    with pytest.raises(KeyboardInterrupt):
        publish(store, changed, hook=crash)
    published = {g: checksum(remote_triples(store, g)) for g in before}
    assert published == before  # every graph of the previous release, as it was
    staging = [g for g in graphs_in(store) if g.startswith("urn:otsgraph:staging:")]
    assert staging, "the interrupted publish had staged its graphs"
    done = publish(store, changed)  # the next publish cleans up and switches
    assert not [g for g in graphs_in(store) if g.startswith("urn:otsgraph:staging:")]
    assert done.graphs[asserted][0] == before[asserted][0] + 1


def test_a_killed_publish_process_leaves_the_previous_release_whole(backend):
    first = cli("publish", "-q", "--to", backend)
    assert first.returncode == 0, first.stderr
    store = RemoteStore.at(backend)
    # a mark in the published graph:asserted that the killed publish would overwrite, had it written
    # to the published names before its switch
    asserted = "https://w3id.org/otsgraph/graph/asserted"
    store.update(f"INSERT DATA {{ GRAPH <{asserted}> {{ <{EX}mark> <{EX}p> 'previous' }} }}")
    before = graphs_in(store)
    killed = cli("publish", "-q", "--to", backend, env={"OTSGRAPH_TEST_CRASH_AT": "staged"})
    assert killed.returncode == -9, killed.stderr
    # (what it left: its staging graphs, and the journal of a switch it never began)
    after = {g: n for g, n in graphs_in(store).items() if not g.startswith(STAGING) and g != SWITCH_GRAPH}
    assert after == before
    assert store.select(f"SELECT * WHERE {{ GRAPH <{asserted}> {{ <{EX}mark> ?p ?o }} }}")


@pytest.mark.parametrize("backend", ["oxigraph"], indirect=True)  # (a cut switch is finished on both
# engines in tests/pipeline/test_switch.py; this is the command killed, the same on any store)
def test_a_publish_killed_in_its_switch_is_finished_by_the_next_one(backend):
    """The newcomer's journey when the machine dies mid-switch: the process killed after the first
    request of its switch (OTSGRAPH_TEST_CRASH_AT=switching), then the same command again."""
    first = cli("publish", "-q", "--to", backend)
    assert first.returncode == 0, first.stderr
    store = RemoteStore.at(backend)
    killed = cli("publish", "-q", "--to", backend, env={"OTSGRAPH_TEST_CRASH_AT": "switching"})
    assert killed.returncode == -9, killed.stderr
    assert data_version.read(store).switching  # cut in the middle: flagged for the fronts
    # the killed process's claim on the fronts' lock would make the next publish wait out its lease
    # (120 s, docs/deploy.md); an operator who knows the process is dead removes it, as here
    store.update(f"DROP SILENT GRAPH <{data_version.LOCK_GRAPH}>")
    again = cli("publish", "--to", backend)
    assert again.returncode == 0, again.stderr
    assert "finishing the switch" in again.stderr + again.stdout
    _a_malformed_journal_is_refused_with_the_way_out(backend, store)
    assert "every graph verified" in again.stdout
    assert not [g for g in graphs_in(store) if g.startswith(STAGING) or g == SWITCH_GRAPH]
    assert not data_version.read(store).switching


def _a_malformed_journal_is_refused_with_the_way_out(backend: str, store: RemoteStore) -> None:
    """A switch journal edited past otsgraph (here: a group that is not JSON) stops the next publish
    with a message that names the graph and the way out, never a Python error; the way out works."""
    killed = cli("publish", "-q", "--to", backend, env={"OTSGRAPH_TEST_CRASH_AT": "switching"})
    assert killed.returncode == -9, killed.stderr
    store.update(f"DROP SILENT GRAPH <{data_version.LOCK_GRAPH}>")
    group = f"{BASE}audit/switchGroup"
    store.update(
        f"DELETE WHERE {{ GRAPH <{SWITCH_GRAPH}> {{ ?s <{group}> ?o }} }} ;"
        f' INSERT DATA {{ GRAPH <{SWITCH_GRAPH}> {{ <urn:x:plan> <{group}> "not JSON {{" }} }}'
    )
    refused = cli("publish", "--to", backend)
    assert refused.returncode == 3, refused.stderr
    assert "Traceback" not in refused.stderr
    assert f"DROP GRAPH <{SWITCH_GRAPH}>" in refused.stderr and "not written by a publish" in refused.stderr
    assert data_version.read(store).switching  # nothing changed: still flagged for the fronts
    store.update(f"DROP GRAPH <{SWITCH_GRAPH}>")  # the way out the message gives
    again = cli("publish", "--to", backend)
    assert again.returncode == 0, again.stderr
    assert not [g for g in graphs_in(store) if g.startswith(STAGING) or g == SWITCH_GRAPH]
    assert not data_version.read(store).switching


def test_a_store_that_loses_a_triple_fails_the_verification_naming_the_graph(backend, release_quads):
    asserted = "https://w3id.org/otsgraph/graph/asserted"
    staged = staging_name(asserted)

    lost: list[bytes] = []

    def lossy(request, timeout):
        # the staging of graph:asserted, by a Graph Store PUT (Oxigraph) or an update (Virtuoso)
        body = request.data or b""
        if staged in urllib.parse.unquote(request.full_url) or f"<{staged}>".encode() in body:
            lines = body.split(b"\n")
            # (an INSERT DATA may stage several graphs: the triples after graph:asserted's GRAPH)
            opened = [i for i, line in enumerate(lines) if f"GRAPH <{staged}> {{".encode() in line]
            start = opened[0] + 1 if opened else 0
            triples = [
                i
                for i, line in enumerate(lines[start:], start)
                if line.startswith(b"<") and line.endswith(b" .")
            ]
            if triples and not lost:  # the first triple sent never arrives
                lost.append(lines.pop(triples[0]))
                request.data = b"\n".join(lines)
        return http_transport(request, timeout)

    store = RemoteStore.at(backend, send=lossy)
    with pytest.raises(VerificationFailed) as failed:
        publish(store, release_quads)
    assert lost, "the transport dropped a triple of graph:asserted"
    assert "1 of" in str(failed.value) and asserted in str(failed.value)


class Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in store that answers every query with no rows and records the headers it got."""

    seen: ClassVar[list[dict[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        Recorder.seen.append(dict(self.headers))
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


def test_credentials_come_from_the_environment_only():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/query"
    try:
        Recorder.seen.clear()
        done = cli(
            "publish", "-q", "--to", url,
            env={"OTSGRAPH_BACKEND_USER": "curator", "OTSGRAPH_BACKEND_PASSWORD": "s3cret"},
        )  # fmt: skip
        # the stand-in store keeps nothing, so the fronts' lock cannot be taken: but every request
        # carried the credentials
        assert done.returncode == 3 and "did not keep this front's lock claim" in done.stderr
        basic = "Basic Y3VyYXRvcjpzM2NyZXQ="  # curator:s3cret
        assert Recorder.seen and all(h.get("Authorization") == basic for h in Recorder.seen)
    finally:
        server.shutdown()
        server.server_close()
    assert credentials({"OTSGRAPH_BACKEND_TOKEN": "t", "OTSGRAPH_BACKEND_USER": "u"}) == "Bearer t"
    assert credentials({}) is None
    helptext = cli("publish", "--help").stdout
    assert "OTSGRAPH_BACKEND_USER" in helptext
    assert "--password" not in helptext and "--token" not in helptext and "--user" not in helptext


def test_an_unreachable_store_is_exit_3_and_a_bad_url_exit_2():
    port = stores.free_port()
    done = cli("publish", "-q", "--to", f"http://127.0.0.1:{port}/query")
    assert done.returncode == 3
    assert (
        done.stderr.startswith("Store unreachable:") and "the published release is unchanged" in done.stderr
    )
    bad = cli("publish", "-q", "--to", "ftp://example.org/sparql")
    assert bad.returncode == 2 and "is not an http(s) URL" in bad.stderr


EXAMPLES = sorted((REPO / "examples").glob("*.rq"))


@pytest.fixture(scope="module")
def embedded(release_quads) -> ox.Store:
    store = ox.Store()
    store.extend(release_quads)
    return store


#: where an engine's answer to an example differs from the embedded store's, and why (docs/deploy.md)
DEVIATIONS = {
    "oxigraph": {},
    "virtuoso": {
        # Virtuoso 7.2.5 cannot compile the query (SQ074): IF over two EXISTS in a BIND
        "contradictions": "query: HTTP 500: Virtuoso 37000 Error SQ074",
        # EXISTS as a value is 0 or 1 (xsd:integer), where SPARQL says xsd:boolean
        "member-states": "rows",
        # decimal division to 17 places where Oxigraph gives 18: SPARQL leaves the precision open
        "member-gdp-2024": "rows",
        # GROUP_CONCAT of literals in one language: a simple literal (as SPARQL 1.1 says), where
        # Oxigraph keeps the language tag (as SPARQL 1.2 will)
        "infrastructure-projects": "rows",
        "summit-numbering-schemes": "rows",
        "summit-participants": "rows",
    },
}


def test_the_example_queries_answer_on_the_store_as_on_the_embedded_one(
    request, backend, release_quads, embedded
):
    """Every example, run on the published store with the documented dataset (default-graph-uri and
    named-graph-uri, never the store's own default graph), gives the embedded store's answer, but for
    the deviations listed above, each of which must still happen (a fixed engine fails this test)."""
    store = RemoteStore.at(backend)
    publish(store, release_quads)
    dataset = [g.value for g in DEFAULT_GRAPHS]
    named = sorted(graphs_in(store))  # every graph, as the embedded store lets GRAPH patterns read
    differ = {}
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        solutions = embedded.query(text, default_graph=DEFAULT_GRAPHS)
        local = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON))
        mine = answers(local["results"]["bindings"])
        try:
            theirs = answers(store.select(text, dataset, named))
        except BackendError as error:
            differ[path.stem] = str(error)[:300]
            continue
        if mine != theirs:
            differ[path.stem] = "rows"
    assert len(EXAMPLES) >= 28
    expected = DEVIATIONS[request.node.callspec.params["backend"]]
    assert sorted(differ) == sorted(expected)
    for name, what in expected.items():
        assert differ[name].startswith(what), (name, differ[name])


def test_graph_names_read_back_from_a_store_are_checked_before_they_reach_an_update():
    rows = [
        {"g": {"type": "uri", "value": "https://w3id.org/otsgraph/claim/a"}},
        {"g": {"type": "uri", "value": "http://x/> ; DROP ALL ; <http://y/"}},  # would end the IRI early
        {"g": {"type": "literal", "value": "https://w3id.org/otsgraph/claim/b"}},
        {"g": {"type": "uri", "value": "https://w3id.org/otsgraph/claim/a"}},
    ]
    assert _graph_names(rows) == ["https://w3id.org/otsgraph/claim/a"]
