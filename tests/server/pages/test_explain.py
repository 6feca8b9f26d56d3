"""/explain over HTTP against a live server: prefixed names (the query page's common prefixes), the
form, a subject alone, an inferred type that is a restriction, and bad input answered 400 or 404,
never 500."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import requests

from ontology_words import has_p31_sovereign_state
from otsgraph.core.namespaces import BASE, PREFIXES
from otsgraph.server.state import state_of
from server_fixtures import serve

RES = BASE + "resource/"
OTS = BASE + "ontology/"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def server():
    with serve() as live:
        yield live


def explain(server, headers=None, **params) -> requests.Response:
    return requests.get(f"{server.url}/explain?{urlencode(params)}", headers=headers or {}, timeout=30)


def test_prefixed_names_are_expanded(server):
    full = {"s": RES + "summit-tc-2015-astana", "p": OTS + "heldIn", "o": RES + "kazakhstan"}
    short = {"s": "res:summit-tc-2015-astana", "p": "ots:heldIn", "o": "res:kazakhstan"}
    by_iri, by_name = explain(server, JSON, **full).json(), explain(server, JSON, **short).json()
    assert by_name["status"] == "inferred" and by_name == by_iri
    html = explain(server, **short)
    assert html.status_code == 200 and "prp-spo2" in html.text
    typed = explain(server, JSON, s="res:kazakhstan", p="rdf:type", o="ots:State").json()
    assert typed["status"] == "asserted"


def test_the_prefixes_are_the_query_page_s(server):
    html = explain(server).text
    for prefix, namespace in PREFIXES.items():
        assert f"<code>{prefix}:</code> <code>{namespace}</code>" in html


def test_without_parameters_the_form(server):
    response = explain(server)
    assert response.status_code == 200
    html = response.text
    assert '<form class="explain"' in html and 'method="get"' in html
    for name in ("s", "p", "o"):
        assert f'name="{name}"' in html


def test_a_subject_alone_lists_its_inferred_facts(server):
    response = explain(server, s="res:kazakhstan")
    assert response.status_code == 200
    links = re.findall(r'class="why" href="([^"]+)"', response.text)
    assert links, "Kazakhstan has inferred facts"
    restriction = has_p31_sovereign_state(state_of(server.app).store)
    assert f"anything that {restriction}" in response.text  # an inferred type that is a restriction
    assert not re.search(r"_:[A-Za-z0-9]", response.text)
    answer = explain(server, JSON, s="res:kazakhstan").json()
    assert answer["subject"] == f"<{RES}kazakhstan>" and answer["inferred"]
    for link in links[:5]:  # every link explains (the restriction's too, by its blank node)
        followed = requests.get(server.url + link.replace("&amp;", "&"), headers=JSON, timeout=30)
        assert followed.status_code == 200 and followed.json()["status"] == "inferred", link


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"s": "foo:bar"}, 400, "unknown prefix foo:"),
        ({"s": "res:kazakhstan", "p": "nope:x", "o": "res:astana"}, 400, "unknown prefix nope:"),
        ({"s": "not an iri"}, 400, "not an IRI"),
        ({"s": "x"}, 400, "not an IRI"),
        ({"s": "<" + "a" * 10_000 + ">"}, 400, "at most"),
        ({"s": "res:kazakhstan", "p": "ots:memberOf", "o": "\x00" * 10_000}, 400, "at most"),
        ({"s": "res:kazakhstan", "p": "ots:memberOf"}, 400, "o is missing"),
        ({"s": "res:no-such-thing"}, 404, "nothing with the IRI"),
        ({"s": "res:astana", "p": "ots:heldIn", "o": '"nowhere"@en'}, 404, ""),
        ({"s": "_:x", "p": "rdf:type", "o": "ots:State"}, 400, "must be an IRI"),
    ],
)
def test_bad_input_is_a_clean_400_or_404(server, params, status, words):
    page = explain(server, {"Accept": "text/html"}, **params)
    assert page.status_code == status
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Traceback" not in page.text and words.replace("<", "&lt;") in page.text
    if status == 400:  # the form is there again, to correct the input
        assert '<form class="explain"' in page.text and 'role="alert"' in page.text
    api = explain(server, JSON, **params)
    assert api.status_code == status
    assert api.headers["Content-Type"].startswith("application/json")


def test_junk_of_every_kind_never_gives_a_500(server):
    junk = ["a" * 10_240, "%" * 10_240, "<>" * 5000, '"' * 10_000, ":" * 10_000, "res:" + "é" * 5000,
            "\ud7ff", "res:a>b", "<javascript:alert(1)>", '"x"^^foo:bar', "_:" + "b" * 5000]  # fmt: skip
    for value in junk:
        for name in ("s", "p", "o"):
            params = {"s": "res:kazakhstan", "p": "ots:memberOf", "o": "res:astana", name: value}
            response = explain(server, **params)
            assert response.status_code in (400, 404), (name, value[:40], response.status_code)
