"""A front serves thousands of graphs (issue 13): a release has a claim graph for each fact, and the
additions one for each accepted change, thousands of them at 100k triples. Virtuoso's SPARQL compiler
refuses a query that names more than about 4,000 graphs (a VALUES list, or named-graph-uri): the front
reads them some hundreds a query, and answers a query that reads graphs by name over more than
2,000 from its copy, which holds the same graphs at the same version. (The fronts bench found both.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from conftest import require
from engines import graphs_in, stores
from otsgraph.core.graphs import ADDITIONS, AUDIT
from otsgraph.core.remote import RemoteStore
from otsgraph.pipeline.publish import publish
from otsgraph.server.backend.executor import MAX_NAMED_GRAPHS
from otsgraph.server.backend.front import GRAPHS_PER_READ, PROV_MEMBER, Backend
from serve_command import serve_command

CLAIM = "https://w3id.org/otsgraph/claim/many-"
GRAPHS = 5_000  # Virtuoso 7 refuses 5,000 names in one query (it takes 4,000)
COUNT = f"""SELECT (COUNT(DISTINCT ?g) AS ?n) (COUNT(*) AS ?triples)
WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{CLAIM}")) }}"""


def ask_front(address: str, query: str) -> requests.Response:
    return requests.post(
        address + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=120,
    )


def many_graphs(url: str, release_quads) -> None:
    """The release, then GRAPHS small graphs, each listed as the additions' (as accepted changes are)."""
    store = RemoteStore.at(url)
    publish(store, release_quads)
    lines = [
        f'GRAPH <{CLAIM}{n}> {{ <urn:x:s{n}> <urn:x:p> "{n}" }} '
        f"GRAPH <{AUDIT.value}> {{ <{ADDITIONS.value}> <{PROV_MEMBER}> <{CLAIM}{n}> }}"
        for n in range(GRAPHS)
    ]
    for start in range(0, GRAPHS, 200):  # (Virtuoso takes some hundreds of statements an update)
        store.update("INSERT DATA { " + "\n".join(lines[start : start + 200]) + " }")


def test_a_front_reads_thousands_of_graphs_whole_and_answers_queries_over_them(
    request, backend, release_quads, tmp_path
):
    assert GRAPHS >= 5_000 > GRAPHS_PER_READ
    many_graphs(backend, release_quads)

    _, quads = Backend(RemoteStore.at(backend)).fetch()

    read = [q.graph_name.value for q in quads if q.graph_name.value.startswith(CLAIM)]
    assert sorted(read) == sorted(f"{CLAIM}{n}" for n in range(GRAPHS))
    release = {q.graph_name.value for q in release_quads}
    assert release <= {q.graph_name.value for q in quads}, "the release's graphs are read too"

    with serve_command("--backend", backend, log=tmp_path / "front.log") as address:
        response = ask_front(address, COUNT)
        assert response.status_code == 200, response.text
        row = response.json()["results"]["bindings"][0]
        assert (int(row["n"]["value"]), int(row["triples"]["value"])) == (GRAPHS, GRAPHS)
        health = requests.get(address + "/health", timeout=30).json()["queries"]
    engine = request.node.callspec.params["backend"]
    from_copy = MAX_NAMED_GRAPHS.get(engine, GRAPHS) < GRAPHS
    assert health["backend_answers_from_copy"] == (1 if from_copy else 0)
    assert health["backend_row_cap"] == 0, "a store that cuts no answer is not taken for one that does"


#: Virtuoso's own ini ships with ResultSetMaxRows 10,000 (public endpoints keep it so): answers past it
#: are cut, silently. A publish verifying what it sent and a front reading its copy read in pages there
CAP = 1_000


@pytest.fixture
def capped_virtuoso(tmp_path):
    """A Virtuoso that cuts every answer at CAP rows, as a stock one cuts at 10,000."""
    require(stores.virtuoso_available(), "virtuoso-t is not installed (virtuoso-opensource-7-bin)")
    url, server = stores.start_virtuoso(tmp_path / "capped", max_rows=CAP)
    yield url
    stores.stop(server)


def test_a_front_reads_its_copy_whole_from_a_store_that_cuts_its_answers(
    capped_virtuoso, release_quads, tmp_path
):
    store = RemoteStore.at(capped_virtuoso)
    done = publish(store, release_quads)  # its verification reads each graph back whole, in pages
    held = graphs_in(store)
    assert all(held[graph] == count for graph, (count, _) in done.graphs.items())
    inferred = "https://w3id.org/otsgraph/graph/inferred"
    assert held[inferred] > CAP
    cut = store.select(f"SELECT * WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }}")
    assert len(cut) == CAP, "the store cuts a plain read (silently, with 200)"

    _, quads = Backend(RemoteStore.at(capped_virtuoso)).fetch()

    assert len(set(quads)) == len(quads)
    read: dict[str, int] = {}
    for quad in quads:
        read[quad.graph_name.value] = read.get(quad.graph_name.value, 0) + 1
    assert read == {g: n for g, n in held.items() if g in read}, "each graph read whole"
    assert {q.graph_name.value for q in release_quads} <= set(read)
    # and a front starts on it: its Graph Store reads (from its copy) give the whole graph
    with serve_command("--backend", capped_virtuoso, log=tmp_path / "front.log") as address:
        answer = requests.get(
            address + "/rdf-graphs",
            params={"graph": inferred},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        assert len(list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))) == held[inferred]
        # a client's query that the store would cut is refused, never passed on in part
        everything = f"SELECT * WHERE {{ GRAPH <{inferred}> {{ ?s ?p ?o }} }}"
        cut_answer = ask_front(address, everything)
        assert cut_answer.status_code == 503, cut_answer.text
        assert cut_answer.json()["error"] == "backend-partial"
        assert "ResultSetMaxRows" in cut_answer.json()["message"]
        limited = ask_front(address, everything + " LIMIT 10")
        assert limited.status_code == 200 and len(limited.json()["results"]["bindings"]) == 10
        health = requests.get(address + "/health", timeout=30).json()["queries"]
        assert health["backend_row_cap"] == CAP and health["backend_partial_answers"] == 1
