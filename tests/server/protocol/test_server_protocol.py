"""The SPARQL 1.1 Protocol over real HTTP: one test per case of the W3C protocol manifest
(../shared/w3c-sparql11-tests/protocol/manifest.ttl), named after it, plus SPARQLWrapper as a real client.

The manifest's graph data (data1.nt … data3.nt: `<dataN.rdf> a foaf:Document`) is loaded into the
named graphs the tests name. Updates are sent with the bearer token.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from otsgraph.server.state import state_of
from server_fixtures import TOKEN, serve

KASEI = "http://kasei.us/2009/09/sparql/data/"
FOAF_DOCUMENT = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update", **AUTH}


def load_graph_data(server, *names: str) -> None:
    """The manifest's ut:graphData: each dataN.nt into the named graph <…/dataN.rdf>."""
    store = state_of(server.app).store
    for name in names:
        iri = ox.NamedNode(KASEI + name + ".rdf")
        store.add(ox.Quad(iri, RDF_TYPE, FOAF_DOCUMENT, iri))


@pytest.fixture(scope="module")
def server():
    """One server for the read-only cases (they do not change the data)."""
    with serve(update_tokens={TOKEN: "tests"}) as live:
        load_graph_data(live, "data1", "data2", "data3")
        yield live


@pytest.fixture
def fresh():
    """A plain SPARQL store of its own (`serve --empty`: no shapes gate), for the cases that update."""
    with serve(empty=True, update_tokens={TOKEN: "tests"}) as live:
        yield live


def sparql_url(server) -> str:
    return server.url + "/sparql/"


def boolean(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    return response.json()["boolean"]


def assert_client_error(response: requests.Response, status: int, code_part: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message"], body
    assert code_part in body["error"], body


# -------------------------------------------------------------------------------- queries


def test_query_post_form(server):
    response = requests.post(
        sparql_url(server),
        params={"default-graph-uri": KASEI + "data0.rdf"},
        data="query=ASK%20%7B%7D",
        headers=FORM,
    )
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(server):
    query = f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}"
    params = [
        ("query", query),
        ("default-graph-uri", KASEI + "data1.rdf"),
        ("default-graph-uri", KASEI + "data2.rdf"),
    ]
    assert boolean(requests.get(sparql_url(server), params=params)) is True


def test_query_dataset_default_graphs_post(server):
    query = f"ASK {{ <{KASEI}data1.rdf> a ?type . <{KASEI}data2.rdf> a ?type . }}"
    params = [("default-graph-uri", KASEI + "data1.rdf"), ("default-graph-uri", KASEI + "data2.rdf")]
    assert boolean(requests.post(sparql_url(server), params=params, data=query, headers=QUERY)) is True


def test_query_dataset_default_graph(server):
    """Without default-graph-uri the default graph is the otsgraph union; with it, just that graph."""
    query = "ASK { <https://w3id.org/otsgraph/resource/kazakhstan> ?p ?o }"
    assert boolean(requests.get(sparql_url(server), params={"query": query})) is True
    params = {"query": query, "default-graph-uri": KASEI + "data1.rdf"}
    assert boolean(requests.get(sparql_url(server), params=params)) is False


NAMED_QUERY = (
    f"ASK {{ GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
)
NAMED = [("named-graph-uri", KASEI + "data1.rdf"), ("named-graph-uri", KASEI + "data2.rdf")]


def test_query_dataset_named_graphs_post(server):
    assert boolean(requests.post(sparql_url(server), params=NAMED, data=NAMED_QUERY, headers=QUERY)) is True


def test_query_dataset_named_graphs_get(server):
    assert boolean(requests.get(sparql_url(server), params=[("query", NAMED_QUERY), *NAMED])) is True


def test_query_dataset_named_graphs(server):
    """Each part of the otsgraph dataset is a named graph: asserted facts only, by GRAPH."""
    query = (
        "ASK { GRAPH <https://w3id.org/otsgraph/graph/asserted> { ?s ?p ?o } "
        "FILTER NOT EXISTS { GRAPH <https://w3id.org/otsgraph/graph/inferred> { ?x ?y ?z } } }"
    )
    assert boolean(requests.get(sparql_url(server), params={"query": query})) is False
    query = "ASK { GRAPH <https://w3id.org/otsgraph/graph/inferred> { ?s ?p ?o } }"
    assert boolean(requests.get(sparql_url(server), params={"query": query})) is True


def test_query_dataset_full(server):
    query = (
        f"ASK {{ <{KASEI}data3.rdf> a ?type GRAPH ?g1 {{ <{KASEI}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{KASEI}data2.rdf> a ?type }} }}"
    )
    params = [("default-graph-uri", KASEI + "data3.rdf"), *NAMED]
    assert boolean(requests.post(sparql_url(server), params=params, data=query, headers=QUERY)) is True


def test_query_multiple_dataset(server):
    """The protocol's dataset wins over the query's FROM."""
    query = f"ASK FROM <{KASEI}data3.rdf> {NAMED_QUERY[4:]}"
    assert boolean(requests.post(sparql_url(server), params=NAMED, data=query, headers=QUERY)) is True


def test_query_get(server):
    response = requests.get(
        sparql_url(server), params={"query": "ASK {}", "default-graph-uri": KASEI + "data0.rdf"}
    )
    assert boolean(response) is True


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_query_content_type_select(server, accept, media_type):
    headers = {**QUERY, **({"Accept": accept} if accept else {})}
    response = requests.post(sparql_url(server), data="SELECT (1 AS ?value) {}", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    assert "value" in response.text and "1" in response.text


@pytest.mark.parametrize("accept", [None, "application/sparql-results+xml"])
def test_query_content_type_ask(server, accept):
    headers = {**QUERY, **({"Accept": accept} if accept else {})}
    response = requests.post(sparql_url(server), data="ASK {}", headers=headers)
    assert response.status_code == 200
    assert "true" in response.text
    assert "sparql-results" in response.headers["Content-Type"]


@pytest.mark.parametrize("query", ["DESCRIBE <http://example.org/>", "CONSTRUCT { <s> <p> 1 } WHERE {}"])
def test_query_content_type_construct(server, query):
    """Also query_content_type_describe: graph results are RDF, Turtle when the client does not say."""
    response = requests.post(sparql_url(server), data=query, headers=QUERY)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    if query.startswith("CONSTRUCT"):
        graph = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
        assert len(graph) == 1


def test_query_content_type_describe(server):
    response = requests.post(
        sparql_url(server),
        data="DESCRIBE <https://w3id.org/otsgraph/resource/kazakhstan>",
        headers={**QUERY, "Accept": "application/n-triples"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/n-triples")
    assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) > 5


def test_query_post_direct(server):
    assert boolean(requests.post(sparql_url(server), data="ASK {}", headers=QUERY)) is True


# -------------------------------------------------------------------------------- updates


def ask(server, query: str) -> bool:
    return boolean(requests.post(sparql_url(server), data=query, headers=QUERY))


DATASET_UPDATE = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <%(k)sdata1.rdf> { <%(k)sdata1.rdf> a foaf:Document }
    GRAPH <%(k)sdata2.rdf> { <%(k)sdata2.rdf> a foaf:Document }
    GRAPH <%(k)sdata3.rdf> { <%(k)sdata3.rdf> a foaf:Document }
} ;
INSERT { GRAPH <http://example.org/out/> { ?s a dc:BibliographicResource } }
WHERE { %(where)s }"""
BIB = "<http://purl.org/dc/terms/BibliographicResource>"
BIB_CHECK = f"""ASK {{
    GRAPH <http://example.org/out/> {{
        <{KASEI}data1.rdf> a {BIB} .
        <{KASEI}data2.rdf> a {BIB} .
    }}
    FILTER NOT EXISTS {{
        GRAPH <http://example.org/out/> {{ <{KASEI}data3.rdf> a {BIB} }}
    }}
}}"""


def test_update_dataset_default_graph(fresh):
    update = DATASET_UPDATE % {"k": KASEI, "where": "?s a foaf:Document"}
    params = {"using-graph-uri": KASEI + "data1.rdf"}
    assert requests.post(sparql_url(fresh), params=params, data=update, headers=UPDATE).status_code == 204
    assert ask(fresh, f"ASK {{ GRAPH <http://example.org/out/> {{ <{KASEI}data1.rdf> a ?t }} }}")
    assert not ask(fresh, f"ASK {{ GRAPH <http://example.org/out/> {{ <{KASEI}data2.rdf> a ?t }} }}")


def test_update_dataset_default_graphs(fresh):
    update = DATASET_UPDATE % {"k": KASEI, "where": "?s a foaf:Document"}
    params = [("using-graph-uri", KASEI + "data1.rdf"), ("using-graph-uri", KASEI + "data2.rdf")]
    assert requests.post(sparql_url(fresh), params=params, data=update, headers=UPDATE).status_code == 204
    assert ask(fresh, BIB_CHECK)


def test_update_dataset_named_graphs(fresh):
    update = DATASET_UPDATE % {"k": KASEI, "where": "GRAPH ?g { ?s a foaf:Document }"}
    params = [("using-named-graph-uri", KASEI + "data1.rdf"), ("using-named-graph-uri", KASEI + "data2.rdf")]
    assert requests.post(sparql_url(fresh), params=params, data=update, headers=UPDATE).status_code == 204
    assert ask(fresh, BIB_CHECK)


def test_update_dataset_full(fresh):
    update = (
        (DATASET_UPDATE % {"k": KASEI, "where": "?s a foaf:Document"})
        .replace(
            "WHERE { ?s a foaf:Document }",
            "WHERE { { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) } "
            'UNION { ?s a foaf:Document BIND("default" AS ?in) } }',
        )
        .replace("?s a dc:BibliographicResource", "?s <http://example.org/in> ?in")
    )
    params = {"using-graph-uri": KASEI + "data1.rdf", "using-named-graph-uri": KASEI + "data2.rdf"}
    assert requests.post(sparql_url(fresh), params=params, data=update, headers=UPDATE).status_code == 204
    assert ask(
        fresh,
        f"""ASK {{ GRAPH <http://example.org/out/> {{
            <{KASEI}data1.rdf> <http://example.org/in> "default" .
            <{KASEI}data2.rdf> <http://example.org/in> <{KASEI}data2.rdf> . }}
          FILTER NOT EXISTS {{ GRAPH <http://example.org/out/> {{ <{KASEI}data3.rdf> ?p ?o }} }} }}""",
    )


def test_update_post_form(fresh):
    response = requests.post(sparql_url(fresh), data="update=CLEAR+ALL", headers={**FORM, **AUTH})
    assert response.status_code == 204
    assert not ask(fresh, "ASK { ?s ?p ?o }")


def test_update_post_direct(fresh):
    assert requests.post(sparql_url(fresh), data="CLEAR ALL", headers=UPDATE).status_code == 204
    assert not ask(fresh, "ASK { ?s ?p ?o }")


def test_update_base_uri(fresh):
    update = (
        "CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\n"
        "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> <test> } }"
    )
    assert requests.post(sparql_url(fresh), data=update, headers=UPDATE).status_code == 204
    assert ask(
        fresh,
        "ASK { GRAPH <http://example.org/protocol-base-test/> "
        "{ <http://example.org/s> <http://example.org/p> ?o "
        'FILTER (isIRI(?o) && STR(?o) != "test") } }',
    )


def test_update_default_graph_is_visible(fresh):
    """An INSERT DATA without GRAPH lands in the store's default graph, which queries see."""
    requests.post(sparql_url(fresh), data="INSERT DATA { <http://x/s> <http://x/p> 1 }", headers=UPDATE)
    assert ask(fresh, "ASK { <http://x/s> <http://x/p> 1 }")


# -------------------------------------------------------------------------------- negative cases


def test_bad_query_method(server):
    response = requests.put(sparql_url(server), params={"query": "ASK {}"}, headers=FORM)
    assert_client_error(response, 405, "method")
    assert "POST" in response.headers["Allow"]


def test_bad_multiple_queries(server):
    response = requests.get(sparql_url(server), params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert_client_error(response, 400, "multiple")


def test_bad_query_wrong_media_type(server):
    response = requests.post(sparql_url(server), data="ASK {}", headers={"Content-Type": "text/plain"})
    assert_client_error(response, 415, "media-type")


def test_bad_query_missing_form_type(server):
    response = requests.post(sparql_url(server), data=b"query=ASK%20%7B%7D")
    assert_client_error(response, 415, "content-type")


def test_bad_query_missing_direct_type(server):
    response = requests.post(sparql_url(server), data=b"ASK {}")
    assert_client_error(response, 415, "content-type")


def test_bad_query_non_utf8(server):
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    assert_client_error(requests.post(sparql_url(server), data="ASK {}", headers=headers), 415, "charset")
    # and bytes that are not UTF-8 under a UTF-8 media type
    response = requests.post(sparql_url(server), data=b"ASK { ?s ?p '\xff' }", headers=QUERY)
    assert_client_error(response, 400, "encoding")


def test_bad_query_syntax(server):
    response = requests.get(sparql_url(server), params={"query": "ASK {"})
    assert_client_error(response, 400, "syntax")
    assert "1:6" in response.json()["message"]


def test_bad_query_and_update_together(server):
    response = requests.post(
        sparql_url(server), data={"query": "ASK {}", "update": "CLEAR ALL"}, headers=AUTH
    )
    assert_client_error(response, 400, "query-and-update")


def test_bad_update_get(server):
    assert_client_error(
        requests.get(sparql_url(server), params={"update": "CLEAR ALL"}), 400, "update-by-get"
    )


def test_bad_multiple_updates(server):
    body = "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"
    assert_client_error(
        requests.post(sparql_url(server), data=body, headers={**FORM, **AUTH}), 400, "multiple"
    )


def test_bad_update_wrong_media_type(server):
    response = requests.post(
        sparql_url(server), data="CLEAR NAMED", headers={"Content-Type": "text/plain", **AUTH}
    )
    assert_client_error(response, 415, "media-type")


def test_bad_update_missing_form_type(server):
    assert_client_error(requests.post(sparql_url(server), data=b"update=CLEAR%20NAMED", headers=AUTH), 415)


def test_bad_update_non_utf8(server):
    headers = {**UPDATE, "Content-Type": "application/sparql-update; charset=UTF-16"}
    assert_client_error(
        requests.post(sparql_url(server), data="CLEAR NAMED", headers=headers), 415, "charset"
    )


def test_bad_update_syntax(server):
    response = requests.post(sparql_url(server), data="update=CLEAR%20XYZ", headers={**FORM, **AUTH})
    assert_client_error(response, 400, "syntax")


def test_bad_update_dataset_conflict(server):
    update = """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE { ?person foaf:givenName 'Bill' }"""
    params = {"using-named-graph-uri": "http://example/people"}
    response = requests.post(sparql_url(server), params=params, data=update, headers=UPDATE)
    assert_client_error(response, 400, "dataset-conflict")


def test_bad_graph_iri(server):
    params = {"query": "ASK {}", "default-graph-uri": "not an iri"}
    assert_client_error(requests.get(sparql_url(server), params=params), 400, "graph-iri")


# -------------------------------------------------------------------------------- a real client


def test_sparqlwrapper_select_construct_and_update(server, fresh):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(
        "SELECT ?label WHERE { <https://w3id.org/otsgraph/resource/kazakhstan> rdfs:label ?label }"
    )
    client.setReturnFormat(JSON)
    labels = {b["label"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert {"Kazakhstan", "Қазақстан", "Казахстан"} <= labels

    client.setQuery("CONSTRUCT WHERE { <https://w3id.org/otsgraph/resource/kazakhstan> ?p ?o }")
    client.setReturnFormat(TURTLE)
    assert len(client.query().convert()) > 5

    writer = SPARQLWrapper(fresh.url + "/sparql", updateEndpoint=fresh.url + "/sparql")
    writer.setMethod(POST)
    writer.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    writer.setQuery(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
    )
    writer.query()
    assert ask(fresh, "ASK { GRAPH <http://example.org/g> { <http://example.org/s> ?p 1 } }")


def test_rdflib_sparqlstore(server):
    """rdflib's SPARQLStore (another real client) reads through the endpoint."""
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(SPARQLStore(server.url + "/sparql", returnFormat="json"))
    kazakhstan = URIRef("https://w3id.org/otsgraph/resource/kazakhstan")
    labels = {str(o) for o in graph.objects(kazakhstan, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
    assert "Kazakhstan" in labels
    rows = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ots:Summit }")
    assert int(next(iter(rows))[0]) > 5
