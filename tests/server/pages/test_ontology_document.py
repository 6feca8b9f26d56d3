"""/ontology over HTTP against a live server: the whole ontology graph by content negotiation (each
format parsed by rdflib, its triple count equal to graph:ontology's in the store), the HTML
documentation, ETag / Last-Modified / 304, 406, and a term IRI's 303 to the whole ontology."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import rdflib
import requests

from ontology_words import has_p31_sovereign_state
from otsgraph.core.namespaces import BASE, Graphs
from otsgraph.server.state import state_of
from server_fixtures import serve

# rdflib's JSON-LD parser and its Dataset warn about their own deprecated internals
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

PROTEGE = "application/rdf+xml, application/xml; q=0.5, text/xml; q=0.3, */*; q=0.2"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


@pytest.fixture(scope="module")
def ontology_count(server) -> int:
    store = state_of(server.app).store
    count = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(str(Graphs.ONTOLOGY))))
    assert count > 1000  # the classes, properties, labels, definitions and the Wikidata mappings
    return count


def words(server, lang: str = "en") -> str:
    return has_p31_sovereign_state(state_of(server.app).store, lang)


def get(server, path: str, **kwargs) -> requests.Response:
    return requests.get(server.url + path, timeout=30, **kwargs)


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        (PROTEGE, "application/rdf+xml", "xml"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_every_format_holds_the_whole_ontology(server, ontology_count, accept, media_type, rdflib_format):
    response = get(server, "/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media_type)
    assert "Accept" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == ontology_count
    onto = rdflib.URIRef(BASE + "ontology")
    assert (onto, rdflib.RDF.type, rdflib.OWL.Ontology) in graph
    state = rdflib.URIRef(BASE + "ontology/State")
    assert (state, rdflib.RDFS.label, rdflib.Literal("Мемлекет", lang="kk")) in graph or any(
        graph.objects(state, rdflib.RDFS.label)
    )
    # the Wikidata mapping's restriction came along, blank node and all
    restrictions = [r for r in graph.objects(state, rdflib.RDFS.subClassOf) if isinstance(r, rdflib.BNode)]
    assert restrictions and (restrictions[0], rdflib.OWL.hasValue, None) in graph


@pytest.mark.parametrize(
    ("param", "rdflib_format"),
    [("ttl", "turtle"), ("turtle", "turtle"), ("rdfxml", "xml"), ("rdf", "xml"), ("jsonld", "json-ld"),
     ("nt", "nt"), ("trig", "trig"), ("nquads", "nquads")],
)  # fmt: skip
def test_the_format_parameter(server, ontology_count, param, rdflib_format):
    response = get(server, f"/ontology?format={param}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    if rdflib_format in ("trig", "nquads"):  # the datasets keep the triples in graph:ontology
        dataset = rdflib.Dataset()
        dataset.parse(data=response.content, format=rdflib_format)
        graph = dataset.graph(rdflib.URIRef(str(Graphs.ONTOLOGY)))
    else:
        graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == ontology_count


def test_browsers_and_curl_get_the_documentation(server):
    for headers in ({"Accept": BROWSER}, {"Accept": "*/*"}, {}):
        response = get(server, "/ontology", headers=headers)
        assert response.status_code == 200, headers
        assert response.headers["Content-Type"].startswith("text/html"), headers
    html = get(server, "/ontology").text
    assert '<section class="term" id="State">' in html and 'id="memberOf"' in html
    assert 'href="#Organisation"' in html  # a range links to its anchor
    assert f"every State {words(server)}" in html  # the restriction as a sentence
    assert "has membership, then org:organization" in html  # a property chain
    assert "_:" not in html
    kk = get(server, "/ontology?lang=kk").text
    assert "Мемлекет" in kk and "Кластар иерархиясы" in kk and "_:" not in kk
    for name, _media in (("turtle", ""), ("rdfxml", ""), ("jsonld", "")):
        assert f'href="/ontology?format={name}"' in html


def test_not_acceptable(server):
    response = get(server, "/ontology", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]
    assert get(server, "/ontology?format=csv").status_code == 406


def test_etag_and_last_modified(server):
    first = get(server, "/ontology", headers={"Accept": "text/turtle"})
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(server, "/ontology", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    since = get(server, "/ontology", headers={"Accept": "text/turtle", "If-Modified-Since": modified})
    assert since.status_code == 304
    other = get(server, "/ontology", headers={"Accept": "application/rdf+xml", "If-None-Match": etag})
    assert other.status_code == 200  # another format, another ETag
    html_en, html_kk = get(server, "/ontology?lang=en"), get(server, "/ontology?lang=kk")
    assert html_en.headers["ETag"] != html_kk.headers["ETag"]


def test_a_term_asked_for_rdf_sees_the_whole_ontology(server, ontology_count):
    response = get(server, "/ontology/State", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] == server.url + "/ontology?format=turtle"
    assert "Accept" in response.headers["Vary"]
    followed = get(server, "/ontology/State", headers={"Accept": PROTEGE})
    assert followed.status_code == 200 and followed.headers["Content-Type"].startswith("application/rdf+xml")
    assert len(rdflib.Graph().parse(data=followed.content, format="xml")) == ontology_count
    page = get(server, "/ontology/State", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "<h1>State</h1>" in page.text  # the term keeps its page
    assert 'href="/ontology#State"' in page.text  # and links to its place in the documentation
    unknown = get(server, "/ontology/NoSuchClass", headers={"Accept": "text/turtle"}, allow_redirects=False)
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/ontology/State", "/ontology/Person", "/ontology/memberOf", "/resource/kazakhstan", "/ontology"],
)
@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_no_page_shows_a_blank_node_label(server, path, lang):
    html = get(server, f"{path}?lang={lang}", headers={"Accept": "text/html"}).text
    assert not re.search(r"_:[A-Za-z0-9]", html), path


def test_restrictions_read_as_sentences(server):
    state = get(server, "/ontology/State").text
    assert f"every State {words(server)}" in state
    assert "owl:onProperty" not in state
    kazakhstan = get(server, "/resource/kazakhstan").text
    assert f"anything that {words(server)}" in kazakhstan  # an inferred type that is a restriction
    assert f"всё, что {words(server, 'ru')}" in get(server, "/resource/kazakhstan?lang=ru").text
    assert f"әрбір Мемлекет: {words(server, 'kk')}" in get(server, "/ontology/State?lang=kk").text
    person = get(server, "/ontology/Person").text
    assert "pairwise disjoint: Place, Person, Organisation, Event, Document" in person
    assert "has membership, then org:organization" in get(server, "/ontology/memberOf").text
