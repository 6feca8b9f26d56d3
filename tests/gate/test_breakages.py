"""Behaviour that six breakages once broke unnoticed (issue 14): each test here names it.

- property chains of two, three and four links, whichever link arrives last, in the full engine,
  in incremental reasoning and through the gate's plan, against owlrl and hand-written triples;
- the nodes a change touches include the nodes that only read the changed node (a period reads
  its end instant's year);
- the change log's added and removed counts;
- a Graph Store PUT replaces the graph;
- If-Modified-Since: a stale date gets the body, a current one 304.

(The sixth, the .rq files in the wheel, is test_packaging.py's.)
"""

from __future__ import annotations

import gc
import json
import time
from email.utils import formatdate, parsedate_to_datetime

import pyoxigraph as ox
import pytest
import requests

from gate_support import gate_on, seeded_store_dir
from otsgraph.cli import main
from otsgraph.core.graphs import ADDITIONS, ASSERTED, INFERRED, ONTOLOGY, VISIBLE
from otsgraph.gate import plan as incremental
from otsgraph.gate.change import Change, change_from_update
from otsgraph.gate.view import View
from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning.incremental import forward_chain
from otsgraph.validation import shacl
from otsgraph.validation.report import finding_of
from serve_command import serve_app as serve

EX = "http://example.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PREFIXES = f"@prefix ex: <{EX}> . @prefix owl: <{OWL}> . @prefix rdfs: <{RDFS}> .\n"


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def parse(turtle: str) -> set[tuple]:
    text = (PREFIXES + turtle).encode()
    return {(q.subject, q.predicate, q.object) for q in ox.parse(text, format=ox.RdfFormat.TURTLE)}


# ---------------------------------------------------------------------------- property chains

CHAINS = """
ex:p2 owl:propertyChainAxiom ( ex:a ex:b ) .
ex:p3 owl:propertyChainAxiom ( ex:a ex:b ex:c ) .
ex:p4 owl:propertyChainAxiom ( ex:a ex:b ex:c ex:d ) .
ex:r3 owl:propertyChainAxiom ( ex:r ex:r ex:r ) .
"""
PATH = "ex:n0 ex:a ex:n1 . ex:n1 ex:b ex:n2 . ex:n2 ex:c ex:n3 . ex:n3 ex:d ex:n4 ."


def individuals(found: set[tuple]) -> set[tuple]:
    """Triples about the toy's individuals (ex:n…, ex:m…), without owlrl's reflexive filler."""
    return {
        t
        for t in found
        if isinstance(t[0], ox.NamedNode)
        and t[0].value.startswith(EX)
        and t[0].value[len(EX)] in "nm"
        and t[0] != t[2]
        and t[2] != ox.NamedNode(OWL + "Thing")
    }


def engine_and_owlrl(abox: str) -> tuple[set[tuple], set[tuple]]:
    tbox = parse(CHAINS)
    data = tbox | parse(abox)
    ours = reasoning.materialise(data, reasoning.compile_tbox(tbox)).inferred
    reference = reasoning.owlrl_closure(data) - data
    return individuals(ours), individuals(reference)


def test_chains_of_two_three_and_four_links_match_owlrl_and_the_hand_written_closure():
    ours, reference = engine_and_owlrl(PATH)
    expected = {(n("n0"), n("p2"), n("n2")), (n("n0"), n("p3"), n("n3")), (n("n0"), n("p4"), n("n4"))}
    assert reference == expected  # the reference agrees with the hand-written closure
    assert ours == expected


def test_chains_with_branches_and_a_repeated_link_match_owlrl():
    # two starts into n1 (n0 and m0); a path of r links n0 r n1 r n2 r n3 r n4 for ( r r r )
    abox = (
        PATH
        + " ex:m0 ex:a ex:n1 . ex:n0 ex:r ex:n1 . ex:n1 ex:r ex:n2 . ex:n2 ex:r ex:n3 . ex:n3 ex:r ex:n4 ."
    )
    ours, reference = engine_and_owlrl(abox)
    expected = {
        (n("n0"), n("p2"), n("n2")),
        (n("n0"), n("p3"), n("n3")),
        (n("n0"), n("p4"), n("n4")),
        (n("m0"), n("p2"), n("n2")),
        (n("m0"), n("p3"), n("n3")),
        (n("m0"), n("p4"), n("n4")),
        (n("n0"), n("r3"), n("n3")),
        (n("n1"), n("r3"), n("n4")),
    }
    assert reference == expected
    assert ours == expected


def test_a_broken_chain_infers_nothing():
    ours, reference = engine_and_owlrl(
        "ex:n0 ex:a ex:n1 . ex:n1 ex:b ex:n2 . ex:n9 ex:c ex:n3 . ex:n3 ex:d ex:n4 ."
    )
    assert reference == {(n("n0"), n("p2"), n("n2"))}
    assert ours == reference


LINKS = ("a", "b", "c", "d")
CASES = [(length, late) for length in (2, 3, 4) for late in range(length)]


def chain_toy(length: int, late: int) -> tuple[set[tuple], list[tuple], tuple]:
    """One chain of `length` links over x0 … x<length>; the link at position `late` is stated
    through a sub-property, so it enters the closure only after all the others."""
    links = " ".join(f"ex:{link}" for link in LINKS[:length])
    tbox = parse(
        f"ex:chain owl:propertyChainAxiom ( {links} ) . ex:late rdfs:subPropertyOf ex:{LINKS[late]} ."
    )
    others = [(n(f"x{i}"), n(LINKS[i]), n(f"x{i + 1}")) for i in range(length) if i != late]
    return tbox, others, (n(f"x{late}"), n(LINKS[late]), n(f"x{late + 1}"))


@pytest.mark.parametrize(("length", "late"), CASES, ids=[f"{ln}-links-last-at-{k}" for ln, k in CASES])
def test_a_chain_is_found_whichever_link_arrives_last(length, late):
    tbox, others, last = chain_toy(length, late)
    via_sub = (last[0], n("late"), last[2])
    # materialise pops its work list from the end: the sub-property triple is handled last, so
    # the link it implies joins a path whose other links are all there already
    closure = reasoning.materialise([*tbox, via_sub, *others], reasoning.compile_tbox(tbox))
    assert last in closure.inferred
    assert (n("x0"), n("chain"), n(f"x{length}")) in closure.inferred
    assert closure.derivations[(n("x0"), n("chain"), n(f"x{length}"))].rule == "prp-spo2"


@pytest.mark.parametrize(("length", "late"), CASES, ids=[f"{ln}-links-added-at-{k}" for ln, k in CASES])
def test_incremental_reasoning_completes_a_chain_from_the_added_link(length, late):
    tbox, others, last = chain_toy(length, late)
    store = ox.Store()
    store.extend([ox.Quad(*t) for t in others])
    view = View(store, graphs=[ox.DefaultGraph()])
    new = forward_chain(view, reasoning.compile_tbox(tbox), [last])
    assert new == {last, (n("x0"), n("chain"), n(f"x{length}"))}


def toy_store(with_middle: bool) -> ox.Store:
    """A store with the chains as its ontology and the path as asserted data (the b link optional)."""
    store = ox.Store()
    store.extend([ox.Quad(*t, ONTOLOGY) for t in parse(CHAINS)])
    path = [t for t in parse(PATH) if with_middle or t[1] != n("b")]
    store.extend([ox.Quad(*t, ASSERTED) for t in path])
    incremental.Context(store, []).recompute_inferred()
    return store


MIDDLE = (n("n1"), n("b"), n("n2"))
THROUGH_MIDDLE = {(n("n0"), n("p2"), n("n2")), (n("n0"), n("p3"), n("n3")), (n("n0"), n("p4"), n("n4"))}


def test_the_gate_plan_adding_the_middle_link_infers_every_chain_through_it():
    store = toy_store(with_middle=False)
    assert not any(True for _ in store.quads_for_pattern(None, None, None, INFERRED))
    plan = incremental.Context(store, []).plan(Change(add=[ox.Quad(*MIDDLE, ADDITIONS)], exact=True))
    assert not plan.full_recompute
    assert {(q.subject, q.predicate, q.object) for q in plan.inferred_adds} == THROUGH_MIDDLE
    assert plan.inferred_removes == []


def test_the_gate_plan_removing_the_middle_link_retracts_every_chain_through_it():
    store = toy_store(with_middle=True)
    inferred = {
        (q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, INFERRED)
    }
    assert inferred == THROUGH_MIDDLE
    plan = incremental.Context(store, []).plan(Change(remove=[ox.Quad(*MIDDLE, ASSERTED)], exact=True))
    assert {(q.subject, q.predicate, q.object) for q in plan.inferred_removes} == THROUGH_MIDDLE
    assert plan.inferred_adds == []


# ---------------------------------------------------------------------------- touched nodes

RES = "https://w3id.org/otsgraph/resource/"
PERIOD_END_YEAR = (
    "PREFIX res: <https://w3id.org/otsgraph/resource/> PREFIX time: <http://www.w3.org/2006/time#> "
    "DELETE { ?i time:inXSDgYear ?y } WHERE { res:%s time:%s ?i . ?i time:inXSDgYear ?y }"
)
END_MESSAGE = (
    "The end instant needs time:inXSDgYear (or time:inXSDDate), so that events can be placed in the period."
)
BEGIN_MESSAGE = (
    "The beginning instant needs time:inXSDgYear (or time:inXSDDate), "
    "so that events can be placed in the period."
)


@pytest.fixture
def gate(tmp_path, tmp_path_factory):
    return gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))


def shape_findings(report) -> set[tuple]:
    return {(f.focus, f.message) for f in report.findings if f.kind == "shape"}


def test_removing_a_periods_end_year_is_refused_on_the_period_that_reads_it(gate):
    """The removed triple's subject is the end instant (a blank node); the period only reads it
    (period time:hasEnd instant), and it is the period's shape that breaks."""
    change = change_from_update(gate.store, PERIOD_END_YEAR % ("period-strategic-partnership", "hasEnd"))
    assert len(change.remove) == 1 and isinstance(change.remove[0].subject, ox.BlankNode)
    report = gate.check(change)
    assert not report.conforms
    assert shape_findings(report) == {(RES + "period-strategic-partnership", END_MESSAGE)}


@pytest.mark.parametrize(
    ("period", "end", "message"),
    [
        ("period-strategic-partnership", "hasEnd", END_MESSAGE),
        ("period-institutionalisation", "hasBeginning", BEGIN_MESSAGE),
    ],
)
def test_incremental_validation_equals_full_revalidation_when_only_a_reader_breaks(
    gate, period, end, message
):
    """What a full re-validation newly finds (written out here by hand too) is what the gate finds."""
    context = gate.context
    change = change_from_update(gate.store, PERIOD_END_YEAR % (period, end))
    plan = context.plan(change)
    before = {(q.subject, q.predicate, q.object) for q in gate.store if q.graph_name in VISIBLE}
    after = plan.view.applied_to(before)

    def full(triples: set[tuple]) -> set[tuple]:
        results = shacl.validate_triples(triples, context.shapes_triples)
        return {(f.focus, f.message) for f in (finding_of(r, context.parent_shape(r.shape)) for r in results)}

    new_in_full = full(after) - full(before)
    assert new_in_full == {(RES + period, message)}
    assert shape_findings(gate.check(change)) == new_in_full


# ---------------------------------------------------------------------------- the change log's counts

ADD_TWO_LABELS = (
    "PREFIX res: <https://w3id.org/otsgraph/resource/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    'INSERT DATA { res:kazakhstan skos:altLabel "Qazaqstan test"@en , "Kazakh land test"@en }'
)
DELETE_TWO_LABELS = ADD_TWO_LABELS.replace("INSERT DATA", "DELETE DATA")


def test_the_log_counts_what_an_add_a_delete_and_a_revert_added_and_removed(
    tmp_path, tmp_path_factory, capsys
):
    store_dir = seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())
    gate = gate_on(store_dir)
    added = gate.commit(change_from_update(gate.store, ADD_TWO_LABELS), "alice").change_id
    deleted = gate.commit(change_from_update(gate.store, DELETE_TWO_LABELS), "alice").change_id
    reverted = gate.revert(deleted, "bob").change_id
    assert added and deleted and reverted
    del gate
    gc.collect()
    assert main(["log", "-q", "--json", "--store", str(store_dir)]) == 0
    log = {entry["id"]: entry for entry in json.loads(capsys.readouterr().out)}
    counts = {change: (log[change]["added"], log[change]["removed"]) for change in (added, deleted, reverted)}
    # two labels into graph:additions; the same two out; the revert puts both back
    assert counts == {added: (2, 0), deleted: (0, 2), reverted: (2, 0)}


# ---------------------------------------------------------------------------- over HTTP

TOKENS = {"alice-token": "alice"}
ALICE = {"Authorization": "Bearer alice-token"}
OTS = "https://w3id.org/otsgraph/ontology/"
CLAIM = "https://w3id.org/otsgraph/claim/put-twice"


@pytest.fixture
def live():
    with serve(update_tokens=TOKENS) as server:
        yield server


def test_a_put_replaces_the_claim_graph_with_exactly_its_body(live):
    description = (
        "@prefix ots: <https://w3id.org/otsgraph/ontology/> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        f"<{CLAIM}> a ots:BackgroundClaim ; dct:source <https://example.org/news/put> ."
    )
    response = requests.post(
        live.url + "/rdf-graphs?default", data=description, headers={**ALICE, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 204, response.text
    first = f"<{RES}astana> <{OTS}inCountry> <{RES}kazakhstan> ."
    second = f"<{RES}bishkek> <{OTS}inCountry> <{RES}kyrgyzstan> ."
    for body in (first, second):
        response = requests.put(
            live.url + "/rdf-graphs",
            params={"graph": CLAIM},
            data=body,
            headers={**ALICE, "Content-Type": "application/n-triples"},
        )
        assert response.status_code in (201, 204), response.text
    response = requests.get(
        live.url + "/rdf-graphs", params={"graph": CLAIM}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    held = {
        (t.subject.value, t.predicate.value, t.object.value)
        for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    }
    assert held == {(RES + "bishkek", OTS + "inCountry", RES + "kyrgyzstan")}


QUERY = f"SELECT ?c WHERE {{ <{RES}astana> <{OTS}inCountry> ?c }}"


def _dates(last_modified: str) -> tuple[str, str, str]:
    """A day before Last-Modified, Last-Modified itself, and now (at or after it)."""
    modified = parsedate_to_datetime(last_modified).timestamp()
    return formatdate(modified - 86400, usegmt=True), last_modified, formatdate(time.time(), usegmt=True)


def test_if_modified_since_on_sparql_a_stale_date_gets_the_answer_a_current_one_304(live):
    # a write first, so that the last change is the server's, not its start
    update = (
        "PREFIX res: <https://w3id.org/otsgraph/resource/> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        'INSERT DATA { res:kazakhstan skos:altLabel "Qazaqstan ims"@en }'
    )
    written = requests.post(
        live.url + "/sparql",
        data=update.encode(),
        headers={**ALICE, "Content-Type": "application/sparql-update"},
    )
    assert written.status_code == 204, written.text
    first = requests.get(
        live.url + "/sparql", params={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert first.status_code == 200
    stale, at, now = _dates(first.headers["Last-Modified"])
    headers = {"Accept": "application/sparql-results+json"}
    old = requests.get(
        live.url + "/sparql", params={"query": QUERY}, headers={**headers, "If-Modified-Since": stale}
    )
    assert old.status_code == 200
    assert [row["c"]["value"] for row in old.json()["results"]["bindings"]] == [RES + "kazakhstan"]
    for current in (at, now):
        fresh = requests.get(
            live.url + "/sparql", params={"query": QUERY}, headers={**headers, "If-Modified-Since": current}
        )
        assert fresh.status_code == 304, current
        assert fresh.content == b""


def test_if_modified_since_on_the_ontology_page_a_stale_date_gets_the_page_a_current_one_304(live):
    headers = {"Accept": "text/turtle"}
    first = requests.get(live.url + "/ontology", headers=headers)
    assert first.status_code == 200
    stale, at, now = _dates(first.headers["Last-Modified"])
    old = requests.get(live.url + "/ontology", headers={**headers, "If-Modified-Since": stale})
    assert old.status_code == 200
    assert old.content == first.content and b"owl:Ontology" in old.content
    for current in (at, now):
        fresh = requests.get(live.url + "/ontology", headers={**headers, "If-Modified-Since": current})
        assert fresh.status_code == 304, current
