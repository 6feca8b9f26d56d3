"""The Graph Store HTTP Protocol (server/protocol/graph_store.py) and the SPARQL 1.1 Protocol endpoint
with its query cache (server/protocol/sparql.py), pinned answer by answer for mutation testing (issue 14,
docs/testing.md).

Every expected status, error code, message and header is written out by hand, so that a changed string,
number, comparison or dropped call in either module fails a test. Three apps under Flask's test client, each
made once: the plain store (`serve --empty`: no gate, a real default graph) for almost everything, with
small limits so that the limits can be reached; the served graph (the gate, a configured public URL); and a
read-only server on an empty store (/health's "degraded"). Each test writes its own graphs (unique names),
so the tests share the plain store without seeing each other's data.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from otsgraph.core.loading import Layout
from otsgraph.server import create_app
from otsgraph.server.state import ServerConfig, ServerState, state_of

REPO = Path(__file__).resolve().parents[3]
TOKEN = "mutant-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TURTLE = {**AUTH, "Content-Type": "text/turtle"}
UPDATE = {**AUTH, "Content-Type": "application/sparql-update"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY_TYPE = "application/sparql-query"
QUERY = {"Content-Type": QUERY_TYPE}
EX = "http://example.org/mp/"
LIMIT = 2000  # max_request_bytes of the plain store
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

ALLOW_GRAPHS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
GSP_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Location"}
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Last-Modified"}
WRITTEN = {"Cache-Control": "no-store", **GSP_CORS}
HEX24 = re.compile(r'"[0-9a-f]{24}"')
NEW_GRAPH = re.compile(r"http://localhost/rdf-graphs/[0-9a-f]{32}")
# 2026-01-01T00:00:00.4Z: a data version's time with a fraction of a second
MODIFIED = 1767225600.4
MODIFIED_HTTP = "Thu, 01 Jan 2026 00:00:00 GMT"

_names = itertools.count()


def fresh(prefix: str = "g") -> str:
    """A graph (or resource) IRI no other test uses."""
    return f"{EX}{prefix}{next(_names)}"


@pytest.fixture(scope="module")
def plain():
    app = create_app(
        ServerConfig(
            empty=True,
            executor="thread",
            update_tokens={TOKEN: "tester"},
            max_request_bytes=LIMIT,
            max_result_bytes=5000,
            trusted_proxies=("127.0.0.1",),
        ),
        layout=Layout(REPO),
    )
    yield app
    state_of(app).close()


@pytest.fixture
def client(plain):
    return plain.test_client()


@pytest.fixture(scope="module")
def served():
    """The served graph: every write goes through the gate; links use the configured public URL."""
    app = create_app(
        ServerConfig(
            executor="thread", update_tokens={TOKEN: "tester"}, public_url="https://example.org/ots/"
        ),
        layout=Layout(REPO),
    )
    yield app
    state_of(app).close()


@pytest.fixture(scope="module")
def bare():
    """A served graph (not --empty) whose store is empty, with no update token: read-only."""
    server = ServerState(ox.Store(), None, Layout(REPO), ServerConfig(executor="thread"))
    app = create_app(server_state=server)
    yield app
    server.close()


def assert_error(response, status: int, code: str, message: str, headers: dict | None = None) -> None:
    assert response.status_code == status, response.data
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"error": code, "message": message}
    for name, value in {**CORS, **(headers or {})}.items():
        assert response.headers[name] == value, name


def assert_headers(response, expected: dict[str, str]) -> None:
    for name, value in expected.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))


def nt(*triples: tuple[str, str, str]) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


def ntriples(response) -> set[str]:
    assert response.status_code == 200, response.data
    return {line for line in response.data.decode().split("\n") if line}


def get_graph(client, graph: str, **headers):
    return client.get("/rdf-graphs", query_string={"graph": graph}, headers=headers)


def put(client, graph: str, body: str, headers=TURTLE):
    return client.put("/rdf-graphs", query_string={"graph": graph}, data=body.encode(), headers=headers)


def post(client, graph: str, body: str, headers=TURTLE):
    return client.post("/rdf-graphs", query_string={"graph": graph}, data=body.encode(), headers=headers)


def select(client, query: str, **params) -> list[dict[str, str]]:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.data
    rows = response.get_json()["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def ask(client, query: str, **params) -> bool:
    response = client.get("/sparql", query_string={"query": query, **params})
    assert response.status_code == 200, response.data
    return response.get_json()["boolean"]


# ======================================================================================== Graph Store


@pytest.mark.parametrize(
    "path", ["/rdf-graphs", "/rdf-graphs/", "/rdf-graphs?graph=http://x.org/g", "/rdf-graphs/x"]
)
def test_options_lists_the_methods(client, path):
    response = client.options(path)
    assert response.status_code == 204
    assert response.data == b""
    assert_headers(response, {"Allow": ALLOW_GRAPHS, **GSP_CORS})


def test_put_creates_then_replaces_exactly(client):
    graph = fresh()
    first = put(client, graph, f"<{EX}a> <{EX}p> <{EX}b> . <{EX}a> <{EX}p> <{EX}c> .")
    assert first.status_code == 201
    assert first.data == b""
    assert_headers(first, WRITTEN)
    assert "Location" not in first.headers
    second = put(client, graph, f'<{EX}d> <{EX}q> "x" .')
    assert second.status_code == 204
    assert_headers(second, WRITTEN)
    got = get_graph(client, graph, Accept="application/n-triples")
    assert ntriples(got) == {f'<{EX}d> <{EX}q> "x" .'}


def test_post_creates_then_merges(client):
    graph = fresh()
    first = post(client, graph, f"<{EX}a> <{EX}p> <{EX}b> .")
    assert first.status_code == 201
    assert_headers(first, WRITTEN)
    second = post(client, graph, f"<{EX}a> <{EX}p> <{EX}b> . <{EX}a> <{EX}p> 7 .")
    assert second.status_code == 204
    assert_headers(second, WRITTEN)
    got = get_graph(client, graph, Accept="application/n-triples")
    assert ntriples(got) == {f"<{EX}a> <{EX}p> <{EX}b> .", f'<{EX}a> <{EX}p> "7"^^<{XSD_INTEGER}> .'}


def test_delete_drops_the_graph_and_then_it_is_404(client):
    graph = fresh()
    put(client, graph, f"<{EX}a> <{EX}p> <{EX}b> .")
    response = client.delete("/rdf-graphs", query_string={"graph": graph}, headers=AUTH)
    assert response.status_code == 204
    assert response.data == b""
    assert_headers(response, WRITTEN)
    missing = f"the graph <{graph}> does not exist in this store"
    assert_error(get_graph(client, graph), 404, "no-such-graph", missing)
    assert client.head("/rdf-graphs", query_string={"graph": graph}).status_code == 404
    again = client.delete("/rdf-graphs", query_string={"graph": graph}, headers=AUTH)
    assert_error(again, 404, "no-such-graph", missing)
    # the other graphs stay
    other = fresh()
    put(client, other, f"<{EX}a> <{EX}p> <{EX}b> .")
    put(client, graph, f"<{EX}a> <{EX}p> <{EX}b> .")
    assert client.delete("/rdf-graphs", query_string={"graph": graph}, headers=AUTH).status_code == 204
    assert get_graph(client, other).status_code == 200


def test_get_answers_the_graph_with_its_headers(client):
    graph = fresh()
    put(client, graph, f'<{EX}s> <{EX}p> "o" .')
    response = get_graph(client, graph)
    assert response.status_code == 200
    assert response.data == f'<{EX}s> <{EX}p> "o" .\n'.encode()
    assert_headers(
        response,
        {
            "Content-Type": "text/turtle; charset=utf-8",
            "Vary": "Accept",
            "Cache-Control": "no-cache",
            **GSP_CORS,
        },
    )
    assert HEX24.fullmatch(response.headers["ETag"])
    assert "Last-Modified" not in response.headers
    assert (
        get_graph(client, graph).headers["ETag"] == response.headers["ETag"]
    )  # stable while nothing changes


def test_head_has_the_headers_of_get_and_no_body(client):
    graph = fresh()
    put(client, graph, f'<{EX}s> <{EX}p> "o" .')
    for accept in ("application/n-triples", "text/turtle"):
        got = get_graph(client, graph, Accept=accept)
        head = client.head("/rdf-graphs", query_string={"graph": graph}, headers={"Accept": accept})
        assert head.status_code == 200
        assert head.data == b""
        assert dict(head.headers) == dict(got.headers)


def test_the_format_is_negotiated(client):
    graph = fresh()
    put(client, graph, f'<{EX}s> <{EX}p> "o" .')
    cases = {
        "application/n-triples": "application/n-triples; charset=utf-8",
        "application/n-triples; charset=utf-8": "application/n-triples; charset=utf-8",
        "application/ld+json": "application/ld+json; charset=utf-8",
        "application/rdf+xml;q=0.9, text/turtle;q=0.5": "application/rdf+xml; charset=utf-8",
    }
    for accept, content_type in cases.items():
        response = get_graph(client, graph, Accept=accept)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == content_type
    by_name = client.get("/rdf-graphs", query_string={"graph": graph, "format": "ntriples"})
    assert by_name.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert by_name.data == f'<{EX}s> <{EX}p> "o" .\n'.encode()
    offered = "text/turtle, application/n-triples, application/rdf+xml, application/ld+json"
    assert_error(
        get_graph(client, graph, Accept="image/png"),
        406,
        "not-acceptable",
        f"cannot answer with image/png; this result can be: {offered}",
    )
    assert_error(
        client.get("/rdf-graphs", query_string={"graph": graph, "format": "xyz"}),
        406,
        "not-acceptable",
        "format='xyz' is not one of turtle, ntriples, rdfxml, jsonld",
    )


def test_etags_differ_by_format_graph_and_data_version(client):
    one, two = fresh(), fresh()
    body = f'<{EX}s> <{EX}p> "o" .'
    put(client, one, body)
    put(client, two, body)
    turtle = get_graph(client, one).headers["ETag"]
    assert get_graph(client, one, Accept="application/n-triples").headers["ETag"] != turtle
    assert get_graph(client, two).headers["ETag"] != turtle
    post(client, one, f'<{EX}s> <{EX}p> "more" .')
    assert get_graph(client, one).headers["ETag"] != turtle


def test_if_none_match(client):
    graph = fresh()
    put(client, graph, f'<{EX}s> <{EX}p> "o" .')
    etag = get_graph(client, graph).headers["ETag"]
    for value in (etag, f"W/{etag}", f'"0123", {etag}', "*"):
        response = get_graph(client, graph, **{"If-None-Match": value})
        assert response.status_code == 304, value
        assert response.data == b""
        assert_headers(response, {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache", **GSP_CORS})
        assert "Content-Type" not in response.headers
    head = client.head("/rdf-graphs", query_string={"graph": graph}, headers={"If-None-Match": etag})
    assert head.status_code == 304
    stale = get_graph(client, graph, **{"If-None-Match": '"0123456789abcdef01234567"'})
    assert stale.status_code == 200
    assert stale.data == f'<{EX}s> <{EX}p> "o" .\n'.encode()
    assert stale.headers["ETag"] == etag
    # a write makes the old ETag stale
    post(client, graph, f'<{EX}s> <{EX}p> "new" .')
    after = get_graph(client, graph, **{"If-None-Match": etag}, Accept="application/n-triples")
    assert after.status_code == 200
    assert ntriples(after) == {f'<{EX}s> <{EX}p> "o" .', f'<{EX}s> <{EX}p> "new" .'}
    assert after.headers["ETag"] != etag
    # the stale check does not hide a missing graph
    missing = get_graph(client, fresh(), **{"If-None-Match": "*"})
    assert missing.status_code == 404


def test_an_empty_graph_exists_and_its_body_is_empty(client):
    graph = fresh()
    assert put(client, graph, "").status_code == 201
    response = get_graph(client, graph)
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert put(client, graph, "").status_code == 204  # it exists now


def test_a_graph_dropped_between_the_check_and_the_read_is_404(client, plain, monkeypatch):
    from otsgraph.server.protocol.writes import writes_for

    graph = fresh()
    put(client, graph, f"<{EX}a> <{EX}p> <{EX}b> .")
    monkeypatch.setattr(writes_for(state_of(plain)), "graph", lambda target: None)
    assert_error(
        get_graph(client, graph), 404, "no-such-graph", f"the graph <{graph}> does not exist in this store"
    )


def test_relative_iris_resolve_against_the_graph(client):
    graph = fresh()
    assert put(client, graph, f"<> <{EX}p> <sub/x> . <#frag> <{EX}p> <> .").status_code == 201
    got = get_graph(client, graph, Accept="application/n-triples")
    base = graph.rpartition("/")[0]
    assert ntriples(got) == {f"<{graph}> <{EX}p> <{base}/sub/x> .", f"<{graph}#frag> <{EX}p> <{graph}> ."}


def test_the_default_graph(client, plain):
    resource = fresh("r")
    # the default graph always exists: a PUT replaces it (204), relative IRIs resolve against /rdf-graphs
    first = client.put("/rdf-graphs?default", data=f"<{resource}> <{EX}p> <> .", headers=TURTLE)
    assert first.status_code == 204, first.data
    second = client.put("/rdf-graphs?default", data=f"<#here> <{EX}p> <{resource}> .", headers=TURTLE)
    assert second.status_code == 204
    got = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert ntriples(got) == {f"<http://localhost/rdf-graphs#here> <{EX}p> <{resource}> ."}
    assert (
        client.post("/rdf-graphs?default", data=f"<{resource}> <{EX}p> 1 .", headers=TURTLE).status_code
        == 204
    )
    assert len(ntriples(client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"}))) == 2
    deleted = client.delete("/rdf-graphs?default", headers=AUTH)
    assert deleted.status_code == 204
    emptied = client.get("/rdf-graphs?default")
    assert emptied.status_code == 200
    assert emptied.data == b""
    assert state_of(plain).store.contains_named_graph(ox.NamedNode(resource)) is False


def test_ambiguous_and_bad_graph_names_are_400(client):
    assert_error(
        client.get("/rdf-graphs?default&graph=http://x.org/g"),
        400,
        "ambiguous-graph",
        "give either ?default or ?graph=IRI, not both",
    )
    assert_error(
        client.get("/rdf-graphs?graph=http://x.org/a&graph=http://x.org/b"),
        400,
        "ambiguous-graph",
        "the request names 2 graphs; name one",
    )
    assert_error(
        client.get("/rdf-graphs?graph=relative"),
        400,
        "bad-graph-iri",
        "?graph= must be an absolute IRI: No scheme found in an absolute IRI",
    )
    assert_error(
        client.get("/rdf-graphs?graph=http://ex%20ample/"),
        400,
        "bad-graph-iri",
        "?graph= must be an absolute IRI: Invalid IRI code point ' '",
    )
    assert_error(
        client.get("/rdf-graphs?graph=%FF"),
        400,
        "bad-encoding",
        "the query string is not percent-encoded UTF-8",
    )
    # a blank ?default= is ?default; the graph's name is percent-decoded once
    assert client.get("/rdf-graphs?default=").status_code == 200
    graph = EX + "a%2520b"
    put(client, graph, "")
    assert client.get("/rdf-graphs?graph=http://example.org/mp/a%252520b").status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_store_itself_needs_a_graph(client, method):
    response = client.open("/rdf-graphs", method=method, headers=AUTH)
    assert_error(
        response,
        400,
        "missing-graph",
        f"{method} needs a graph: /rdf-graphs?graph=IRI, /rdf-graphs?default, or a graph's own URL "
        "(/rdf-graphs/…); a POST to /rdf-graphs makes a new graph",
    )


def test_a_post_to_the_store_makes_a_new_graph(client):
    body = f'<> <{EX}title> "new" . <{EX}x> <{EX}p> <part> .'
    response = client.post("/rdf-graphs", data=body, headers=TURTLE)
    assert response.status_code == 201, response.data
    assert response.data == b""
    location = response.headers["Location"]
    assert NEW_GRAPH.fullmatch(location), location
    assert_headers(response, WRITTEN)
    got = client.get(location.removeprefix("http://localhost"), headers={"Accept": "application/n-triples"})
    assert ntriples(got) == {
        f'<{location}> <{EX}title> "new" .',
        f"<{EX}x> <{EX}p> <http://localhost/rdf-graphs/part> .",
    }
    assert get_graph(client, location).status_code == 200  # the same graph, named indirectly
    other = client.post("/rdf-graphs/", data=body, headers=TURTLE)  # the trailing slash is the store too
    assert other.status_code == 201
    assert NEW_GRAPH.fullmatch(other.headers["Location"])
    assert other.headers["Location"] != location


def test_the_new_graph_is_named_by_the_request_url(client):
    response = client.post(
        "/rdf-graphs",
        data=b"",
        headers={**TURTLE, "Host": "example.net:8080"},
        environ_overrides={"SCRIPT_NAME": "/app"},
    )
    assert response.status_code == 201
    assert re.fullmatch(r"http://example\.net:8080/app/rdf-graphs/[0-9a-f]{32}", response.headers["Location"])
    forwarded = client.post("/rdf-graphs", data=b"", headers={**TURTLE, "X-Forwarded-Prefix": "/a b"})
    assert_error(
        forwarded,
        400,
        "bad-forwarded-headers",
        "the X-Forwarded-Proto/-Host/-Prefix headers make no valid IRI ('http://localhost/a b/': Invalid IRI "
        "code point ' '); fix the proxy's settings, or start the server with --public-url",
    )


def test_writes_need_the_token(client):
    graph = fresh()
    unauthorized = "updates need an 'Authorization: Bearer <token>' header"
    challenge = {"WWW-Authenticate": 'Bearer realm="otsgraph"'}
    plain_turtle = {"Content-Type": "text/turtle"}
    assert_error(put(client, graph, "", plain_turtle), 401, "unauthorized", unauthorized, challenge)
    assert_error(post(client, graph, "", plain_turtle), 401, "unauthorized", unauthorized, challenge)
    assert_error(
        client.post("/rdf-graphs", data=b"", headers=plain_turtle), 401, "unauthorized", unauthorized
    )
    assert_error(
        client.delete("/rdf-graphs", query_string={"graph": graph}),
        401,
        "unauthorized",
        unauthorized,
        challenge,
    )
    wrong = {"Authorization": "Bearer nope", "Content-Type": "text/turtle"}
    assert_error(put(client, graph, "", wrong), 403, "forbidden", "the update token is not valid")
    assert get_graph(client, graph).status_code == 404  # nothing was written


def test_direct_identification(client):
    n = next(_names)
    name = f"d{n}/a b:c@é!$&'()*+,;=-._~"
    iri = f"http://localhost/rdf-graphs/d{n}/a%20b:c@%C3%A9!$&'()*+,;=-._~"
    path = "/rdf-graphs/" + name.replace(" ", "%20").replace("é", "%C3%A9")
    assert_error(client.get(path), 404, "no-such-graph", f"the graph <{iri}> does not exist in this store")
    created = client.put(path, data=b"<> <http://example.org/mp/p> 1 .", headers=TURTLE)
    assert created.status_code == 201, created.data
    assert_headers(created, WRITTEN)
    got = get_graph(client, iri, Accept="application/n-triples")
    assert ntriples(got) == {f'<{iri}> <{EX}p> "1"^^<{XSD_INTEGER}> .'}
    direct = client.get(path, query_string={"format": "ntriples"})  # a query string without a graph
    assert direct.status_code == 200
    assert direct.data == got.data
    assert client.head(path).status_code == 200
    assert client.post(path, data=b"<> <http://example.org/mp/p> 2 .", headers=TURTLE).status_code == 204
    assert client.delete(path, headers=AUTH).status_code == 204
    assert get_graph(client, iri).status_code == 404


def test_direct_identification_keeps_a_line_break(client):
    name = f"line{next(_names)}"
    path = f"/rdf-graphs/{name}%0D%0Ab"
    iri = f"http://localhost/rdf-graphs/{name}%0D%0Ab"
    assert_error(client.get(path), 404, "no-such-graph", f"the graph <{iri}> does not exist in this store")
    assert client.put(path, data=b"", headers=TURTLE).status_code == 201
    assert get_graph(client, iri).status_code == 200


@pytest.mark.parametrize("query", ["graph=http://x.org/g", "default", "default=&format=turtle"])
def test_direct_identification_with_a_graph_parameter_is_400(client, query):
    assert_error(
        client.get(f"/rdf-graphs/somewhere?{query}"),
        400,
        "ambiguous-graph",
        "this URL names a graph itself (direct identification); ?graph= or ?default go to /rdf-graphs",
    )


def test_direct_identification_with_a_bad_query_string_is_400(client):
    assert_error(
        client.get("/rdf-graphs/somewhere?x=%FF"),
        400,
        "bad-encoding",
        "the query string is not percent-encoded UTF-8",
    )


@pytest.mark.parametrize("path", ["/rdf-graphs?graph=http://x.org/g", "/rdf-graphs/x", "/rdf-graphs"])
def test_other_methods_are_405_with_the_allowed_ones(client, path):
    response = client.patch(path, headers=AUTH)
    assert_error(response, 405, "method-not-allowed", "The method is not allowed for the requested URL.")
    assert set(response.headers["Allow"].split(", ")) == set(ALLOW_GRAPHS.split(", "))


def test_a_body_that_cannot_be_read_changes_nothing(client):
    graph = fresh()
    assert_error(
        put(client, graph, f"<{EX}a> <{EX}p> <{EX}b> .", {**AUTH, "Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
        "cannot read the body as text/plain; send one of text/turtle, application/x-turtle, "
        "application/n-triples, application/n-quads, application/trig, application/rdf+xml, "
        "application/ld+json",
    )
    assert_error(
        put(client, graph, "#" + "a" * LIMIT), 413, "too-large", "the request body is larger than 2,000 bytes"
    )
    assert_error(
        post(client, graph, f"<{EX}a> <{EX}p> ."), 400, "syntax", "body:1:53: . is not a valid RDF object"
    )
    assert get_graph(client, graph).status_code == 404


# ------------------------------------------------------------------------------- the served graph (gated)

OTS = "https://w3id.org/otsgraph/ontology/"
RES = "https://w3id.org/otsgraph/resource/"
SOURCE = "http://purl.org/dc/terms/source"


def change_log(app):
    return state_of(app).gate.log()


def test_served_a_post_to_the_store_is_recorded_with_its_new_graph(served):
    client = served.test_client()
    body = (
        f"<> a <{OTS}BackgroundClaim> ; <{SOURCE}> <https://example.org/news/{fresh('n')}> .\n"
        f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> ."
    )
    response = client.post("/rdf-graphs", data=body.encode(), headers=TURTLE)
    assert response.status_code == 201, response.data
    location = response.headers["Location"]
    assert re.fullmatch(r"https://example\.org/ots/rdf-graphs/[0-9a-f]{32}", location), location
    record = change_log(served)[-1]
    assert (record.who, record.summary) == ("tester", f"POST the new graph <{location}>")


def test_served_a_post_to_the_default_graph_is_recorded(served):
    client = served.test_client()
    name = fresh("city").rpartition("/")[2]
    body = (
        f'<{RES}{name}> a <{OTS}City> ; <http://www.w3.org/2000/01/rdf-schema#label> "{name}"@en, '
        f'"{name} kk"@kk, "{name} ru"@ru .\n'
        f"<https://w3id.org/otsgraph/claim/{name}> {{ <{RES}{name}> <{OTS}inCountry> <{RES}kazakhstan> . }}\n"
        f"<https://w3id.org/otsgraph/claim/{name}> a <{OTS}BackgroundClaim> ; "
        f"<{SOURCE}> <https://example.org/news/{name}> .\n"
    )
    headers = {**AUTH, "Content-Type": "application/trig"}
    response = client.post("/rdf-graphs?default", data=body.encode(), headers=headers)
    assert response.status_code == 204, response.data
    assert_headers(response, WRITTEN)
    record = change_log(served)[-1]
    assert (record.who, record.summary) == ("tester", "POST the default graph")


def test_served_a_write_the_gate_refuses_is_422_and_changes_nothing(served):
    client = served.test_client()
    graph = "https://w3id.org/otsgraph/claim/" + fresh("unsourced").rpartition("/")[2]
    before = len(change_log(served))
    response = post(client, graph, f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> .")
    assert response.status_code == 422, response.data
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    report = response.get_json()
    assert report["conforms"] is False
    assert report["counts"]["violation"] == 1
    assert len(change_log(served)) == before
    assert get_graph(client, graph).status_code == 404
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> }} }}"
    refused = client.post("/sparql", data=update.encode(), headers=UPDATE)
    assert refused.status_code == 422, refused.data
    assert refused.get_json()["conforms"] is False
    assert len(change_log(served)) == before


def test_served_an_update_the_gate_accepts_is_recorded(served):
    client = served.test_client()
    name = fresh("upd").rpartition("/")[2]
    insert = f"""INSERT DATA {{
        res:{name} a ots:City ; rdfs:label "{name}"@en, "{name} kk"@kk, "{name} ru"@ru .
        GRAPH claim:{name} {{ res:{name} ots:inCountry res:kazakhstan }}
        claim:{name} a ots:BackgroundClaim ; dct:source <news/{name}> .
    }}"""  # the endpoint's prefixes are predeclared; <news/…> is relative to the endpoint
    response = client.post("/sparql", data=insert.encode(), headers=UPDATE)
    assert response.status_code == 204, response.data
    assert response.headers["Cache-Control"] == "no-store"
    record = change_log(served)[-1]
    assert (record.who, record.summary) == ("tester", "SPARQL Update (7 added, 0 removed)")
    source = f"<https://w3id.org/otsgraph/claim/{name}> <{SOURCE}> <https://example.org/ots/news/{name}>"
    assert ask(client, f"ASK {{ {source} }}") is True


def test_served_links_use_the_public_url(served):
    client = served.test_client()
    assert_error(
        client.get("/rdf-graphs/nothing"),
        404,
        "no-such-graph",
        "the graph <https://example.org/ots/rdf-graphs/nothing> does not exist in this store",
    )
    description = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert (
        "<http://www.w3.org/ns/sparql-service-description#endpoint> <https://example.org/ots/sparql> ."
        in (description.data.decode())
    )


def test_served_queries_see_the_union_as_their_default_graph(served):
    client = served.test_client()
    assert ask(client, f"ASK {{ <{RES}kazakhstan> ?p ?o }}") is True
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json()["status"] == "ok"
    assert health.get_json()["triples"] == len(state_of(served).store)


# ============================================================================================ /sparql


def test_options_on_the_endpoint(client):
    for path in ("/sparql", "/sparql/"):
        response = client.options(path)
        assert response.status_code == 204
        assert response.data == b""
        assert_headers(
            response,
            {
                **CORS,
                "Allow": "GET, HEAD, POST, OPTIONS",
                "Access-Control-Allow-Methods": "GET, HEAD, POST",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
                "Access-Control-Max-Age": "86400",
            },
        )


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(client, method):
    response = client.open("/sparql", method=method, query_string={"query": "ASK {}"})
    assert_error(
        response,
        405,
        "method-not-allowed",
        f"{method} is not allowed: query by GET or POST, update by POST",
        {"Allow": "GET, HEAD, POST, OPTIONS"},
    )


def test_a_query_answer_and_its_headers(client, plain):
    server = state_of(plain)
    server.modified = MODIFIED
    for path in ("/sparql", "/sparql/"):
        response = client.get(path, query_string={"query": "ASK {}"})
        assert response.status_code == 200
        assert response.data == b'{"head":{},"boolean":true}'
        assert_headers(
            response,
            {
                "Content-Type": "application/sparql-results+json; charset=utf-8",
                "Vary": "Accept",
                "Cache-Control": "no-cache",
                "Last-Modified": MODIFIED_HTTP,
                **CORS,
            },
        )
        assert HEX24.fullmatch(response.headers["ETag"])
    head = client.head("/sparql", query_string={"query": "ASK {}"})
    assert head.status_code == 200
    assert head.data == b""
    assert dict(head.headers) == dict(response.headers)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/sparql-query",
        "application/sparql-query; charset=UTF-8",
        "Application/Sparql-Query; charset=utf8",
    ],
)
def test_a_query_by_post_directly(client, content_type):
    response = client.post("/sparql", data=b"ASK {}", headers={"Content-Type": content_type})
    assert response.status_code == 200, response.data
    assert response.data == b'{"head":{},"boolean":true}'


def test_a_query_by_post_form(client):
    graph = fresh()
    put(client, graph, f"<{graph}> <{EX}p> 1 .")
    query = f"ASK {{ <{graph}> <{EX}p> 1 }}"
    body = f"query={query.replace(' ', '+')}&format=xml"
    response = client.post("/sparql", query_string={"default-graph-uri": graph}, data=body, headers=FORM)
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    assert b"<boolean>true</boolean>" in response.data
    without = client.post("/sparql", data=f"query={query.replace(' ', '+')}", headers=FORM)
    assert without.get_json()["boolean"] is False  # the default graph holds no such triple


def test_the_protocol_dataset(client):
    one, two = fresh(), fresh()
    subject = fresh("s")
    put(client, one, f"<{subject}> <{EX}in> <{one}> .")
    put(client, two, f"<{subject}> <{EX}in> <{two}> .")
    where = f"SELECT ?g {{ <{subject}> <{EX}in> ?g }}"
    assert select(client, where) == []  # the plain store's default graph is its own
    assert select(client, where, **{"default-graph-uri": one}) == [{"g": one}]
    assert select(client, where, **{"default-graph-uri": two}) == [{"g": two}]  # not the cached answer
    named = f"SELECT ?g ?o {{ GRAPH ?g {{ <{subject}> <{EX}in> ?o }} }}"
    assert select(client, named, **{"named-graph-uri": one}) == [{"g": one, "o": one}]
    assert select(client, named, **{"named-graph-uri": two}) == [{"g": two, "o": two}]
    assert select(client, where, **{"named-graph-uri": one}) == []  # no default graph given: empty
    from_clause = f"SELECT ?g FROM <{two}> {{ <{subject}> <{EX}in> ?g }}"
    assert select(client, from_clause) == [{"g": two}]
    assert select(client, from_clause, **{"default-graph-uri": one}) == [{"g": one}]  # the protocol's wins
    assert_error(
        client.get("/sparql", query_string={"query": "ASK {}", "named-graph-uri": "http://ex ample"}),
        400,
        "bad-graph-iri",
        "named-graph-uri must be an absolute IRI: Invalid IRI code point ' '",
    )


def test_the_default_graph_of_a_query_is_the_stores_own(client):
    resource = fresh("r")
    update = f"INSERT DATA {{ <{resource}> <{EX}p> 1 }}"
    assert client.post("/sparql", data=update.encode(), headers=UPDATE).status_code == 204
    assert ask(client, f"ASK {{ <{resource}> <{EX}p> 1 }}") is True
    assert (
        client.post(
            "/sparql", data=f"DELETE DATA {{ <{resource}> <{EX}p> 1 }}".encode(), headers=UPDATE
        ).status_code
        == 204
    )
    assert ask(client, f"ASK {{ <{resource}> <{EX}p> 1 }}") is False


def test_formats_and_accept_each_have_their_own_answer(client):
    query = "SELECT ?x { VALUES ?x { 1 } }"
    answers = {
        (None, None): "application/sparql-results+json; charset=utf-8",
        (None, "text/csv"): "text/csv; charset=utf-8",
        ("xml", None): "application/sparql-results+xml; charset=utf-8",
        ("tsv", "text/csv"): "text/tab-separated-values; charset=utf-8",
        (None, "text/tab-separated-values"): "text/tab-separated-values; charset=utf-8",
    }
    etags = set()
    for _ in range(2):  # the second round is answered from the cache
        for (fmt, accept), content_type in answers.items():
            params = {"query": query, **({"format": fmt} if fmt else {})}
            response = client.get(
                "/sparql", query_string=params, headers={"Accept": accept} if accept else {}
            )
            assert response.status_code == 200
            assert response.headers["Content-Type"] == content_type, (fmt, accept)
            etags.add(response.headers["ETag"])
    assert len(etags) == len(answers)
    csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert csv.data == b"x\r\n1\r\n"
    form = client.post("/sparql", data=f"query={query}&format=csv", headers=FORM)
    assert form.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert form.data == b"x\r\n1\r\n"


def test_relative_iris_in_a_query_resolve_against_the_endpoint(client):
    query = "SELECT ?x { BIND(<rel> AS ?x) }"
    assert select(client, query) == [{"x": "http://localhost/rel"}]
    assert select(client, "SELECT ?x ?y { BIND(<> AS ?x) BIND(<#f> AS ?y) }") == [
        {"x": "http://localhost/sparql", "y": "http://localhost/sparql#f"}
    ]
    other = client.get("/sparql", query_string={"query": query}, headers={"Host": "b.example"})
    assert other.get_json()["results"]["bindings"][0]["x"]["value"] == "http://b.example/rel"
    mounted = client.get("/sparql", query_string={"query": query}, environ_overrides={"SCRIPT_NAME": "/app"})
    assert mounted.get_json()["results"]["bindings"][0]["x"]["value"] == "http://localhost/app/rel"


def test_the_query_cache_answers_if_none_match(client, plain):
    query = f"SELECT ?s {{ ?s <{fresh('p')}> ?o }}"
    first = client.get("/sparql", query_string={"query": query})
    etag = first.headers["ETag"]
    assert client.get("/sparql", query_string={"query": query}).headers["ETag"] == etag
    for value in (etag, f"W/{etag}", f'"00", {etag}'):
        response = client.get("/sparql", query_string={"query": query}, headers={"If-None-Match": value})
        assert response.status_code == 304, value
        assert response.data == b""
        assert_headers(response, {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache", **CORS})
        assert "Content-Type" not in response.headers
    head = client.head("/sparql", query_string={"query": query}, headers={"If-None-Match": etag})
    assert head.status_code == 304
    stale = client.get("/sparql", query_string={"query": query}, headers={"If-None-Match": '"00"'})
    assert stale.status_code == 200
    assert stale.data == first.data
    by_post = client.post("/sparql", data=query.encode(), headers={**QUERY, "If-None-Match": etag})
    assert by_post.status_code == 200  # a POST is never answered 304
    assert by_post.data == first.data
    # a write makes every ETag stale
    put(client, fresh(), "")
    after = client.get("/sparql", query_string={"query": query}, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    both = client.get(
        "/sparql", query_string={"query": query}, headers={"If-None-Match": etag, "If-Modified-Since": later}
    )
    assert both.status_code == 200


def test_the_query_cache_answers_if_modified_since(client, plain):
    server = state_of(plain)
    query = f"SELECT ?s {{ ?s <{fresh('p')}> ?o }}"

    def since(date: str):
        return client.get("/sparql", query_string={"query": query}, headers={"If-Modified-Since": date})

    server.modified = MODIFIED
    # not answered before: a date alone does not make a 304 (the query might be malformed)
    unknown = since("Fri, 01 Jan 2100 00:00:00 GMT")
    assert unknown.status_code == 200
    assert unknown.headers["Last-Modified"] == MODIFIED_HTTP
    assert since("Wed, 31 Dec 2025 23:59:59 GMT").status_code == 200  # one second before
    at = since(MODIFIED_HTTP)
    assert at.status_code == 304
    assert at.data == b""
    assert at.headers["ETag"] == unknown.headers["ETag"]
    assert since("Thu, 01 Jan 2026 00:00:01 GMT").status_code == 304  # one second after
    assert since("not a date").status_code == 200
    by_post = client.post(
        "/sparql",
        data=query.encode(),
        headers={**QUERY, "If-Modified-Since": "Thu, 01 Jan 2026 00:00:01 GMT"},
    )
    assert by_post.status_code == 200
    bad = "SELECT ?s { ?s ?p }"
    response = client.get(
        "/sparql", query_string={"query": bad}, headers={"If-Modified-Since": MODIFIED_HTTP}
    )
    assert response.status_code == 400


def test_errors_of_reading_a_request(client):
    both = "application/x-www-form-urlencoded, application/sparql-query or application/sparql-update"
    cases = [
        (client.get("/sparql?update=x"), 400, "update-by-get",
         "an update must be sent by POST (form-encoded or application/sparql-update)"),
        (client.get("/sparql?query=ASK{}&query=ASK{}"), 400, "multiple-querys",
         "the request has 2 'query' fields; send one"),
        (client.get("/sparql?query=%FF"), 400, "bad-encoding",
         "the query string is not valid percent-encoded UTF-8"),
        (client.post("/sparql", data=b"ASK {}"), 415, "missing-content-type",
         f"a POST needs a Content-Type: {both}"),
        (client.post("/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}), 415,
         "unsupported-media-type", f"cannot take a text/plain body here; send {both}"),
        (client.post("/sparql", data=b"ASK {}", headers={"Content-Type": f"{QUERY_TYPE}; charset=latin1"}),
         415, "unsupported-charset", "the body must be UTF-8, not latin1"),
        (client.post("/sparql", data=b"\xff", headers=QUERY), 400, "bad-encoding",
         "the query is not valid UTF-8 (invalid start byte)"),
        (client.post("/sparql", data=b"\xff", headers=UPDATE), 400, "bad-encoding",
         "the update is not valid UTF-8 (invalid start byte)"),
        (client.post("/sparql", data=b"query=\xff", headers=FORM), 400, "bad-encoding",
         "the form body is not valid percent-encoded UTF-8"),
        (client.post("/sparql", data=b"query=%FF", headers=FORM), 400, "bad-encoding",
         "the form body is not valid percent-encoded UTF-8"),
        (client.post("/sparql?query=ASK{}", data=b"ASK {}", headers=QUERY), 400, "ambiguous",
         "with application/sparql-query the operation is the body; the URL must not carry another"),
        (client.post("/sparql?update=x", data=b"ASK {}", headers=QUERY), 400, "ambiguous",
         "with application/sparql-query the operation is the body; the URL must not carry another"),
        (client.post("/sparql", data=b"query=ASK{}&update=x", headers=FORM), 400, "query-and-update",
         "a request carries a query or an update, not both"),
        (client.post("/sparql?update=x", data=b"query=ASK{}", headers=FORM), 400, "query-and-update",
         "a request carries a query or an update, not both"),
        (client.post("/sparql", data=b"x=1", headers=FORM), 400, "missing-query",
         "the form has neither a 'query' nor an 'update' field"),
        (client.post("/sparql", data=b"update=x&update=y", headers={**FORM, **AUTH}), 400, "multiple-updates",
         "the request has 2 'update' fields; send one"),
        (client.get("/sparql", query_string={"query": 'SELECT * FROM <http://x.org/g> { FILTER("ab) }'}),
         400, "syntax", "the SPARQL text cannot be read: unterminated string at character 40"),
        (client.post("/sparql", data=b'INSERT DATA { <http://x.org/s> <http://x.org/p> "x }', headers=UPDATE),
         400, "syntax", "the SPARQL text cannot be read: unterminated string at character 48"),
    ]  # fmt: skip
    for response, status, code, message in cases:
        assert_error(response, status, code, message)


def test_an_empty_query_is_a_query(client):
    # a blank field is kept: ?query= is an (invalid) query, not a request for the description
    response = client.get("/sparql?query=")
    assert response.status_code == 400
    assert response.get_json()["error"] == "query-syntax"
    form = client.post("/sparql", data=b"query=", headers=FORM)
    assert form.status_code == 400
    assert form.get_json()["error"] == "query-syntax"


def test_the_size_limits(client):
    ask_query = "query=ASK%7B%7D&pad="
    at_limit = ask_query + "a" * (LIMIT - len(ask_query))
    assert client.get("/sparql?" + at_limit).status_code == 200
    assert_error(
        client.get("/sparql?" + at_limit + "a"),
        413,
        "too-large",
        "the query string is longer than 2,000 bytes",
    )
    body = b"ASK {}" + b" " * (LIMIT - 6)
    assert client.post("/sparql", data=body, headers=QUERY).status_code == 200
    assert_error(
        client.post("/sparql", data=body + b" ", headers=QUERY),
        413,
        "too-large",
        "the request body is larger than 2,000 bytes",
    )

    # without a Content-Length (chunked), the body is read up to the limit
    exact = post_chunked(client, body)
    assert exact.status_code == 200, exact.data


def post_chunked(client, data: bytes):
    """A body without Content-Length, as a WSGI server passes a chunked one (wsgi.input_terminated)."""
    return client.post(
        "/sparql",
        input_stream=io.BytesIO(data),
        headers={**QUERY, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_413(client):
    """Found by this file (a strict xfail first): a chunked body over the limit was cut to it and run."""
    response = post_chunked(client, b"ASK {}" + b" " * (LIMIT - 6) + b" ")
    assert_error(response, 413, "too-large", "the request body is larger than 2,000 bytes")


def test_the_result_size_limit(client):
    query = (
        'SELECT ?d { BIND("aaaaaaaaaa" AS ?a) BIND(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a,?a,?a) AS ?b) '
        "BIND(CONCAT(?b,?b,?b,?b,?b,?b,?b,?b,?b,?b) AS ?c) BIND(CONCAT(?c,?c,?c,?c,?c,?c) AS ?d) }"
    )
    assert_error(
        client.get("/sparql", query_string={"query": query}),
        400,
        "result-too-large",
        "the result is larger than 5,000 bytes; add a LIMIT or select fewer variables",
    )


def test_the_nesting_limit(client):
    def nested(levels: int) -> str:  # ASK { and FILTER( are two levels
        return "ASK { FILTER(" + "(" * (levels - 2) + "1" + ")" * (levels - 2) + ") }"

    assert ask(client, nested(100)) is True
    assert_error(
        client.get("/sparql", query_string={"query": nested(101)}),
        400,
        "too-deep",
        "the SPARQL text is nested 101 levels deep at line 1, column 112 (brackets, parentheses and unary "
        "operators); this server takes at most 100",
    )
    update = (
        "INSERT DATA { GRAPH <http://x.org/g> { <http://x.org/s> <http://x.org/p> "
        + "(" * 100
        + ")" * 100
        + " } }"
    )
    response = client.post("/sparql", data=update.encode(), headers=UPDATE)
    assert response.status_code == 400
    assert response.get_json()["error"] == "too-deep"


def test_service_is_refused(client):
    message = (
        "SERVICE <http://127.0.0.1:9/s> is not allowed: this server may call only these hosts "
        "(none: the allowlist is empty)"
    )
    query = "ASK { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"
    assert_error(client.get("/sparql", query_string={"query": query}), 403, "service-forbidden", message)
    update = f"INSERT {{ <{EX}s> <{EX}p> ?o }} WHERE {{ SERVICE <http://127.0.0.1:9/s> {{ ?s ?p ?o }} }}"
    assert_error(
        client.post("/sparql", data=update.encode(), headers=UPDATE), 403, "service-forbidden", message
    )
    # the names are resolved as the engine would: against the endpoint, with the predeclared prefixes
    relative = client.get("/sparql", query_string={"query": "ASK { SERVICE <s> { ?s ?p ?o } }"})
    assert_error(
        relative,
        403,
        "service-forbidden",
        "SERVICE <http://localhost/s> is not allowed: this server may call only these hosts "
        "(none: the allowlist is empty)",
    )
    prefixed = client.get("/sparql", query_string={"query": "ASK { SERVICE res:s { ?s ?p ?o } }"})
    assert prefixed.get_json()["message"].startswith("SERVICE <https://w3id.org/otsgraph/resource/s> is not")
    assert_error(
        client.post("/sparql", data=b"LOAD <http://127.0.0.1:9/x>", headers=UPDATE),
        403,
        "load-forbidden",
        "LOAD is disabled on this server: it would read files or call other hosts. "
        "Send the data with INSERT DATA instead",
    )


def test_an_update(client):
    graph = fresh()
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <rel> <{EX}p> <> }} }}"
    response = client.post("/sparql", data=insert.encode(), headers=UPDATE)
    assert response.status_code == 204, response.data
    assert response.data == b""
    assert response.headers["Cache-Control"] == "no-store"
    assert_headers(response, CORS)  # a browser client reads the answer of its update too
    got = get_graph(client, graph, Accept="application/n-triples")
    assert ntriples(got) == {f"<http://localhost/rel> <{EX}p> <http://localhost/sparql> ."}
    form = client.post(
        "/sparql",
        data=f"update=INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> 2 }} }}",
        headers={**FORM, **AUTH},
    )
    assert form.status_code == 204
    assert len(ntriples(get_graph(client, graph, Accept="application/n-triples"))) == 2
    unauthorized = client.post(
        "/sparql", data=insert.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert_error(
        unauthorized,
        401,
        "unauthorized",
        "updates need an 'Authorization: Bearer <token>' header",
        {"WWW-Authenticate": 'Bearer realm="otsgraph"'},
    )
    wrong = {"Authorization": "Bearer nope", "Content-Type": "application/sparql-update"}
    assert_error(client.post("/sparql", data=insert.encode(), headers=wrong), 403, "forbidden",
                 "the update token is not valid")  # fmt: skip


def test_an_update_is_logged_with_its_author_and_size(client, caplog):
    insert = f"INSERT DATA {{ GRAPH <{fresh()}> {{ <{EX}s> <{EX}p> 1 }} }}"
    with caplog.at_level("INFO", logger="otsgraph.server"):
        response = client.post("/sparql", data=insert.encode(), headers=UPDATE)
    assert response.status_code == 204, response.data
    assert f"update by tester ({len(insert.encode())} bytes)" in caplog.messages


def test_an_update_with_the_protocols_dataset(client):
    source, other, copy, named_copy = fresh(), fresh(), fresh(), fresh()
    put(client, source, f"<{EX}s> <{EX}p> <{source}> .")
    put(client, other, f"<{EX}s> <{EX}p> <{other}> .")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = client.post(
        "/sparql", query_string={"using-graph-uri": source}, data=update.encode(), headers=UPDATE
    )
    assert response.status_code == 204, response.data
    assert ntriples(get_graph(client, copy, Accept="application/n-triples")) == {
        f"<{EX}s> <{EX}p> <{source}> ."
    }
    update = f"INSERT {{ GRAPH <{named_copy}> {{ ?s ?p ?g }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = client.post(
        "/sparql", query_string={"using-named-graph-uri": other}, data=update.encode(), headers=UPDATE
    )
    assert response.status_code == 204, response.data
    got = ntriples(get_graph(client, named_copy, Accept="application/n-triples"))
    assert got == {f"<{EX}s> <{EX}p> <{other}> ."}
    conflict = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} USING <{other}> WHERE {{ ?s ?p ?o }}"
    assert_error(
        client.post(
            "/sparql", query_string={"using-named-graph-uri": source}, data=conflict.encode(), headers=UPDATE
        ),
        400,
        "dataset-conflict",
        "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update",
    )
    assert_error(
        client.post(
            "/sparql",
            query_string={"using-graph-uri": "http://ex ample"},
            data=update.encode(),
            headers=UPDATE,
        ),
        400,
        "bad-graph-iri",
        "using-graph-uri must be an absolute IRI: Invalid IRI code point ' '",
    )
    assert_error(
        client.post(
            "/sparql",
            query_string={"using-named-graph-uri": "http://ex ample"},
            data=update.encode(),
            headers=UPDATE,
        ),
        400,
        "bad-graph-iri",
        "using-named-graph-uri must be an absolute IRI: Invalid IRI code point ' '",
    )


def test_the_service_description(client):
    response = client.get("/sparql")
    assert response.status_code == 200
    assert_headers(
        response,
        {"Content-Type": "text/turtle; charset=utf-8", "Vary": "Accept", "Cache-Control": "no-cache", **CORS},
    )
    assert "ETag" not in response.headers
    assert "Last-Modified" not in response.headers
    assert (
        b"<http://www.w3.org/ns/sparql-service-description#endpoint> <http://localhost/sparql>"
        in response.data
    )
    for accept in ("*/*", "text/html;q=0, text/turtle"):
        assert client.get("/sparql", headers={"Accept": accept}).headers["Content-Type"] == (
            "text/turtle; charset=utf-8"
        ), accept
    triples = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert triples.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert client.get("/sparql?format=jsonld").headers["Content-Type"] == "application/ld+json; charset=utf-8"
    offered = "text/turtle, application/n-triples, application/rdf+xml, application/ld+json"
    assert_error(
        client.get("/sparql", headers={"Accept": "image/png"}),
        406,
        "not-acceptable",
        f"cannot answer with image/png; this result can be: {offered}",
    )


def test_a_browser_is_sent_to_the_query_page(client):
    for accept in ("text/html", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"):
        response = client.get("/sparql", headers={"Accept": accept})
        assert response.status_code == 303
        assert response.headers["Location"] == "/"
    mounted = client.get(
        "/sparql", headers={"Accept": "text/html"}, environ_overrides={"SCRIPT_NAME": "/app"}
    )
    assert mounted.headers["Location"] == "/app/"


@pytest.mark.parametrize("path", ["/void", "/.well-known/void"])
def test_the_void_description(client, path):
    response = client.get(path, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    text = response.data.decode()
    dataset = "<https://w3id.org/otsgraph/dataset>"
    assert f"{dataset} <http://rdfs.org/ns/void#sparqlEndpoint> <http://localhost/sparql> ." in text
    assert (
        f"{dataset} <http://purl.org/dc/terms/isReferencedBy> <http://localhost/.well-known/void> ." in text
    )


def test_health_of_the_plain_store(client, plain):
    server = state_of(plain)
    put(client, fresh(), f"<{EX}s> <{EX}p> 1 .")  # at least one named graph
    response = client.get("/health")
    assert response.status_code == 200
    assert_headers(response, {"Content-Type": "application/json", "Cache-Control": "no-store", **CORS})
    assert "ETag" not in response.headers
    graphs = len(
        {q.graph_name for q in server.store if isinstance(q.graph_name, ox.NamedNode)}
    )  # not empty ones
    assert json.loads(response.data) == {
        "status": "ok",
        "triples": len(server.store),
        "graphs": graphs,
        "version": server.version,
        "writable": True,
        "queries": {"executor": "thread", "overdue": 0},
    }


def test_health_of_an_empty_served_graph_is_degraded(bare):
    client = bare.test_client()
    server = state_of(bare)
    response = client.get("/health")
    assert response.status_code == 503
    assert_headers(response, {"Content-Type": "application/json", "Cache-Control": "no-store"})
    assert response.get_json() == {
        "status": "degraded",
        "reason": "the served graph is empty: the store holds no triples (serve --empty is for a "
        "deliberately empty store; see docs/install.md for where the inputs and the store are)",
        "triples": 0,
        "graphs": 0,
        "version": server.version,
        "writable": False,
        "queries": {"executor": "thread", "overdue": 0},
    }
    assert_error(
        client.post("/sparql", data=b"INSERT DATA { <http://x.org/s> <http://x.org/p> 1 }", headers=UPDATE),
        403,
        "read-only",
        "this server is read-only: no update token is configured",
    )
    node = ox.NamedNode("http://x.org/one")
    server.store.add(ox.Quad(node, node, node))
    server.changed()
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["triples"] == 1
