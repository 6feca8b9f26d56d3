"""The SPARQL store client (core/remote.py) through an injected transport: which endpoints it derives
for each engine, what each call sends (method, URL, headers, body), how it batches for Virtuoso, and
what it says when the store fails. Every expected request is written out by hand."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from otsgraph.core.remote import (
    GRAPH_STORE_BATCH,
    UPDATE_BATCH,
    BackendError,
    BackendUnreachable,
    RemoteStore,
    credentials,
    http_transport,
)

EMPTY = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()


class Recorder:
    """A transport that answers from a script and keeps every request."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.sent: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float):
        self.sent.append(request)
        status, body = self.answers.pop(0) if self.answers else (200, EMPTY)
        return status, {}, body


@pytest.mark.parametrize(
    ("url", "update", "graph_store", "batch"),
    [
        ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store", None),  # oxigraph serve
        ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/store", None),  # Fuseki
        ("http://h:8890/sparql", "http://h:8890/sparql", None, 500),  # Virtuoso
        ("http://h:8890/sparql/", "http://h:8890/sparql/", None, 500),
        ("https://h/repositories/ots", "https://h/repositories/ots", None, None),  # GraphDB and others
    ],
)
def test_the_endpoints_derived_for_each_engine(url, update, graph_store, batch):
    store = RemoteStore.at(url, environ={})
    assert (store.query_url, store.update_url, store.graph_store_url) == (url, update, graph_store)
    assert store.statements_per_update == batch
    assert store.authorization is None


def test_given_endpoints_win_over_derived_ones():
    store = RemoteStore.at("http://h/query", "http://h/u", "http://h/gsp", environ={})
    assert (store.update_url, store.graph_store_url) == ("http://h/u", "http://h/gsp")


@pytest.mark.parametrize("url", ["ftp://h/sparql", "h:7878/query", "http:///query", "", "file:///x"])
def test_a_url_that_is_not_http_is_refused(url):
    with pytest.raises(ValueError, match="is not an http\\(s\\) URL of a SPARQL query endpoint"):
        RemoteStore.at(url, environ={})


@pytest.mark.parametrize(
    ("environ", "header"),
    [
        ({}, None),
        ({"OTSGRAPH_BACKEND_TOKEN": "abc"}, "Bearer abc"),
        ({"OTSGRAPH_BACKEND_TOKEN": "abc", "OTSGRAPH_BACKEND_USER": "u"}, "Bearer abc"),  # the token first
        ({"OTSGRAPH_BACKEND_USER": "u", "OTSGRAPH_BACKEND_PASSWORD": "p"}, "Basic dTpw"),
        ({"OTSGRAPH_BACKEND_USER": "u"}, "Basic dTo="),  # no password: an empty one
        ({"OTSGRAPH_BACKEND_PASSWORD": "p"}, None),  # a password alone is nobody's
        ({"OTSGRAPH_BACKEND_TOKEN": ""}, None),
    ],
)
def test_credentials_from_the_environment(environ, header):
    assert credentials(environ) == header
    sent = Recorder()
    RemoteStore.at("http://h/query", environ=environ, send=sent).update("CLEAR ALL")
    assert sent.sent[0].get_header("Authorization") == header


def test_a_select_posts_the_query_and_the_dataset_as_a_form():
    sent = Recorder(
        (200, json.dumps({"results": {"bindings": [{"x": {"type": "uri", "value": "u"}}]}}).encode())
    )
    store = RemoteStore.at("http://h/query", environ={}, send=sent)
    rows = store.select("SELECT * {}", ["http://g/1", "http://g/2"], ["http://n/1"])
    assert rows == [{"x": {"type": "uri", "value": "u"}}]
    (request,) = sent.sent
    assert (request.get_method(), request.full_url) == ("POST", "http://h/query")
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded"
    assert request.get_header("Accept") == "application/sparql-results+json"
    assert urllib.parse.parse_qsl(request.data.decode()) == [
        ("query", "SELECT * {}"),
        ("default-graph-uri", "http://g/1"),
        ("default-graph-uri", "http://g/2"),
        ("named-graph-uri", "http://n/1"),
    ]
    assert store.calls == ["POST query"]


@pytest.mark.parametrize("body", [b"<html>busy</html>", b"{}", b'{"boolean": true}', b"[]"])
def test_an_answer_that_is_not_sparql_json_results_is_an_error(body):
    store = RemoteStore.at("http://h/query", environ={}, send=Recorder((200, body)))
    with pytest.raises(BackendError, match="query: not SPARQL JSON results: HTTP 200"):
        store.select("SELECT * {}")


def test_an_error_status_names_the_call_the_status_and_what_the_store_said():
    store = RemoteStore.at(
        "http://h/query", environ={}, send=Recorder((400, b"  SP030: memory exhausted \n"))
    )
    with pytest.raises(BackendError) as error:
        store.update("INSERT DATA {}")
    assert str(error.value) == "update: HTTP 400: SP030: memory exhausted"
    assert error.value.status == 400
    quiet = RemoteStore.at("http://h/query", environ={}, send=Recorder((503, b"")))
    with pytest.raises(BackendError, match=r"^update: HTTP 503$"):
        quiet.update("INSERT DATA {}")


def test_an_update_is_posted_as_sparql_update():
    sent = Recorder()
    RemoteStore.at("http://h/query", environ={}, send=sent).update("CLEAR SILENT GRAPH <http://g>")
    (request,) = sent.sent
    assert (request.get_method(), request.full_url) == ("POST", "http://h/update")
    assert request.get_header("Content-type") == "application/sparql-update"
    assert request.data == b"CLEAR SILENT GRAPH <http://g>"


def test_a_graph_goes_by_graph_store_put_where_the_store_has_the_protocol():
    sent = Recorder()
    RemoteStore.at("http://h/query", environ={}, send=sent).put_graph("http://g/a b", b"<s> <p> <o> .\n")
    (request,) = sent.sent
    assert request.get_method() == "PUT"
    assert request.full_url == "http://h/store?graph=http%3A%2F%2Fg%2Fa+b"
    assert request.get_header("Content-type") == "application/n-triples"
    assert request.data == b"<s> <p> <o> .\n"


def test_a_large_graph_goes_by_one_put_then_posts_that_add_the_rest():
    """Oxigraph's server takes a PUT in one transaction whose cost grows faster than its size (a PUT of
    724k triples timed out at 300 s): the first batch replaces the graph, each next one is added."""
    sent = Recorder()
    lines = [f"<http://s/{i}> <http://p> <http://o> .\n".encode() for i in range(7)]
    RemoteStore.at("http://h/query", environ={}, send=sent).put_graph("http://g", b"".join(lines), batch=3)
    assert [(r.get_method(), r.data) for r in sent.sent] == [
        ("PUT", b"".join(lines[0:3])),
        ("POST", b"".join(lines[3:6])),
        ("POST", lines[6]),
    ]
    assert {r.full_url for r in sent.sent} == {"http://h/store?graph=http%3A%2F%2Fg"}
    assert GRAPH_STORE_BATCH == 50_000


def test_a_graph_goes_by_update_in_batches_where_the_store_has_no_graph_store():
    sent = Recorder()
    lines = [f"<http://s/{i}> <http://p> <http://o> .\n" for i in range(UPDATE_BATCH + 1)]
    RemoteStore.at("http://h/sparql", environ={}, send=sent).put_graph("http://g", "".join(lines).encode())
    bodies = [r.data.decode() for r in sent.sent]
    assert bodies[0] == "DROP SILENT GRAPH <http://g>"
    assert bodies[1] == "INSERT DATA { GRAPH <http://g> {\n" + "".join(lines[:UPDATE_BATCH]) + "} }"
    assert bodies[2] == "INSERT DATA { GRAPH <http://g> {\n" + lines[UPDATE_BATCH] + "} }"
    assert len(bodies) == 3 and UPDATE_BATCH == 2000


def test_an_unreachable_store_is_named():
    closed = RemoteStore.at("http://127.0.0.1:9/query", environ={}, send=http_transport)
    closed.timeout = 5
    with pytest.raises(BackendUnreachable, match=r"^http://127\.0\.0\.1:9/query: "):
        closed.select("SELECT * {}")
