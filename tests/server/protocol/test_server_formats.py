"""Result formats and content negotiation, 406, the Service Description, VoID, /health, and the
HTTP niceties (ETag/304, CORS, the proxy headers)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import requests
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from otsgraph.server.protocol.negotiation import RESULT_FORMATS, NotAcceptable, choose
from server_fixtures import TOKEN, serve

SELECT = "SELECT ?label WHERE { res:kazakhstan rdfs:label ?label } ORDER BY ?label"
CONSTRUCT = "CONSTRUCT WHERE { res:kazakhstan rdfs:label ?label }"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def server():
    with serve(update_tokens={TOKEN: "tests"}) as live:
        yield live


def get(server, query: str, accept: str | None = None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.url + "/sparql", params={"query": query, **params}, headers=headers)


def test_accept_with_media_type_parameters(server):
    """`type; charset=utf-8` (as some clients send it) still picks that type, not a 406."""
    response = get(server, SELECT, "application/sparql-results+xml; charset=utf-8")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")
    construct = "CONSTRUCT WHERE { res:kazakhstan rdfs:label ?l }"
    response = get(server, construct, "application/n-triples; charset=utf-8; q=0.9")
    assert response.headers["Content-Type"].startswith("application/n-triples")


def parse_graph(response: requests.Response, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(response.content, format=fmt)]


def test_select_json(server):
    response = get(server, SELECT, "application/sparql-results+json")
    labels = {b["label"]["value"] for b in response.json()["results"]["bindings"]}
    assert {"Kazakhstan", "Қазақстан", "Казахстан"} <= labels


def test_select_xml(server):
    response = get(server, SELECT, "application/sparql-results+xml")
    assert response.headers["Content-Type"].startswith("application/sparql-results+xml")
    literals = [
        e.text
        for e in ET.fromstring(response.content).iter("{http://www.w3.org/2005/sparql-results#}literal")
    ]
    assert "Қазақстан" in literals


def test_select_csv(server):
    rows = list(csv.reader(io.StringIO(get(server, SELECT, "text/csv").text)))
    assert rows[0] == ["label"]
    assert ["Казахстан"] in rows


def test_select_tsv(server):
    lines = get(server, SELECT, "text/tab-separated-values").text.splitlines()
    assert lines[0] == "?label"
    assert '"Kazakhstan"@en' in lines


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
     ("csv", "text/csv"), ("tsv", "text/tab-separated-values")],
)  # fmt: skip
def test_select_format_parameter(server, name, media_type):
    """Browsers cannot set Accept on a link: `format` wins over it."""
    response = get(server, SELECT, "text/html", format=name)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_formats(server, accept, fmt):
    response = get(server, CONSTRUCT, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    labels = {t.object.value for t in parse_graph(response, fmt)}
    assert {"Kazakhstan", "Қазақстан", "Казахстан"} <= labels


def test_browser_accept_gets_a_result(server):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert get(server, SELECT, accept).headers["Content-Type"].startswith("application/sparql-results+xml")
    assert get(server, CONSTRUCT, accept).headers["Content-Type"].startswith("application/rdf+xml")


@pytest.mark.parametrize(
    ("query", "accept", "params"),
    [
        (SELECT, "text/turtle", {}),
        ("ASK {}", "application/rdf+xml;q=1, text/turtle", {}),
        (CONSTRUCT, "text/csv", {}),
        (CONSTRUCT, "application/sparql-results+json", {}),
        (SELECT, None, {"format": "yaml"}),
        (CONSTRUCT, None, {"format": "tsv"}),
    ],
)
def test_not_acceptable(server, query, accept, params):
    response = get(server, query, accept, **params)
    assert response.status_code == 406, response.text
    assert response.json()["error"] == "not-acceptable"
    assert response.json()["message"]


def test_ask_as_csv_and_tsv(server):
    """pyoxigraph writes booleans as CSV/TSV too (`true`), so these are answered, not 406."""
    assert get(server, "ASK {}", "text/csv").text.strip() == "true"
    assert get(server, "ASK {}", "text/tab-separated-values").text.strip() == "true"


def test_accept_quality_values():
    header = parse_accept_header("text/csv;q=0.5, application/sparql-results+xml", MIMEAccept)
    assert choose(RESULT_FORMATS, None, header).name == "xml"
    with pytest.raises(NotAcceptable):
        choose(RESULT_FORMATS, None, parse_accept_header("image/png", MIMEAccept))


# ------------------------------------------------------------------ Service Description, VoID, /health


def sd_graph(response: requests.Response) -> list[ox.Triple]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/turtle")
    return parse_graph(response, ox.RdfFormat.TURTLE)


def values(triples: list[ox.Triple], predicate: str) -> set[str]:
    return {t.object.value for t in triples if t.predicate.value == predicate}


def test_service_description(server):
    triples = sd_graph(requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"}))
    assert values(triples, SD + "endpoint") == {server.url + "/sparql"}
    assert values(triples, SD + "supportedLanguage") == {SD + "SPARQL11Query", SD + "SPARQL11Update"}
    formats = values(triples, SD + "resultFormat")
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/JSON-LD" in formats
    assert SD + "BasicFederatedQuery" not in values(triples, SD + "feature")  # SERVICE is off by default
    assert "https://w3id.org/otsgraph/graph/asserted" in values(triples, SD + "name")
    assert max(int(n) for n in values(triples, VOID + "triples")) > 1000


def test_service_description_read_only_without_token():
    with serve() as server:
        triples = sd_graph(requests.get(server.url + "/sparql"))
        assert values(triples, SD + "supportedLanguage") == {SD + "SPARQL11Query"}


def test_service_description_behind_a_proxy():
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "kg.example.org",
        "X-Forwarded-Prefix": "/ots",
    }
    with serve(trusted_proxies=("127.0.0.1",)) as server:  # the proxy: a named peer
        triples = sd_graph(requests.get(server.url + "/sparql", headers=headers))
        assert values(triples, SD + "endpoint") == {"https://kg.example.org/ots/sparql"}


def test_service_description_with_public_url():
    with serve(public_url="https://example.org/otsgraph/") as server:
        triples = sd_graph(requests.get(server.url + "/sparql"))
        assert values(triples, SD + "endpoint") == {"https://example.org/otsgraph/sparql"}


def test_sparql_without_query_sends_browsers_to_the_query_page(server):
    response = requests.get(server.url + "/sparql", headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/")


@pytest.mark.parametrize("path", ["/.well-known/void", "/void"])
def test_void(server, path):
    triples = sd_graph(requests.get(server.url + path))
    assert values(triples, "http://purl.org/dc/terms/license") == {
        "https://creativecommons.org/licenses/by/4.0/"
    }
    assert values(triples, VOID + "sparqlEndpoint") == {server.url + "/sparql"}
    dataset = [t for t in triples if t.subject.value == "https://w3id.org/otsgraph/dataset"]
    total = int(values(dataset, VOID + "triples").pop())
    count = get(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }").json()["results"]["bindings"][0]["n"]["value"]
    assert total == int(count) > 1000
    # the eight fixed graphs (ontology, asserted, background, inferred, provenance, links, labels, the
    # background listing) and the claim graphs
    assert len(values(triples, VOID + "subset")) == 9


def test_void_as_jsonld(server):
    response = requests.get(server.url + "/void", headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"].startswith("application/ld+json")
    assert "creativecommons.org/licenses/by/4.0" in response.text


def test_health(server):
    body = requests.get(server.url + "/health").json()
    assert body["status"] == "ok"
    assert body["triples"] > 1000
    assert body["graphs"] > 6


# ------------------------------------------------------------------ caching headers and CORS


def test_etag_and_not_modified():
    with serve(empty=True, update_tokens={TOKEN: "tests"}) as server:
        first = get(server, SELECT)
        etag = first.headers["ETag"]
        assert first.headers["Last-Modified"]
        again = requests.get(
            server.url + "/sparql", params={"query": SELECT}, headers={"If-None-Match": etag}
        )
        assert again.status_code == 304
        assert again.content == b""
        update = (
            "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
        )
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
        assert requests.post(server.url + "/sparql", data=update, headers=headers).status_code == 204
        after = requests.get(
            server.url + "/sparql", params={"query": SELECT}, headers={"If-None-Match": etag}
        )
        assert after.status_code == 200  # the data changed: a new version, a new ETag
        assert after.headers["ETag"] != etag


def test_cors_for_reads(server):
    assert get(server, SELECT).headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        server.url + "/sparql",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]  # no cross-site updates
