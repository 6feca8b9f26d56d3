"""Every OWL 2 RL rule the engine implements, on a fixture of its own, against owlrl (issue 14).

Each fixture is a toy ontology and data that the rule, and no other, completes. The test checks
three things: the engine infers the expected triples (written here by hand), it names the rule in
their derivation, and owlrl, the reference, infers the same triples about the toy's individuals.
A last test reads the rule names from the engine's source, so that a rule added without a fixture
fails here."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from otsgraph.reasoning import engine as reasoning

EX = "http://example.org/rule/"
OWL = "http://www.w3.org/2002/07/owl#"
PREFIXES = f"""@prefix ex: <{EX}> .
@prefix owl: <{OWL}> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def ex(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


@dataclass(frozen=True)
class RuleCase:
    rule: str
    tbox: str
    abox: str
    #: what the rule adds, by hand: (subject, predicate, object) local names; "a" is rdf:type
    expected: tuple[tuple[str, str, str], ...]
    #: the fixture's name, where a rule has more than one (an axiom the engine reads as another)
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or self.rule


def term(local: str) -> ox.NamedNode:
    return TYPE if local == "a" else ex(local)


CASES = [
    RuleCase("cax-sco", "ex:City rdfs:subClassOf ex:Place . ex:Place rdfs:subClassOf ex:Thing2 .",
             "ex:almaty a ex:City .", (("almaty", "a", "Place"), ("almaty", "a", "Thing2"))),
    RuleCase("prp-dom", "ex:heldIn rdfs:domain ex:Event .", "ex:summit ex:heldIn ex:baku .",
             (("summit", "a", "Event"),)),
    RuleCase("prp-rng", "ex:heldIn rdfs:range ex:City .", "ex:summit ex:heldIn ex:baku .",
             (("baku", "a", "City"),)),
    RuleCase("prp-spo1",
             "ex:chairedBy rdfs:subPropertyOf ex:involves . ex:involves rdfs:subPropertyOf ex:about .",
             "ex:summit ex:chairedBy ex:kz .", (("summit", "involves", "kz"), ("summit", "about", "kz"))),
    RuleCase("prp-inv", "ex:hasMember owl:inverseOf ex:memberOf .",
             "ex:ots ex:hasMember ex:kz . ex:tr ex:memberOf ex:ots .",
             (("kz", "memberOf", "ots"), ("ots", "hasMember", "tr"))),
    RuleCase("prp-symp", "ex:partner a owl:SymmetricProperty .", "ex:kz ex:partner ex:tr .",
             (("tr", "partner", "kz"),)),
    RuleCase("prp-trp", "ex:locatedIn a owl:TransitiveProperty .",
             "ex:almaty ex:locatedIn ex:kz . ex:kz ex:locatedIn ex:asia . ex:asia ex:locatedIn ex:earth .",
             (("almaty", "locatedIn", "asia"), ("almaty", "locatedIn", "earth"),
              ("kz", "locatedIn", "earth"))),
    RuleCase("prp-spo2", "ex:inCountryOf owl:propertyChainAxiom ( ex:heldIn ex:inCountry ) .",
             "ex:summit ex:heldIn ex:baku . ex:baku ex:inCountry ex:az .",
             (("summit", "inCountryOf", "az"),)),
    RuleCase("prp-spo1", "ex:partOf owl:equivalentProperty ex:within .",
             "ex:almaty ex:partOf ex:kz . ex:ankara ex:within ex:tr .",
             (("almaty", "within", "kz"), ("ankara", "partOf", "tr")), name="prp-eqp1-eqp2"),
    RuleCase("cax-sco", "ex:Country owl:equivalentClass ex:State .",
             "ex:kz a ex:Country . ex:tr a ex:State .",
             (("kz", "a", "State"), ("tr", "a", "Country")), name="cax-eqc1-eqc2"),
    RuleCase("cls-hv1", "ex:TurkicState owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:family ;"
             " owl:hasValue ex:turkic ] .", "ex:kz a ex:TurkicState .", (("kz", "family", "turkic"),)),
    RuleCase("cls-hv2", "ex:TurkicState owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:family ;"
             " owl:hasValue ex:turkic ] .", "ex:uz ex:family ex:turkic .", (("uz", "a", "TurkicState"),)),
]  # fmt: skip


def parse(text: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE)}


def about_individuals(found: set[tuple]) -> set[tuple]:
    """Triples about the toy's individuals (lower-case local names) with a named object, without
    owlrl's reflexive and owl:Thing filler, and without the restriction's blank node."""
    return {
        t
        for t in found
        if isinstance(t[0], ox.NamedNode)
        and t[0].value.startswith(EX)
        and t[0].value[len(EX)].islower()
        and isinstance(t[2], ox.NamedNode)
        and t[2] != ox.NamedNode(OWL + "Thing")
        and t[0] != t[2]
        and not t[1].value.startswith((OWL, "http://www.w3.org/2000/01/rdf-schema#"))
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_rule_infers_what_its_fixture_expects_and_owlrl_agrees(case):
    tbox = parse(case.tbox)
    data = tbox | parse(case.abox)
    closure = reasoning.materialise(data, reasoning.compile_tbox(tbox))
    expected = {(ex(s), term(p), ex(o)) for s, p, o in case.expected}
    ours = about_individuals(closure.inferred)
    assert ours == expected
    asserted = set(data)
    for triple in expected:  # the rule is in the triple's derivation (cls-hv2 types the restriction first)
        assert case.rule in {rule for _, _, rule in closure.explain(triple, asserted)}, triple
    assert about_individuals(reasoning.owlrl_closure(data) - data) == expected


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_without_its_axiom_the_rule_infers_nothing(case):
    """The fixture's inferences come from its axiom, not from elsewhere in the engine."""
    closure = reasoning.materialise(parse(case.abox), reasoning.compile_tbox(set()))
    assert about_individuals(closure.inferred) == set()


def rules_in_the_engine() -> set[str]:
    """The rule names the engine writes into derivations: its one rule table (reasoning.RULES)."""
    names = [rule.name for rule in reasoning.RULES]
    assert len(names) == len(set(names)), "two rules of the table share a name"
    return set(names)


def test_every_rule_the_engine_implements_has_a_fixture():
    rules = rules_in_the_engine()
    assert len(rules) >= 10
    assert rules == {c.rule for c in CASES}
