"""owl:hasValue in the fast OWL 2 RL engine: rules cls-hv1 and cls-hv2, explained, and equal to owlrl."""

from __future__ import annotations

import pyoxigraph as ox

from otsgraph.reasoning import engine as reasoning

EX = "http://example.org/"
TBOX = f"""
@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:State rdfs:subClassOf
    [ a owl:Restriction ; owl:onProperty ex:instanceOf ; owl:hasValue ex:SovereignState ] .
ex:HistoricalState rdfs:subClassOf ex:State .
ex:Human owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:instanceOf ; owl:hasValue ex:Q5 ] .
ex:instanceOf rdfs:subPropertyOf ex:related .
"""
TYPE = reasoning.RDF_TYPE


def triples(turtle: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)}


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def closure_of(abox: str) -> tuple[set[tuple], reasoning.Closure]:
    tbox = triples(TBOX)
    data = tbox | triples(f"@prefix ex: <{EX}> .\n" + abox)
    return data, reasoning.materialise(data, reasoning.compile_tbox(tbox))


def test_has_value_is_no_longer_reported_as_unsupported():
    assert not reasoning.unsupported_axioms(triples(TBOX))


def test_members_of_a_restricted_class_get_the_value():
    _, closure = closure_of("ex:kz a ex:State . ex:ussr a ex:HistoricalState .")
    assert (n("kz"), n("instanceOf"), n("SovereignState")) in closure.inferred
    assert (n("ussr"), n("instanceOf"), n("SovereignState")) in closure.inferred
    assert (n("kz"), n("related"), n("SovereignState")) in closure.inferred  # and its superproperty


def test_the_value_types_the_restriction_but_not_a_class_that_is_only_a_subclass_of_it():
    _, closure = closure_of("ex:x ex:instanceOf ex:SovereignState .")
    assert (n("x"), TYPE, n("State")) not in closure.inferred
    assert any(s == n("x") and p == TYPE and isinstance(o, ox.BlankNode) for s, p, o in closure.inferred)


def test_an_equivalent_restriction_types_its_class_from_the_value():
    _, closure = closure_of("ex:ataturk ex:instanceOf ex:Q5 . ex:putin a ex:Human .")
    assert (n("ataturk"), TYPE, n("Human")) in closure.inferred
    assert (n("putin"), n("instanceOf"), n("Q5")) in closure.inferred


def test_a_different_value_does_not_match():
    _, closure = closure_of("ex:x ex:instanceOf ex:City .")
    assert (n("x"), TYPE, n("Human")) not in closure.inferred


def test_the_explanation_names_the_rule_and_the_restriction():
    data, closure = closure_of("ex:kz a ex:State .")
    lines = closure.explain((n("kz"), n("instanceOf"), n("SovereignState")), data)
    assert lines[0][2] == "cls-hv1"
    premises = closure.derivations[lines[0][1]].premises
    assert any(p == ox.NamedNode("http://www.w3.org/2002/07/owl#hasValue") for _, p, _ in premises)
    assert (n("kz"), TYPE, n("State")) in [t for _, t, rule in lines if rule == "asserted"]


def test_engine_matches_owlrl_on_has_value():
    data, closure = closure_of(
        "ex:kz a ex:State . ex:ussr a ex:HistoricalState . ex:ataturk ex:instanceOf ex:Q5 ."
        " ex:putin a ex:Human . ex:x ex:instanceOf ex:SovereignState ."
    )
    individuals = {n(x) for x in ("kz", "ussr", "ataturk", "putin", "x")}
    reference = {t for t in reasoning.owlrl_closure(data) - data if t[0] in individuals}
    thing = ox.NamedNode("http://www.w3.org/2002/07/owl#Thing")
    reference = {t for t in reference if t[2] != thing and t[0] != t[2]}  # axiomatic filler
    ours = {t for t in closure.inferred if t[0] in individuals}
    assert ours == reference
