"""The W3C SPARQL 1.1 Protocol (34) and Graph Store HTTP Protocol (13) tests, replayed from their
manifests (../shared/w3c-sparql11-tests) against a live `otsgraph serve --empty`.

The harness reads each manifest with rdflib and, for each entry (one pytest case, named after it):
empties the store (DROP ALL), loads the data files the test names (ut:graphData: each .nt file
beside the manifest into the graph its rdfs:label names, by a Graph Store PUT), then sends the
entry's requests in order and checks what each ht:Response says: the status (mf:expectedStatus,
an exact code or a class), the ASK answer (mf:expectedBoolean), the kind of result
(mf:expectedFormat), the response headers (Content-Type), an RDF body (isomorphic to the expected
one) and a Location (mf:expectedLocation, a template for later requests). Paths starting with
/sparql/ go to /sparql/, paths starting with /gsp go to /rdf-graphs. Every request carries the
update token, as a client allowed to update would send it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from conftest import REPO, require
from engines import stores
from serve_command import serve_command

SUITE = REPO.parent / "shared" / "w3c-sparql11-tests"
PROTOCOL = SUITE / "protocol" / "manifest.ttl"
GRAPH_STORE = SUITE / "graph-store-protocol" / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
TOKEN = "w3c-harness-token"


# ---------------------------------------------------------------------------------------- manifests


@dataclass
class Expected:
    statuses: list[str]  # local names of hts: terms: "OK", "NoContent", "StatusCode2xx" …
    boolean: bool | None = None
    result_format: str | None = None  # "boolean", "tabular" or "RDF"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    location: str | None = None  # a template variable, e.g. "$LOCATION$"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class Case:
    name: str  # the entry's local name, e.g. query_post_form
    title: str  # mf:name
    graph_data: list[tuple[Path, str]]  # (.nt file, graph IRI)
    requests: list[Request]


def _list(graph: rdflib.Graph, head) -> list:
    return list(rdflib.collection.Collection(graph, head)) if head is not None else []


def _headers(graph: rdflib.Graph, node) -> dict[str, str]:
    headers = {}
    for header in _list(graph, graph.value(node, HT.headers)):
        name = str(graph.value(header, HT.fieldName)).lower()
        headers[name] = str(graph.value(header, HT.fieldValue))
    return headers


def _chars(graph: rdflib.Graph, node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def _request(graph: rdflib.Graph, node) -> Request:
    resp = graph.value(node, HT.resp)
    boolean = graph.value(resp, MF.expectedBoolean)
    result_format = graph.value(resp, MF.expectedFormat)
    location = graph.value(resp, MF.expectedLocation)
    expected = Expected(
        statuses=sorted(str(s).removeprefix(HTS) for s in graph.objects(resp, MF.expectedStatus)),
        boolean=None if boolean is None else bool(boolean.toPython()),
        result_format=None if result_format is None else str(result_format),
        headers=_headers(graph, resp),
        body=_chars(graph, resp),
        location=None if location is None else str(location),
    )
    body = _chars(graph, node)
    encoding = graph.value(graph.value(node, HT.body), CNT.characterEncoding) if body is not None else None
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=_headers(graph, node),
        body=None if body is None else body.encode(str(encoding or "UTF-8")),
        expected=expected,
    )


def _cases(manifest: Path) -> list[Case]:
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = rdflib.URIRef(manifest.as_uri())
    cases = []
    for included in _list(graph, graph.value(root, MF.include)):
        cases += _cases(Path(str(included).removeprefix("file://")))
    for entry in _list(graph, graph.value(root, MF.entries)):
        data = [
            (Path(str(graph.value(d, UT.graph)).removeprefix("file://")), str(graph.value(d, RDFS.label)))
            for d in graph.objects(entry, UT.graphData)
        ]
        action = graph.value(entry, MF.action)
        requests_ = [_request(graph, r) for r in _list(graph, graph.value(action, HT.requests))]
        name = str(entry).rpartition("#")[2]
        cases.append(Case(name, str(graph.value(entry, MF.name)), data, requests_))
    assert all(graph.value(entry, RDF.type) for entry in _list(graph, graph.value(root, MF.entries)))
    return cases


def _params(manifest: Path) -> list:
    if not manifest.exists():  # ../shared is absent: one case that skips (or fails under CI=true)
        return [pytest.param(None, id=f"{manifest.parent.name}-manifest-missing")]
    return [pytest.param(case, id=case.name) for case in _cases(manifest)]


# ---------------------------------------------------------------------------------------- the server


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server_url(request, tmp_path_factory) -> Iterator[str]:
    """`otsgraph serve --empty --port 0`, the real command, with the update token in its environment:
    on its embedded store, and in front of each engine of CI (`--backend URL`: issue 13)."""
    folder = tmp_path_factory.mktemp(f"w3c-{request.param}")
    flags: tuple[str, ...] = ()
    engine = None
    if request.param == "oxigraph":
        require(stores.oxigraph_available(), "the `oxigraph` command is not installed (pip install oxigraph)")
        url, engine = stores.start_oxigraph(folder / "oxigraph")
        flags = ("--backend", url)
    elif request.param == "virtuoso":
        require(stores.virtuoso_available(), "virtuoso-t is not installed (virtuoso-opensource-7-bin)")
        url, engine = stores.start_virtuoso(folder / "virtuoso")
        flags = ("--backend", url)
    try:
        with serve_command(
            "--empty", "--quiet", *flags, log=folder / "serve.log", tokens=f"w3c:{TOKEN}"
        ) as address:
            yield address
    finally:
        if engine is not None:
            stores.stop(engine)


#: every graph a case named (its data, its Graph Store requests, the Locations it was given): Virtuoso
#: answers DROP ALL as done and drops nothing, so the reset also drops each of these by name
TOUCHED: set[str] = set()


def _reset(url: str, case: Case) -> None:
    """An empty store, then the test's graph data."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    drops = ["DROP ALL", *(f"DROP SILENT GRAPH <{g}>" for g in sorted(TOUCHED))]
    response = requests.post(
        url + "/sparql",
        data=" ;\n".join(drops).encode(),
        headers={**auth, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204, response.text
    TOUCHED.update(graph for _, graph in case.graph_data)
    for path, graph in case.graph_data:
        response = requests.put(
            url + "/rdf-graphs",
            params={"graph": graph},
            data=path.read_bytes(),
            headers={**auth, "Content-Type": "application/n-triples"},
        )
        assert response.status_code in (201, 204), response.text


# ---------------------------------------------------------------------------------------- checks


def _status_matches(status: int, expected: list[str]) -> bool:
    for name in expected:
        if name.startswith("StatusCode"):  # a class: StatusCode2xx
            if str(status)[0] == name.removeprefix("StatusCode")[0]:
                return True
        elif HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()] == status:  # NoContent: 204
            return True
    return False


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    kind, *params = [part.strip() for part in value.split(";")]
    pairs = (p.partition("=") for p in params if p)
    return kind.lower(), {k.strip().lower(): v.strip().strip('"').lower() for k, _, v in pairs}


RDF_PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml"}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}


def _boolean(response: requests.Response) -> bool:
    kind, _ = _media_type(response.headers.get("Content-Type", ""))
    assert kind in BOOLEAN_TYPES, f"an ASK answer as {kind}"
    if kind.endswith("json"):
        return response.json()["boolean"]
    element = ET.fromstring(response.content).find(f"{{{SPARQL_RESULTS}}}boolean")
    assert element is not None, response.text
    return element.text.strip() == "true"


def _check_format(response: requests.Response, wanted: str) -> None:
    kind, _ = _media_type(response.headers.get("Content-Type", ""))
    if wanted == "boolean":
        _boolean(response)
    elif wanted == "tabular":
        assert kind in TABULAR_TYPES, f"a SELECT answer as {kind}"
        if kind.endswith("json"):
            assert "bindings" in response.json()["results"]
        elif kind.endswith("xml"):
            assert ET.fromstring(response.content).find(f"{{{SPARQL_RESULTS}}}results") is not None
        else:
            delimiter = "," if kind == "text/csv" else "\t"
            assert next(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    elif wanted == "RDF":
        assert kind in RDF_PARSERS, f"a graph answer as {kind}"
        rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[kind])
    else:
        raise AssertionError(f"the manifest names an unknown format {wanted!r}")


def _check(response: requests.Response, expected: Expected, where: str) -> None:
    assert _status_matches(response.status_code, expected.statuses), (
        f"{where}: status {response.status_code}, expected {expected.statuses}: {response.text[:300]}"
    )
    for name, value in expected.headers.items():
        actual = response.headers.get(name)
        assert actual is not None, f"{where}: no {name} header"
        if name == "content-type":
            same = _media_type(actual) == _media_type(value)
            assert same, f"{where}: {name} {actual!r}, expected {value!r}"
        else:
            assert actual == value, f"{where}: {name} {actual!r}, expected {value!r}"
    if expected.result_format:
        _check_format(response, expected.result_format)
    if expected.boolean is not None:
        assert _boolean(response) is expected.boolean, f"{where}: {response.text[:300]}"
    if expected.body is not None:
        kind, _ = _media_type(expected.headers.get("content-type", "text/turtle"))
        want = rdflib.Graph().parse(data=expected.body, format=RDF_PARSERS[kind])
        got_kind, _ = _media_type(response.headers.get("Content-Type", ""))
        got = rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[got_kind])
        assert isomorphic(want, got), f"{where}: the graph differs:\n{response.text}"
    if expected.location:
        assert response.headers.get("Location"), f"{where}: no Location header"


def _url(server_url: str, path: str) -> str:
    if path.startswith("/sparql"):
        return server_url + path
    assert path.startswith("/gsp"), path
    return server_url + "/rdf-graphs" + path.removeprefix("/gsp")


def _graphs_named(url: str, location: str | None) -> list[str]:
    """The graph a Graph Store request names (?graph= or its own URL), and a Location it was given."""
    parts = urllib.parse.urlsplit(url)
    named = urllib.parse.parse_qs(parts.query).get("graph", [])
    if "/rdf-graphs/" in parts.path:
        named.append(url)
    return [g for g in [*named, location] if g and "<" not in g and ">" not in g]


def run_case(server_url: str, case: Case) -> None:
    _reset(server_url, case)
    variables: dict[str, str] = {}
    for number, request in enumerate(case.requests, 1):
        path, body = request.path, request.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body is not None else None
        headers = {**request.headers, "Authorization": f"Bearer {TOKEN}"}
        response = requests.request(
            request.method, _url(server_url, path), data=body, headers=headers, allow_redirects=False
        )
        TOUCHED.update(_graphs_named(response.request.url or "", response.headers.get("Location")))
        _check(response, request.expected, f"{case.name} request {number} ({request.method} {path})")
        if request.expected.location:
            variables[request.expected.location] = response.headers["Location"]


# ---------------------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case", _params(PROTOCOL))
def test_protocol(server_url: str, case: Case | None) -> None:
    require(case is not None, f"the W3C protocol manifest is not at {PROTOCOL} (../shared is absent)")
    run_case(server_url, case)


#: Graph Store cases that an engine behind `serve --empty --backend` breaks itself, with the error it
#: gives and why (docs/deploy.md); each must still fail so (a fixed engine fails this test)
ENGINE_BREAKS = {
    "virtuoso": {
        # Virtuoso has no plain default graph (its default graph is the union of every graph), so it
        # refuses CLEAR DEFAULT: a PUT cannot replace the default graph
        "put_get_default": "CLEAR DEFAULT operator requires declaration of a plain default graph",
    },
}


@pytest.mark.parametrize("case", _params(GRAPH_STORE))
def test_graph_store(request, server_url: str, case: Case | None) -> None:
    require(case is not None, f"the W3C Graph Store manifest is not at {GRAPH_STORE} (../shared is absent)")
    broken = ENGINE_BREAKS.get(request.node.callspec.params["server_url"], {}).get(case.name)
    if broken is None:
        run_case(server_url, case)
        return
    with pytest.raises(AssertionError, match=re.escape(broken)):
        run_case(server_url, case)


def test_manifests_have_every_entry() -> None:
    """The suite is whole: 34 protocol tests and 13 Graph Store tests (4 direct, 9 indirect)."""
    require(PROTOCOL.exists() and GRAPH_STORE.exists(), f"the W3C manifests are not in {SUITE}")
    assert len(_cases(PROTOCOL)) == 34
    assert len(_cases(GRAPH_STORE)) == 13
    assert json.dumps([c.name for c in _cases(GRAPH_STORE)]).count("_direct") == 4
