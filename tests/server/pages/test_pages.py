"""The pages over HTTP, against a real server on 127.0.0.1: the query page, linked data with content
negotiation, /explain, /timeline, /search, /downloads, and escaping of hostile literals."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests

from otsgraph.core.namespaces import BASE, Graphs
from otsgraph.server.state import state_of
from server_fixtures import added, serve

RES = BASE + "resource/"
OTS = BASE + "ontology/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDFS_LABEL = RDFS + "label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def server():
    # one server for the module: each start and stop of a waitress server in a thread risks a late
    # write of the stopped one landing on a reused file descriptor (see the report to the lead)
    with serve() as live:
        yield live


def get(server, path: str, **kwargs) -> requests.Response:
    return requests.get(server.url + path, timeout=30, **kwargs)


def client_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="client-data">(.*?)</script>', html, re.S)
    assert match, "the query page embeds its data as JSON"
    return json.loads(match.group(1))


# ---------------------------------------------------------------------------------- the query page


def test_query_page_offers_the_examples(server, layout):
    response = get(server, "/")
    assert response.status_code == 200
    html = response.text
    assert '<meta name="viewport"' in html
    assert "<textarea" in html and 'id="query"' in html
    data = client_data(html)
    examples = sorted(p.stem for p in layout.examples_dir.glob("*.rq"))
    assert sorted(data["examples"]) == examples
    for name in examples:
        assert f'data-example="{name}"' in html
    assert "Which summits were held in Kazakhstan" in html  # a header comment is the title
    assert "ots:heldIn res:kazakhstan" in html  # the default example fills the editor
    assert data["autorun"] is False


def test_everything_comes_from_this_server(server):
    html = get(server, "/").text
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        for url in re.findall(r'(?:src|href)="([^"]*)"', tag):
            assert url.startswith("/"), f"{tag} loads from another host"
    for asset in ("/static/pages.css", "/static/query.js"):
        response = get(server, asset)
        assert response.status_code == 200
        assert not re.search(r"https?://(?!w3id\.org)", response.text), f"{asset} names an outside host"
    assert "script-src 'self'" in get(server, "/").headers["Content-Security-Policy"]


def test_permalink_prefills_and_runs_the_query(server):
    query = 'ASK { ?s ?p "x <b>" }'
    html = get(server, "/?" + urlencode({"query": query})).text
    assert "ASK { ?s ?p &#34;x &lt;b&gt;&#34; }" in html or "ASK { ?s ?p &quot;x &lt;b&gt;&quot; }" in html
    data = client_data(html)
    assert data["autorun"] is True
    assert f'href="/?{urlencode({"query": query, "lang": "en"})}"' in html.replace("&amp;", "&")


def test_example_by_name_without_javascript(server):
    html = get(server, "/?example=member-states").text
    assert "<textarea" in html and "ots:memberOf" in html
    assert client_data(html)["autorun"] is True


def test_language_switch_and_cookie(server):
    response = get(server, "/?lang=kk")
    assert '<html lang="kk">' in response.text
    assert "Сұраныс мысалдары" in response.text
    assert response.cookies.get("lang") == "kk"
    again = get(server, "/", cookies={"lang": "ru"})
    assert '<html lang="ru">' in again.text and "Примеры запросов" in again.text
    assert '<html lang="en">' in get(server, "/?lang=xx").text  # unknown languages fall back


def test_labels_api_answers_in_the_language(server):
    iris = [RES + "kazakhstan", "javascript:alert(1)", "http://example.org/x"]
    answer = requests.post(server.url + "/api/labels", json={"lang": "kk", "iris": iris}, timeout=10).json()
    assert answer["labels"][RES + "kazakhstan"] == {"label": "Қазақстан", "href": "/resource/kazakhstan"}
    assert answer["labels"]["javascript:alert(1)"]["href"] is None
    assert answer["labels"]["http://example.org/x"]["href"] == "http://example.org/x"
    bad = requests.post(server.url + "/api/labels", json={"iris": "no"}, timeout=10)
    assert bad.status_code == 400


def test_the_page_s_download_links_work(server):
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/otsgraph/ontology/Summit> } LIMIT 2"
    for fmt, media_type in (("json", "sparql-results+json"), ("csv", "text/csv"), ("tsv", "tab-separated")):
        response = get(server, "/sparql?" + urlencode({"query": query, "format": fmt}))
        assert response.status_code == 200, response.text
        assert media_type in response.headers["Content-Type"]


# ----------------------------------------------------------------------------------- linked data


def test_entity_page_shows_facts_quotes_and_inferences(server):
    response = get(server, "/resource/summit-tc-2012-bishkek", headers=HTML)
    assert response.status_code == 200
    html = response.text
    assert re.search(r"<h1>[^<]*Bishkek[^<]*</h1>", html)
    assert "Бішкекте өтті" in html  # a quote from the claim graph
    assert 'class="badge inferred"' in html and "/explain?" in html
    assert 'href="/resource/bishkek"' in html  # a related entity
    assert "<svg" in html and 'class="graph"' in html  # the neighbourhood
    assert "Accept" in response.headers["Vary"]


def test_neighbourhood_shows_entities_not_link_statuses(server):
    """An unlinked summit's page says why it has no Wikidata link, but the picture draws only entities."""
    html = get(server, "/resource/summit-tc-almaty", headers=HTML).text
    picture = html[html.index("<svg") : html.index("</svg>")]
    assert "Almaty" in picture
    assert "/ontology/" not in picture and "wikidataStatus" not in picture
    assert "Wikidata" in html[html.index("</svg>") :]  # the status is still in the facts table


def test_entity_page_gives_bracket_references(server):
    html = get(server, "/resource/kazakhstan").text
    assert re.search(r'class="ref"[^>]*>\[\d+\]', html)


def test_entity_page_labels_follow_the_language(server):
    assert "<h1>Казахстан</h1>" in get(server, "/resource/kazakhstan?lang=ru").text
    assert "<h1>Қазақстан</h1>" in get(server, "/resource/kazakhstan?lang=kk").text
    assert "<h1>Kazakhstan</h1>" in get(server, "/resource/kazakhstan").text


def test_ontology_terms_and_claims_dereference(server):
    assert get(server, "/ontology/Summit").status_code == 200
    assert get(server, "/ontology").status_code == 200
    assert get(server, "/claim/summit-tc-2012-bishkek").status_code == 200


@pytest.mark.parametrize(
    ("accept", "fmt", "datasets"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE, False),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES, False),
        ("application/ld+json", ox.RdfFormat.JSON_LD, True),
        ("application/trig", ox.RdfFormat.TRIG, True),
        ("application/n-quads", ox.RdfFormat.N_QUADS, True),
    ],
)
def test_content_negotiation(server, accept, fmt, datasets):
    response = get(server, "/resource/kazakhstan", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    quads = list(ox.parse(response.content, format=fmt))
    kazakhstan = ox.NamedNode(RES + "kazakhstan")
    assert {q.subject for q in quads} == {kazakhstan}
    label = (kazakhstan, ox.NamedNode(RDFS_LABEL), ox.Literal("Kazakhstan", language="en"))
    assert label in {(q.subject, q.predicate, q.object) for q in quads}
    inferred = [q for q in quads if q.graph_name == ox.NamedNode(str(Graphs.INFERRED))]
    assert bool(inferred) == datasets  # the dataset forms keep the inferred triples in graph:inferred
    if not datasets:  # the plain forms carry them as ordinary triples
        assert (
            kazakhstan,
            ox.NamedNode(OTS + "memberOf"),
            ox.NamedNode(RES + "organization-of-turkic-states"),
        ) in {(q.subject, q.predicate, q.object) for q in quads}


def test_format_parameter_and_not_acceptable(server):
    response = get(server, "/resource/kazakhstan?format=turtle")
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert get(server, "/resource/kazakhstan", headers={"Accept": "image/png"}).status_code == 406
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        get(server, "/resource/kazakhstan", headers={"Accept": browser})
        .headers["Content-Type"]
        .startswith("text/html")
    )


def test_unknown_entity_is_404(server):
    response = get(server, "/resource/no-such-thing", headers=HTML)
    assert response.status_code == 404
    assert "Not found" in response.text and "<html" in response.text
    assert get(server, "/resource/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404
    assert get(server, "/ontology/NoSuchClass").status_code == 404
    assert get(server, "/resource/a%20b%3Cc%3E").status_code == 404  # not even an IRI


def test_wikidata_links_from_graph_links(server):
    link = ox.Quad(
        ox.NamedNode(RES + "kazakhstan"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
        ox.NamedNode("http://www.wikidata.org/entity/Q232"),
        ox.NamedNode(str(Graphs.LINKS)),
    )
    with added(server, [link]):
        html = get(server, "/resource/kazakhstan").text
    assert 'class="wikidata" href="http://www.wikidata.org/entity/Q232"' in html


def test_links_follow_the_public_url(server):
    config = state_of(server.app).config
    config.public_url = "https://example.org/kg/"
    try:
        html = get(server, "/resource/kazakhstan").text
    finally:
        config.public_url = None
    assert 'href="https://example.org/kg/resource/astana"' in html
    assert 'href="https://example.org/kg/static/pages.css"' in html


# ---------------------------------------------------------------------------------------- explain


def test_explain_a_chain_inference_down_to_asserted_triples(server):
    params = {"s": RES + "summit-tc-2015-astana", "p": OTS + "heldIn", "o": f"<{RES}kazakhstan>"}
    answer = get(server, "/explain?" + urlencode(params), headers={"Accept": "application/json"}).json()
    assert answer["status"] == "inferred"
    steps = answer["steps"]
    assert steps[0]["rule"] == "prp-spo2" and steps[0]["depth"] == 0  # heldIn ∘ locatedIn ⊑ heldIn
    premises = {tuple(s["triple"]) for s in steps if s["depth"] == 1}
    assert (f"<{RES}summit-tc-2015-astana>", f"<{OTS}heldIn>", f"<{RES}astana>") in premises
    # every branch ends in asserted triples
    for i, step in enumerate(steps):
        is_leaf = i + 1 == len(steps) or steps[i + 1]["depth"] <= step["depth"]
        if is_leaf:
            assert step["rule"] == "asserted", step
    html = get(server, "/explain?" + urlencode(params)).text
    assert "prp-spo2" in html and "Астанада өтіп" in html  # the rule and the quote of a premise


def test_explain_asserted_unknown_and_bad_terms(server):
    asserted = {"s": RES + "summit-tc-2015-astana", "p": OTS + "heldIn", "o": RES + "astana"}
    answer = get(server, "/explain?" + urlencode(asserted), headers={"Accept": "application/json"}).json()
    assert answer["status"] == "asserted"
    unknown = {"s": RES + "astana", "p": OTS + "heldIn", "o": '"nowhere"@en'}
    assert get(server, "/explain?" + urlencode(unknown)).status_code == 404
    assert get(server, "/explain?s=x").status_code == 400
    bad = {"s": RES + "astana", "p": OTS + "heldIn", "o": "<a> . <b> <c> <d>"}
    assert get(server, "/explain?" + urlencode(bad)).status_code == 400


# --------------------------------------------------------------------------------- timeline, search


def test_timeline_is_an_svg_of_linked_marks(server):
    response = get(server, "/timeline.svg")
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert len(links) >= 40  # 15 summits, 14 visits, 21 instruments
    assert "/resource/summit-tc-2012-bishkek" in links
    assert root.find("svg:title", ns) is not None
    page = get(server, "/timeline?lang=kk").text
    assert '<meta name="viewport"' in page and "<svg" in page and "Саммит" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("qazaqstan", "kazakhstan"),
        ("КАЗАХСТАН", "kazakhstan"),
        ("bishkek", "bishkek"),
        ("Бішкек", "bishkek"),
        ("turkiye", "turkey"),
        ("ERDOGAN", "recep-tayyip-erdogan"),
        ("Qyrğyzstan", "kyrgyzstan"),
    ],
)
def test_search_finds_any_label_in_any_script(server, query, expected):
    answer = get(server, "/search?" + urlencode({"q": query}), headers={"Accept": "application/json"}).json()
    iris = [r["iri"] for r in answer["results"]]
    assert iris and iris[0] == RES + expected, iris[:5]
    html = get(server, "/search?" + urlencode({"q": query})).text
    assert f'href="/resource/{expected}"' in html


def test_search_as_the_first_request_of_a_fresh_server():
    """The search index is built from the labels, both cached per data version: building one inside
    the other must not deadlock (it did, with a non-re-entrant lock)."""
    with serve() as fresh:
        answer = requests.get(fresh.url + "/search", params={"q": "qazaqstan"}, timeout=30)
        assert answer.status_code == 200
        assert 'href="/resource/kazakhstan"' in answer.text


def test_search_box_on_every_page(server):
    for path in ("/", "/resource/kazakhstan", "/timeline", "/downloads", "/search", "/resource/nope"):
        assert 'action="/search"' in get(server, path).text, path


# ------------------------------------------------------------------------------------- downloads


def test_downloads_parse_and_hold_everything(server):
    page = get(server, "/downloads").text
    assert "CC BY 4.0" in page and "https://creativecommons.org/licenses/by/4.0/" in page
    store = state_of(server.app).store
    for name, fmt in (("otsgraph.nq", ox.RdfFormat.N_QUADS), ("otsgraph.trig", ox.RdfFormat.TRIG)):
        response = get(server, f"/downloads/{name}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        quads = set(ox.parse(response.content, format=fmt))
        assert len(quads) == len(store)
        graphs = {q.graph_name for q in quads}
        for graph in (Graphs.ASSERTED, Graphs.INFERRED, Graphs.PROVENANCE, Graphs.BACKGROUND):
            assert ox.NamedNode(str(graph)) in graphs
    assert get(server, "/downloads/other.nq").status_code == 404


# -------------------------------------------------------------------------------------- escaping


EVIL = "<script>alert(1)</script>"


def test_hostile_literals_are_escaped_everywhere(server):
    evil, kz = ox.NamedNode(RES + "evil-summit"), ox.NamedNode(RES + "kazakhstan")
    asserted, inferred = ox.NamedNode(str(Graphs.ASSERTED)), ox.NamedNode(str(Graphs.INFERRED))
    claim, provenance = ox.NamedNode(BASE + "claim/evil"), ox.NamedNode(str(Graphs.PROVENANCE))
    date = ox.Literal("2000-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    hostile = [
        ox.Quad(evil, ox.NamedNode(RDF_TYPE), ox.NamedNode(OTS + "Summit"), asserted),
        ox.Quad(evil, ox.NamedNode(RDFS_LABEL), ox.Literal(EVIL, language="en"), asserted),
        ox.Quad(evil, ox.NamedNode(OTS + "heldIn"), kz, asserted),
        ox.Quad(evil, ox.NamedNode(OTS + "heldIn"), kz, claim),
        ox.Quad(
            claim,
            ox.NamedNode(OTS + "quote"),
            ox.Literal('"><img src=x onerror=alert(2)>', language="kk"),
            provenance,
        ),
        ox.Quad(evil, ox.NamedNode(OTS + "earliestDate"), date, inferred),
        ox.Quad(kz, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode("javascript:alert(3)"), asserted),
    ]
    pages = [
        "/resource/evil-summit",
        "/resource/kazakhstan",
        "/search?q=script",
        "/timeline",
        "/timeline.svg",
        "/?" + urlencode({"query": EVIL}),
        "/explain?" + urlencode({"s": RES + "evil-summit", "p": OTS + "heldIn", "o": EVIL}),
    ]
    with added(server, hostile):
        bodies = {path: get(server, path).text for path in pages}
        svg = get(server, "/timeline.svg").content
    for path, body in bodies.items():
        assert "<script>alert" not in body, path
        assert "<img src=x" not in body, path
        assert 'href="javascript:' not in body.lower(), path
    assert sum("&lt;script&gt;" in body for body in bodies.values()) >= 5
    assert "&lt;img src=x onerror" in bodies["/resource/evil-summit"]
    ET.fromstring(svg)  # still well-formed XML
