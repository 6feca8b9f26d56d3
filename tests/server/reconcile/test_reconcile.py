"""/reconcile: the W3C Entity Reconciliation API (version 0.2 and the 1.0 draft) on a live server.

Every answer goes through `call()`, which checks the status, the CORS header and the document
against the JSON Schema of its kind (reconcile_schemas.py, written from the specifications).
What the answers should contain is read from the graph through /sparql, not written here.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
import requests
from jsonschema import Draft202012Validator, ValidationError

import reconcile_schemas as schemas
from server_fixtures import TOKEN, serve

RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"
WD = "http://www.wikidata.org/entity/"
LEGACY = "/reconcile"
DRAFT = "/reconcile/1.0-draft"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}

# Links the test inserts into graph:links (the shipped link data may hold them too; inserting
# twice changes nothing). Evidence for the QIDs, found with the `find_string` tool in public code:
# a Wikidata query comments `wdt:P17 wd:Q232;  # Kazakhstan`, and a test asserts
# `'wd:Q43 = "Turkey"'`.
LINKS = {"kazakhstan": "Q232", "turkey": "Q43"}


# ---------------------------------------------------------------------------------------- helpers


def validate(document: Any, schema: dict) -> None:
    Draft202012Validator(schema).validate(document)


def call(method: str, url: str, schema: dict | None, status: int = 200, **kwargs: Any) -> requests.Response:
    """One request, checked: the status, CORS, and (for JSON) the document against `schema`."""
    response = requests.request(method, url, timeout=30, **kwargs)
    assert response.status_code == status, response.text[:500]
    assert response.headers.get("Access-Control-Allow-Origin") == "*", response.headers
    if schema is not None:
        assert response.headers["Content-Type"].startswith("application/json"), response.headers
        validate(response.json(), schema)
    return response


def sparql(server, query: str) -> list[dict[str, str]]:
    prefixes = (
        f"PREFIX ots: <{OTS}> PREFIX res: <{RES}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    )
    response = requests.get(f"{server.url}/sparql", params={"query": prefixes + query}, timeout=30)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def label(server, iri: str, lang: str) -> str:
    rows = sparql(server, f'SELECT ?l {{ <{iri}> rdfs:label ?l FILTER(LANG(?l) = "{lang}") }}')
    assert len(rows) == 1, rows
    return rows[0]["l"]


def legacy(server, queries: dict, **kwargs: Any) -> dict:
    """A 0.2 batch sent as OpenRefine sends it: a form field queries= with JSON."""
    response = call(
        "POST", f"{server.url}{LEGACY}", schemas.RESULT_BATCH_0_2, data={"queries": json.dumps(queries)}
    )
    body = response.json()
    assert set(body) == set(queries)
    return body


def draft(server, queries: list) -> list[list[dict]]:
    response = call("POST", f"{server.url}{DRAFT}/match", schemas.RESULT_BATCH_1_0, json={"queries": queries})
    results = response.json()["results"]
    assert len(results) == len(queries)
    return [r["candidates"] for r in results]


def unlinked_entities(server, count: int) -> list[str]:
    """Entities graph:links does not link (whatever the shipped link data holds)."""
    rows = sparql(
        server,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT DISTINCT ?s { ?s a ots:Statement . "
        "FILTER NOT EXISTS { GRAPH <https://w3id.org/otsgraph/graph/links> { ?s skos:exactMatch ?item } } } "
        f"ORDER BY ?s LIMIT {count}",
    )
    assert len(rows) == count, "the graph has statements, which Wikidata has no items for"
    return [r["s"] for r in rows]


def name_condition(text: str) -> dict:
    return {"matchType": "name", "propertyValue": text}


@pytest.fixture(scope="module")
def server():
    with serve(update_tokens={TOKEN: "tests"}) as live:
        triples = " ".join(
            f"<{RES}{slug}> <http://www.w3.org/2004/02/skos/core#exactMatch> <{WD}{qid}> ."
            for slug, qid in LINKS.items()
        )
        update = f"INSERT DATA {{ GRAPH <https://w3id.org/otsgraph/graph/links> {{ {triples} }} }}"
        response = requests.post(f"{live.url}/sparql", data=update.encode(), headers=UPDATE, timeout=30)
        assert response.status_code in (200, 204), response.text
        yield live


# ------------------------------------------------------------------------------- the schemas can fail


def test_the_schemas_refuse_documents_that_break_the_spec():
    for schema in (
        schemas.MANIFEST_0_2,
        schemas.MANIFEST_1_0,
        schemas.RESULT_BATCH_0_2,
        schemas.RESULT_BATCH_1_0,
        schemas.SUGGEST_ENTITIES,
        schemas.EXTENSION_0_2,
        schemas.EXTENSION_1_0,
    ):
        Draft202012Validator.check_schema(schema)
    bad = [
        (
            schemas.MANIFEST_0_2,
            {"versions": ["0.2"], "name": "x", "schemaSpace": "http://x/"},
        ),  # no identifierSpace
        (
            schemas.MANIFEST_1_0,
            {"versions": ["1.0-draft"], "name": "x", "view": {"url": "http://x/"}},
        ),  # no {id}
        (
            schemas.MANIFEST_1_0,  # 0.2-style suggest objects are not 1.0 booleans
            {
                "versions": ["1.0-draft"],
                "name": "x",
                "view": {"url": "http://x/{id}"},
                "suggest": {"entity": {}, "type": {}, "property": {}},
            },
        ),
        (schemas.RESULT_BATCH_0_2, {"q0": {"result": [{"id": "x", "name": "y"}]}}),  # no score
        (schemas.RESULT_BATCH_1_0, {"results": [{"candidates": [{"id": "x", "name": "y", "type": []}]}]}),
        (schemas.SUGGEST_ENTITIES, {"result": [{"id": "x"}]}),  # no name
        (schemas.EXTENSION_0_2, {"meta": [], "rows": {"x": {"p": [{"str": 1}]}}}),
        (
            schemas.EXTENSION_1_0,
            {"meta": [], "rows": [{"id": "x", "properties": [{"id": "p", "values": [{"date": "2020"}]}]}]},
        ),
    ]
    for schema, document in bad:
        with pytest.raises(ValidationError):
            validate(document, schema)


# ------------------------------------------------------------------------------------- manifests


def test_the_legacy_manifest_meets_version_0_2(server):
    manifest = call("GET", f"{server.url}{LEGACY}", schemas.MANIFEST_0_2).json()
    assert {"0.1", "0.2"} <= set(manifest["versions"])
    assert manifest["identifierSpace"] == RES
    assert manifest["schemaSpace"] == OTS
    assert f"{OTS}State" in [t["id"] for t in manifest["defaultTypes"]]
    assert manifest["batchSize"] >= 1
    # every advertised service answers where the manifest says
    for kind, schema in (("entity", schemas.SUGGEST_ENTITIES), ("type", schemas.SUGGEST_TYPES)):
        service = manifest["suggest"][kind]
        call("GET", service["service_url"] + service["service_path"], schema, params={"prefix": "a"})
    flyout = manifest["suggest"]["entity"]["flyout_service_path"].replace("${id}", f"{RES}kazakhstan")
    call("GET", manifest["suggest"]["entity"]["service_url"] + flyout, schemas.FLYOUT)
    service = manifest["suggest"]["property"]
    call(
        "GET",
        service["service_url"] + service["service_path"],
        schemas.SUGGEST_PROPERTIES,
        params={"prefix": ""},
    )
    propose = manifest["extend"]["propose_properties"]
    call(
        "GET",
        propose["service_url"] + propose["service_path"],
        schemas.PROPERTY_PROPOSAL,
        params={"type": f"{OTS}State"},
    )
    preview = call("GET", manifest["preview"]["url"].replace("{{id}}", f"{RES}kazakhstan"), None)
    assert preview.headers["Content-Type"].startswith("text/html")
    view = call(
        "GET",
        manifest["view"]["url"].replace("{{id}}", f"{RES}kazakhstan"),
        None,
        allow_redirects=False,
        status=303,
    )
    assert view.headers["Location"].endswith("/resource/kazakhstan")


def test_the_draft_manifest_meets_the_1_0_draft(server):
    manifest = call("GET", f"{server.url}{DRAFT}", schemas.MANIFEST_1_0).json()
    assert manifest["versions"] == ["1.0-draft"]
    assert manifest["suggest"] == {"entity": True, "property": True, "type": True}
    assert manifest["standardizedScore"] is True
    # the 1.0 view template is RFC 6570: {id} is percent-encoded
    url = manifest["view"]["url"].replace("{id}", quote(f"{RES}turkey", safe=""))
    response = call("GET", url, None, allow_redirects=False, status=303)
    assert response.headers["Location"].endswith("/resource/turkey")
    with pytest.raises(ValidationError):  # the two versions' manifests really differ
        validate(manifest, schemas.MANIFEST_0_2)


def test_jsonp_wraps_the_manifest_for_a_plain_callback(server):
    plain = call("GET", f"{server.url}{LEGACY}", schemas.MANIFEST_0_2).json()
    response = call("GET", f"{server.url}{LEGACY}", None, params={"callback": "jQuery3600_1700"})
    assert response.headers["Content-Type"].startswith("application/javascript")
    match = re.fullmatch(r"/\*\*/jQuery3600_1700\((.*)\);", response.text, re.DOTALL)
    assert match, response.text[:100]
    assert json.loads(match.group(1)) == plain
    suggest = call(
        "GET", f"{server.url}{LEGACY}/suggest/entity", None, params={"prefix": "Ankara", "callback": "cb"}
    )
    validate(json.loads(suggest.text.removeprefix("/**/cb(").removesuffix(");")), schemas.SUGGEST_ENTITIES)


@pytest.mark.parametrize("callback", ["alert(1)", "a.b", "x;y", "", "1abc", "a" * 200, "</script>", "cb\n"])
def test_a_callback_that_is_not_a_plain_identifier_is_refused(server, callback):
    response = call("GET", f"{server.url}{LEGACY}", schemas.ERROR, status=400, params={"callback": callback})
    assert response.json()["where"] == "callback"


def test_cors_preflight_is_answered(server):
    headers = {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    for path in (LEGACY, f"{DRAFT}/match", f"{DRAFT}/extend"):
        response = call("OPTIONS", f"{server.url}{path}", None, headers=headers)
        assert "POST" in response.headers["Access-Control-Allow-Methods"]
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# -------------------------------------------------------------------------------- matching names

NAMES = [
    # query, entity, the language the name comes back in
    ("Қазақстан", "kazakhstan", "kk"),
    ("Kazakhstan", "kazakhstan", "en"),
    ("Казахстан", "kazakhstan", "ru"),
    ("Qazaqstan", "kazakhstan", "en"),  # Latin-script Kazakh
    ("ҚАЗАҚСТАН", "kazakhstan", "kk"),
    ("  kazakhstan ", "kazakhstan", "en"),
    ("Түркия", "turkey", "kk"),
    ("Türkiye", "turkey", "en"),
    ("Turkiye", "turkey", "en"),  # without the diacritic
    ("Турция", "turkey", "ru"),
    ("Назарбаев", "nursultan-nazarbayev", None),  # the same in kk and ru
    ("Nazarbaev", "nursultan-nazarbayev", "en"),  # Latin-script Kazakh spelling of the kk label
    ("Нұрсұлтан Назарбаев", "nursultan-nazarbayev", "kk"),
    ("Erdogan", "recep-tayyip-erdogan", "en"),
    ("Эрдоган", "recep-tayyip-erdogan", "ru"),
    ("Ердоған", "recep-tayyip-erdogan", "kk"),
    ("Нур-Султан", "astana", "ru"),  # an alternative label
]


@pytest.mark.parametrize(("text", "slug", "lang"), NAMES)
def test_a_name_in_any_language_or_script_finds_its_entity(server, text, slug, lang):
    [top, *_] = legacy(server, {"q0": {"query": text}})["q0"]["result"]
    assert top["id"] == RES + slug
    assert top["score"] == 100 and top["match"] is True
    if lang:
        assert top["name"] == label(server, RES + slug, lang)
    [[first, *_]] = draft(server, [{"conditions": [name_condition(text)]}])
    assert first["id"] == RES + slug and first["match"] is True


def test_candidates_carry_types_and_the_wikidata_qid(server):
    [top, *_] = legacy(server, {"q0": {"query": "Kazakhstan"}})["q0"]["result"]
    assert top["wikidata"] == LINKS["kazakhstan"]
    assert LINKS["kazakhstan"] in top["description"]
    types = {t["id"] for t in top["type"]}
    stated = {
        r["t"]
        for r in sparql(
            server,
            "SELECT ?t { GRAPH ?g { res:kazakhstan a ?t } "
            "FILTER(?g != <https://w3id.org/otsgraph/graph/inferred>) }",
        )
    }
    assert types == stated
    [iri] = unlinked_entities(server, 1)
    [top, *_] = legacy(server, {"q0": {"query": iri}})["q0"]["result"]
    assert top["id"] == iri and "wikidata" not in top and "Wikidata" not in top["description"]


def test_an_identifier_as_the_query_finds_its_entity(server):
    for identifier in (f"{RES}turkey", "res:turkey", LINKS["turkey"], f"wd:{LINKS['turkey']}"):
        [top] = legacy(server, {"q0": {"query": identifier}})["q0"]["result"]
        assert top["id"] == f"{RES}turkey" and top["match"] is True


def test_only_a_unique_exact_match_is_marked_as_a_match(server):
    result = legacy(server, {"q0": {"query": "Kazakh", "limit": 20}})["q0"]["result"]
    assert result, "a prefix finds candidates"
    assert not any(c["match"] for c in result)
    assert all(c["score"] < 100 for c in result)
    assert [c["score"] for c in result] == sorted((c["score"] for c in result), reverse=True)


def test_a_type_filter_excludes_a_city_when_asking_for_states(server):
    anything = legacy(server, {"q0": {"query": "Astana"}})["q0"]["result"]
    assert anything[0]["id"] == f"{RES}astana"
    states = legacy(server, {"q0": {"query": "Astana", "type": f"{OTS}State"}})["q0"]["result"]
    assert f"{RES}astana" not in [c["id"] for c in states]
    cities = legacy(server, {"q0": {"query": "Astana", "type": "ots:City"}})["q0"]["result"]
    assert cities[0]["id"] == f"{RES}astana"
    city_iris = {r["s"] for r in sparql(server, "SELECT ?s { ?s a ots:City }")}
    assert {c["id"] for c in cities} <= city_iris
    # the 1.0 draft's single type, and a 0.2 list of types
    [found] = draft(server, [{"conditions": [name_condition("Astana")], "type": f"{OTS}State"}])
    assert f"{RES}astana" not in [c["id"] for c in found]
    both = legacy(server, {"q0": {"query": "Kazakhstan", "type": [f"{OTS}City", f"{OTS}State"]}})["q0"][
        "result"
    ]
    assert both[0]["id"] == f"{RES}kazakhstan"


def test_limit_caps_the_candidates(server):
    many = legacy(server, {"q0": {"query": "summit", "limit": 50}})["q0"]["result"]
    assert len(many) > 3
    batch = legacy(
        server,
        {
            "q0": {"query": "summit", "limit": 1},
            "q1": {"query": "summit", "limit": 3},
            "q2": {"query": "summit"},
        },
    )
    assert [c["id"] for c in batch["q0"]["result"]] == [many[0]["id"]]
    assert [c["id"] for c in batch["q1"]["result"]] == [c["id"] for c in many[:3]]
    assert len(batch["q2"]["result"]) == min(10, len(many))  # the default
    [one] = draft(server, [{"conditions": [name_condition("summit")], "limit": 2}])
    assert len(one) == 2


def test_a_property_condition_ranks_and_filters(server):
    in_bishkek = {r["s"] for r in sparql(server, "SELECT ?s { ?s a ots:Summit ; ots:heldIn res:bishkek }")}
    assert in_bishkek, "the graph has summits held in Bishkek"
    summit = f"{OTS}Summit"
    for value in ("Bishkek", "Бішкек", {"id": f"{RES}bishkek", "name": "Bishkek"}, {"id": "res:bishkek"}):
        query = {
            "query": "summit",
            "type": summit,
            "limit": 100,
            "properties": [{"pid": "ots:heldIn", "v": value}],
        }
        result = legacy(server, {"q0": query})["q0"]["result"]
        met = {
            c["id"]
            for c in result
            if {"id": "properties", "name": "share of property conditions met", "value": 1.0} in c["features"]
        }
        assert met == in_bishkek, value
        assert {c["id"] for c in result[: len(met)]} == met  # those meeting it come first
    # 1.0: a required condition filters
    [found] = draft(
        server,
        [
            {
                "conditions": [
                    name_condition("summit"),
                    {
                        "matchType": "property",
                        "propertyId": f"{OTS}heldIn",
                        "propertyValue": "Bishkek",
                        "required": True,
                    },
                ],
                "type": summit,
                "limit": 100,
            }
        ],
    )
    assert {c["id"] for c in found} == in_bishkek


def test_a_wikidata_condition_matches_the_linked_qid(server):
    right = legacy(
        server, {"q0": {"query": "Kazakhstan", "properties": [{"pid": "wikidata", "v": LINKS["kazakhstan"]}]}}
    )
    wrong = legacy(
        server, {"q0": {"query": "Kazakhstan", "properties": [{"pid": "wikidata", "v": LINKS["turkey"]}]}}
    )
    assert right["q0"]["result"][0]["score"] == 100 and right["q0"]["result"][0]["match"] is True
    assert wrong["q0"]["result"][0]["id"] == f"{RES}kazakhstan"
    assert wrong["q0"]["result"][0]["score"] < 100 and wrong["q0"]["result"][0]["match"] is False
    # a query by property alone: no name
    [found] = draft(
        server,
        [
            {
                "conditions": [
                    {"matchType": "property", "propertyId": "wikidata", "propertyValue": LINKS["turkey"]}
                ]
            }
        ],
    )
    assert [c["id"] for c in found] == [f"{RES}turkey"]


def test_every_way_of_sending_a_batch_is_understood(server):
    batch = {"q0": {"query": "Ankara"}, "q1": {"query": "Baku"}}
    url = f"{server.url}{LEGACY}"
    as_form = call("POST", url, schemas.RESULT_BATCH_0_2, data={"queries": json.dumps(batch)}).json()
    as_get = call("GET", url, schemas.RESULT_BATCH_0_2, params={"queries": json.dumps(batch)}).json()
    as_json = call("POST", url, schemas.RESULT_BATCH_0_2, json={"queries": batch}).json()
    as_bare_json = call("POST", url, schemas.RESULT_BATCH_0_2, json=batch).json()
    assert as_form == as_get == as_json == as_bare_json
    assert [as_form[k]["result"][0]["id"] for k in ("q0", "q1")] == [f"{RES}ankara", f"{RES}baku"]
    draft_queries = [{"conditions": [name_condition("Ankara")]}, {"conditions": [name_condition("Baku")]}]
    on_root = call("POST", url, schemas.RESULT_BATCH_1_0, json={"queries": draft_queries}).json()
    on_match = call(
        "POST", f"{server.url}{DRAFT}/match", schemas.RESULT_BATCH_1_0, json={"queries": draft_queries}
    ).json()
    form_match = call(
        "POST",
        f"{server.url}{DRAFT}/match",
        schemas.RESULT_BATCH_1_0,
        data={"queries": json.dumps(draft_queries)},
    ).json()
    assert on_root == on_match == form_match
    assert [r["candidates"][0]["id"] for r in on_match["results"]] == [f"{RES}ankara", f"{RES}baku"]
    single = call("GET", url, None, params={"query": "Ankara"}).json()  # version 0.1: one query
    validate({"q0": single}, schemas.RESULT_BATCH_0_2)
    assert single["result"][0]["id"] == f"{RES}ankara"


def test_a_blank_query_has_no_candidates(server):
    assert legacy(server, {"q0": {"query": "  "}})["q0"]["result"] == []


# ---------------------------------------------------------------------------------------- suggest


@pytest.mark.parametrize("root", [LEGACY, DRAFT])
def test_suggest_entity_completes_a_prefix_in_any_script(server, root):
    for prefix in ("qaz", "Қаз", "Каза", "Kaza"):
        result = call(
            "GET", f"{server.url}{root}/suggest/entity", schemas.SUGGEST_ENTITIES, params={"prefix": prefix}
        ).json()["result"]
        assert f"{RES}kazakhstan" in [r["id"] for r in result], prefix
    typed = call(
        "GET",
        f"{server.url}{root}/suggest/entity",
        schemas.SUGGEST_ENTITIES,
        params={"prefix": "Astana", "type": f"{OTS}Summit"},
    ).json()["result"]
    summits = {r["s"] for r in sparql(server, "SELECT ?s { ?s a ots:Summit }")}
    assert typed and {r["id"] for r in typed} <= summits
    everything = call(
        "GET",
        f"{server.url}{root}/suggest/entity",
        schemas.SUGGEST_ENTITIES,
        params={"prefix": "", "limit": 100},
    ).json()["result"]
    page = call(
        "GET",
        f"{server.url}{root}/suggest/entity",
        schemas.SUGGEST_ENTITIES,
        params={"prefix": "", "limit": 5, "offset": 5},
    ).json()["result"]
    assert [r["id"] for r in page] == [r["id"] for r in everything[5:10]]
    by_id = call(
        "GET",
        f"{server.url}{root}/suggest/entity",
        schemas.SUGGEST_ENTITIES,
        params={"prefix": f"{RES}turkey"},
    ).json()["result"]
    assert [r["id"] for r in by_id] == [f"{RES}turkey"]


@pytest.mark.parametrize("root", [LEGACY, DRAFT])
def test_suggest_type_and_property(server, root):
    for prefix in ("Stat", "Мемлекет", "Государ"):
        types = call(
            "GET", f"{server.url}{root}/suggest/type", schemas.SUGGEST_TYPES, params={"prefix": prefix}
        ).json()["result"]
        assert types[0]["id"] == f"{OTS}State", prefix
    properties = call(
        "GET", f"{server.url}{root}/suggest/property", schemas.SUGGEST_PROPERTIES, params={"prefix": "held"}
    ).json()["result"]
    assert f"{OTS}heldIn" in [p["id"] for p in properties]
    wikidata = call(
        "GET", f"{server.url}{root}/suggest/property", schemas.SUGGEST_PROPERTIES, params={"prefix": "wiki"}
    ).json()["result"]
    assert wikidata[0]["id"] == "wikidata"


def test_flyout_and_preview_show_the_entity(server):
    flyout = call(
        "GET", f"{server.url}{LEGACY}/flyout/entity", schemas.FLYOUT, params={"id": f"{RES}kazakhstan"}
    ).json()
    assert (
        flyout["id"] == f"{RES}kazakhstan"
        and "Kazakhstan" in flyout["html"]
        and LINKS["kazakhstan"] in flyout["html"]
    )
    for root in (LEGACY, DRAFT):
        response = call(
            "GET", f"{server.url}{root}/preview", None, params={"id": f"{RES}kazakhstan", "lang": "kk"}
        )
        assert response.headers["Content-Type"].startswith("text/html")
        assert (
            "script-src" not in response.headers["Content-Security-Policy"]
        )  # default-src 'none': no scripts
        page = Page.parse(response.text)
        assert page.title == label(server, f"{RES}kazakhstan", "kk")
        manifest = requests.get(f"{server.url}{root}", timeout=30).json()
        assert f"width: {manifest['preview']['width']}px" in response.text
        assert f"height: {manifest['preview']['height']}px" in response.text
        assert f"https://www.wikidata.org/wiki/{LINKS['kazakhstan']}" in page.links


class Page(HTMLParser):
    """The title and links of an HTML document; fails on unbalanced tags."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.links, self.open, self._in_title = "", [], [], False

    @classmethod
    def parse(cls, text: str) -> Page:
        page = cls()
        page.feed(text)
        page.close()
        assert page.open == ["html"] or page.open == [], page.open
        return page

    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "br", "link"):
            self.open.append(tag)
        self._in_title = tag == "title"
        self.links += [v for k, v in attrs if k == "href"]

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, (self.open, tag)
        self.open.pop()
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_preview_and_flyout_escape_what_the_data_says(server):
    """An entity added by an update (on the module's server: it is a City, as the others expect)."""
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    [before] = legacy(server, {"q0": {"query": hostile, "limit": 1, "type": f"{OTS}City"}}).values()
    assert f"{RES}hostile" not in [c["id"] for c in before["result"]]
    update = (
        f"INSERT DATA {{ <{RES}hostile> a <{OTS}City> ; "
        f"<http://www.w3.org/2000/01/rdf-schema#label> {json.dumps(hostile)}@en, "
        f"{json.dumps(hostile + ' қала')}@kk, {json.dumps(hostile + ' город')}@ru }}"
    )
    assert requests.post(f"{server.url}/sparql", data=update.encode(), headers=UPDATE, timeout=30).ok
    preview = call("GET", f"{server.url}{LEGACY}/preview", None, params={"id": f"{RES}hostile"})
    assert "<script>" not in preview.text and "<img" not in preview.text
    assert "&lt;script&gt;" in preview.text
    assert Page.parse(preview.text).title == hostile
    flyout = call(
        "GET", f"{server.url}{LEGACY}/flyout/entity", schemas.FLYOUT, params={"id": f"{RES}hostile"}
    ).json()
    assert "<script>" not in flyout["html"] and "&lt;script&gt;" in flyout["html"]
    # the new entity is found: the service follows updates
    [top] = legacy(server, {"q0": {"query": hostile, "limit": 1}})["q0"]["result"]
    assert top["id"] == f"{RES}hostile" and top["match"] is True


# --------------------------------------------------------------------------------- data extension


def test_data_extension_in_both_versions(server):
    [unlinked] = unlinked_entities(server, 1)
    ids = [f"{RES}kazakhstan", f"{RES}turkey", unlinked]
    properties = [{"id": "wikidata"}, {"id": f"{OTS}heldIn"}, {"id": "org:memberOf"}]
    query = {"ids": ids, "properties": properties}
    old = call(
        "POST", f"{server.url}{LEGACY}", schemas.EXTENSION_0_2, data={"extend": json.dumps(query)}
    ).json()
    new = call("POST", f"{server.url}{DRAFT}/extend", schemas.EXTENSION_1_0, json=query).json()
    assert [m["id"] for m in old["meta"]] == [p["id"] for p in properties] == [m["id"] for m in new["meta"]]
    assert old["rows"][f"{RES}kazakhstan"]["wikidata"] == [{"str": LINKS["kazakhstan"]}]
    assert old["rows"][unlinked]["wikidata"] == []
    members = {
        r["o"]
        for r in sparql(
            server, "PREFIX org: <http://www.w3.org/ns/org#> SELECT ?o { res:turkey org:memberOf ?o }"
        )
    }
    assert {v["id"] for v in old["rows"][f"{RES}turkey"]["org:memberOf"]} == members
    assert [row["id"] for row in new["rows"]] == ids
    for row in new["rows"]:  # the same values; 1.0 adds the language of texts
        values = {
            p["id"]: [{k: v for k, v in x.items() if k != "lang"} for x in p["values"]]
            for p in row["properties"]
        }
        assert values == old["rows"][row["id"]]
    as_body = call("POST", f"{server.url}{LEGACY}/extend", schemas.EXTENSION_0_2, json=query).json()
    assert as_body == old


def test_data_extension_gives_numbers_and_dates_typed(server):
    rows = sparql(
        server,
        "SELECT ?s ?d { ?s a ots:Summit ; ots:date ?d "
        "FILTER(DATATYPE(?d) = <http://www.w3.org/2001/XMLSchema#date>) } LIMIT 1",
    )
    assert rows, "a summit has an xsd:date"
    query = {"ids": [rows[0]["s"]], "properties": [{"id": "ots:date"}]}
    extended = call("POST", f"{server.url}{DRAFT}/extend", schemas.EXTENSION_1_0, json=query).json()
    values = extended["rows"][0]["properties"][0]["values"]
    assert {"date": f"{rows[0]['d']}T00:00:00Z"} in values


@pytest.mark.parametrize("root", [LEGACY, DRAFT])
def test_property_proposals_follow_the_type(server, root):
    proposal = call(
        "GET",
        f"{server.url}{root}/extend/propose",
        schemas.PROPERTY_PROPOSAL,
        params={"type": f"{OTS}Summit", "limit": 50},
    ).json()
    ids = [p["id"] for p in proposal["properties"]]
    assert ids[0] == "wikidata" and f"{OTS}heldIn" in ids
    state = call(
        "GET",
        f"{server.url}{root}/extend/propose",
        schemas.PROPERTY_PROPOSAL,
        params={"type": f"{OTS}State", "limit": 50},
    ).json()
    assert f"{OTS}heldIn" not in [p["id"] for p in state["properties"]]
    assert (
        len(
            call(
                "GET",
                f"{server.url}{root}/extend/propose",
                schemas.PROPERTY_PROPOSAL,
                params={"type": f"{OTS}Summit", "limit": 2},
            ).json()["properties"]
        )
        == 2
    )


# ------------------------------------------------------------------------------------ bad input

LEGACY_BAD = [
    # (queries= text, where the error is)
    ('{"q0": ', "queries"),
    ("[1, 2", "queries"),
    ('"Kazakhstan"', "queries"),
    ('{"q0": "Kazakhstan"}', "q0"),
    ('{"q0": {"query": 5}}', "q0.query"),
    ('{"q0": {}}', "q0"),
    ('{"q0": {"query": "x", "limit": -1}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": 0}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": "ten"}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": true}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": 2.5}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": Infinity}}', "q0.limit"),
    ('{"q0": {"query": "x", "limit": NaN}}', "q0.limit"),
    ('{"q0": {"query": "x", "type": "https://example.org/Nothing"}}', "q0.type"),
    ('{"q0": {"query": "x", "type": 7}}', "q0.type[0]"),
    ('{"q0": {"query": "x", "type_strict": "maybe"}}', "q0.type_strict"),
    ('{"q0": {"query": "x", "properties": {"pid": "wikidata"}}}', "q0.properties"),
    (
        '{"q0": {"query": "x", "properties": [{"pid": "ots:noSuchProperty", "v": "x"}]}}',
        "q0.properties[0].pid",
    ),
    ('{"q0": {"query": "x", "properties": [{"v": "x"}]}}', "q0.properties[0]"),
    ('{"q0": {"query": "x", "properties": [{"pid": "wikidata"}]}}', "q0.properties[0]"),
    ('{"q0": {"query": "x", "properties": [{"pid": "wikidata", "v": [[1]]}]}}', "q0.properties[0].v[0]"),
    ('{"q0": {"query": "x", "properties": [{"pid": "wikidata", "v": []}]}}', "q0.properties[0].v"),
    ('{"q0": {"query": "x", "properties": [{"pid": "wikidata", "v": {"x": 1}}]}}', "q0.properties[0].v[0]"),
    ("[" * 100_000 + "]" * 100_000, "queries"),
]


@pytest.mark.parametrize(("text", "where"), LEGACY_BAD)
def test_a_bad_legacy_batch_is_refused_with_where(server, text, where):
    response = call("POST", f"{server.url}{LEGACY}", schemas.ERROR, status=400, data={"queries": text})
    assert response.json()["where"] == where, response.json()


DRAFT_BAD = [
    ({"queries": {"conditions": []}}, "queries"),
    ({"queries": [{"conditions": []}]}, "queries[0].conditions"),
    (
        {"queries": [{"query": "x", "conditions": [{"matchType": "name", "propertyValue": "x"}]}]},
        "queries[0]",
    ),
    (
        {"queries": [{"conditions": [{"matchType": "label", "propertyValue": "x"}]}]},
        "queries[0].conditions[0].matchType",
    ),
    ({"queries": [{"conditions": [{"matchType": "name"}]}]}, "queries[0].conditions[0]"),
    (
        {"queries": [{"conditions": [{"matchType": "name", "propertyValue": 3}]}]},
        "queries[0].conditions[0].propertyValue",
    ),
    (
        {"queries": [{"conditions": [{"matchType": "property", "propertyValue": "x"}]}]},
        "queries[0].conditions[0].propertyId",
    ),
    (
        {
            "queries": [
                {
                    "conditions": [
                        {
                            "matchType": "property",
                            "propertyId": "wikidata",
                            "propertyValue": "x",
                            "required": "yes",
                        }
                    ]
                }
            ]
        },
        "queries[0].conditions[0].required",
    ),
    (
        {
            "queries": [
                {
                    "conditions": [
                        {
                            "matchType": "property",
                            "propertyId": "wikidata",
                            "propertyValue": "x",
                            "matchQuantifier": "most",
                        }
                    ]
                }
            ]
        },
        "queries[0].conditions[0].matchQuantifier",
    ),
    ({"queries": [{"conditions": [name_condition("x"), name_condition("y")]}]}, "queries[0].conditions[1]"),
    ({"queries": [{"conditions": [name_condition("x")], "type": ["a", "b"]}]}, "queries[0].type"),
    ({"queries": [{"conditions": [name_condition("x")], "limit": 0}]}, "queries[0].limit"),
    ({"queries": ["Kazakhstan"]}, "queries[0]"),
    ({"queries": [{"conditions": [name_condition("x")]}] * 101}, "queries"),
    ({"q": []}, "body"),
    ([1, 2], "body"),
]


@pytest.mark.parametrize(("body", "where"), DRAFT_BAD)
def test_a_bad_draft_batch_is_refused_with_where(server, body, where):
    response = call("POST", f"{server.url}{DRAFT}/match", schemas.ERROR, status=400, json=body)
    assert response.json()["where"] == where, response.json()


def test_a_batch_over_the_limit_is_refused_before_any_work(server):
    batch = {f"q{i}": {"query": "Kazakhstan"} for i in range(101)}
    response = call(
        "POST", f"{server.url}{LEGACY}", schemas.ERROR, status=400, data={"queries": json.dumps(batch)}
    )
    assert response.json()["error"] == "batch-too-large" and "100" in response.json()["message"]
    # the manifest's batchSize is accepted
    legacy(server, dict(list(batch.items())[:100]))


def test_bodies_that_cannot_be_read_are_refused(server):
    url = f"{server.url}{DRAFT}/match"
    json_type = {"Content-Type": "application/json"}
    for body, code in ((b"\xff\xfe{}", "bad-encoding"), (b"", "bad-request"), (b"{nope", "bad-request")):
        response = call("POST", url, schemas.ERROR, status=400, data=body, headers=json_type)
        assert response.json()["error"] == code
    # larger than the server's max_request_bytes: refused by waitress before the app reads it
    too_big = b'{"queries": [' + b" " * 1_100_000 + b"]}"
    assert requests.post(url, data=too_big, headers=json_type, timeout=30).status_code == 413
    call("POST", f"{server.url}{LEGACY}", schemas.ERROR, status=400, data={"nothing": "here"})


def test_bad_parameters_of_the_other_services_are_refused(server):
    url = server.url
    cases = [
        ("GET", f"{url}{LEGACY}/suggest/entity", {}, 400, "prefix"),
        ("GET", f"{url}{LEGACY}/suggest/entity", {"prefix": "a", "limit": "many"}, 400, "limit"),
        ("GET", f"{url}{DRAFT}/suggest/entity", {"prefix": "a", "offset": "-1"}, 400, "offset"),
        ("GET", f"{url}{DRAFT}/suggest/entity", {"prefix": "a", "type": "ots:Nothing"}, 400, "type"),
        ("GET", f"{url}{LEGACY}/preview", {}, 400, "id"),
        ("GET", f"{url}{LEGACY}/preview", {"id": f"{RES}no-such-thing"}, 404, "id"),
        ("GET", f"{url}{DRAFT}/view", {"id": "<script>"}, 404, "id"),
        ("GET", f"{url}{LEGACY}/flyout/entity", {"id": ""}, 400, "id"),
        ("GET", f"{url}{DRAFT}/extend/propose", {}, 400, "type"),
        ("GET", f"{url}{DRAFT}/extend/propose", {"type": "ots:Nothing"}, 400, "type"),
    ]
    for method, target, params, status, where in cases:
        response = call(method, target, schemas.ERROR, status=status, params=params)
        assert response.json()["where"] == where, (target, params, response.json())


EXTEND_BAD = [
    ({"ids": "x", "properties": [{"id": "wikidata"}]}, "extend.ids"),
    ({"ids": [1], "properties": [{"id": "wikidata"}]}, "extend.ids"),
    ({"ids": ["x"], "properties": []}, "extend.properties"),
    ({"ids": ["x"], "properties": ["wikidata"]}, "extend.properties[0]"),
    ({"ids": ["x"], "properties": [{"id": "ots:noSuch"}]}, "extend.properties[0].id"),
    ({"ids": ["x"] * 1001, "properties": [{"id": "wikidata"}]}, "extend"),
    (["x"], "extend"),
]


@pytest.mark.parametrize(("query", "where"), EXTEND_BAD)
def test_a_bad_extension_query_is_refused(server, query, where):
    response = call("POST", f"{server.url}{DRAFT}/extend", schemas.ERROR, status=400, json=query)
    assert response.json()["where"] == where
    response = call(
        "POST", f"{server.url}{LEGACY}", schemas.ERROR, status=400, data={"extend": json.dumps(query)}
    )
    assert response.json()["where"] == where


def test_unknown_ids_in_an_extension_get_empty_values(server):
    query = {"ids": [f"{RES}no-such-thing"], "properties": [{"id": "wikidata"}]}
    extended = call("POST", f"{server.url}{DRAFT}/extend", schemas.EXTENSION_1_0, json=query).json()
    assert extended["rows"] == [
        {"id": f"{RES}no-such-thing", "properties": [{"id": "wikidata", "values": []}]}
    ]


def test_wrong_methods_get_json_errors(server):
    call("GET", f"{server.url}{DRAFT}/match", schemas.ERROR, status=405)
    call("DELETE", f"{server.url}{LEGACY}", schemas.ERROR, status=405)
