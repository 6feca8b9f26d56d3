"""The pages a person uses (server/pages/pages.py), pinned answer by answer for mutation testing (issue 14,
docs/testing.md): the error page, /explain for a subject and for a bad term, content negotiation's 406,
the language links, the entity's Turtle, the TriG download, /api/labels with a body that is not an object,
the timeline's heading and the examples' titles.

Every expected status, heading, message and header is written out by hand. One app on the shipped graph
under Flask's test client, made once; every request here only reads.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from otsgraph.core.loading import Layout
from otsgraph.server import create_app
from otsgraph.server.pages.pages import _title
from otsgraph.server.state import ServerConfig, state_of

REPO = Path(__file__).resolve().parents[3]
RES = "https://w3id.org/otsgraph/resource/"
KAZAKHSTAN = f"{RES}kazakhstan"
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
PAGE_FORMATS = (
    "text/html, text/turtle, application/n-triples, application/ld+json, application/trig, "
    "application/n-quads, application/rdf+xml"
)
# one inferred fact about Kazakhstan: it lies in Eurasia (locatedIn, transitive through Central Asia)
LOCATED_IN_EURASIA = (
    "/explain?s=https%3A%2F%2Fw3id.org%2Fotsgraph%2Fresource%2Fkazakhstan"
    "&p=https%3A%2F%2Fw3id.org%2Fotsgraph%2Fontology%2FlocatedIn"
    "&o=%3Chttps%3A%2F%2Fw3id.org%2Fotsgraph%2Fresource%2Feurasia%3E"
)


@pytest.fixture(scope="module")
def app():
    app = create_app(ServerConfig(executor="thread"), layout=Layout(REPO))
    yield app
    state_of(app).close()


@pytest.fixture
def client(app):
    return app.test_client()


def vary(response) -> set[str]:
    return {token.strip() for token in response.headers["Vary"].split(",")}


def html(response) -> str:
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------------------ the error page


def test_a_method_not_allowed_gets_the_error_page_with_its_heading_and_message(client):
    response = client.delete("/resource/kazakhstan", headers=BROWSER)
    assert response.status_code == 405
    body = html(response)
    assert "<h1>Error</h1>" in body
    assert "<p>The method is not allowed for the requested URL.</p>" in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Accept" in vary(response)


def test_the_error_page_heading_is_in_the_readers_language(client):
    body = html(client.delete("/resource/kazakhstan", query_string={"lang": "tr"}, headers=BROWSER))
    assert "<h1>Hata</h1>" in body


def test_an_unknown_entity_gets_the_not_found_page_with_the_iri(client):
    response = client.get("/resource/no-such-thing", headers=BROWSER)
    assert response.status_code == 404
    body = html(response)
    assert "<h1>Not found</h1>" in body
    assert f"<code>{RES}no-such-thing</code>" in body


# ------------------------------------------------------------------------------ the language links


def test_the_language_links_keep_the_query_and_set_the_language(client):
    body = html(client.get("/search", query_string={"q": "Almaty"}, headers=BROWSER))
    links = {
        code: f'<a href="/search?q=Almaty&amp;lang={code}" hreflang="{code}"' for code in ("kk", "ru", "tr")
    }
    for code, link in links.items():
        assert link in body, code


# ---------------------------------------------------------------------------------------- /explain


def test_explain_with_a_subject_alone_lists_its_inferred_facts_as_json(client):
    response = client.get("/explain", query_string={"s": KAZAKHSTAN}, headers=JSON)
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["subject"] == f"<{KAZAKHSTAN}>"
    assert LOCATED_IN_EURASIA in answer["inferred"]
    for link in answer["inferred"]:
        assert parse_qs(urlsplit(link).query)["s"] == [KAZAKHSTAN]


def test_explain_with_a_subject_alone_lists_its_inferred_facts_on_the_page(client):
    response = client.get("/explain", query_string={"s": KAZAKHSTAN, "lang": "kk"}, headers=BROWSER)
    assert response.status_code == 200
    body = html(response)
    assert LOCATED_IN_EURASIA.replace("&", "&amp;") in body
    assert "Қазақстан" in body  # the subject's label in the reader's language


def test_explain_with_an_unknown_subject_is_404_with_the_iri(client):
    response = client.get("/explain", query_string={"s": f"{RES}no-such-thing"}, headers=JSON)
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "not-found",
        "message": f"the graph has nothing with the IRI <{RES}no-such-thing>",
    }


def test_explain_with_an_unknown_subject_on_the_page_is_404_with_the_form(client):
    response = client.get("/explain", query_string={"s": f"{RES}no-such-thing"}, headers=BROWSER)
    assert response.status_code == 404
    assert f"the graph has nothing with the IRI &lt;{RES}no-such-thing&gt;" in html(response)


def test_explain_with_a_bad_term_for_a_client_that_takes_neither_html_nor_json_is_a_json_400(client):
    # neither a page (no text/html) nor asked for JSON: the API's answer, not the form
    response = client.get("/explain", query_string={"s": "not an iri"}, headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    answer = response.get_json()
    assert answer["error"] == "bad-request"
    assert answer["message"].startswith("s is not an IRI, a prefixed name or an N-Triples term:")


def test_explain_with_a_bad_term_on_the_page_is_a_400_with_the_form_again(client):
    response = client.get("/explain", query_string={"s": "not an iri"}, headers=BROWSER)
    assert response.status_code == 400
    body = html(response)
    assert "s is not an IRI, a prefixed name or an N-Triples term:" in body
    assert 'value="not an iri"' in body


# ------------------------------------------------------------------------------- content negotiation


def test_an_entity_in_a_format_it_cannot_be_is_406_naming_the_formats(client):
    response = client.get("/resource/kazakhstan", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_json() == {"error": "not-acceptable", "message": f"this page can be: {PAGE_FORMATS}"}
    assert "Accept" in vary(response)


def test_the_ontology_in_a_format_it_cannot_be_is_406(client):
    response = client.get("/ontology", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_json()["error"] == "not-acceptable"
    assert "Accept" in vary(response)


def test_an_entity_in_turtle_declares_the_prefixes_it_uses(client):
    response = client.get("/resource/kazakhstan", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "@prefix res: <https://w3id.org/otsgraph/resource/> ." in body
    assert "res:kazakhstan" in body
    parsed = list(ox.parse(body.encode(), format=ox.RdfFormat.TURTLE))
    assert ox.NamedNode(KAZAKHSTAN) in {t.subject for t in parsed}


# ----------------------------------------------------------------------------------- the downloads


def test_the_trig_download_parses_and_holds_every_quad_of_the_store(app, client):
    response = client.get("/downloads/otsgraph.trig")
    assert response.status_code == 200
    body = response.get_data()
    assert body.count(b"@prefix res: ") == 1  # declared once above the graphs, not once per graph
    # one statement per line, as Oxigraph writes it: a diff of two releases is a diff of lines
    lines = body.split(b"\n")
    assert b"graph:asserted {" in lines
    assert b"\tres:kazakhstan a ots:State ." in lines
    downloaded = set(ox.parse(body, format=ox.RdfFormat.TRIG))
    stored = set(state_of(app).store.quads_for_pattern(None, None, None, None))
    assert downloaded == stored


# ------------------------------------------------------------------------------------ /api/labels


@pytest.mark.parametrize("body", ["[1, 2]", '"iris"', "7", "null"])
def test_api_labels_with_a_json_body_that_is_not_an_object_is_a_400(client, body):
    response = client.post("/api/labels", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "bad-request",
        "message": "send {'lang': 'en', 'iris': [...]} with at most 5000 IRIs",
    }


# -------------------------------------------------------------------------------------- the timeline


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "Summits, visits and agreements"), ("ru", "Саммиты, визиты и соглашения")],
)
def test_the_timeline_picture_carries_its_heading_in_the_readers_language(client, lang, heading):
    response = client.get("/timeline.svg", query_string={"lang": lang})
    assert response.status_code == 200
    assert heading in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- the examples' titles


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("# Which summits met in Kazakhstan?\nSELECT * {}", "Which summits met in Kazakhstan?"),
        ("## Two hashes\n", "Two hashes"),
        ("SELECT * {}\n# a comment later", ""),
        ("", ""),
        ("   \n", ""),
    ],
)
def test_an_examples_title_is_its_first_header_line(query, title):
    assert _title(query) == title
