"""The build reasons and validates over terms encoded as ints (core/interning.py), for speed at 1M
triples; the gate and every other caller still pass pyoxigraph terms. These tests hold the two paths
to the same answers: the same closure, derivations, inconsistencies and SHACL report."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_rule_oracles import CASES, parse

from otsgraph.core.graphs import BACKGROUND, ONTOLOGY, REASONED_GRAPHS
from otsgraph.core.interning import Interner
from otsgraph.core.loading import Layout, load_sources, parse_file
from otsgraph.pipeline.build import run_build
from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning.closure import reason, reason_triples, resting_on_background
from otsgraph.validation.reference import validate

REPO = Path(__file__).resolve().parents[2]
ORACLES = REPO / "tests" / "fixtures" / "oracles" / "reasoning"
EX = "http://example.org/rule/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def encoded_closure(triples: set[tuple], tbox_triples: set[tuple]) -> tuple[Interner, reasoning.Closure]:
    terms = Interner()
    data = {terms.encode(t) for t in triples}
    tbox = reasoning.compile_tbox(
        {terms.encode(t) for t in tbox_triples}, reasoning.Vocabulary.encoded(terms)
    )
    return terms, reasoning.materialise(data, tbox)


# ---- The interner ---------------------------------------------------------------------------------


def test_equal_terms_parsed_apart_get_one_id_and_literals_get_negative_ids():
    terms = Interner()
    first = parse(
        'ex:a ex:p ex:b . ex:a ex:q "x"@en . ex:a ex:r "1"^^<http://www.w3.org/2001/XMLSchema#int> .'
    )
    again = parse(
        'ex:a ex:p ex:b . ex:a ex:q "x"@en . ex:a ex:r "1"^^<http://www.w3.org/2001/XMLSchema#int> .'
    )
    ids = {terms.encode(t) for t in first}
    assert {terms.encode(t) for t in again} == ids
    for s, p, o in ids:
        assert s >= 0 and p >= 0
        assert (o < 0) == isinstance(terms.term(o), ox.Literal)
    assert terms.decode_all(ids) == first
    assert len(terms) == 7  # a, b, p, q, r and the two literals


def test_get_gives_no_id_to_a_term_it_has_not_seen():
    terms = Interner()
    unseen = ox.NamedNode("http://example.org/unseen")
    assert terms.get(unseen) is None and len(terms) == 0
    assert terms.id(unseen) == terms.get(unseen) == 0


def test_the_loaded_graphs_and_their_encoding_hold_the_same_triples_in_the_same_order():
    sources = load_sources(Layout(REPO))
    assert sources.encoded.keys() == sources.graphs.keys()
    for graph, triples in sources.graphs.items():
        assert [sources.terms.decode(t) for t in sources.encoded[graph]] == [tuple(t) for t in triples], graph


def test_a_graph_filled_by_other_code_is_encoded_when_first_read():
    sources = load_sources(Layout(REPO))
    triple = next(iter(parse("ex:x ex:p ex:y .")))
    sources.graphs[BACKGROUND] = [*sources.graphs[BACKGROUND], triple]
    assert sources.terms.decode(sources.encoded_triples(BACKGROUND)[-1]) == triple
    # a graph set anew with as many triples as before is encoded again too
    other = next(iter(parse("ex:x ex:p ex:z .")))
    sources.graphs[BACKGROUND] = [*sources.graphs[BACKGROUND][:-1], other]
    assert sources.terms.decode(sources.encoded_triples(BACKGROUND)[-1]) == other
    assert triple not in reason(sources).input and other in reason(sources).input


def test_a_literal_in_the_predicate_place_decodes_as_that_literal():
    """A malformed triple (an rdfs:subPropertyOf whose object is a literal makes the rules write
    one) must come back as it was made, not as another term."""
    terms = Interner()
    for t in sorted(parse('ex:a ex:p ex:b . ex:c ex:q "one" .'), key=str):
        terms.encode(t)
    made = (terms.id(ox.NamedNode(EX + "a")), terms.id(ox.Literal("one")), terms.id(ox.NamedNode(EX + "b")))
    assert terms.decode(made)[1] == ox.Literal("one")


# ---- The engine over ids and over terms -----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_rule_infers_over_ids_what_it_infers_over_terms(case):
    tbox = parse(case.tbox)
    data = tbox | parse(case.abox)
    over_terms = reasoning.materialise(data, reasoning.compile_tbox(tbox))
    terms, over_ids = encoded_closure(data, tbox)
    decoded = over_ids.decoded(terms)
    assert decoded.inferred == over_terms.inferred and decoded.inferred
    assert decoded.derivations == over_terms.derivations  # rule and premises


@pytest.mark.parametrize("fixture", sorted(p.stem for p in ORACLES.glob("*.ttl")))
def test_each_inconsistency_is_named_over_ids_as_over_terms_with_the_same_message(fixture):
    triples = {(q.subject, q.predicate, q.object) for q in parse_file(ORACLES / f"{fixture}.ttl")}
    over_terms = reasoning.materialise(triples, reasoning.compile_tbox(triples)).inconsistencies
    terms, closure = encoded_closure(triples, triples)
    over_ids = closure.decoded(terms).inconsistencies
    assert over_terms, fixture
    assert [(i.kind, i.message, i.triples) for i in over_ids] == [
        (i.kind, i.message, i.triples) for i in over_terms
    ]
    assert "<http://" in over_ids[0].message  # terms, not ids, in the message


def test_seeds_given_in_any_order_give_one_closure():
    case = next(c for c in CASES if c.rule == "prp-trp")
    tbox = parse(case.tbox)
    data = sorted(tbox | parse(case.abox), key=str)
    forward = reasoning.materialise(data, reasoning.compile_tbox(tbox))
    backward = reasoning.materialise(data[::-1], reasoning.compile_tbox(tbox))
    as_set = reasoning.materialise(set(data), reasoning.compile_tbox(tbox))
    assert forward.inferred == backward.inferred == as_set.inferred and forward.inferred


# ---- The build's path against the terms' path, on the shipped graph and a generated one ----------


def test_the_shipped_build_reasons_over_ids_what_it_would_over_terms():
    sources = load_sources(Layout(REPO))
    over_ids = reason(sources)
    assert over_ids.terms is not None
    base = set(sources.triples(*REASONED_GRAPHS))
    ontology = set(sources.triples(ONTOLOGY))
    over_terms = reason_triples(base, ontology)
    without = base - set(sources.triples(BACKGROUND))
    assert over_ids.input == base
    assert over_ids.inferred == over_terms.inferred
    assert over_ids.inferred_count == len(over_terms.inferred)
    assert over_ids.from_background == resting_on_background(over_terms.inferred, without, ontology)
    assert over_ids.from_background, "the shipped background adds inferences"
    closure = over_ids.closure
    assert set(closure.derivations) >= over_ids.inferred - over_ids.input
    every = over_ids.input | over_ids.inferred
    for t, derivation in closure.derivations.items():
        assert all(p in every for p in derivation.premises), (t, derivation)


def test_the_ordered_encoding_holds_each_input_and_inferred_triple_once():
    reasoned = reason(load_sources(Layout(REPO)))
    ordered = reasoned.encoded_in_order()
    assert ordered is not None and len(ordered) == len(set(ordered))
    assert reasoned.terms.decode_all(ordered) == reasoned.input | reasoned.inferred


BROKEN = """
@prefix ots: <https://w3id.org/otsgraph/ontology/> .
@prefix res: <https://w3id.org/otsgraph/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
res:gen-city-0 a ots:Person .
res:gen-city-1 rdfs:label "no language" .
res:gen-unlabelled a ots:City .
"""


def test_a_generated_build_with_faults_reports_over_ids_what_pyshacl_reports(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from generate import write_project

    root = write_project(tmp_path / "project", REPO, 3000)
    (root / "data" / "entities" / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    result = run_build(Layout(root), write=False)
    over_ids = result.report
    shapes = [tuple(t) for t in result.sources.shapes]
    reference = validate(result.reasoned.input | result.reasoned.inferred, shapes, engine="pyshacl")
    assert over_ids is not None and (over_ids.engine, reference.engine) == ("fast", "pyshacl")

    def named(node: str | None) -> str | None:
        return "_:blank" if node is not None and node.startswith("_:") else node  # ids differ per parser

    def key(report) -> list[tuple]:
        return sorted(
            (named(r.focus), r.path or "", named(r.value) or "", r.severity, r.message, named(r.shape))
            for r in report.findings
        )

    assert key(over_ids) == key(reference) and over_ids.findings
    focus = {f.focus for f in over_ids.findings}
    assert {
        "https://w3id.org/otsgraph/resource/gen-city-1",
        "https://w3id.org/otsgraph/resource/gen-unlabelled",
    } <= {f.strip("<>") for f in focus}
    kinds = {i.kind for i in result.reasoned.closure.inconsistencies}
    assert "disjoint-classes" in kinds  # a city that is also a person
    # what `otsgraph build` prints reads these without decoding the whole closure: the same answers
    assert result.reasoned.inconsistencies == result.reasoned.closure.inconsistencies
    typed = {t for t in result.reasoned.input | result.reasoned.inferred if t[1] == TYPE}
    everything = result.reasoned.typed(lambda s, o: True)
    assert set(everything) == {t for t in typed if all(isinstance(x, ox.NamedNode) for x in (t[0], t[2]))}
    kept = result.reasoned.as_terms()
    assert kept.terms is None and kept.inferred == result.reasoned.inferred
    assert kept.closure.derivations == result.reasoned.closure.derivations
