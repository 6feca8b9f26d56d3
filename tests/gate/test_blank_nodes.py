"""Blank nodes are scoped to one submission: `_:c` of two submissions names two nodes.

pyoxigraph keeps a document's blank-node label as the node's id in the store, so without renaming
two submissions that both say `_:c` (or `_:b0`, as exporters write) would describe one node.
Driven through `otsgraph add`/`revert` on an on-disk store, and the Graph Store Protocol.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from gate_support import seeded_store_dir
from otsgraph.cli import main
from otsgraph.core.namespaces import turtle_prefixes
from otsgraph.gate.change import change_from_update
from otsgraph.server.state import state_of
from serve_command import serve_app

PREFIXES = turtle_prefixes()
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
IN_COUNTRY = ox.NamedNode("https://w3id.org/otsgraph/ontology/inCountry")
NUMBERED_AS = ox.NamedNode("https://w3id.org/otsgraph/ontology/numberedAs")
BACKGROUND_CLAIM = ox.NamedNode("https://w3id.org/otsgraph/ontology/BackgroundClaim")
ORDINAL = ox.NamedNode("https://w3id.org/otsgraph/ontology/ordinal")
RES = "https://w3id.org/otsgraph/resource/"
GRAPHS = "https://w3id.org/otsgraph/graph/"
SOURCE = "<https://www.turkicstates.org/en/haberler/>"
TOKENS = {"alice-token": "alice"}
ALICE = {"Authorization": "Bearer alice-token"}


def city_with_blank_claim(name: str) -> str:
    """A new city whose fact is in a claim named `_:c`, as a hand-written submission names it."""
    return PREFIXES + (
        f'res:{name} a ots:City ; rdfs:label "{name}"@en, "{name} kk"@kk, "{name} ru"@ru .\n'
        f"_:c {{ res:{name} ots:inCountry res:kazakhstan . }}\n"
        f"_:c a ots:BackgroundClaim ; dct:source <https://example.org/news/{name}> .\n"
    )


def numbered_summit(slug: str, city: str, date: str, ordinal: int, kk: str, ru: str) -> str:
    """A summit of the Turkic Council's series, its number a blank node `_:b0` as in data/facts (where
    it is written `[ … ]`) and as a serialiser writes it."""
    return PREFIXES + (
        f"res:{slug} a ots:Summit ;\n"
        f'    rdfs:label "{ordinal}th OTS summit, {city.title()}"@en, "{kk}"@kk, "{ru}"@ru .\n'
        f"claim:added-{slug} {{\n"
        f'    res:{slug} ots:heldIn res:{city} ; ots:date "{date}"^^xsd:date ; ots:numberedAs _:b0 .\n'
        f"    _:b0 a ots:SummitNumber ; ots:inSeries res:series-turkic-council-summits ;\n"
        f'        ots:ordinal "{ordinal}"^^xsd:positiveInteger .\n'
        f"}}\n"
        f"claim:added-{slug} a ots:BackgroundClaim ; dct:source {SOURCE} .\n"
    )


# two summits the shipped data does not have, each numbered in the Turkic Council's series
GABALA = numbered_summit(
    "summit-tc-2025-gabala", "gabala", "2025-10-07", 12, "Габала саммиті 2025", "Саммит в Габале 2025"
)
ISTANBUL = numbered_summit(
    "summit-tc-2026-istanbul", "istanbul", "2026-10-01", 13, "Стамбул саммиті 2026", "Саммит в Стамбуле 2026"
)


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def add(capsys, store_dir, tmp_path, name: str, text: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["add", "-q", "--store", str(store_dir), str(path)])
    out, err = capsys.readouterr()
    return code, out + err


def claims_of(quads, city: str) -> set:
    """The claim graphs holding `res:city ots:inCountry …` (not graph:additions, graph:inferred …)."""
    return {
        q.graph_name
        for q in quads
        if q.subject == ox.NamedNode(RES + city)
        and q.predicate == IN_COUNTRY
        and not q.graph_name.value.startswith(GRAPHS)
    }


def sources(quads, claim) -> set:
    return {q.object for q in quads if q.subject == claim and q.predicate == DCT_SOURCE}


def assert_two_claims_each_with_its_own_source(quads) -> None:
    [claim_a] = claims_of(quads, "blankcity-a")
    [claim_b] = claims_of(quads, "blankcity-b")
    assert claim_a != claim_b
    assert sources(quads, claim_a) == {ox.NamedNode("https://example.org/news/blankcity-a")}
    assert sources(quads, claim_b) == {ox.NamedNode("https://example.org/news/blankcity-b")}


def test_two_adds_that_both_say_c_make_two_claims(capsys, store_dir, tmp_path):
    for name in ("blankcity-a", "blankcity-b"):
        code, out = add(capsys, store_dir, tmp_path, f"{name}.trig", city_with_blank_claim(name))
        assert code == 0, out
    assert_two_claims_each_with_its_own_source(set(ox.Store(str(store_dir))))


def test_a_second_submission_reusing_b0_for_a_summit_number_is_accepted(capsys, store_dir, tmp_path):
    for name, text in (("gabala.trig", GABALA), ("istanbul.trig", ISTANBUL)):
        code, out = add(capsys, store_dir, tmp_path, name, text)
        assert code == 0, out
    quads = set(ox.Store(str(store_dir)))
    numbers = {}
    for slug, ordinal in (("summit-tc-2025-gabala", "12"), ("summit-tc-2026-istanbul", "13")):
        [number] = {
            q.object for q in quads if q.subject == ox.NamedNode(RES + slug) and q.predicate == NUMBERED_AS
        }
        assert {q.object.value for q in quads if q.subject == number and q.predicate == ORDINAL} == {ordinal}
        numbers[slug] = number
    assert len(set(numbers.values())) == 2


def test_a_revert_of_a_submission_with_blank_nodes_removes_it(capsys, store_dir, tmp_path):
    before = set(ox.Store(str(store_dir)))
    code, out = add(capsys, store_dir, tmp_path, "a.trig", city_with_blank_claim("blankcity-a"))
    assert code == 0 and out.startswith("accepted: change "), out
    change_id = out.split()[2]
    code, out = add(capsys, store_dir, tmp_path, "b.trig", city_with_blank_claim("blankcity-b"))
    assert code == 0, out
    assert main(["revert", "-q", "--store", str(store_dir), change_id]) == 0, capsys.readouterr()
    quads = set(ox.Store(str(store_dir)))
    assert not claims_of(quads, "blankcity-a")
    [claim_b] = claims_of(quads, "blankcity-b")  # the other submission's `_:c` is untouched
    assert sources(quads, claim_b) == {ox.NamedNode("https://example.org/news/blankcity-b")}
    assert any(q.subject == claim_b and q.object == BACKGROUND_CLAIM for q in quads)
    left = {q for q in quads - before if q.graph_name.value != GRAPHS + "audit"}
    assert not any("blankcity-a" in str(q) for q in left)


def test_two_graph_store_posts_that_both_say_c_make_two_claims():
    with serve_app(update_tokens=TOKENS) as live:
        for name in ("blankcity-a", "blankcity-b"):
            response = requests.post(
                live.url + "/rdf-graphs?default",
                data=city_with_blank_claim(name).encode(),
                headers={**ALICE, "Content-Type": "application/trig"},
            )
            assert response.status_code == 204, response.text
        store = state_of(live.app).store
        assert_two_claims_each_with_its_own_source(set(store))
        # and the reused summit number, which the gate refused (two ordinals on one node) before
        for text in (GABALA, ISTANBUL):
            response = requests.post(
                live.url + "/rdf-graphs?default",
                data=text.encode(),
                headers={**ALICE, "Content-Type": "application/trig"},
            )
            assert response.status_code == 204, response.text


def test_insert_data_blank_nodes_are_fresh_per_update():
    """SPARQL 1.1 Update: INSERT DATA's blank nodes are new per request. pyoxigraph does so already,
    and the gate's change (built on a copy of the store, change_from_update) keeps it: a guard, not
    a fix. Checked on the change: a summit number cannot be added by SPARQL Update anyway, as the
    store turns "12"^^xsd:positiveInteger into xsd:integer, which the gate's literal check refuses."""
    store = ox.Store()
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/otsgraph/claim/x> { "
        "<https://w3id.org/otsgraph/resource/s> <https://w3id.org/otsgraph/ontology/numberedAs> _:b0 } }"
    )
    first, second = (change_from_update(store, update).add for _ in range(2))
    assert first[0].object != second[0].object
    assert ox.BlankNode("b0") not in (first[0].object, second[0].object)


def test_the_plain_store_keeps_each_body_s_blank_nodes_apart():
    """`serve --empty`: a Graph Store POST's blank nodes are fresh per request, and per document of
    a multipart body (two files that both say `_:c` describe two nodes)."""
    with serve_app(empty=True, update_tokens=TOKENS) as live:
        url = live.url + "/rdf-graphs?default"
        for value in ("1", "2"):
            body = f"_:c <http://example.org/p> {value} ."
            response = requests.post(url, data=body, headers={**ALICE, "Content-Type": "text/turtle"})
            assert response.status_code == 204, response.text
        files = {
            name: (f"{name}.ttl", f"_:c <http://example.org/q> {value} .", "text/turtle")
            for name, value in (("one", "1"), ("two", "2"))
        }
        assert requests.post(url, files=files, headers=ALICE).status_code == 204
        store = state_of(live.app).store
        for predicate in ("p", "q"):
            subjects = {
                q.subject
                for q in store.quads_for_pattern(None, ox.NamedNode(f"http://example.org/{predicate}"), None)
            }
            assert len(subjects) == 2, subjects
