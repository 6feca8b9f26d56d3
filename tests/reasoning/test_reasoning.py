"""The fast OWL 2 RL engine: each rule, inconsistency reports, explanations, and agreement with owlrl."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning.closure import reason

EX = "http://example.org/"
TBOX = f"""
@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:City rdfs:subClassOf ex:Place . ex:Place rdfs:subClassOf ex:Thing .
ex:State rdfs:subClassOf ex:Place .
ex:State owl:disjointWith ex:Person .
ex:heldIn rdfs:domain ex:Event ; rdfs:range ex:Place .
ex:locatedIn a owl:TransitiveProperty .
ex:inCountry rdfs:subPropertyOf ex:locatedIn ; a owl:FunctionalProperty .
ex:heldInState owl:propertyChainAxiom ( ex:heldIn ex:inCountry ) .
ex:longChain owl:propertyChainAxiom ( ex:heldIn ex:locatedIn ex:locatedIn ) .
ex:participant owl:inverseOf ex:participatedIn .
ex:partner a owl:SymmetricProperty .
[] a owl:AllDisjointClasses ; owl:members ( ex:Event ex:Place ex:Person ) .
"""


def triples(turtle: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)}


def closure_of(abox: str) -> reasoning.Closure:
    tbox = triples(TBOX)
    return reasoning.materialise(tbox | triples(TBOX + abox), reasoning.compile_tbox(tbox))


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


TYPE = reasoning.RDF_TYPE


def test_subclass_hierarchy_is_followed_to_the_top():
    closure = closure_of("ex:astana a ex:City .")
    assert (n("astana"), TYPE, n("Place")) in closure.inferred
    assert (n("astana"), TYPE, n("Thing")) in closure.inferred
    assert (n("astana"), TYPE, n("State")) not in closure.inferred


def test_domain_and_range_type_both_ends():
    closure = closure_of("ex:summit ex:heldIn ex:astana .")
    assert (n("summit"), TYPE, n("Event")) in closure.inferred
    assert (n("astana"), TYPE, n("Place")) in closure.inferred
    assert (n("astana"), TYPE, n("Event")) not in closure.inferred


def test_range_never_types_a_literal():
    closure = closure_of('ex:summit ex:heldIn "Astana" .')
    assert not any(isinstance(s, ox.Literal) for s, _, _ in closure.inferred)


def test_inverse_and_symmetric_properties():
    closure = closure_of("ex:s ex:participant ex:kz . ex:kz ex:partner ex:tr .")
    assert (n("kz"), n("participatedIn"), n("s")) in closure.inferred
    assert (n("tr"), n("partner"), n("kz")) in closure.inferred
    assert (n("s"), n("participatedIn"), n("kz")) not in closure.inferred


def test_transitive_located_in_and_subproperty():
    closure = closure_of(
        "ex:medeu ex:locatedIn ex:almaty . ex:almaty ex:inCountry ex:kz . ex:kz ex:locatedIn ex:asia ."
    )
    assert (n("almaty"), n("locatedIn"), n("kz")) in closure.inferred
    assert (n("medeu"), n("locatedIn"), n("asia")) in closure.inferred
    assert (n("asia"), n("locatedIn"), n("medeu")) not in closure.inferred


def test_property_chains_of_two_and_three_links():
    closure = closure_of(
        "ex:s ex:heldIn ex:almaty . ex:almaty ex:inCountry ex:kz . ex:kz ex:locatedIn ex:asia ."
    )
    assert (n("s"), n("heldInState"), n("kz")) in closure.inferred
    assert (n("s"), n("longChain"), n("asia")) in closure.inferred
    assert (n("s"), n("heldInState"), n("asia")) not in closure.inferred


def test_chain_found_whichever_link_arrives_last():
    # the inCountry triple is processed before the heldIn one here, and after it in the test above
    closure = closure_of("ex:almaty ex:inCountry ex:kz . ex:s ex:heldIn ex:almaty .")
    assert (n("s"), n("heldInState"), n("kz")) in closure.inferred


def test_disjoint_classes_are_reported_with_the_clashing_triples():
    closure = closure_of("ex:x a ex:State , ex:Person .")
    problems = [p for p in closure.inconsistencies if p.kind == "disjoint-classes"]
    clash = {(n("x"), TYPE, n("State")), (n("x"), TYPE, n("Person"))}
    assert any(set(p.triples) == clash for p in problems), problems


def test_all_disjoint_classes_catch_an_inferred_clash():
    closure = closure_of("ex:x ex:heldIn ex:astana . ex:astana ex:heldIn ex:y .")
    # astana is a Place (range) and an Event (domain): AllDisjointClasses
    assert any("astana" in p.message for p in closure.inconsistencies)


def test_functional_property_with_two_values_is_reported():
    closure = closure_of("ex:almaty ex:inCountry ex:kz , ex:kg .")
    problems = [p for p in closure.inconsistencies if p.kind == "functional-property"]
    assert len(problems) == 1 and len(problems[0].triples) == 2


def test_consistent_data_reports_nothing():
    assert closure_of("ex:s ex:heldIn ex:almaty . ex:almaty a ex:City .").inconsistencies == []


def test_explanation_goes_down_to_asserted_triples():
    tbox = triples(TBOX)
    data = triples(TBOX + "ex:s ex:heldIn ex:almaty . ex:almaty ex:inCountry ex:kz .")
    closure = reasoning.materialise(data, reasoning.compile_tbox(tbox))
    lines = closure.explain((n("s"), n("heldInState"), n("kz")), data)
    assert lines[0][2] == "prp-spo2"
    leaves = [t for depth, t, rule in lines if rule == "asserted"]
    assert (n("s"), n("heldIn"), n("almaty")) in leaves
    assert (n("almaty"), n("inCountry"), n("kz")) in leaves


def test_unsupported_constructs_are_reported():
    extra = triples(f"@prefix owl: <http://www.w3.org/2002/07/owl#> . <{EX}r> owl:someValuesFrom <{EX}C> .")
    assert reasoning.unsupported_axioms(extra)


def comparable(found: set[tuple]) -> set[tuple]:
    """owlrl's inferences about the graph's own entities, minus its axiomatic filler."""
    thing = ox.NamedNode("http://www.w3.org/2002/07/owl#Thing")
    same = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    # x ⊑ x and x ≡ x: owlrl states them for every class expression (the wdt:P31 restrictions
    # are ones since wdt:P31 is declared an object property); they say nothing
    reflexive = {
        same,
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        ox.NamedNode("http://www.w3.org/2002/07/owl#equivalentClass"),
    }
    return {
        t
        for t in found
        if reasoning.own_entity(t[0])
        and not (t[1] == TYPE and t[2] == thing)
        and not (t[1] in reflexive and t[0] == t[2])
        and not isinstance(t[2], ox.Literal) | (t[1] == TYPE and isinstance(t[2], ox.Literal))
    }


def test_engine_matches_owlrl_on_the_toy_graph():
    tbox = triples(TBOX)
    data = tbox | triples(
        TBOX + "ex:s ex:heldIn ex:almaty . ex:almaty ex:inCountry ex:kz . ex:kz ex:locatedIn ex:asia ."
        " ex:s ex:participant ex:kz . ex:kz ex:partner ex:tr . ex:almaty a ex:City ."
    )
    ours = reasoning.materialise(data, reasoning.compile_tbox(tbox)).inferred

    def ex_entities(ts: set[tuple]) -> set[tuple]:
        """Triples about the toy's individuals (lower-case local names), not its classes."""
        return {
            t
            for t in ts
            if isinstance(t[0], ox.NamedNode)
            and t[0].value.startswith(EX)
            and t[0].value[len(EX) :].islower()
        }

    reference = ex_entities(reasoning.owlrl_closure(data) - data)
    thing = ox.NamedNode("http://www.w3.org/2002/07/owl#Thing")
    reference = {t for t in reference if t[2] != thing and t[0] != t[2]}
    assert ex_entities(ours) == reference


@pytest.mark.slow
def test_engine_matches_owlrl_on_the_shipped_graph(layout):
    from otsgraph.core.loading import load_sources

    sources = load_sources(layout)
    ours = reason(sources, with_temporal=False)
    assert not reasoning.unsupported_axioms(ours.input), "the ontology uses constructs the engine lacks"
    reference = reasoning.owlrl_closure(ours.input) - ours.input
    only_owlrl = comparable(reference) - comparable(ours.inferred)
    only_ours = comparable(ours.inferred) - comparable(reference)
    assert not only_owlrl, (
        f"owlrl infers {len(only_owlrl)} triples the engine misses, e.g. {sorted(map(str, only_owlrl))[:5]}"
    )
    assert not only_ours, (
        f"the engine infers {len(only_ours)} triples owlrl does not, e.g. {sorted(map(str, only_ours))[:5]}"
    )
    assert len(comparable(ours.inferred)) > 100


def test_a_cyclic_list_in_the_ontology_is_read_up_to_its_cycle_not_forever():
    """An rdf:rest that leads back (a malformed list, in an ontology or a gate's submission) once
    made compile_tbox loop forever; the list is read up to the node it meets again. (In a process
    of its own, so that the loop, were it back, fails the test at its time limit.)"""
    turtle = (
        f"@prefix ex: <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> . "
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . "
        "ex:chain owl:propertyChainAxiom ex:l1 . ex:l1 rdf:first ex:p ; rdf:rest ex:l2 . "
        "ex:l2 rdf:first ex:q ; rdf:rest ex:l1 ."
    )
    program = "\n".join(
        [
            "import sys, pyoxigraph as ox",
            "from otsgraph.reasoning import engine",
            "parsed = ox.parse(sys.argv[1].encode(), format=ox.RdfFormat.TURTLE)",
            "triples = {(q.subject, q.predicate, q.object) for q in parsed}",
            "chains = engine.compile_tbox(triples).chains",
            "print([[x.value for x in links] + [target.value] for links, target in chains])",
        ]
    )
    done = subprocess.run([sys.executable, "-c", program, turtle], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([[EX + "p", EX + "q", EX + "chain"]])
